/* gpu_backend.c — the GPU backend's op table over the HIP kernels in kernels/gpu/.
 *
 * Built with the kernels only when the Makefile passes -DARC_GPU (make GPU=hip or
 * GPU=cuda); otherwise arc_backend_gpu reports "built without GPU support" and callers
 * fall back to a CPU backend. With GPU support but no device, arc_gpu_open's one-line
 * reason is returned instead. Convolutions use the same im2col + GEMM plan as the cpu
 * backend (see cpu_blas.c), on device memory, with the GEMM of kernels/gpu/layers.hip.
 * Loss statistics and the gradient norm are reduced per row / per block on the device
 * and summed on the host in double.
 *
 * Threads: one device, one stream, one set of scratch buffers: use the GPU backend from
 * one thread (the learner). arc_backend_gpu itself is safe to call from any thread.
 */
#include <math.h>
#include <pthread.h>
#include <stdio.h>

#include "backend_impl.h"

#ifdef ARC_GPU

#include "gpu/gpu_api.h"

#define SCRATCH_FLOATS (1 << 16)

static char device_description[320] = "GPU"; /* filled by arc_gpu_open */
static float *scratch;      /* device (SCRATCH_FLOATS): per-row loss terms, norm partials */
static float *host_scratch; /* host mirror of scratch */

static void gpu_fill(float *x /* (n) */, float value, size_t n) { arc_gpu_fill(x, value, n); }
static void gpu_scale(float *x /* (n) */, float factor, size_t n) { arc_gpu_scale(x, factor, n); }
static void gpu_axpy(float *y /* (n) */, float a, const float *x /* (n) */, size_t n) { arc_gpu_axpy(y, a, x, n); }

static size_t gpu_conv2d_workspace(const ArcConvShape *s)
{
    size_t rows = (size_t)s->batch * s->out_h * s->out_w;
    return 2 * rows * s->kernel * s->kernel * s->in_c; /* cols, then dcols */
}

static void gpu_conv2d_forward(float *y /* (B, Ho, Wo, O) */, float *ws, const float *x /* (B, H, W, I) */,
                               const float *w /* (O, k, k, I) */, const float *b /* (O) */,
                               const ArcConvShape *s)
{
    int M = s->batch * s->out_h * s->out_w, K = s->kernel * s->kernel * s->in_c, O = s->out_c;
    arc_gpu_im2col(ws, x, s->batch, s->in_h, s->in_w, s->in_c, s->kernel, s->pad, s->out_h, s->out_w);
    arc_gpu_bias_rows(y, b, M, O);
    arc_gpu_gemm(0, 1, M, O, K, 1.0f, ws, K, w, K, 1.0f, y, O);
}

static void gpu_conv2d_backward(float *dx /* (B, H, W, I) or NULL */, float *dw /* (O, k, k, I) */,
                                float *db /* (O) */, float *ws, const float *dy /* (B, Ho, Wo, O) */,
                                const float *x /* (B, H, W, I) */, const float *w /* (O, k, k, I) */,
                                const ArcConvShape *s)
{
    (void)x; /* forward left im2col(x) in ws */
    int M = s->batch * s->out_h * s->out_w, K = s->kernel * s->kernel * s->in_c, O = s->out_c;
    float *dcols = ws + (size_t)M * K; /* (M, K) */
    arc_gpu_bias_grad(db, dy, M, O);
    arc_gpu_gemm(1, 0, O, K, M, 1.0f, dy, O, ws, K, 1.0f, dw, K);
    if (!dx) return;
    arc_gpu_gemm(0, 0, M, K, O, 1.0f, dy, O, w, K, 0.0f, dcols, K);
    arc_gpu_col2im(dx, dcols, s->batch, s->in_h, s->in_w, s->in_c, s->kernel, s->pad, s->out_h, s->out_w);
}

static void gpu_dense_forward(float *y /* (B, O) */, const float *x /* (B, I) */, const float *w /* (O, I) */,
                              const float *b /* (O) */, int B, int I, int O)
{
    arc_gpu_bias_rows(y, b, B, O);
    arc_gpu_gemm(0, 1, B, O, I, 1.0f, x, I, w, I, 1.0f, y, O);
}

static void gpu_dense_backward(float *dx /* (B, I) or NULL */, float *dw /* (O, I) */, float *db /* (O) */,
                               const float *dy /* (B, O) */, const float *x /* (B, I) */,
                               const float *w /* (O, I) */, int B, int I, int O)
{
    arc_gpu_bias_grad(db, dy, B, O);
    arc_gpu_gemm(1, 0, O, I, B, 1.0f, dy, O, x, I, 1.0f, dw, I);
    if (dx) arc_gpu_gemm(0, 0, B, I, O, 1.0f, dy, O, w, I, 0.0f, dx, I);
}

static void gpu_act_forward(float *y /* (n) */, const float *x /* (n) */, size_t n, ArcAct act)
{
    arc_gpu_act_forward(y, x, n, (int)act);
}

static void gpu_act_backward(float *dx /* (n) */, const float *dy /* (n) */, const float *x /* (n) */,
                             size_t n, ArcAct act)
{
    arc_gpu_act_backward(dx, dy, x, n, (int)act);
}

