/* layers.hip — GPU device setup and memory, and the kernels of the layers: obs
 * conversion, im2col/col2im, bias rows and bias gradients, activations, and a small tiled
 * SGEMM. HIP spelling; compiled by hipcc for AMD and by nvcc -x cu through hip_compat.h.
 * Reductions use shared memory and __syncthreads only (no warp-synchronous code), with a
 * block size derived from the warp size queried at run time, so nothing assumes 32 lanes.
 *
 * The GEMM (hipBLAS/rocBLAS are not in Debian, and one code path for AMD and NVIDIA keeps
 * the two builds honest): row-major C (M, N) = alpha op(A) op(B) + beta C. Each 16x16
 * thread block computes one 16x16 tile of C, staging 16x16 tiles of op(A) and op(B)
 * through shared memory (padded by one column against bank conflicts). Transposes are
 * folded into the tile loads, so the network's three GEMM forms (x w^T, dy^T x, dy w) need
 * no transposed copies; 256 threads per block is a multiple of both warp sizes in use
 * (32 and 64). Deliberately simple: correctness first; a register-blocked tile (or cuBLAS
 * on NVIDIA) is the next step if a device benchmark shows GEMM dominating.
 */
#include "hip_compat.h"
#include "gpu_api.h"

int arc_gpu_threads = 256;
static int warp_size = 0;

int arc_gpu_open(int device, char *msg, size_t msg_len)
{
    int count = 0;
    hipError_t e = hipGetDeviceCount(&count);
    if (e != hipSuccess || count == 0) {
        snprintf(msg, msg_len, "no GPU device found (%s)",
                 e != hipSuccess ? hipGetErrorString(e) : "device count is 0");
        return -1;
    }
    if (device < 0 || device >= count) {
        snprintf(msg, msg_len, "GPU device %d does not exist (found %d)", device, count);
        return -1;
    }
    e = hipSetDevice(device);
    if (e != hipSuccess) {
        snprintf(msg, msg_len, "cannot use GPU device %d: %s", device, hipGetErrorString(e));
        return -1;
    }
    hipDeviceProp_t prop;
    e = hipGetDeviceProperties(&prop, device);
    if (e != hipSuccess) {
        snprintf(msg, msg_len, "cannot query GPU device %d: %s", device, hipGetErrorString(e));
        return -1;
    }
    warp_size = prop.warpSize;
    int t = warp_size * 8;
    while (t > 1024) t /= 2;
    arc_gpu_threads = t;
    snprintf(msg, msg_len, "%s (warp size %d)", prop.name, warp_size);
    return 0;
}

int arc_gpu_warp_size(void) { return warp_size; }

void *arc_gpu_malloc(size_t bytes)
{
    void *p = NULL;
    ARC_GPU_CHECK(hipMalloc(&p, bytes ? bytes : 4));
    ARC_GPU_CHECK(hipMemset(p, 0, bytes ? bytes : 4));
    return p;
}

void arc_gpu_free(void *p) { ARC_GPU_CHECK(hipFree(p)); }

void arc_gpu_upload(void *dst, const void *host_src, size_t bytes)
{
    ARC_GPU_CHECK(hipMemcpy(dst, host_src, bytes, hipMemcpyHostToDevice));
}

void arc_gpu_download(void *host_dst, const void *src, size_t bytes)
{
    ARC_GPU_CHECK(hipMemcpy(host_dst, src, bytes, hipMemcpyDeviceToHost));
}

void arc_gpu_copy(void *dst, const void *src, size_t bytes)
{
    ARC_GPU_CHECK(hipMemcpy(dst, src, bytes, hipMemcpyDeviceToDevice));
}

void arc_gpu_sync(void) { ARC_GPU_CHECK(hipDeviceSynchronize()); }

__global__ void fill_kernel(float *x, float v, size_t n)
{
    GRID_STRIDE(i, n) x[i] = v;
}

__global__ void scale_kernel(float *x, float f, size_t n)
{
    GRID_STRIDE(i, n) x[i] *= f;
}

__global__ void axpy_kernel(float *y, float a, const float *x, size_t n)
{
    GRID_STRIDE(i, n) y[i] += a * x[i];
}

