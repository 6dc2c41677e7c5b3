/* backend.h — the neural-network ops behind one interface, on three backends.
 *
 * What: float32 forward and backward ops for the small MinAtar networks (conv2d, dense,
 * activations, softmax/entropy), the A3C and DQN losses, global-norm clipping and the
 * RMSProp/Adam steps. Why one interface: the naive `cpu_ref` backend is the oracle every
 * fast path (OpenBLAS `cpu`, HIP/CUDA `gpu`) is tested against, and the network code
 * (net.h) runs unchanged on any of them.
 *
 * Conventions shared by every op:
 *   - arguments are: backend, outputs, inputs, sizes;
 *   - every tensor pointer is BACKEND memory (from arc_be_alloc): host memory on the CPU
 *     backends, device memory on the GPU. Move data with arc_be_upload/arc_be_download.
 *     Loss statistics (ArcA3CStats, ArcDQNStats) and returned scalars are host values;
 *   - activations are stored channels-last: a conv layer's tensor is (B, H, W, C), so
 *     flatten is a free view (B, H*W*C) and a batch of convolutions is one GEMM;
 *   - conv weights are (O, k, k, I) and dense weights (O, I) (rows = output units);
 *   - backward ops ACCUMULATE weight/bias gradients (+=) and OVERWRITE input gradients;
 *     pass dx = NULL when the input gradient is not needed (the first layer);
 *   - elementwise ops accept out == in (in-place);
 *   - ops never allocate: scratch comes from the caller (arc_be_conv2d_workspace);
 *   - softmax: probabilities are exp(arc_be_log_softmax); the backward of log-softmax and
 *     of the entropy lives in arc_be_a3c_loss, their one consumer (dlogits directly).
 *
 * Threads: the backends are stateless singletons; any number of threads may call ops
 * concurrently on disjoint buffers (the `cpu` backend uses one BLAS thread per calling
 * thread). The GPU backend serialises on its one stream: use it from one thread.
 */
#ifndef ARC_BACKEND_H
#define ARC_BACKEND_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../common/check.h"

typedef struct ArcBackend ArcBackend;

typedef enum ArcAct { ARC_ACT_NONE = 0, ARC_ACT_RELU = 1, ARC_ACT_SILU = 2 } ArcAct;

/* Shape of a stride-1 square-kernel convolution; build it with arc_conv_shape. */
typedef struct ArcConvShape {
    int batch;        /* B */
    int in_h, in_w;   /* H, W */
    int in_c;         /* I */
    int out_c;        /* O */
    int kernel;       /* k */
    int pad;          /* 0 (valid) or (k-1)/2 (same, odd k) */
    int out_h, out_w; /* Ho, Wo */
} ArcConvShape;

/* Sums the A3C loss terms report (means over the batch). */
typedef struct ArcA3CStats {
    float loss;        /* policy_loss + value_coef * value_loss - entropy_coef * entropy */
    float policy_loss; /* -mean(adv * log pi(a|s)) */
    float value_loss;  /* mean(0.5 * (R - V)^2) */
    float entropy;     /* mean(H(pi(.|s))) */
} ArcA3CStats;

typedef struct ArcDQNStats {
    float loss;   /* mean(w * huber(Q(s,a) - y)) */
    float mean_q; /* mean(Q(s,a)) */
} ArcDQNStats;

typedef enum ArcOptimKind { ARC_OPTIM_RMSPROP = 0, ARC_OPTIM_ADAM = 1 } ArcOptimKind;

/* Optimizer hyper-parameters (PyTorch conventions: eps is added outside the sqrt). */
typedef struct ArcOptimConfig {
    ArcOptimKind kind;
    float lr;
    float alpha;   /* RMSProp decay of the squared-gradient average */
    bool centered; /* RMSProp: also track the mean gradient (needs the m slab) */
    float beta1, beta2; /* Adam */
    float eps;
} ArcOptimConfig;

/* --- backends ------------------------------------------------------------------------- */

/* The naive reference backend (plain loops; the oracle). Never NULL, never freed. */
ArcBackend *arc_backend_cpu_ref(void);
/* OpenBLAS backend; sets OpenBLAS to one thread per calling thread. Never NULL. */
ArcBackend *arc_backend_cpu(void);
/* The GPU backend on device `device`, or NULL with a one-line reason in err when the
 * program was built without GPU support or no usable device exists. The first successful
 * call initialises the device: make it from one thread. Never freed. */
