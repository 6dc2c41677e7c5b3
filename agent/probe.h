/* probe.h — measurement instruments for a trained network (issue 6, section 2):
 * stability (weight norms, the forward-error bound kappa), precision tolerance (greedy
 * actions and returns with weights and activations rounded to fp16 / bf16 / int8) and
 * robustness (the smallest fast-gradient-sign perturbation that changes the greedy action).
 *
 * Definitions (the README's probe section repeats them):
 *   - A layer's weight is viewed as a matrix W_i: dense (O, I); conv (O, k*k*I), one row
 *     per output channel (the stored OHWI layout). frobenius = sqrt(sum w^2); spectral =
 *     the largest singular value: sqrt of the largest eigenvalue of the Gram matrix M M^T
 *     (M = W or W^T, whichever has fewer rows; formed in float32 by the cpu backend's
 *     GEMM), found by power iteration in double from a fixed pseudo-random start, stopped
 *     when the eigenvalue estimate ||G v|| changes by <= 2 ARC_PROBE_POWER_TOL relative
 *     (sigma by about ARC_PROBE_POWER_TOL) or after ARC_PROBE_POWER_ITERS iterations; the
 *     estimate approaches from below.
 *     For a conv this is the matrix view's norm; the convolution as an operator on the
 *     whole image can be up to k times larger (each input pixel feeds <= k*k patches).
 *   - spectral_product = prod_i ||W_i||_2 over the L layers (head included).
 *   - kappa = sum_{i=1..L} prod_{j=i..L} ||W_j||_2: an error of norm e injected into the
 *     input of layer i (a rounding of the activation layer i reads) reaches the output
 *     amplified by at most prod_{j>=i} ||W_j||_2 (ReLU is 1-Lipschitz; biases cancel),
 *     so rounding errors of relative size u at every layer input give an output error of
 *     at most u * kappa * (largest activation norm), to first order.
 *     A dueling DQN head's combine (Q = V + adv - mean(adv), the map [I - 11^T/A | 1])
 *     is a last stage of norm sqrt(A) in both the product and kappa; r->layers lists
 *     the weight layers only.
 *   - The greedy action is the argmax of the policy logits (A3C) or of Q (DQN), ties to
 *     the lowest action.
 *   - Precision p: parameters rounded per tensor (int8: one scale per weight and per bias
 *     tensor) and every layer's output rounded per sample (int8: one scale per sample and
 *     layer) before the next layer reads it; products accumulate in float32.
 *   - agreement[p]: the fraction of recorded states (visited by the fp32 greedy policy)
 *     whose greedy action under p equals the fp32 one.
 *   - FGSM: x is the observation as a real vector (no clamping to {0,1}); J(x) = log pi(a*|x)
 *     (A3C) or Q(x, a*) (DQN) for the state's fp32 greedy action a*; the perturbation is
 *     x - eps * sign(grad_x J) (descent on J: ascent on the loss -J). min_epsilon of a state
 *     is found by bisection on [0, 1]: if eps = 1 does not change the greedy action the state
 *     counts as never flipped; otherwise the bracket [lo, hi] (lo unflipped, hi flipped) is
 *     halved until hi - lo <= ARC_PROBE_EPS_TOL and hi is reported (flips need not be
 *     monotone in eps: this is a flip boundary, the smallest when they are).
 *   - Returns: the mean undiscounted return over E episodes of each greedy policy, episode
 *     i on an env seeded arc_vec_env_seed(seed, i) (the same episodes for every policy;
 *     sticky actions draw from the env's stream, so trajectories differ once actions do);
 *     with levels, episode i plays levels[i] as `arcade eval --levels` does.
 */
#ifndef ARC_PROBE_H
#define ARC_PROBE_H

#include "../env/game.h"
#include "../kernels/net.h"
#include "../kernels/precision.h"

#define ARC_PROBE_POWER_ITERS 1000
#define ARC_PROBE_POWER_TOL 1e-7
#define ARC_PROBE_EPS_TOL 1e-3

