/* host_ops.c — the elementwise ops on host memory that both CPU backends share:
 * activations, log-softmax/entropy, the A3C and DQN losses, the global gradient norm and
 * the RMSProp / Adam steps.
 *
 * Why shared: BLAS does not help these loops, so cpu_ref and cpu would hold two copies of
 * the same code; they are checked instead against finite differences and hand-computed
 * values (tests/test_kernels_grad.c, test_kernels_optim.c). The GPU kernels in
 * gpu/train.hip and gpu/layers.hip implement the same formulas and are compared with
 * these. Batch sums are accumulated in double.
 *
 * Optimizers follow PyTorch's torch.optim.RMSprop (alpha, eps outside the sqrt, optional
 * centering) and torch.optim.Adam (bias-corrected). Each step reads and writes element i
 * of the slabs only, so a learner may run it from several threads on one shared master
 * slab (see arc_be_optim_step in backend.h for the sharing contract).
 */
#include <math.h>

#include "backend_impl.h"

/* --- activations ---------------------------------------------------------------------- */

static inline float sigmoidf(float x) { return 1.0f / (1.0f + expf(-x)); }

void arc_host_act_forward(float *y /* (n) */, const float *x /* (n) */, size_t n, ArcAct act)
{
    switch (act) {
    case ARC_ACT_NONE:
        if (y != x)
            for (size_t i = 0; i < n; i++) y[i] = x[i];
        break;
    case ARC_ACT_RELU:
        for (size_t i = 0; i < n; i++) y[i] = x[i] > 0.0f ? x[i] : 0.0f;
        break;
    case ARC_ACT_SILU:
        for (size_t i = 0; i < n; i++) y[i] = x[i] * sigmoidf(x[i]);
        break;
    }
}

void arc_host_act_backward(float *dx /* (n) */, const float *dy /* (n) */, const float *x /* (n) */,
                           size_t n, ArcAct act)
{
    switch (act) {
    case ARC_ACT_NONE:
        if (dx != dy)
            for (size_t i = 0; i < n; i++) dx[i] = dy[i];
        break;
    case ARC_ACT_RELU:
        for (size_t i = 0; i < n; i++) dx[i] = x[i] > 0.0f ? dy[i] : 0.0f;
        break;
    case ARC_ACT_SILU:
        for (size_t i = 0; i < n; i++) {
            float s = sigmoidf(x[i]);
            dx[i] = dy[i] * s * (1.0f + x[i] * (1.0f - s));
        }
        break;
    }
}

/* --- softmax -------------------------------------------------------------------------- */

/* max and log(sum(exp(z - max))) of one row of A logits */
static void row_logsumexp(const float *z /* (A) */, int A, float *max_out, float *lse_out)
{
    float mx = z[0];
    for (int j = 1; j < A; j++) mx = z[j] > mx ? z[j] : mx;
    double sum = 0.0;
    for (int j = 0; j < A; j++) sum += exp((double)(z[j] - mx));
    *max_out = mx;
    *lse_out = (float)log(sum);
}

void arc_host_log_softmax(float *logp /* (B, A) */, float *entropy /* (B) or NULL */,
                          const float *logits /* (B, ld) */, int B, int A, int ld)
{
    for (int b = 0; b < B; b++) {
        const float *z = logits + (size_t)b * ld;
        float mx, lse;
        row_logsumexp(z, A, &mx, &lse);
        double h = 0.0;
        for (int j = 0; j < A; j++) {
            float lp = z[j] - mx - lse;
            logp[(size_t)b * A + j] = lp;
            h -= exp((double)lp) * lp;
        }
        if (entropy) entropy[b] = (float)h;
    }
}

/* --- A3C ------------------------------------------------------------------------------ */

void arc_host_a3c_loss(float *dout /* (B, A+1) */, ArcA3CStats *stats, const float *out /* (B, A+1) */,
                       const int32_t *actions /* (B) */, const float *adv /* (B) */,
                       const float *ret /* (B) */, int B, int A, float vc, float ec)
{
    double pg = 0.0, vl = 0.0, ent = 0.0;
    float inv_b = 1.0f / (float)B;
    for (int b = 0; b < B; b++) {
        const float *z = out + (size_t)b * (A + 1);
        float *dz = dout + (size_t)b * (A + 1);
        float mx, lse;
        row_logsumexp(z, A, &mx, &lse);
        float h = 0.0f;
        for (int j = 0; j < A; j++) {
            float lp = z[j] - mx - lse;
            h -= expf(lp) * lp;
        }
        int a = actions[b];
        for (int j = 0; j < A; j++) {
            float lp = z[j] - mx - lse;
            float p = expf(lp);
            float onehot = j == a ? 1.0f : 0.0f;
            dz[j] = inv_b * (-adv[b] * (onehot - p) + ec * p * (lp + h));
        }
        float v = z[A];
        dz[A] = inv_b * vc * (v - ret[b]);
        pg -= (double)adv[b] * (z[a] - mx - lse);
        vl += 0.5 * (double)(ret[b] - v) * (ret[b] - v);
        ent += h;
    }
    stats->policy_loss = (float)(pg / B);
    stats->value_loss = (float)(vl / B);
    stats->entropy = (float)(ent / B);
    stats->loss = stats->policy_loss + vc * stats->value_loss - ec * stats->entropy;
}