ArcBackend *arc_backend_gpu(int device, ArcErr *err);
/* The GPU backend when one is usable, else the cpu backend with *notice set to the one
 * line a program should print ("GPU unavailable (reason); using the cpu backend").
 * Never NULL. notice->msg is empty when the GPU was taken. */
ArcBackend *arc_backend_gpu_or_cpu(int device, ArcErr *notice);
/* "cpu_ref", "cpu" or "gpu" (or the backend named: "cpu_ref" | "cpu" | "gpu"); NULL and a
 * message naming the expected values for anything else or a missing GPU. */
ArcBackend *arc_backend_find(const char *name, ArcErr *err);
const char *arc_backend_name(const ArcBackend *be);
/* One line on what runs the ops (e.g. the GPU's name and warp size). */
const char *arc_backend_describe(const ArcBackend *be);
/* True when backend memory is not host-addressable (the GPU). */
bool arc_backend_is_device(const ArcBackend *be);
/* The ceiling for the cpu backend: GFLOP/s of OpenBLAS sgemm on n x n x n matrices on the
 * calling thread, measured for about `seconds` (benchmarks only; allocates). */
double arc_backend_cpu_sgemm_gflops(int n, double seconds);

/* --- memory (the caller owns what alloc returns; free it with arc_be_free) -------------- */
void *arc_be_alloc(ArcBackend *be, size_t bytes); /* aborts on failure; zero-filled */
void arc_be_free(ArcBackend *be, void *p);        /* NULL is fine */
void arc_be_upload(ArcBackend *be, void *dst, const void *host_src, size_t bytes);
void arc_be_download(ArcBackend *be, void *host_dst, const void *src, size_t bytes);
void arc_be_copy(ArcBackend *be, void *dst, const void *src, size_t bytes);
void arc_be_fill(ArcBackend *be, float *x /* (n) */, float value, size_t n);
void arc_be_scale(ArcBackend *be, float *x /* (n) */, float factor, size_t n);
/* y += a * x (summing gradient slabs) */
void arc_be_axpy(ArcBackend *be, float *y /* (n) */, float a, const float *x /* (n) */, size_t n);
void arc_be_sync(ArcBackend *be); /* waits for queued GPU work; no-op on CPU */

/* --- layers ----------------------------------------------------------------------------- */

/* Shape of a conv over (B, H, W, I) -> (B, Ho, Wo, O); `same` needs an odd kernel. */
ArcConvShape arc_conv_shape(int B, int H, int W, int in_c, int out_c, int k, bool same);
/* Floats of scratch the conv ops need for shape s (with s->batch the largest batch). */
size_t arc_be_conv2d_workspace(const ArcBackend *be, const ArcConvShape *s);

/* uint8 observations (B, C, H, W) -> float (B, H, W, C) (channels-last), values as-is. */
void arc_be_obs_to_float(ArcBackend *be, float *x /* (B, H, W, C) */,
                         const uint8_t *obs /* (B, C, H, W) */, int B, int C, int H, int W);

/* y = conv(x, w) + b. ws: arc_be_conv2d_workspace floats; forward leaves in it what
 * backward reuses, so pass backward the same ws, unchanged, with the same x. */
void arc_be_conv2d_forward(ArcBackend *be, float *y /* (B, Ho, Wo, O) */, float *ws,
                           const float *x /* (B, H, W, I) */, const float *w /* (O, k, k, I) */,
                           const float *b /* (O) */, const ArcConvShape *s);
void arc_be_conv2d_backward(ArcBackend *be, float *dx /* (B, H, W, I) or NULL */,
                            float *dw /* (O, k, k, I) += */, float *db /* (O) += */, float *ws,
                            const float *dy /* (B, Ho, Wo, O) */, const float *x /* (B, H, W, I) */,
                            const float *w /* (O, k, k, I) */, const ArcConvShape *s);

/* y = x w^T + b */
void arc_be_dense_forward(ArcBackend *be, float *y /* (B, O) */, const float *x /* (B, I) */,
                          const float *w /* (O, I) */, const float *b /* (O) */, int B, int n_in, int n_out);
void arc_be_dense_backward(ArcBackend *be, float *dx /* (B, I) or NULL */, float *dw /* (O, I) += */,
                           float *db /* (O) += */, const float *dy /* (B, O) */,
                           const float *x /* (B, I) */, const float *w /* (O, I) */, int B, int n_in, int n_out);

/* y = act(x); dx = dy * act'(x) (x is the PRE-activation). */
void arc_be_act_forward(ArcBackend *be, float *y /* (n) */, const float *x /* (n) */, size_t n, ArcAct act);
void arc_be_act_backward(ArcBackend *be, float *dx /* (n) */, const float *dy /* (n) */,
                         const float *x /* (n) */, size_t n, ArcAct act);