typedef struct ArcProbeOptions {
    int episodes;       /* E */
    uint64_t seed;      /* base seed of the episodes */
    double sticky;      /* sticky-action probability */
    int64_t max_steps;  /* step cap per episode */
    int max_states;     /* states kept (uniform reservoir sample of those visited) */
    double epsilon;     /* fixed FGSM epsilon of the perturbed return */
    const uint32_t *levels; /* (episodes) or NULL: episode i plays levels[i] (level mode,
                               env/level.h; agent/evaluate.h arc_eval_levels makes them) */
} ArcProbeOptions;

/* 30 episodes, seed 1000, sticky 0.1, 2000 steps, 1000 states, epsilon 0.1, no levels */
ArcProbeOptions arc_probe_options_default(void);

typedef struct ArcProbeLayer {
    char name[16];            /* "conv1", "dense1", "head" */
    int rows, cols;           /* the matrix view */
    double frobenius, spectral;
    int power_iters;          /* iterations the spectral estimate took */
} ArcProbeLayer;

typedef struct ArcProbeReport {
    size_t params;
    double flops_per_forward;
    int num_layers;
    ArcProbeLayer layers[ARC_NET_MAX_LAYERS];
    double spectral_product, kappa;
    int states;                        /* recorded states */
    double agreement[ARC_PREC_COUNT];  /* per precision (fp32: 1 by construction) */
    double ret[ARC_PREC_COUNT];        /* mean greedy return per precision */
    double ret_fgsm;                   /* mean return under the fixed-epsilon FGSM */
    double epsilon;
    int flipped;                       /* states flipped by some eps <= 1 */
    double never_flipped;              /* fraction of states not flipped by eps <= 1 */
    double eps_q25, eps_median, eps_q75; /* over the flipped states (NAN when none) */
} ArcProbeReport;

/* Largest singular value of the row-major (rows, cols) matrix w by power iteration (see
 * above); *iters (optional) receives the iterations used. 0 for a zero matrix. */
double arc_probe_spectral_norm(const float *w /* (rows, cols) */, int rows, int cols, int *iters);

/* sum_{i} prod_{j >= i} spectral[j] over L layers (first layer first). */
double arc_probe_kappa(const double *spectral /* (L) */, int L);

/* Per-layer norms, their product and kappa of net's parameters into r. */
void arc_probe_norms(const ArcNet *net, ArcProbeReport *r);

/* Rounds a parameter slab (net layout) to p, tensor by tensor. */
void arc_probe_round_params(const ArcNetPlan *plan, float *params /* (P) */, ArcPrecision p);

/* The greedy action of one output row (A actions; ties to the lowest). */
int arc_probe_greedy(const float *row, int A);

/* The gradient w.r.t. the output row of J for action a (see above): A3C
 * d log pi(a)/d logit_j = [j == a] - pi_j and 0 for the value; DQN one-hot at a. */
void arc_probe_objective_grad(float *dout /* (out_dim) */, const float *row /* (out_dim) */,
                              ArcHead head, int A, int a);

/* The fraction of n states obs (host (n, C, H, W)) whose greedy action under precision p
 * (rounded parameters and activations) equals the fp32 one; 1 when n = 0. */
double arc_probe_agreement(const ArcNet *net, ArcPrecision p, const uint8_t *obs, int n);

/* For B states x (host, channels-last (B, H, W, C), B <= net->max_batch): min_eps[b]
 * as defined above, or INFINITY when never flipped by eps <= 1. Overwrites net's
 * activations and accumulates into its grads (one input-gradient backward). */
void arc_probe_min_epsilon(ArcNet *net, double *min_eps /* (B) */, const float *x /* (B, H, W, C) */, int B);

/* Everything above for a trained net playing game: norms, E episodes per policy (fp32,
 * fp16, bf16, int8, FGSM at o->epsilon), agreement and min-epsilon over the recorded
 * states. net is used for its parameters and config (any backend); the probe builds its
 * own cpu nets. Returns ARC_OK or ARC_ERR_ARG with a message for bad options. */
int arc_probe_run(const ArcNet *net, const ArcGame *game, const ArcProbeOptions *o, ArcProbeReport *r,
                  ArcErr *err);

#endif
