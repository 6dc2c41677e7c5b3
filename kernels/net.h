/* net.h — the actor-critic / Q networks: a description where capacity is a parameter,
 * parameter/gradient/moment slabs, batched forward and backward on any backend.
 *
 * A network is conv layers (count, channels, kernel, padding) then dense layers (count,
 * width) then one head, all widths scaled by one multiplier k (rounded, at least 1).
 * k = 1 with arc_net_config_minatar is MinAtar's network: conv 16 3x3 valid -> ReLU ->
 * dense 128 -> ReLU -> head. The A3C head is one dense layer of A+1 outputs per row:
 * A policy logits then the value; the DQN head outputs A Q-values, or, with `dueling`,
 * A advantages then a value that the net combines into A Q-values (arc_be_dueling_forward):
 * the net's output is then the Q-values, and backward takes their gradient.
 *
 * Memory: params, grads, opt_m and opt_v are four slabs of num_params floats with one
 * layout (layer by layer: weights then biases, see ArcNetLayer offsets); each layer is a
 * view into them. Conv weights are (O, k, k, I), dense weights (O, I). Activations and
 * scratch are allocated once in arc_net_init for max_batch rows; forward and backward
 * allocate nothing. All slabs and activations are backend memory (device memory on the
 * GPU): use arc_net_get_params / arc_net_set_params to move parameters through the host.
 *
 * Threads: an ArcNet is owned by one thread (its activations are its own). Several nets
 * with the same config share a layout, so a worker's grads can be applied to a master
 * net's params and moments (arc_net_optim_step) from many threads; see arc_be_optim_step
 * for the sharing contract.
 */
#ifndef ARC_NET_H
#define ARC_NET_H

#include "backend.h"

#define ARC_NET_MAX_CONV 4
#define ARC_NET_MAX_DENSE 4
#define ARC_NET_MAX_LAYERS (ARC_NET_MAX_CONV + ARC_NET_MAX_DENSE + 1)
#define ARC_NET_K_MIN 0.125f
#define ARC_NET_K_MAX 16.0f

typedef enum ArcHead { ARC_HEAD_A3C = 0, ARC_HEAD_DQN = 1 } ArcHead;

typedef struct ArcNetConfig {
    int in_channels;                     /* C */
    int in_h, in_w;                      /* H, W (10, 10 for MinAtar) */
    int num_conv;                        /* 0 .. ARC_NET_MAX_CONV */
    int conv_channels[ARC_NET_MAX_CONV]; /* widths at k = 1 */
    int conv_kernel[ARC_NET_MAX_CONV];
    bool conv_same[ARC_NET_MAX_CONV];    /* same padding (odd kernels), else valid */
    int num_dense;                       /* 0 .. ARC_NET_MAX_DENSE */
    int dense_width[ARC_NET_MAX_DENSE];  /* widths at k = 1 */
    float k;                             /* width multiplier, ARC_NET_K_MIN .. ARC_NET_K_MAX */
    ArcAct act;                          /* hidden activation */
    ArcHead head;
    bool dueling;                        /* DQN head only: value + advantage streams */
    int num_actions;                     /* A */
} ArcNetConfig;

typedef enum ArcLayerKind { ARC_LAYER_CONV = 0, ARC_LAYER_DENSE = 1, ARC_LAYER_HEAD = 2 } ArcLayerKind;

/* One layer of a planned network. Dense layers and the head have in_h = in_w = out_h =
 * out_w = 1; their input is the previous activation flattened (channels-last). */
typedef struct ArcNetLayer {
    ArcLayerKind kind;
    ArcAct act;                /* ARC_ACT_NONE for the head */
    int in_h, in_w, in_c;
    int out_h, out_w, out_c;
    int kernel, pad;           /* conv only */
    size_t w_offset, w_count;  /* weights in the slabs */
    size_t b_offset, b_count;  /* biases in the slabs */
    size_t in_size, out_size;  /* floats per sample */
    double flops;              /* forward FLOPs per sample (multiply-add = 2) */
} ArcNetLayer;

