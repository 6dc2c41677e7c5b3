/* gemm.hip — a small tiled SGEMM for the GPU backend (hipBLAS/rocBLAS are not in Debian,
 * and one code path for AMD and NVIDIA keeps the two builds honest).
 *
 * Row-major C (M, N) = alpha op(A) op(B) + beta C. Each 16x16 thread block computes one
 * 16x16 tile of C, staging 16x16 tiles of op(A) and op(B) through shared memory (padded
 * by one column against bank conflicts). Transposes are folded into the tile loads, so
 * the network's three GEMM forms (x w^T, dy^T x, dy w) need no transposed copies.
 * 256 threads per block is a multiple of both warp sizes in use (32 and 64).
 * Deliberately simple: correctness first; a register-blocked tile (or cuBLAS on NVIDIA)
 * is the next step if a device benchmark shows GEMM dominating.
 */
#include "hip_compat.h"
#include "gpu_api.h"

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
