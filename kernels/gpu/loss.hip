/* loss.hip — log-softmax/entropy, the A3C loss and the DQN pieces on the GPU.
 *
 * One thread per batch row (A is 6: rows are tiny, batches are up to a few thousand).
 * The formulas are those of kernels/loss.c, which the tests compare these with. Per-row
 * loss terms go to a `partial` buffer the host sums in double (gpu_backend.c), so no
 * atomics and no dependence on the warp size.
 */
#include "hip_compat.h"
#include "gpu_api.h"

__device__ void row_logsumexp(const float *z, int A, float *mx_out, float *lse_out)
{
    float mx = z[0];
    for (int j = 1; j < A; j++) mx = z[j] > mx ? z[j] : mx;
    float sum = 0.0f;
    for (int j = 0; j < A; j++) sum += expf(z[j] - mx);
    *mx_out = mx;
    *lse_out = logf(sum);
}

__global__ void log_softmax_kernel(float *logp, float *entropy, const float *logits, int B, int A, int ld)
{
    int b = blockIdx.x * blockDim.x + threadIdx.x;
    if (b >= B) return;
    const float *z = logits + (size_t)b * ld;
    float mx, lse;
    row_logsumexp(z, A, &mx, &lse);
    float h = 0.0f;
    for (int j = 0; j < A; j++) {
        float lp = z[j] - mx - lse;
        logp[(size_t)b * A + j] = lp;
        h -= expf(lp) * lp;
    }
    if (entropy) entropy[b] = h;
}

__global__ void a3c_kernel(float *dout, float *partial, const float *out, const int32_t *actions,
                           const float *adv, const float *ret, int B, int A, float vc, float ec)
{
    int b = blockIdx.x * blockDim.x + threadIdx.x;
    if (b >= B) return;
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
    float inv_b = 1.0f / (float)B;
    for (int j = 0; j < A; j++) {
        float lp = z[j] - mx - lse;
        float p = expf(lp);
        float onehot = j == a ? 1.0f : 0.0f;
        dz[j] = inv_b * (-adv[b] * (onehot - p) + ec * p * (lp + h));
    }
    float v = z[A];
    dz[A] = inv_b * vc * (v - ret[b]);
    partial[(size_t)b * 3 + 0] = -adv[b] * (z[a] - mx - lse);
    partial[(size_t)b * 3 + 1] = 0.5f * (ret[b] - v) * (ret[b] - v);
    partial[(size_t)b * 3 + 2] = h;
}

__global__ void gather_kernel(float *qa, const float *q, const int32_t *actions, int B, int A)
{
    int b = blockIdx.x * blockDim.x + threadIdx.x;
    if (b < B) qa[b] = q[(size_t)b * A + actions[b]];
}

__global__ void dqn_targets_kernel(float *y, const float *q_next, const float *q_next_online,
                                   const float *rewards, const float *dones, float gamma, int B, int A)
{
    int b = blockIdx.x * blockDim.x + threadIdx.x;
    if (b >= B) return;
    const float *qt = q_next + (size_t)b * A;
    const float *qs = q_next_online ? q_next_online + (size_t)b * A : qt;
    int best = 0;
    for (int j = 1; j < A; j++)
        if (qs[j] > qs[best]) best = j;
    y[b] = rewards[b] + gamma * (1.0f - dones[b]) * qt[best];
}

__global__ void dqn_loss_kernel(float *dq, float *td, float *partial, const float *q,
                                const int32_t *actions, const float *targets, const float *weights,
                                float delta, int B, int A)
{
    int b = blockIdx.x * blockDim.x + threadIdx.x;
    if (b >= B) return;
    float *drow = dq + (size_t)b * A;
    for (int j = 0; j < A; j++) drow[j] = 0.0f;
    int a = actions[b];
    float qa = q[(size_t)b * A + a];
    float d = qa - targets[b];
    float w = weights ? weights[b] : 1.0f;
    float ad = fabsf(d);
    float h = ad <= delta ? 0.5f * d * d : delta * (ad - 0.5f * delta);
    float g = ad <= delta ? d : (d > 0.0f ? delta : -delta);
    drow[a] = w * g / (float)B;
    if (td) td[b] = d;
    partial[(size_t)b * 2 + 0] = w * h;
    partial[(size_t)b * 2 + 1] = qa;
}

static int row_blocks(int B) { return (B + arc_gpu_threads - 1) / arc_gpu_threads; }

void arc_gpu_log_softmax(float *logp, float *entropy, const float *logits, int B, int A, int ld)
{
    log_softmax_kernel<<<row_blocks(B), arc_gpu_threads>>>(logp, entropy, logits, B, A, ld);
    ARC_GPU_LAUNCHED();
}

void arc_gpu_a3c_loss(float *dout, float *partial, const float *out, const int32_t *actions,
                      const float *adv, const float *ret, int B, int A, float vc, float ec)
{
    a3c_kernel<<<row_blocks(B), arc_gpu_threads>>>(dout, partial, out, actions, adv, ret, B, A, vc, ec);
    ARC_GPU_LAUNCHED();
}

void arc_gpu_gather(float *qa, const float *q, const int32_t *actions, int B, int A)
{
    gather_kernel<<<row_blocks(B), arc_gpu_threads>>>(qa, q, actions, B, A);
    ARC_GPU_LAUNCHED();
}

void arc_gpu_dqn_targets(float *y, const float *q_next, const float *q_next_online, const float *rewards,
                         const float *dones, float gamma, int B, int A)
{
    dqn_targets_kernel<<<row_blocks(B), arc_gpu_threads>>>(y, q_next, q_next_online, rewards, dones,
                                                           gamma, B, A);
    ARC_GPU_LAUNCHED();
}

void arc_gpu_dqn_loss(float *dq, float *td, float *partial, const float *q, const int32_t *actions,
                      const float *targets, const float *weights, float delta, int B, int A)
{
    dqn_loss_kernel<<<row_blocks(B), arc_gpu_threads>>>(dq, td, partial, q, actions, targets, weights,
                                                        delta, B, A);
    ARC_GPU_LAUNCHED();
}
