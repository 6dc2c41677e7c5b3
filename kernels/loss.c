/* loss.c — activations, log-softmax/entropy and the A3C and DQN losses on host memory.
 *
 * Shared by the cpu_ref and cpu backends (see backend_impl.h for why). The GPU kernels in
 * gpu/loss.hip implement the same formulas; the tests compare them with these. Sums over
 * the batch are accumulated in double so the statistics do not depend on batch order
 * more than rounding requires.
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
