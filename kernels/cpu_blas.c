/* cpu_blas.c — the fast CPU backend: OpenBLAS sgemm, convolutions through im2col.
 *
 * A batch of convolutions is one GEMM: im2col lays the B*Ho*Wo receptive fields out as
 * rows of a (B*Ho*Wo, k*k*I) matrix (channels-last makes each kernel row one contiguous
 * copy of k*I floats), and
 *     forward   y     (M, O) = cols (M, K) w^T (K, O) + b           M = B*Ho*Wo, K = k*k*I
 *     backward  dw    (O, K) += dy^T (O, M) cols (M, K)
 *               dcols (M, K) = dy (M, O) w (O, K), then col2im adds them back into dx.
 * The cols matrix forward builds stays in the workspace for backward (no second im2col).
 * Dense layers are single GEMMs over the batch; biases are written into the output before
 * an accumulating (beta = 1) GEMM. ReLU and bias gradients are vectorised by hand (GCC
 * vector extensions); SiLU, losses and optimizers are the shared host loops (host_ops.c).
 *
 * Threads: stateless; OpenBLAS is set to one thread (arc_backend_cpu), so each calling
 * thread runs its GEMMs on its own core.
 */
#include <cblas.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* OpenBLAS's cblas.h pulls in <complex.h>, whose macro I would clash with the input-channel
 * count I used throughout. */
#undef I

#include "backend_impl.h"

static void blas_upload(void *dst, const void *src, size_t bytes) { memcpy(dst, src, bytes); }

static size_t blas_conv2d_workspace(const ArcConvShape *s)
{
    size_t rows = (size_t)s->batch * s->out_h * s->out_w;
    size_t cols = (size_t)s->kernel * s->kernel * s->in_c;
    return 2 * rows * cols; /* cols, then dcols */
}

/* cols (B*Ho*Wo, k*k*I) from x (B, H, W, I); zero outside the input (same padding). */
static void im2col(float *cols /* (B*Ho*Wo, k*k*I) */, const float *x /* (B, H, W, I) */,
                   const ArcConvShape *s)
{
    int k = s->kernel, I = s->in_c;
    size_t K = (size_t)k * k * I, run = (size_t)k * I;
    float *row = cols;
    for (int b = 0; b < s->batch; b++) {
        const float *xb = x + (size_t)b * s->in_h * s->in_w * I;
        for (int oy = 0; oy < s->out_h; oy++)
            for (int ox = 0; ox < s->out_w; ox++, row += K) {
                int x0 = ox - s->pad;
                bool inside_x = x0 >= 0 && x0 + k <= s->in_w;
                for (int ky = 0; ky < k; ky++) {
                    int iy = oy + ky - s->pad;
                    float *dst = row + (size_t)ky * run;
                    if (iy < 0 || iy >= s->in_h) {
                        memset(dst, 0, run * sizeof *dst);
                    } else if (inside_x) {
                        memcpy(dst, xb + ((size_t)iy * s->in_w + x0) * I, run * sizeof *dst);
                    } else {
                        for (int kx = 0; kx < k; kx++) {
                            int ix = x0 + kx;
                            if (ix < 0 || ix >= s->in_w)
                                memset(dst + (size_t)kx * I, 0, (size_t)I * sizeof *dst);
                            else
                                memcpy(dst + (size_t)kx * I, xb + ((size_t)iy * s->in_w + ix) * I,
                                       (size_t)I * sizeof *dst);
                        }
                    }
                }
            }
    }
}

/* dx (B, H, W, I) = sum of the dcols rows (B*Ho*Wo, k*k*I) over the fields they came from */
static void col2im(float *dx /* (B, H, W, I) */, const float *dcols /* (B*Ho*Wo, k*k*I) */,
                   const ArcConvShape *s)
{
    int k = s->kernel, I = s->in_c;
    size_t K = (size_t)k * k * I;
    memset(dx, 0, (size_t)s->batch * s->in_h * s->in_w * I * sizeof *dx);
    const float *row = dcols;
    for (int b = 0; b < s->batch; b++) {
        float *xb = dx + (size_t)b * s->in_h * s->in_w * I;
        for (int oy = 0; oy < s->out_h; oy++)
            for (int ox = 0; ox < s->out_w; ox++, row += K)
                for (int ky = 0; ky < k; ky++) {
                    int iy = oy + ky - s->pad;
                    if (iy < 0 || iy >= s->in_h) continue;
                    for (int kx = 0; kx < k; kx++) {
                        int ix = ox + kx - s->pad;
                        if (ix < 0 || ix >= s->in_w) continue;
                        float *d = xb + ((size_t)iy * s->in_w + ix) * I;
                        const float *src = row + ((size_t)ky * k + kx) * I;
                        for (int i = 0; i < I; i++) d[i] += src[i];
                    }
                }
    }
}