static void gpu_a3c_loss(float *dout /* (B, A+1) */, ArcA3CStats *stats, const float *out /* (B, A+1) */,
                         const int32_t *actions, const float *adv, const float *ret, int B, int A,
                         float vc, float ec)
{
    ARC_CHECK((size_t)B * 3 <= SCRATCH_FLOATS, "GPU A3C loss batch %d too large", B);
    arc_gpu_a3c_loss(dout, scratch, out, actions, adv, ret, B, A, vc, ec);
    arc_gpu_download(host_scratch, scratch, (size_t)B * 3 * sizeof(float));
    double pg = 0.0, vl = 0.0, ent = 0.0;
    for (int b = 0; b < B; b++) {
        pg += host_scratch[3 * b];
        vl += host_scratch[3 * b + 1];
        ent += host_scratch[3 * b + 2];
    }
    stats->policy_loss = (float)(pg / B);
    stats->value_loss = (float)(vl / B);
    stats->entropy = (float)(ent / B);
    stats->loss = stats->policy_loss + vc * stats->value_loss - ec * stats->entropy;
}

static void gpu_dqn_loss(float *dq /* (B, A) */, float *td, ArcDQNStats *stats, const float *q,
                         const int32_t *actions, const float *targets, const float *weights,
                         float delta, int B, int A)
{
    ARC_CHECK((size_t)B * 2 <= SCRATCH_FLOATS, "GPU DQN loss batch %d too large", B);
    arc_gpu_dqn_loss(dq, td, scratch, q, actions, targets, weights, delta, B, A);
    arc_gpu_download(host_scratch, scratch, (size_t)B * 2 * sizeof(float));
    double loss = 0.0, qsum = 0.0;
    for (int b = 0; b < B; b++) {
        loss += host_scratch[2 * b];
        qsum += host_scratch[2 * b + 1];
    }
    stats->loss = (float)(loss / B);
    stats->mean_q = (float)(qsum / B);
}

static double gpu_sq_norm(const float *g /* (n) */, size_t n)
{
    return arc_gpu_sq_norm(scratch, host_scratch, SCRATCH_FLOATS, g, n);
}

static void gpu_optim_step(float *params /* (n) */, float *m /* (n) or NULL */, float *v /* (n) */,
                           const float *grads /* (n) */, size_t n,
                           const ArcOptimConfig *cfg, long step)
{
    float c1 = 1.0f, c2 = 1.0f;
    if (cfg->kind == ARC_OPTIM_ADAM) {
        c1 = 1.0f / (1.0f - (float)pow(cfg->beta1, (double)step));
        c2 = 1.0f / (1.0f - (float)pow(cfg->beta2, (double)step));
    }
    arc_gpu_optim_step(params, m, v, grads, n, (int)cfg->kind, cfg->lr, cfg->alpha, cfg->centered,
                       cfg->beta1, cfg->beta2, cfg->eps, c1, c2);
}

static ArcBackend gpu_backend = {
    .name = "gpu",
    .description = device_description,
    .is_device = true,
    .alloc = arc_gpu_malloc,
    .free = arc_gpu_free,
    .upload = arc_gpu_upload,
    .download = arc_gpu_download,
    .copy = arc_gpu_copy,
    .fill = gpu_fill,
    .scale = gpu_scale,
    .axpy = gpu_axpy,
    .sync = arc_gpu_sync,
    .conv2d_workspace = gpu_conv2d_workspace,
    .obs_to_float = arc_gpu_obs_to_float,
    .conv2d_forward = gpu_conv2d_forward,
    .conv2d_backward = gpu_conv2d_backward,
    .dense_forward = gpu_dense_forward,
    .dense_backward = gpu_dense_backward,
    .act_forward = gpu_act_forward,
    .act_backward = gpu_act_backward,
    .log_softmax = arc_gpu_log_softmax,
    .a3c_loss = gpu_a3c_loss,
    .dueling_forward = arc_gpu_dueling_forward,
    .dueling_backward = arc_gpu_dueling_backward,
    .gather = arc_gpu_gather,
    .dqn_targets = arc_gpu_dqn_targets,
    .dqn_loss = gpu_dqn_loss,
    .sq_norm = gpu_sq_norm,
    .optim_step = gpu_optim_step,
};

static pthread_mutex_t open_lock = PTHREAD_MUTEX_INITIALIZER;
static int opened_device = -1;

ArcBackend *arc_gpu_backend_create(int device, ArcErr *err)
{
    ArcBackend *be = NULL;
    pthread_mutex_lock(&open_lock);
    if (opened_device >= 0) {
        if (opened_device == device)
            be = &gpu_backend;
        else
            arc_err_set(err, ARC_ERR_DEVICE, "GPU device %d requested, but device %d is in use",
                        device, opened_device);
        goto done;
    }
    char msg[256];
    if (arc_gpu_open(device, msg, sizeof msg) != 0) {
        arc_err_set(err, ARC_ERR_DEVICE, "%s", msg);
        goto done;
    }
    snprintf(device_description, sizeof device_description, "device %d: %s, tiled GEMM", device, msg);
    scratch = arc_gpu_malloc(SCRATCH_FLOATS * sizeof(float));
    host_scratch = arc_xmalloc(SCRATCH_FLOATS * sizeof(float));
    opened_device = device;
    be = &gpu_backend;
done:
    pthread_mutex_unlock(&open_lock);
    return be;
}

#else /* built without GPU support */

ArcBackend *arc_gpu_backend_create(int device, ArcErr *err)
{
    arc_err_set(err, ARC_ERR_DEVICE,
                "no GPU backend for device %d: built without GPU support (make GPU=cuda or GPU=hip)",
                device);
    return NULL;
}

#endif
