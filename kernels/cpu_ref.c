/* cpu_ref.c — the reference backend: plain loops, never optimised. It is the oracle that
 * the cpu (OpenBLAS) and gpu backends are tested against, so it favours obviousness:
 * direct convolution loops over the channels-last layout, sums accumulated in double,
 * no workspace. Losses, activations and optimizers come from host_ops.c (shared with
 * the cpu backend, and tested against finite differences and hand-computed values).
 * Stateless: any number of threads may call it on disjoint buffers.
 */
#include <string.h>

#include "backend_impl.h"

static void ref_upload(void *dst, const void *src, size_t bytes) { memcpy(dst, src, bytes); }

static size_t ref_conv2d_workspace(const ArcConvShape *s)
{
    (void)s;
    return 0;
}

static void ref_conv2d_forward(float *y /* (B, Ho, Wo, O) */, float *ws, const float *x /* (B, H, W, I) */,
                               const float *w /* (O, k, k, I) */, const float *bias /* (O) */,
                               const ArcConvShape *s)
{
    (void)ws;
    int k = s->kernel, I = s->in_c, O = s->out_c;
    for (int b = 0; b < s->batch; b++)
        for (int oy = 0; oy < s->out_h; oy++)
            for (int ox = 0; ox < s->out_w; ox++)
                for (int o = 0; o < O; o++) {
                    double sum = bias[o];
                    for (int ky = 0; ky < k; ky++)
                        for (int kx = 0; kx < k; kx++) {
                            int iy = oy + ky - s->pad, ix = ox + kx - s->pad;
                            if (iy < 0 || iy >= s->in_h || ix < 0 || ix >= s->in_w) continue;
                            const float *xp = x + (((size_t)b * s->in_h + iy) * s->in_w + ix) * I;
                            const float *wp = w + (((size_t)o * k + ky) * k + kx) * I;
                            for (int i = 0; i < I; i++) sum += (double)xp[i] * wp[i];
                        }
                    y[(((size_t)b * s->out_h + oy) * s->out_w + ox) * O + o] = (float)sum;
                }
}

static void ref_conv2d_backward(float *dx /* (B, H, W, I) or NULL */, float *dw /* (O, k, k, I) */,
                                float *db /* (O) */, float *ws, const float *dy /* (B, Ho, Wo, O) */,
                                const float *x /* (B, H, W, I) */, const float *w /* (O, k, k, I) */,
                                const ArcConvShape *s)
{
    (void)ws;
    int k = s->kernel, I = s->in_c, O = s->out_c, B = s->batch;
    for (int o = 0; o < O; o++) {
        double sum = 0.0;
        for (int b = 0; b < B; b++)
            for (int p = 0; p < s->out_h * s->out_w; p++)
                sum += dy[((size_t)b * s->out_h * s->out_w + p) * O + o];
        db[o] += (float)sum;
    }
    for (int o = 0; o < O; o++)
        for (int ky = 0; ky < k; ky++)
            for (int kx = 0; kx < k; kx++)
                for (int i = 0; i < I; i++) {
                    double sum = 0.0;
                    for (int b = 0; b < B; b++)
                        for (int oy = 0; oy < s->out_h; oy++)
                            for (int ox = 0; ox < s->out_w; ox++) {
                                int iy = oy + ky - s->pad, ix = ox + kx - s->pad;
                                if (iy < 0 || iy >= s->in_h || ix < 0 || ix >= s->in_w) continue;
                                sum += (double)dy[(((size_t)b * s->out_h + oy) * s->out_w + ox) * O + o] *
                                       x[(((size_t)b * s->in_h + iy) * s->in_w + ix) * I + i];
                            }
                    dw[(((size_t)o * k + ky) * k + kx) * I + i] += (float)sum;
                }
    if (!dx) return;
    /* dx[b, iy, ix, i] = sum over (o, ky, kx) with oy = iy - ky + pad inside the output */
    for (int b = 0; b < B; b++)
        for (int iy = 0; iy < s->in_h; iy++)
            for (int ix = 0; ix < s->in_w; ix++)
                for (int i = 0; i < I; i++) {
                    double sum = 0.0;
                    for (int ky = 0; ky < k; ky++)
                        for (int kx = 0; kx < k; kx++) {
                            int oy = iy - ky + s->pad, ox = ix - kx + s->pad;
                            if (oy < 0 || oy >= s->out_h || ox < 0 || ox >= s->out_w) continue;
                            for (int o = 0; o < O; o++)
                                sum += (double)dy[(((size_t)b * s->out_h + oy) * s->out_w + ox) * O + o] *
                                       w[(((size_t)o * k + ky) * k + kx) * I + i];
                        }
                    dx[(((size_t)b * s->in_h + iy) * s->in_w + ix) * I + i] = (float)sum;
                }
}

static void ref_dense_forward(float *y /* (B, O) */, const float *x /* (B, I) */, const float *w /* (O, I) */,
                              const float *bias /* (O) */, int B, int I, int O)
{
    for (int b = 0; b < B; b++)
        for (int o = 0; o < O; o++) {
            double sum = bias[o];
            for (int i = 0; i < I; i++) sum += (double)x[(size_t)b * I + i] * w[(size_t)o * I + i];
            y[(size_t)b * O + o] = (float)sum;
        }
}

static void ref_dense_backward(float *dx /* (B, I) or NULL */, float *dw /* (O, I) */, float *db /* (O) */,
                               const float *dy /* (B, O) */, const float *x /* (B, I) */,
                               const float *w /* (O, I) */, int B, int I, int O)
{
    for (int o = 0; o < O; o++) {
        double sb = 0.0;
        for (int b = 0; b < B; b++) sb += dy[(size_t)b * O + o];
        db[o] += (float)sb;
        for (int i = 0; i < I; i++) {
            double sum = 0.0;
            for (int b = 0; b < B; b++) sum += (double)dy[(size_t)b * O + o] * x[(size_t)b * I + i];
            dw[(size_t)o * I + i] += (float)sum;
        }
    }
    if (!dx) return;
    for (int b = 0; b < B; b++)
        for (int i = 0; i < I; i++) {
            double sum = 0.0;
            for (int o = 0; o < O; o++) sum += (double)dy[(size_t)b * O + o] * w[(size_t)o * I + i];
            dx[(size_t)b * I + i] = (float)sum;
        }
}

static ArcBackend ref_backend = {
    .name = "cpu_ref",
    .description = "reference loops (the oracle), double accumulation",
    .is_device = false,
    .alloc = arc_host_alloc,
    .free = arc_host_free,
    .upload = ref_upload,
    .download = ref_upload,
    .copy = arc_host_copy,
    .fill = arc_host_fill,
    .scale = arc_host_scale,
    .axpy = arc_host_axpy,
    .sync = arc_host_sync,
    .conv2d_workspace = ref_conv2d_workspace,
    .obs_to_float = arc_host_obs_to_float,
    .conv2d_forward = ref_conv2d_forward,
    .conv2d_backward = ref_conv2d_backward,
    .dense_forward = ref_dense_forward,
    .dense_backward = ref_dense_backward,
    .act_forward = arc_host_act_forward,
    .act_backward = arc_host_act_backward,
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

ArcBackend *arc_backend_cpu_ref(void) { return &ref_backend; }