/* --- DQN ------------------------------------------------------------------------------ */

void arc_host_dueling_forward(float *q /* (B, A) */, const float *out /* (B, A+1) */, int B, int A)
{
    for (int b = 0; b < B; b++) {
        const float *z = out + (size_t)b * (A + 1);
        float mean = 0.0f;
        for (int j = 0; j < A; j++) mean += z[j];
        mean /= (float)A;
        for (int j = 0; j < A; j++) q[(size_t)b * A + j] = z[A] + z[j] - mean;
    }
}

void arc_host_dueling_backward(float *dout /* (B, A+1) */, const float *dq /* (B, A) */, int B, int A)
{
    for (int b = 0; b < B; b++) {
        const float *g = dq + (size_t)b * A;
        float *dz = dout + (size_t)b * (A + 1);
        float sum = 0.0f;
        for (int j = 0; j < A; j++) sum += g[j];
        for (int j = 0; j < A; j++) dz[j] = g[j] - sum / (float)A;
        dz[A] = sum;
    }
}

void arc_host_gather(float *qa /* (B) */, const float *q /* (B, A) */, const int32_t *actions /* (B) */,
                     int B, int A)
{
    for (int b = 0; b < B; b++) qa[b] = q[(size_t)b * A + actions[b]];
}

static int row_argmax(const float *q /* (A) */, int A)
{
    int best = 0;
    for (int j = 1; j < A; j++)
        if (q[j] > q[best]) best = j;
    return best;
}

void arc_host_dqn_targets(float *y /* (B) */, const float *q_next /* (B, A) */,
                          const float *q_next_online /* (B, A) or NULL */, const float *rewards /* (B) */,
                          const float *dones /* (B) */, float gamma, int B, int A)
{
    for (int b = 0; b < B; b++) {
        const float *qt = q_next + (size_t)b * A;
        int a = row_argmax(q_next_online ? q_next_online + (size_t)b * A : qt, A);
        y[b] = rewards[b] + gamma * (1.0f - dones[b]) * qt[a];
    }
}

void arc_host_dqn_loss(float *dq /* (B, A) */, float *td /* (B) or NULL */, ArcDQNStats *stats,
                       const float *q /* (B, A) */, const int32_t *actions /* (B) */,
                       const float *targets /* (B) */, const float *weights /* (B) or NULL */,
                       float delta, int B, int A)
{
    double loss = 0.0, qsum = 0.0;
    float inv_b = 1.0f / (float)B;
    for (int b = 0; b < B; b++) {
        float *drow = dq + (size_t)b * A;
        for (int j = 0; j < A; j++) drow[j] = 0.0f;
        int a = actions[b];
        float qa = q[(size_t)b * A + a];
        float d = qa - targets[b];
        float w = weights ? weights[b] : 1.0f;
        float ad = fabsf(d);
        float h = ad <= delta ? 0.5f * d * d : delta * (ad - 0.5f * delta);
        float g = ad <= delta ? d : (d > 0 ? delta : -delta);
        drow[a] = inv_b * w * g;
        if (td) td[b] = d;
        loss += (double)w * h;
        qsum += qa;
    }
    stats->loss = (float)(loss / B);
    stats->mean_q = (float)(qsum / B);
}

/* --- gradient norm and optimizers ------------------------------------------------------ */

double arc_host_sq_norm(const float *g /* (n) */, size_t n)
{
    /* eight double lanes (two vectors of four) instead of one serial chain of adds */
    typedef double v4d __attribute__((vector_size(32)));
    v4d lo = {0, 0, 0, 0}, hi = {0, 0, 0, 0};
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        v4d a = {g[i], g[i + 1], g[i + 2], g[i + 3]};
        v4d b = {g[i + 4], g[i + 5], g[i + 6], g[i + 7]};
        lo += a * a;
        hi += b * b;
    }
    double s = (lo[0] + hi[0]) + (lo[1] + hi[1]) + (lo[2] + hi[2]) + (lo[3] + hi[3]);
    for (; i < n; i++) s += (double)g[i] * g[i];
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

void arc_host_optim_step(float *params /* (n) */, float *m /* (n) or NULL */, float *v /* (n) */,
                         const float *grads /* (n) */, size_t n,
                         const ArcOptimConfig *cfg, long step)
{
    if (cfg->kind == ARC_OPTIM_RMSPROP)
        rmsprop(params, m, v, grads, n, cfg);
    else
        adam(params, m, v, grads, n, cfg, step);
}
