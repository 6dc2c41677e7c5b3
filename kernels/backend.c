/* backend.c — the arc_be_* entry points (thin calls through the backend's table), the
 * backend registry, shape helpers and the host-memory helpers both CPU backends share.
 *
 * Tensor shapes of the arc_be_* functions are documented once, in backend.h.
 * The wrappers check nothing per call beyond what is free: shapes were validated where
 * the buffers were sized (net.c's init), and hot loops must stay cheap.
 */
#include "backend_impl.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* --- registry ------------------------------------------------------------------------- */

ArcBackend *arc_backend_find(const char *name, ArcErr *err)
{
    if (name && strcmp(name, "cpu_ref") == 0) return arc_backend_cpu_ref();
    if (name && strcmp(name, "cpu") == 0) return arc_backend_cpu();
    if (name && strcmp(name, "gpu") == 0) return arc_backend_gpu(0, err);
    arc_err_set(err, ARC_ERR_ARG, "unknown backend '%s' (expected cpu_ref, cpu or gpu)",
                name ? name : "(null)");
    return NULL;
}

ArcBackend *arc_backend_gpu_or_cpu(int device, ArcErr *notice)
{
    ArcErr why = {{0}};
    ArcBackend *be = arc_backend_gpu(device, &why);
    if (notice) notice->msg[0] = '\0';
    if (be) return be;
    arc_err_set(notice, ARC_ERR_DEVICE, "GPU unavailable (%s); using the cpu backend", why.msg);
    return arc_backend_cpu();
}

const char *arc_backend_name(const ArcBackend *be) { return be->name; }
const char *arc_backend_describe(const ArcBackend *be) { return be->description; }
bool arc_backend_is_device(const ArcBackend *be) { return be->is_device; }

ArcBackend *arc_backend_gpu(int device, ArcErr *err)
{
    return arc_gpu_backend_create(device, err);
}

/* --- host memory ---------------------------------------------------------------------- */

void *arc_host_alloc(size_t bytes)
{
    void *p = arc_xaligned(64, bytes);
    memset(p, 0, bytes);
    return p;
}

void arc_host_free(void *p) { free(p); }
void arc_host_copy(void *dst, const void *src, size_t bytes) { memmove(dst, src, bytes); }
void arc_host_sync(void) {}

void arc_host_fill(float *x, float value, size_t n)
{
    for (size_t i = 0; i < n; i++) x[i] = value;
}

void arc_host_scale(float *x, float factor, size_t n)
{
    for (size_t i = 0; i < n; i++) x[i] *= factor;
}

void arc_host_axpy(float *y, float a, const float *x, size_t n)
{
    for (size_t i = 0; i < n; i++) y[i] += a * x[i];
}

void arc_host_obs_to_float(float *x /* (B, H, W, C) */, const uint8_t *obs /* (B, C, H, W) */,
                           int B, int C, int H, int W)
{
    size_t plane = (size_t)H * W;
    for (int b = 0; b < B; b++) {
        const uint8_t *o = obs + (size_t)b * C * plane;
        float *xb = x + (size_t)b * C * plane;
        for (size_t p = 0; p < plane; p++)
            for (int c = 0; c < C; c++) xb[p * C + c] = (float)o[(size_t)c * plane + p];
    }
}

/* --- shapes --------------------------------------------------------------------------- */

ArcConvShape arc_conv_shape(int B, int H, int W, int I, int O, int k, bool same)
{
    ARC_CHECK(B > 0 && H > 0 && W > 0 && I > 0 && O > 0 && k > 0,
              "conv shape B=%d H=%d W=%d I=%d O=%d k=%d", B, H, W, I, O, k);
    ARC_CHECK(!same || k % 2 == 1, "same padding needs an odd kernel, got k=%d", k);
    ArcConvShape s = {.batch = B, .in_h = H, .in_w = W, .in_c = I, .out_c = O, .kernel = k};
    s.pad = same ? (k - 1) / 2 : 0;
    s.out_h = H + 2 * s.pad - k + 1;
    s.out_w = W + 2 * s.pad - k + 1;
    ARC_CHECK(s.out_h > 0 && s.out_w > 0, "kernel %d larger than input %dx%d", k, H, W);
    return s;
}

size_t arc_be_conv2d_workspace(const ArcBackend *be, const ArcConvShape *s)
{
    return be->conv2d_workspace(s);
}

/* --- memory --------------------------------------------------------------------------- */

void *arc_be_alloc(ArcBackend *be, size_t bytes) { return be->alloc(bytes); }

void arc_be_free(ArcBackend *be, void *p)
{
    if (p) be->free(p);
}

void arc_be_upload(ArcBackend *be, void *dst, const void *host_src, size_t bytes)
{
    be->upload(dst, host_src, bytes);
}

void arc_be_download(ArcBackend *be, void *host_dst, const void *src, size_t bytes)
{
    be->download(host_dst, src, bytes);
}

void arc_be_copy(ArcBackend *be, void *dst, const void *src, size_t bytes)
{
    be->copy(dst, src, bytes);
}