/* Row-wise log-softmax of the first A columns of rows of stride ld, and the entropy
 * -sum p log p of each row (entropy may be NULL). */
void arc_be_log_softmax(ArcBackend *be, float *logp /* (B, A) */, float *entropy /* (B) or NULL */,
                        const float *logits /* (B, ld) */, int B, int A, int ld);

/* --- losses (gradients are of the batch MEAN) ------------------------------------------ */

/* A3C: rows of `out` are [A policy logits, value]. Loss = -mean(adv * log pi(a))
 * + value_coef * mean(0.5 (R - V)^2) - entropy_coef * mean(H). The advantages are taken
 * as given (constants: no gradient flows into the value through them). Writes the loss
 * gradient w.r.t. out into dout (both columns groups), fills *stats (host). */
void arc_be_a3c_loss(ArcBackend *be, float *dout /* (B, A+1) */, ArcA3CStats *stats,
                     const float *out /* (B, A+1) */, const int32_t *actions /* (B) */,
                     const float *advantages /* (B) */, const float *returns /* (B) */,
                     int B, int A, float value_coef, float entropy_coef);

/* Dueling head (Wang et al. 2016): rows of `out` are [A advantages, value] and
 * q[b, a] = V + adv_a - mean_j adv_j. The backward maps dq to the head's gradient:
 * dout[b, j] = dq[b, j] - mean(dq[b, .]) for the advantages, sum(dq[b, .]) for the value. */
void arc_be_dueling_forward(ArcBackend *be, float *q /* (B, A) */, const float *out /* (B, A+1) */,
                            int B, int A);
void arc_be_dueling_backward(ArcBackend *be, float *dout /* (B, A+1) */, const float *dq /* (B, A) */,
                             int B, int A);

/* qa[b] = q[b, actions[b]] */
void arc_be_gather(ArcBackend *be, float *qa /* (B) */, const float *q /* (B, A) */,
                   const int32_t *actions /* (B) */, int B, int A);

/* y = r + gamma (1 - done) Qt(s', a*), a* = argmax_a Qt(s', a) or, when q_next_online is
 * given (double DQN), argmax_a Q(s', a). Ties pick the lowest action. */
void arc_be_dqn_targets(ArcBackend *be, float *y /* (B) */, const float *q_next /* (B, A) */,
                        const float *q_next_online /* (B, A) or NULL */, const float *rewards /* (B) */,
                        const float *dones /* (B) 0/1 */, float gamma, int B, int A);

/* Loss = mean(w * huber_delta(Q(s,a) - y)); dq is zero except at the taken actions.
 * td (optional) receives Q(s,a) - y (for prioritised replay). weights NULL means all 1. */
void arc_be_dqn_loss(ArcBackend *be, float *dq /* (B, A) */, float *td /* (B) or NULL */,
                     ArcDQNStats *stats, const float *q /* (B, A) */, const int32_t *actions /* (B) */,
                     const float *targets /* (B) */, const float *weights /* (B) or NULL */,
                     float delta, int B, int A);

/* --- gradients and optimizers ---------------------------------------------------------- */

/* Global L2 norm of g (accumulated in double); scales g by max_norm / norm when the norm
 * exceeds max_norm (max_norm <= 0: never scales). Returns the norm before clipping. */
double arc_be_clip_grad_norm(ArcBackend *be, float *g /* (n) */, size_t n, float max_norm);

/* One optimizer step on n elements of (params, m, v) from grads. RMSProp keeps its
 * squared average in v and, when centered, the mean gradient in m (m may be NULL
 * otherwise). Adam keeps m and v; `step` counts from 1 (bias correction).
 * Sharing: the step touches element i of each slab only, so several threads may step
 * one shared master slab (A3C's shared RMSProp statistics) either on disjoint ranges, or
 * Hogwild-style on overlapping ranges, accepting lost updates (the learner chooses). */
void arc_be_optim_step(ArcBackend *be, float *params /* (n) */, float *m /* (n) or NULL */,
                       float *v /* (n) */, const float *grads /* (n) */, size_t n,
                       const ArcOptimConfig *cfg, long step);

/* Defaults: RMSProp(lr 7e-4, alpha 0.99, eps 1e-5), Adam(lr 1e-4, 0.9, 0.999, eps 1e-8). */
ArcOptimConfig arc_optim_rmsprop(float lr, bool centered);
ArcOptimConfig arc_optim_adam(float lr);

#endif