void arc_gpu_axpy(float *y, float a, const float *x, size_t n)
{
    if (n == 0) return;
    axpy_kernel<<<arc_gpu_blocks(n), arc_gpu_threads>>>(y, a, x, n);
    ARC_GPU_LAUNCHED();
}

void arc_gpu_fill(float *x, float value, size_t n)
{
    if (n == 0) return;
    fill_kernel<<<arc_gpu_blocks(n), arc_gpu_threads>>>(x, value, n);
    ARC_GPU_LAUNCHED();
}

void arc_gpu_scale(float *x, float factor, size_t n)
{
    if (n == 0) return;
    scale_kernel<<<arc_gpu_blocks(n), arc_gpu_threads>>>(x, factor, n);
    ARC_GPU_LAUNCHED();
}

/* one thread per output float x[b, p, c] */
__global__ void obs_kernel(float *x, const uint8_t *obs, int C, int plane, size_t n)
{
    GRID_STRIDE(i, n) {
        size_t c = i % C, p = (i / C) % plane, b = i / ((size_t)C * plane);
        x[i] = (float)obs[(b * C + c) * plane + p];
    }
}

void arc_gpu_obs_to_float(float *x, const uint8_t *obs, int B, int C, int H, int W)
{
    size_t n = (size_t)B * C * H * W;
    obs_kernel<<<arc_gpu_blocks(n), arc_gpu_threads>>>(x, obs, C, H * W, n);
    ARC_GPU_LAUNCHED();
}

/* one thread per cols element (row r = (b, oy, ox), column (ky, kx, i)) */
__global__ void im2col_kernel(float *cols, const float *x, int H, int W, int I, int k, int pad,
                              int Ho, int Wo, size_t n)
{
    size_t K = (size_t)k * k * I;
    GRID_STRIDE(e, n) {
        size_t r = e / K, col = e % K;
        int i = (int)(col % I), kx = (int)((col / I) % k), ky = (int)(col / ((size_t)I * k));
        int ox = (int)(r % Wo), oy = (int)((r / Wo) % Ho);
        size_t b = r / ((size_t)Wo * Ho);
        int iy = oy + ky - pad, ix = ox + kx - pad;
        cols[e] = (iy >= 0 && iy < H && ix >= 0 && ix < W) ? x[((b * H + iy) * W + ix) * I + i] : 0.0f;
    }
}

void arc_gpu_im2col(float *cols, const float *x, int B, int H, int W, int I, int k, int pad, int Ho, int Wo)
{
    size_t n = (size_t)B * Ho * Wo * k * k * I;
    im2col_kernel<<<arc_gpu_blocks(n), arc_gpu_threads>>>(cols, x, H, W, I, k, pad, Ho, Wo, n);
    ARC_GPU_LAUNCHED();
}

/* one thread per dx element: gathers its k*k contributions (no atomics) */
__global__ void col2im_kernel(float *dx, const float *dcols, int H, int W, int I, int k, int pad,
                              int Ho, int Wo, size_t n)
{
    size_t K = (size_t)k * k * I;
    GRID_STRIDE(e, n) {
        int i = (int)(e % I), ix = (int)((e / I) % W), iy = (int)((e / ((size_t)I * W)) % H);
        size_t b = e / ((size_t)I * W * H);
        float sum = 0.0f;
        for (int ky = 0; ky < k; ky++) {
            int oy = iy - ky + pad;
            if (oy < 0 || oy >= Ho) continue;
            for (int kx = 0; kx < k; kx++) {
                int ox = ix - kx + pad;
                if (ox < 0 || ox >= Wo) continue;
                size_t r = (b * Ho + oy) * Wo + ox;
                sum += dcols[r * K + ((size_t)ky * k + kx) * I + i];
            }
        }
        dx[e] = sum;
    }
}

void arc_gpu_col2im(float *dx, const float *dcols, int B, int H, int W, int I, int k, int pad, int Ho, int Wo)
{
    size_t n = (size_t)B * H * W * I;
    col2im_kernel<<<arc_gpu_blocks(n), arc_gpu_threads>>>(dx, dcols, H, W, I, k, pad, Ho, Wo, n);
    ARC_GPU_LAUNCHED();
}

__global__ void bias_rows_kernel(float *y, const float *b, int O, size_t n)
{
    GRID_STRIDE(e, n) y[e] = b[e % O];
}