void arc_be_fill(ArcBackend *be, float *x, float value, size_t n) { be->fill(x, value, n); }
void arc_be_scale(ArcBackend *be, float *x, float factor, size_t n) { be->scale(x, factor, n); }
void arc_be_axpy(ArcBackend *be, float *y, float a, const float *x, size_t n) { be->axpy(y, a, x, n); }
void arc_be_sync(ArcBackend *be) { be->sync(); }

/* --- ops ------------------------------------------------------------------------------ */

void arc_be_obs_to_float(ArcBackend *be, float *x, const uint8_t *obs, int B, int C, int H, int W)
{
    be->obs_to_float(x, obs, B, C, H, W);
}

void arc_be_conv2d_forward(ArcBackend *be, float *y, float *ws, const float *x, const float *w,
                           const float *b, const ArcConvShape *s)
{
    be->conv2d_forward(y, ws, x, w, b, s);
}

void arc_be_conv2d_backward(ArcBackend *be, float *dx, float *dw, float *db, float *ws,
                            const float *dy, const float *x, const float *w, const ArcConvShape *s)
{
    be->conv2d_backward(dx, dw, db, ws, dy, x, w, s);
}

void arc_be_dense_forward(ArcBackend *be, float *y, const float *x, const float *w, const float *b,
                          int B, int I, int O)
{
    be->dense_forward(y, x, w, b, B, I, O);
}

void arc_be_dense_backward(ArcBackend *be, float *dx, float *dw, float *db, const float *dy,
                           const float *x, const float *w, int B, int I, int O)
{
    be->dense_backward(dx, dw, db, dy, x, w, B, I, O);
}

void arc_be_act_forward(ArcBackend *be, float *y, const float *x, size_t n, ArcAct act)
{
    be->act_forward(y, x, n, act);
}

void arc_be_act_backward(ArcBackend *be, float *dx, const float *dy, const float *x, size_t n,
                         ArcAct act)
{
    be->act_backward(dx, dy, x, n, act);
}

void arc_be_log_softmax(ArcBackend *be, float *logp, float *entropy, const float *logits, int B,
                        int A, int ld)
{
    be->log_softmax(logp, entropy, logits, B, A, ld);
}

void arc_be_a3c_loss(ArcBackend *be, float *dout, ArcA3CStats *stats, const float *out,
                     const int32_t *actions, const float *advantages, const float *returns, int B,
                     int A, float value_coef, float entropy_coef)
{
    be->a3c_loss(dout, stats, out, actions, advantages, returns, B, A, value_coef, entropy_coef);
}

void arc_be_dueling_forward(ArcBackend *be, float *q, const float *out, int B, int A)
{
    be->dueling_forward(q, out, B, A);
}

void arc_be_dueling_backward(ArcBackend *be, float *dout, const float *dq, int B, int A)
{
    be->dueling_backward(dout, dq, B, A);
}

void arc_be_gather(ArcBackend *be, float *qa, const float *q, const int32_t *actions, int B, int A)
{
    be->gather(qa, q, actions, B, A);
}

void arc_be_dqn_targets(ArcBackend *be, float *y, const float *q_next, const float *q_next_online,
                        const float *rewards, const float *dones, float gamma, int B, int A)
{
    be->dqn_targets(y, q_next, q_next_online, rewards, dones, gamma, B, A);
}

void arc_be_dqn_loss(ArcBackend *be, float *dq, float *td, ArcDQNStats *stats, const float *q,
                     const int32_t *actions, const float *targets, const float *weights,
                     float delta, int B, int A)
{
    be->dqn_loss(dq, td, stats, q, actions, targets, weights, delta, B, A);
}

double arc_be_clip_grad_norm(ArcBackend *be, float *g, size_t n, float max_norm)
{
    double norm = sqrt(be->sq_norm(g, n));
    if (max_norm > 0 && norm > max_norm) be->scale(g, (float)(max_norm / (norm + 1e-6)), n);
    return norm;
}

void arc_be_optim_step(ArcBackend *be, float *params, float *m, float *v, const float *grads,
                       size_t n, const ArcOptimConfig *cfg, long step)
{
    ARC_CHECK(cfg->kind == ARC_OPTIM_RMSPROP || cfg->kind == ARC_OPTIM_ADAM, "optimizer %d",
              (int)cfg->kind);
    ARC_CHECK(v != NULL && (m != NULL || (cfg->kind == ARC_OPTIM_RMSPROP && !cfg->centered)),
              "optimizer %d needs its moment slabs", (int)cfg->kind);
    ARC_CHECK(cfg->kind != ARC_OPTIM_ADAM || step >= 1, "Adam step counts from 1, got %ld", step);
    be->optim_step(params, m, v, grads, n, cfg, step);
}

ArcOptimConfig arc_optim_rmsprop(float lr, bool centered)
{
    return (ArcOptimConfig){.kind = ARC_OPTIM_RMSPROP, .lr = lr, .alpha = 0.99f,
                            .centered = centered, .eps = 1e-5f};
}

ArcOptimConfig arc_optim_adam(float lr)
{
    return (ArcOptimConfig){.kind = ARC_OPTIM_ADAM, .lr = lr, .beta1 = 0.9f, .beta2 = 0.999f,
                            .eps = 1e-8f};
}