static void fill_bias_rows(float *y /* (M, O) */, const float *b /* (O) */, size_t M, int O)
{
    for (size_t r = 0; r < M; r++) memcpy(y + r * O, b, (size_t)O * sizeof *y);
}

/* 8 floats at a time through GCC/Clang vector extensions (unaligned via memcpy); the
 * compiler's -O2 cost model leaves these loops scalar otherwise. Vectors never cross a
 * function boundary (that would tie the ABI to -mavx), hence the macros. */
typedef float V8 __attribute__((vector_size(32)));
typedef int32_t V8i __attribute__((vector_size(32)));
#define LOAD8(v, p) memcpy(&(v), (p), sizeof(V8))
#define STORE8(p, v) memcpy((p), &(v), sizeof(V8))

/* db (O) += the column sums of dy (M, O) */
static void add_column_sums(float *db /* (O) */, const float *dy /* (M, O) */, size_t M, int O)
{
    int o = 0;
    for (; o + 8 <= O; o += 8) {
        V8 acc = {0}, row, old;
        for (size_t r = 0; r < M; r++) {
            LOAD8(row, dy + r * O + o);
            acc += row;
        }
        LOAD8(old, db + o);
        old += acc;
        STORE8(db + o, old);
    }
    for (; o < O; o++) {
        float sum = 0.0f;
        for (size_t r = 0; r < M; r++) sum += dy[r * O + o];
        db[o] += sum;
    }
}

/* ReLU vectorised (the other activations use the shared loops); y may equal x */
static void blas_act_forward(float *y /* (n) */, const float *x /* (n) */, size_t n, ArcAct act)
{
    if (act != ARC_ACT_RELU) {
        arc_host_act_forward(y, x, n, act);
        return;
    }
    const V8 zero = {0};
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        V8 v;
        LOAD8(v, x + i);
        v = (V8)((V8i)v & (v > zero));
        STORE8(y + i, v);
    }
    for (; i < n; i++) y[i] = x[i] > 0.0f ? x[i] : 0.0f;
}

/* dx = dy where x > 0, else 0; dx may equal dy */
static void blas_act_backward(float *dx /* (n) */, const float *dy /* (n) */, const float *x /* (n) */,
                              size_t n, ArcAct act)
{
    if (act != ARC_ACT_RELU) {
        arc_host_act_backward(dx, dy, x, n, act);
        return;
    }
    const V8 zero = {0};
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        V8 g, v;
        LOAD8(g, dy + i);
        LOAD8(v, x + i);
        g = (V8)((V8i)g & (v > zero));
        STORE8(dx + i, g);
    }
    for (; i < n; i++) dx[i] = x[i] > 0.0f ? dy[i] : 0.0f;
}

static void blas_conv2d_forward(float *y /* (B, Ho, Wo, O) */, float *ws, const float *x /* (B, H, W, I) */,
                                const float *w /* (O, k, k, I) */, const float *b /* (O) */,
                                const ArcConvShape *s)
{
    int M = s->batch * s->out_h * s->out_w, K = s->kernel * s->kernel * s->in_c, O = s->out_c;
    float *cols = ws; /* (M, K) */
    im2col(cols, x, s);
    fill_bias_rows(y, b, (size_t)M, O);
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, M, O, K, 1.0f, cols, K, w, K, 1.0f, y, O);
}