void arc_gpu_bias_rows(float *y, const float *b, int M, int O)
{
    size_t n = (size_t)M * O;
    bias_rows_kernel<<<arc_gpu_blocks(n), arc_gpu_threads>>>(y, b, O, n);
    ARC_GPU_LAUNCHED();
}

/* one block per column o: threads stride over the M rows */
__global__ void bias_grad_kernel(float *db, const float *dy, int M, int O)
{
    extern __shared__ float shared[];
    int o = blockIdx.x;
    float s = 0.0f;
    for (int r = threadIdx.x; r < M; r += blockDim.x) s += dy[(size_t)r * O + o];
    float total = block_sum(s, shared);
    if (threadIdx.x == 0) db[o] += total;
}

void arc_gpu_bias_grad(float *db, const float *dy, int M, int O)
{
    bias_grad_kernel<<<O, arc_gpu_threads, arc_gpu_threads * sizeof(float)>>>(db, dy, M, O);
    ARC_GPU_LAUNCHED();
}

__global__ void act_forward_kernel(float *y, const float *x, size_t n, int act)
{
    GRID_STRIDE(i, n) {
        float v = x[i];
        if (act == 1) v = v > 0.0f ? v : 0.0f;
        else if (act == 2) v = v / (1.0f + expf(-v));
        y[i] = v;
    }
}

__global__ void act_backward_kernel(float *dx, const float *dy, const float *x, size_t n, int act)
{
    GRID_STRIDE(i, n) {
        float g = dy[i];
        if (act == 1) {
            g = x[i] > 0.0f ? g : 0.0f;
        } else if (act == 2) {
            float s = 1.0f / (1.0f + expf(-x[i]));
            g = g * s * (1.0f + x[i] * (1.0f - s));
        }
        dx[i] = g;
    }
}

void arc_gpu_act_forward(float *y, const float *x, size_t n, int act)
{
    if (n == 0) return;
    act_forward_kernel<<<arc_gpu_blocks(n), arc_gpu_threads>>>(y, x, n, act);
    ARC_GPU_LAUNCHED();
}

void arc_gpu_act_backward(float *dx, const float *dy, const float *x, size_t n, int act)
{
    if (n == 0) return;
    act_backward_kernel<<<arc_gpu_blocks(n), arc_gpu_threads>>>(dx, dy, x, n, act);
    ARC_GPU_LAUNCHED();
}

/* --- GEMM ------------------------------------------------------------------------------ */

#define TILE 16

__global__ void gemm_kernel(int ta, int tb, int M, int N, int K, float alpha, const float *A, int lda,
                            const float *B, int ldb, float beta, float *C, int ldc)
{
    __shared__ float as[TILE][TILE + 1];
    __shared__ float bs[TILE][TILE + 1];
    int tx = threadIdx.x, ty = threadIdx.y;
    int row = blockIdx.y * TILE + ty, col = blockIdx.x * TILE + tx;
    float acc = 0.0f;
    for (int p0 = 0; p0 < K; p0 += TILE) {
        int pa = p0 + tx; /* op(A)(row, pa) */
        float a = 0.0f;
        if (row < M && pa < K) a = ta ? A[(size_t)pa * lda + row] : A[(size_t)row * lda + pa];
        as[ty][tx] = a;
        int pb = p0 + ty; /* op(B)(pb, col) */
        float b = 0.0f;
        if (pb < K && col < N) b = tb ? B[(size_t)col * ldb + pb] : B[(size_t)pb * ldb + col];
        bs[ty][tx] = b;
        __syncthreads();
        for (int q = 0; q < TILE; q++) acc += as[ty][q] * bs[q][tx];
        __syncthreads();
    }
    if (row < M && col < N) {
        float *c = C + (size_t)row * ldc + col;
        *c = beta == 0.0f ? alpha * acc : alpha * acc + beta * *c;
    }
}

void arc_gpu_gemm(int trans_a, int trans_b, int M, int N, int K, float alpha, const float *A,
                  int lda, const float *B, int ldb, float beta, float *C, int ldc)
{
    if (M <= 0 || N <= 0) return;
    dim3 block(TILE, TILE);
    dim3 grid((unsigned)((N + TILE - 1) / TILE), (unsigned)((M + TILE - 1) / TILE));
    gemm_kernel<<<grid, block>>>(trans_a, trans_b, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc);
    ARC_GPU_LAUNCHED();
}
