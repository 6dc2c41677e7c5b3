/* train.hip — the training math on the GPU: log-softmax/entropy, the A3C loss, the DQN
 * pieces, the squared gradient norm and the RMSProp/Adam steps.
 *
 * Losses run one thread per batch row (A is 6: rows are tiny, batches are up to a few
 * thousand) with the formulas of kernels/host_ops.c, which the tests compare these with.
 * Per-row loss terms and per-block norm partials go to buffers the host sums in double
 * (gpu_backend.c): no atomics and no dependence on the warp size.
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

__global__ void dueling_forward_kernel(float *q, const float *out, int B, int A)
{
    int b = blockIdx.x * blockDim.x + threadIdx.x;
    if (b >= B) return;
    const float *z = out + (size_t)b * (A + 1);
    float mean = 0.0f;
    for (int j = 0; j < A; j++) mean += z[j];
    mean /= (float)A;
    for (int j = 0; j < A; j++) q[(size_t)b * A + j] = z[A] + z[j] - mean;
}

__global__ void dueling_backward_kernel(float *dout, const float *dq, int B, int A)
{
    int b = blockIdx.x * blockDim.x + threadIdx.x;
    if (b >= B) return;
    const float *g = dq + (size_t)b * A;
    float *dz = dout + (size_t)b * (A + 1);
    float sum = 0.0f;
    for (int j = 0; j < A; j++) sum += g[j];
    for (int j = 0; j < A; j++) dz[j] = g[j] - sum / (float)A;
    dz[A] = sum;
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

void arc_gpu_dueling_forward(float *q, const float *out, int B, int A)
{
    dueling_forward_kernel<<<row_blocks(B), arc_gpu_threads>>>(q, out, B, A);
    ARC_GPU_LAUNCHED();
}

void arc_gpu_dueling_backward(float *dout, const float *dq, int B, int A)
{
    dueling_backward_kernel<<<row_blocks(B), arc_gpu_threads>>>(dout, dq, B, A);
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

/* --- gradient norm and optimizers ------------------------------------------------------ */

__global__ void sq_norm_kernel(float *partials, const float *g, size_t n)
{
    extern __shared__ float shared[];
    float s = 0.0f;
    GRID_STRIDE(i, n) s += g[i] * g[i];
    float total = block_sum(s, shared);
    if (threadIdx.x == 0) partials[blockIdx.x] = total;
}

double arc_gpu_sq_norm(float *partials, float *host_partials, int max_partials, const float *g, size_t n)
{
    int blocks = arc_gpu_blocks(n);
    if (blocks > max_partials) blocks = max_partials;
    sq_norm_kernel<<<blocks, arc_gpu_threads, arc_gpu_threads * sizeof(float)>>>(partials, g, n);
    ARC_GPU_LAUNCHED();
    arc_gpu_download(host_partials, partials, (size_t)blocks * sizeof(float));
    double sum = 0.0;
    for (int i = 0; i < blocks; i++) sum += host_partials[i];
    return sum;
}

__global__ void rmsprop_kernel(float *p, float *mg, float *sq, const float *g, size_t n, float lr,
                               float alpha, int centered, float eps)
{
    GRID_STRIDE(i, n) {
        float gi = g[i];
        float s = alpha * sq[i] + (1.0f - alpha) * gi * gi;
        sq[i] = s;
        float var = s;
        if (centered) {
            float m = alpha * mg[i] + (1.0f - alpha) * gi;
            mg[i] = m;
            var = s - m * m;
        }
        p[i] -= lr * gi / (sqrtf(var > 0.0f ? var : 0.0f) + eps);
    }
}

__global__ void adam_kernel(float *p, float *m, float *v, const float *g, size_t n, float lr,
                            float b1, float b2, float eps, float c1, float c2)
{
    GRID_STRIDE(i, n) {
        float gi = g[i];
        float mi = b1 * m[i] + (1.0f - b1) * gi;
        float vi = b2 * v[i] + (1.0f - b2) * gi * gi;
        m[i] = mi;
        v[i] = vi;
        p[i] -= lr * (mi * c1) / (sqrtf(vi * c2) + eps);
    }
}

void arc_gpu_optim_step(float *params, float *m, float *v, const float *grads, size_t n, int kind,
                        float lr, float alpha, int centered, float beta1, float beta2, float eps,
                        float c1, float c2)
{
    if (n == 0) return;
    if (kind == 0)
        rmsprop_kernel<<<arc_gpu_blocks(n), arc_gpu_threads>>>(params, m, v, grads, n, lr, alpha,
                                                              centered, eps);
    else
        adam_kernel<<<arc_gpu_blocks(n), arc_gpu_threads>>>(params, m, v, grads, n, lr, beta1,
                                                           beta2, eps, c1, c2);
    ARC_GPU_LAUNCHED();
}