static void blas_conv2d_backward(float *dx /* (B, H, W, I) or NULL */, float *dw /* (O, k, k, I) */,
                                 float *db /* (O) */, float *ws, const float *dy /* (B, Ho, Wo, O) */,
                                 const float *x /* (B, H, W, I) */, const float *w /* (O, k, k, I) */,
                                 const ArcConvShape *s)
{
    (void)x; /* forward left im2col(x) in ws */
    int M = s->batch * s->out_h * s->out_w, K = s->kernel * s->kernel * s->in_c, O = s->out_c;
    const float *cols = ws;             /* (M, K) */
    float *dcols = ws + (size_t)M * K;  /* (M, K) */
    add_column_sums(db, dy, (size_t)M, O);
    cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, O, K, M, 1.0f, dy, O, cols, K, 1.0f, dw, K);
    if (!dx) return;
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, M, K, O, 1.0f, dy, O, w, K, 0.0f, dcols, K);
    col2im(dx, dcols, s);
}

static void blas_dense_forward(float *y /* (B, O) */, const float *x /* (B, I) */, const float *w /* (O, I) */,
                               const float *b /* (O) */, int B, int I, int O)
{
    fill_bias_rows(y, b, (size_t)B, O);
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, B, O, I, 1.0f, x, I, w, I, 1.0f, y, O);
}

static void blas_dense_backward(float *dx /* (B, I) or NULL */, float *dw /* (O, I) */, float *db /* (O) */,
                                const float *dy /* (B, O) */, const float *x /* (B, I) */,
                                const float *w /* (O, I) */, int B, int I, int O)
{
    add_column_sums(db, dy, (size_t)B, O);
    cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, O, I, B, 1.0f, dy, O, x, I, 1.0f, dw, I);
    if (dx)
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, B, I, O, 1.0f, dy, O, w, I, 0.0f, dx, I);
}

static ArcBackend blas_backend = {
    .name = "cpu",
    .description = "OpenBLAS sgemm + im2col, one BLAS thread per calling thread",
    .is_device = false,
    .alloc = arc_host_alloc,
    .free = arc_host_free,
    .upload = blas_upload,
    .download = blas_upload,
    .copy = arc_host_copy,
    .fill = arc_host_fill,
    .scale = arc_host_scale,
    .axpy = arc_host_axpy,
    .sync = arc_host_sync,
    .conv2d_workspace = blas_conv2d_workspace,
    .obs_to_float = arc_host_obs_to_float,
    .conv2d_forward = blas_conv2d_forward,
    .conv2d_backward = blas_conv2d_backward,
    .dense_forward = blas_dense_forward,
    .dense_backward = blas_dense_backward,
    .act_forward = blas_act_forward,
    .act_backward = blas_act_backward,
    .log_softmax = arc_host_log_softmax,
    .a3c_loss = arc_host_a3c_loss,
    .dueling_forward = arc_host_dueling_forward,
    .dueling_backward = arc_host_dueling_backward,
    .gather = arc_host_gather,
    .dqn_targets = arc_host_dqn_targets,
    .dqn_loss = arc_host_dqn_loss,
    .sq_norm = arc_host_sq_norm,
    .optim_step = arc_host_optim_step,
};

static pthread_once_t blas_once = PTHREAD_ONCE_INIT;
static void blas_single_thread(void) { openblas_set_num_threads(1); }

ArcBackend *arc_backend_cpu(void)
{
    pthread_once(&blas_once, blas_single_thread);
    return &blas_backend;
}

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

double arc_backend_cpu_sgemm_gflops(int n, double seconds)
{
    arc_backend_cpu();
    size_t nn = (size_t)n * n;
    float *a = arc_host_alloc(nn * sizeof *a), *b = arc_host_alloc(nn * sizeof *b);
    float *c = arc_host_alloc(nn * sizeof *c);
    for (size_t i = 0; i < nn; i++) a[i] = (float)(i % 7) * 0.1f, b[i] = (float)(i % 5) * 0.1f;
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, n, n, n, 1.0f, a, n, b, n, 0.0f, c, n); /* warm-up */
    long reps = 0;
    double t0 = now_seconds(), t;
    do {
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, n, n, n, 1.0f, a, n, b, n, 0.0f, c, n);
        reps++;
        t = now_seconds() - t0;
    } while (t < seconds);
    free(a), free(b), free(c);
    return 2.0 * (double)n * n * n * (double)reps / t * 1e-9;
}
