/* optim.c — global gradient norm and the RMSProp / Adam steps on host memory.
 *
 * Shared by the cpu_ref and cpu backends. Each step reads and writes element i of the
 * slabs only, so a learner may run it from several threads on one shared master slab
 * (see arc_be_optim_step in backend.h for the sharing contract). Formulas follow
 * PyTorch's torch.optim.RMSprop (alpha, eps outside the sqrt, optional centering) and
 * torch.optim.Adam (bias-corrected).
 */
#include <math.h>

#include "backend_impl.h"

double arc_host_sq_norm(const float *g /* (n) */, size_t n)
{
    double s = 0.0;
    for (size_t i = 0; i < n; i++) s += (double)g[i] * g[i];
    return s;
}

static void rmsprop(float *params /* (n) */, float *mean_g /* (n) or NULL */, float *sq /* (n) */,
                    const float *grads /* (n) */, size_t n, const ArcOptimConfig *cfg)
{
    float a = cfg->alpha, lr = cfg->lr, eps = cfg->eps;
    if (cfg->centered) {
        for (size_t i = 0; i < n; i++) {
            float g = grads[i];
            float s = a * sq[i] + (1.0f - a) * g * g;
            float mg = a * mean_g[i] + (1.0f - a) * g;
            sq[i] = s;
            mean_g[i] = mg;
            float var = s - mg * mg;
            params[i] -= lr * g / (sqrtf(var > 0.0f ? var : 0.0f) + eps);
        }
    } else {
        for (size_t i = 0; i < n; i++) {
            float g = grads[i];
            float s = a * sq[i] + (1.0f - a) * g * g;
            sq[i] = s;
            params[i] -= lr * g / (sqrtf(s) + eps);
        }
    }
}

static void adam(float *params /* (n) */, float *m /* (n) */, float *v /* (n) */,
                 const float *grads /* (n) */, size_t n, const ArcOptimConfig *cfg, long step)
{
    float b1 = cfg->beta1, b2 = cfg->beta2;
    float c1 = 1.0f / (1.0f - (float)pow(b1, (double)step));
    float c2 = 1.0f / (1.0f - (float)pow(b2, (double)step));
    float lr = cfg->lr, eps = cfg->eps;
    for (size_t i = 0; i < n; i++) {
        float g = grads[i];
        float mi = b1 * m[i] + (1.0f - b1) * g;
        float vi = b2 * v[i] + (1.0f - b2) * g * g;
        m[i] = mi;
        v[i] = vi;
        params[i] -= lr * (mi * c1) / (sqrtf(vi * c2) + eps);
    }
}

void arc_host_optim_step(float *params, float *m, float *v, const float *grads, size_t n,
                         const ArcOptimConfig *cfg, long step)
{
    if (cfg->kind == ARC_OPTIM_RMSPROP)
        rmsprop(params, m, v, grads, n, cfg);
    else
        adam(params, m, v, grads, n, cfg, step);
}