/* The layers, slab layout and costs a config implies; no memory is allocated. */
typedef struct ArcNetPlan {
    int num_layers;
    ArcNetLayer layers[ARC_NET_MAX_LAYERS];
    size_t num_params;
    int out_dim;           /* A + 1 (A3C) or A (DQN, dueling or not) */
    double flops_forward;  /* per sample */
    double flops_backward; /* per sample: weight gradients everywhere, input gradients
                              everywhere but the first layer */
} ArcNetPlan;

typedef struct ArcNet {
    ArcNetConfig cfg;
    ArcNetPlan plan;
    ArcBackend *be;
    int max_batch;
    size_t num_params;
    float *params, *grads, *opt_m, *opt_v; /* (num_params) each, backend memory */

    /* private: activations and scratch for max_batch rows (backend memory) */
    uint8_t *obs;                          /* (B, C, H, W) */
    float *x0;                             /* (B, H, W, C) */
    float *pre[ARC_NET_MAX_LAYERS];        /* (B, out_size) before the activation */
    float *post[ARC_NET_MAX_LAYERS];       /* (B, out_size) after it (NULL: none) */
    float *ws[ARC_NET_MAX_LAYERS];         /* conv workspaces */
    float *dbuf[2];                        /* (B, max layer size) ping-pong gradients */
    float *dout;                           /* (B, out_dim) loss gradient */
    int32_t *actions;                      /* (B) */
    float *vec[4];                         /* (B) staging for loss inputs */
    float *qbuf;                           /* (B, A) double-DQN online Q(s', .) */
    float *q;                              /* (B, A) dueling Q-values (NULL otherwise) */
    int last_batch;                        /* rows of the last forward, 0 if none */
} ArcNet;

/* One named tensor of the slab layout, for checkpoints: "conv1.weight" (O, k, k, I),
 * "conv1.bias" (O), "dense1.weight" (O, I), ..., "head.weight", "head.bias". Conv
 * weights are channels-last (OHWI); PyTorch's Conv2d holds (O, I, k, k), so exporting to
 * it is a permute (and the first dense layer's inputs are (H, W, C)-ordered). */
typedef struct ArcNetTensor {
    char name[32];
    size_t offset, count; /* floats, into any of the four slabs */
    int ndim;
    int64_t shape[4];
} ArcNetTensor;

/* 2 * plan->num_layers tensors (weight then bias per layer), in slab order. */
int arc_net_num_tensors(const ArcNetPlan *plan);
ArcNetTensor arc_net_tensor(const ArcNetPlan *plan, int index);

/* MinAtar's network at width multiplier k: conv 16 3x3 valid, dense 128, ReLU, head. */
void arc_net_config_minatar(ArcNetConfig *cfg, int channels, ArcHead head, float k);
/* The width of a layer of k = 1 width w: max(1, round(k * w)). */
int arc_net_width(float k, int w);
/* Validates cfg and fills plan. Returns 0, or ARC_ERR_ARG with one line naming the field
 * and its expected range. */
int arc_net_plan(ArcNetPlan *plan, const ArcNetConfig *cfg, ArcErr *err);

/* Allocates a net on be for up to max_batch rows and initialises its parameters from
 * seed (arc_net_init_params). Returns NULL (err filled) on a bad config or batch. The
 * caller owns the net: arc_net_free. */
ArcNet *arc_net_init(const ArcNetConfig *cfg, ArcBackend *be, int max_batch, uint32_t seed, ArcErr *err);
void arc_net_free(ArcNet *net); /* NULL is fine */

/* Deterministic init, identical on every backend: weights and biases of a layer with
 * fan-in f uniform in [-1/sqrt(f), 1/sqrt(f)] (PyTorch's default), drawn layer by layer
 * from an ArcRng seeded with seed. Zeroes grads and moments. */
void arc_net_init_params(ArcNet *net, uint32_t seed);
void arc_net_zero_grad(ArcNet *net);

/* Forward B <= max_batch observations (host memory (B, C, H, W) uint8). Returns the
 * net's output (B, out_dim) in backend memory, valid until the next forward; the
 * activations stay for arc_net_backward. */
const float *arc_net_forward(ArcNet *net, const uint8_t *obs /* (B, C, H, W) */, int B);
/* The same, with the output copied to host memory. */
void arc_net_forward_host(ArcNet *net, float *out /* (B, out_dim) */, const uint8_t *obs, int B);

/* A hook that rewrites B rows of n floats of host memory in place (e.g. rounding to a
 * lower precision, kernels/precision.h); ctx is the caller's. */
typedef void (*ArcNetRoundFn)(float *x /* (B, n) */, int B, size_t n, void *ctx);

/* The forward of arc_net_forward with every layer's output (after its activation; the
 * head's output too) passed through round before the next layer reads it: with rounded
 * parameters (arc_net_set_params) this simulates a network stored and run in a lower
 * precision with float32 accumulation. Output copied to host memory. On a device backend
 * each layer's output makes a round trip through a temporary host buffer (a measurement
 * path, not for hot loops). The normal forward is unchanged by this entry point. */
void arc_net_forward_rounded(ArcNet *net, float *out /* (B, out_dim) */, const uint8_t *obs /* (B, C, H, W) */,
                             int B, ArcNetRoundFn round, void *ctx);

/* Forward from a real-valued input (host memory, channels-last (B, H, W, C): the layout
 * the net converts observations to) instead of uint8 observations; output copied to host
 * memory. arc_net_backward and arc_net_input_grad may follow it. */
void arc_net_forward_float(ArcNet *net, float *out /* (B, out_dim) */, const float *x /* (B, H, W, C) */, int B);

/* Backpropagates dout (HOST memory (B, out_dim)) through the last forward and writes the
 * gradient w.r.t. the net's input into dx (host, channels-last (B, H, W, C)); like
 * arc_net_backward it also ACCUMULATES weight gradients into net->grads. */
void arc_net_input_grad(ArcNet *net, float *dx /* (B, H, W, C) */, const float *dout /* (B, out_dim) */, int B);

/* Backpropagates dout (backend memory (B, out_dim), the loss gradient w.r.t. the last
 * forward's output, same B) and ACCUMULATES into net->grads. */
void arc_net_backward(ArcNet *net, const float *dout /* (B, out_dim) */, int B);

/* A3C step on the last forward's output: loss (see arc_be_a3c_loss) then backward.
 * Inputs are host memory. Accumulates into net->grads; fills *stats. */
void arc_net_a3c_backward(ArcNet *net, ArcA3CStats *stats, const int32_t *actions /* (B) */,
                          const float *advantages /* (B) */, const float *returns /* (B) */, int B,
                          float value_coef, float entropy_coef);

/* DQN targets y (host (B)) for next observations: forwards `target` on next_obs; with
 * `online` (double DQN, same backend and config) also forwards online on next_obs to
 * choose the actions. Overwrites both nets' activations: call it BEFORE the online
 * forward whose gradients you want. */
void arc_net_dqn_targets(ArcNet *target, ArcNet *online, float *y /* (B) */,
                         const uint8_t *next_obs /* (B, C, H, W) */, const float *rewards /* (B) */,
                         const float *dones /* (B) */, float gamma, int B);

/* DQN step on the last forward's output: Huber(delta) loss of Q(s, actions) against
 * targets (host (B)), optional importance weights, then backward. td (host, optional)
 * receives Q(s,a) - y. Accumulates into net->grads; fills *stats. */
void arc_net_dqn_backward(ArcNet *net, ArcDQNStats *stats, float *td /* (B) or NULL */,
                          const int32_t *actions /* (B) */, const float *targets /* (B) */,
                          const float *weights /* (B) or NULL */, float delta, int B);

/* Clip net->grads to a global L2 norm; returns the norm before clipping. */
double arc_net_clip_grad_norm(ArcNet *net, float max_norm);
/* One optimizer step on net's params and moments from `grads` (backend memory with net's
 * layout: net->grads, or another same-config net's grads on the same backend). */
void arc_net_optim_step(ArcNet *net, const float *grads, const ArcOptimConfig *cfg, long step);

/* Parameters through host memory (num_params floats). */
void arc_net_get_params(const ArcNet *net, float *host /* (P) */);
void arc_net_set_params(ArcNet *net, const float *host /* (P) */);
/* dst's params = src's params (same config; any backends: across backends it goes through
 * a temporary host buffer, so keep cross-backend copies out of hot loops). */
void arc_net_copy_params(ArcNet *dst, const ArcNet *src);

#endif
