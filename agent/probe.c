/* probe.c — stability, precision and robustness measurements of a network (see probe.h).
 *
 * The probe loads nothing itself: it copies a net's parameters into two cpu nets of its
 * own (fp32, and one whose parameters are re-rounded per precision), plays fixed-seed
 * episodes with each greedy policy through a vec env, keeps a uniform reservoir sample of
 * the states the fp32 policy visits, and measures agreement and FGSM flips on them in
 * batches. Single-threaded; allocates freely (a measurement, not a hot loop).
 */
#include "probe.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../common/rng.h"
#include "../env/vec_env.h"

#define CHUNK 256 /* states per batched forward */

ArcProbeOptions arc_probe_options_default(void)
{
    return (ArcProbeOptions){.episodes = 30, .seed = 1000, .sticky = 0.1, .max_steps = 2000,
                             .max_states = 1000, .epsilon = 0.1};
}

/* --- norms ------------------------------------------------------------------------------ */

static double norm2(const double *v, int n)
{
    double s = 0;
    for (int i = 0; i < n; i++) s += v[i] * v[i];
    return sqrt(s);
}

/* Largest eigenvalue of the symmetric positive semi-definite (n, n) matrix g by power
 * iteration in double (see probe.h for the start and the stopping rule). */
static double top_eigenvalue(const float *g, int n, int *iters)
{
    double *v = arc_xmalloc(sizeof(double) * (size_t)n), *u = arc_xmalloc(sizeof(double) * (size_t)n);
    ArcRng rng;
    arc_rng_seed(&rng, 12345);
    for (int j = 0; j < n; j++) v[j] = arc_rng_uniform(&rng) - 0.5;
    double nv = norm2(v, n), lambda = 0;
    for (int j = 0; j < n; j++) v[j] /= nv;
    int it = 0;
    while (it < ARC_PROBE_POWER_ITERS) {
        it++;
        for (int i = 0; i < n; i++) { /* u = G v */
            const float *row = g + (size_t)i * n;
            double s = 0;
            for (int j = 0; j < n; j++) s += (double)row[j] * v[j];
            u[i] = s;
        }
        double next = norm2(u, n); /* ||G v||, v a unit vector: approaches lambda_max from below */
        if (next == 0) {
            lambda = 0;
            break;
        }
        for (int i = 0; i < n; i++) v[i] = u[i] / next;
        bool done = fabs(next - lambda) <= 2 * ARC_PROBE_POWER_TOL * next; /* sigma = sqrt(lambda) */
        lambda = next;
        if (done) break;
    }
    free(u), free(v);
    if (iters) *iters = it;
    return lambda;
}

double arc_probe_spectral_norm(const float *w, int rows, int cols, int *iters)
{
    /* sigma_max(W)^2 = lambda_max(M M^T) with M the shorter orientation of W (n <= m), the
     * Gram matrix formed by the backend's dense layer (y = x M^T with x = M: one GEMM) */
    int n = rows <= cols ? rows : cols, m = rows <= cols ? cols : rows;
    ArcBackend *be = arc_backend_cpu();
    float *mt = NULL;
    const float *mat = w;
    if (rows > cols) { /* transpose to (cols, rows) */
        mt = arc_xmalloc(sizeof(float) * (size_t)rows * cols);
        for (int i = 0; i < rows; i++)
            for (int j = 0; j < cols; j++) mt[(size_t)j * rows + i] = w[(size_t)i * cols + j];
        mat = mt;
    }
    float *gram = arc_be_alloc(be, sizeof(float) * (size_t)n * n), *zero = arc_be_alloc(be, sizeof(float) * (size_t)n);
    arc_be_dense_forward(be, gram, mat, mat, zero, n, m, n);
    double lambda = top_eigenvalue(gram, n, iters);
    arc_be_free(be, gram), arc_be_free(be, zero);
    free(mt);
    return sqrt(lambda);
}

double arc_probe_kappa(const double *spectral, int L)
{
    double kappa = 0, suffix = 1;
    for (int i = L - 1; i >= 0; i--) {
        suffix *= spectral[i];
        kappa += suffix;
    }
    return kappa;
}

static void layer_name(const ArcNetPlan *plan, int i, char *buf, size_t len)
{
    ArcNetTensor t = arc_net_tensor(plan, 2 * i); /* "conv1.weight" */
    snprintf(buf, len, "%.*s", (int)(strchr(t.name, '.') - t.name), t.name);
}

void arc_probe_norms(const ArcNet *net, ArcProbeReport *r)
{
    const ArcNetPlan *plan = &net->plan;
    float *params = arc_xmalloc(sizeof(float) * net->num_params);
    arc_net_get_params(net, params);
    double spectral[ARC_NET_MAX_LAYERS + 1];
    r->num_layers = plan->num_layers;
    r->spectral_product = 1;
    for (int i = 0; i < plan->num_layers; i++) {
        const ArcNetLayer *l = &plan->layers[i];
        ArcProbeLayer *pl = &r->layers[i];
        layer_name(plan, i, pl->name, sizeof pl->name);
        pl->rows = l->out_c;
        pl->cols = (int)(l->w_count / (size_t)l->out_c);
        const float *w = params + l->w_offset;
        double fro = 0;
        for (size_t j = 0; j < l->w_count; j++) fro += (double)w[j] * w[j];
        pl->frobenius = sqrt(fro);
        pl->spectral = spectral[i] = arc_probe_spectral_norm(w, pl->rows, pl->cols, &pl->power_iters);
        r->spectral_product *= pl->spectral;
    }
    int stages = plan->num_layers;
    if (net->cfg.dueling) { /* the combine: [I - 11^T/A | 1] has spectral norm sqrt(A) */
        spectral[stages++] = sqrt((double)net->cfg.num_actions);
        r->spectral_product *= spectral[stages - 1];
    }
    r->kappa = arc_probe_kappa(spectral, stages);
    free(params);
}

void arc_probe_round_params(const ArcNetPlan *plan, float *params, ArcPrecision p)
{
    for (int t = 0; t < arc_net_num_tensors(plan); t++) {
        ArcNetTensor tensor = arc_net_tensor(plan, t);
        arc_precision_round(p, params + tensor.offset, tensor.count);
    }
}

/* --- greedy actions and the FGSM objective ------------------------------------------------ */

int arc_probe_greedy(const float *row, int A)
{
    int best = 0;
    for (int a = 1; a < A; a++) best = row[a] > row[best] ? a : best;
    return best;
}

void arc_probe_objective_grad(float *dout, const float *row, ArcHead head, int A, int a)
{
    if (head == ARC_HEAD_DQN) {
        for (int j = 0; j < A; j++) dout[j] = j == a ? 1.0f : 0.0f;
        return;
    }
    double max = row[0], sum = 0;
    for (int j = 1; j < A; j++) max = row[j] > max ? row[j] : max;
    for (int j = 0; j < A; j++) sum += exp(row[j] - max);
    for (int j = 0; j < A; j++) dout[j] = (float)((j == a) - exp(row[j] - max) / sum);
    dout[A] = 0.0f; /* the value column */
}

static size_t input_size(const ArcNet *net)
{
    return (size_t)net->cfg.in_channels * net->cfg.in_h * net->cfg.in_w;
}

/* uint8 (B, C, H, W) -> float (B, H, W, C), the net's input layout */
static void obs_to_x(const ArcNet *net, float *x, const uint8_t *obs, int B)
{
    int C = net->cfg.in_channels, HW = net->cfg.in_h * net->cfg.in_w;
    for (int b = 0; b < B; b++)
        for (int c = 0; c < C; c++)
            for (int p = 0; p < HW; p++)
                x[((size_t)b * HW + p) * C + c] = obs[((size_t)b * C + c) * HW + p];
}

/* Greedy actions of B outputs. */
static void greedy_rows(const ArcNet *net, int *actions, const float *out, int B)
{
    for (int b = 0; b < B; b++)
        actions[b] = arc_probe_greedy(out + (size_t)b * net->plan.out_dim, net->cfg.num_actions);
}

/* dir = -sign(grad_x J) at x for the greedy actions a (filled), B rows; out is scratch. */
static void descent_direction(ArcNet *net, float *dir, int *a, float *out, const float *x, int B)
{
    int dim = net->plan.out_dim, A = net->cfg.num_actions;
    size_t in = input_size(net);
    arc_net_forward_float(net, out, x, B);
    greedy_rows(net, a, out, B);
    float *dout = arc_xmalloc(sizeof(float) * (size_t)B * dim);
    for (int b = 0; b < B; b++)
        arc_probe_objective_grad(dout + (size_t)b * dim, out + (size_t)b * dim, net->cfg.head, A, a[b]);
    arc_net_input_grad(net, dir, dout, B);
    for (size_t i = 0; i < (size_t)B * in; i++) dir[i] = dir[i] > 0 ? -1.0f : dir[i] < 0 ? 1.0f : 0.0f;
    free(dout);
}

/* flipped[b] = the greedy action at x + eps[b] dir differs from a[b] */
static void flips(ArcNet *net, bool *flipped, float *xt, float *out, const float *x, const float *dir,
                  const double *eps, const int *a, int B)
{
    size_t in = input_size(net);
    for (int b = 0; b < B; b++)
        for (size_t i = 0; i < in; i++) xt[b * in + i] = x[b * in + i] + (float)eps[b] * dir[b * in + i];
    arc_net_forward_float(net, out, xt, B);
    for (int b = 0; b < B; b++)
        flipped[b] = arc_probe_greedy(out + (size_t)b * net->plan.out_dim, net->cfg.num_actions) != a[b];
}

void arc_probe_min_epsilon(ArcNet *net, double *min_eps, const float *x, int B)
{
    size_t in = input_size(net), n = (size_t)B * in;
    float *dir = arc_xmalloc(sizeof(float) * n), *xt = arc_xmalloc(sizeof(float) * n);
    float *out = arc_xmalloc(sizeof(float) * (size_t)B * net->plan.out_dim);
    int *a = arc_xmalloc(sizeof(int) * (size_t)B);
    double *lo = arc_xcalloc((size_t)B, sizeof(double)), *hi = arc_xmalloc(sizeof(double) * (size_t)B);
    double *mid = arc_xmalloc(sizeof(double) * (size_t)B);
    bool *flipped = arc_xmalloc(sizeof(bool) * (size_t)B), *active = arc_xmalloc(sizeof(bool) * (size_t)B);
    descent_direction(net, dir, a, out, x, B);
    for (int b = 0; b < B; b++) hi[b] = 1.0;
    flips(net, active, xt, out, x, dir, hi, a, B);
    for (double width = 1.0; width > ARC_PROBE_EPS_TOL; width /= 2) {
        for (int b = 0; b < B; b++) mid[b] = active[b] ? 0.5 * (lo[b] + hi[b]) : 0.0;
        flips(net, flipped, xt, out, x, dir, mid, a, B);
        for (int b = 0; b < B; b++) {
            if (!active[b]) continue;
            if (flipped[b])
                hi[b] = mid[b];
            else
                lo[b] = mid[b];
        }
    }
    for (int b = 0; b < B; b++) min_eps[b] = active[b] ? hi[b] : INFINITY;
    free(dir), free(xt), free(out), free(a), free(lo), free(hi), free(mid), free(flipped), free(active);
}

/* --- policies and episodes ---------------------------------------------------------------- */

typedef struct Policy {
    ArcNet *net;
    ArcPrecision prec; /* rounded forward unless FP32 */
    double fgsm;       /* > 0: perturb every observation by this epsilon first */
    float *out, *x, *dir; /* (max_batch, out_dim), (max_batch, in) x2 */
    int *a;
} Policy;

static void round_hook(float *x, int B, size_t n, void *ctx)
{
    arc_precision_round_rows(*(const ArcPrecision *)ctx, x, B, n);
}

static void policy_act(Policy *p, int *actions, const uint8_t *obs, int B)
{
    if (p->fgsm > 0) {
        obs_to_x(p->net, p->x, obs, B);
        descent_direction(p->net, p->dir, p->a, p->out, p->x, B);
        size_t n = (size_t)B * input_size(p->net);
        for (size_t i = 0; i < n; i++) p->x[i] += (float)p->fgsm * p->dir[i];
        arc_net_forward_float(p->net, p->out, p->x, B);
    } else if (p->prec == ARC_PREC_FP32) {
        arc_net_forward_host(p->net, p->out, obs, B);
    } else {
        arc_net_forward_rounded(p->net, p->out, obs, B, round_hook, &p->prec);
    }
    greedy_rows(p->net, actions, p->out, B);
}

/* A uniform sample of up to cap states from a stream (reservoir sampling). */
typedef struct Reservoir {
    uint8_t *obs; /* (cap, obs_size) */
    size_t obs_size;
    int cap, count;
    int64_t seen;
    ArcRng rng;
} Reservoir;

static void reservoir_offer(Reservoir *r, const uint8_t *obs)
{
    r->seen++;
    int64_t slot = r->count < r->cap ? r->count++ : (int64_t)(arc_rng_uniform(&r->rng) * (double)r->seen);
    if (slot < r->cap) memcpy(r->obs + (size_t)slot * r->obs_size, obs, r->obs_size);
}

/* Mean return of E first episodes of the policy (see probe.h); offers every state an env
 * visits in its first episode to res (optional). Envs past their first episode keep
 * stepping (with action 0) but are not forwarded: the policy sees only the live rows. */
static double play(Policy *p, const ArcGame *game, const ArcProbeOptions *o, Reservoir *res)
{
    ArcEnvConfig cfg = arc_env_config_default();
    cfg.sticky_prob = o->sticky;
    cfg.step_cap = o->max_steps;
    int E = o->episodes;
    ArcVecEnv vec;
    ARC_CHECK(arc_vec_env_init(&vec, game, E, &cfg, o->seed, NULL) == ARC_OK, "vec env");
    if (o->levels) arc_vec_env_fixed_levels(&vec, o->levels);
    uint8_t *obs = arc_xmalloc(vec.obs_size * (size_t)E), *live_obs = arc_xmalloc(vec.obs_size * (size_t)E);
    int *actions = arc_xcalloc((size_t)E, sizeof(int)), *live_actions = arc_xmalloc(sizeof(int) * (size_t)E);
    int *live = arc_xmalloc(sizeof(int) * (size_t)E);
    bool *done = arc_xcalloc((size_t)E, sizeof(bool));
    double total = 0;
    arc_vec_env_reset(&vec, obs);
    for (int left = E; left > 0;) {
        int n = 0;
        for (int b = 0; b < E; b++) {
            if (done[b]) continue;
            memcpy(live_obs + (size_t)n * vec.obs_size, obs + (size_t)b * vec.obs_size, vec.obs_size);
            if (res) reservoir_offer(res, obs + (size_t)b * vec.obs_size);
            live[n++] = b;
        }
        policy_act(p, live_actions, live_obs, n);
        for (int k = 0; k < n; k++) actions[live[k]] = live_actions[k];
        arc_vec_env_step(&vec, actions, obs, NULL, NULL, NULL, NULL);
        for (int k = 0; k < vec.num_finished; k++) {
            const ArcEpisode *e = &vec.finished[k];
            if (done[e->env]) continue;
            done[e->env] = true;
            actions[e->env] = 0;
            total += (double)e->ret;
            left--;
        }
    }
    free(obs), free(live_obs), free(actions), free(live_actions), free(live), free(done);
    arc_vec_env_free(&vec);
    return total / E;
}

/* --- the whole probe ---------------------------------------------------------------------- */

static int compare_doubles(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* quantile q of sorted s (n >= 1), linear interpolation between order statistics */
static double quantile_sorted(const double *s, int n, double q)
{
    double h = (n - 1) * q;
    int i = (int)floor(h);
    return i + 1 < n ? s[i] + (h - i) * (s[i + 1] - s[i]) : s[n - 1];
}

/* agreement of the rounded net with the fp32 net over the recorded states */
static double agreement(Policy *fp32, Policy *rounded, const Reservoir *res)
{
    int same = 0, a32[CHUNK], ap[CHUNK];
    for (int start = 0; start < res->count; start += CHUNK) {
        int B = res->count - start < CHUNK ? res->count - start : CHUNK;
        const uint8_t *obs = res->obs + (size_t)start * res->obs_size;
        policy_act(fp32, a32, obs, B);
        policy_act(rounded, ap, obs, B);
        for (int b = 0; b < B; b++) same += a32[b] == ap[b];
    }
    return res->count ? (double)same / res->count : 1.0;
}

static void fgsm_stats(Policy *fp32, const Reservoir *res, ArcProbeReport *r)
{
    double *eps = arc_xmalloc(sizeof(double) * (size_t)(res->count > 0 ? res->count : 1));
    for (int start = 0; start < res->count; start += CHUNK) {
        int B = res->count - start < CHUNK ? res->count - start : CHUNK;
        obs_to_x(fp32->net, fp32->x, res->obs + (size_t)start * res->obs_size, B);
        arc_probe_min_epsilon(fp32->net, eps + start, fp32->x, B);
    }
    int flipped = 0;
    for (int i = 0; i < res->count; i++)
        if (isfinite(eps[i])) eps[flipped++] = eps[i];
    qsort(eps, (size_t)flipped, sizeof *eps, compare_doubles);
    r->flipped = flipped;
    r->never_flipped = res->count ? 1.0 - (double)flipped / res->count : 0.0;
    r->eps_q25 = flipped ? quantile_sorted(eps, flipped, 0.25) : NAN;
    r->eps_median = flipped ? quantile_sorted(eps, flipped, 0.5) : NAN;
    r->eps_q75 = flipped ? quantile_sorted(eps, flipped, 0.75) : NAN;
    free(eps);
}

static void policy_init(Policy *p, ArcNet *net)
{
    size_t in = input_size(net), mb = (size_t)net->max_batch;
    *p = (Policy){.net = net, .prec = ARC_PREC_FP32};
    p->out = arc_xmalloc(sizeof(float) * mb * net->plan.out_dim);
    p->x = arc_xmalloc(sizeof(float) * mb * in);
    p->dir = arc_xmalloc(sizeof(float) * mb * in);
    p->a = arc_xmalloc(sizeof(int) * mb);
}

static void policy_free(Policy *p)
{
    free(p->out), free(p->x), free(p->dir), free(p->a);
}

/* cpu copies of net's config with max_batch rows; params copied (rounded to p) */
static ArcNet *copy_net(const ArcNet *src, int max_batch, const float *params, ArcPrecision p)
{
    ArcErr err;
    ArcNet *net = arc_net_init(&src->cfg, arc_backend_cpu(), max_batch, 0, &err);
    ARC_CHECK(net, "a valid net's config: %s", err.msg);
    float *rounded = arc_xmalloc(sizeof(float) * src->num_params);
    memcpy(rounded, params, sizeof(float) * src->num_params);
    arc_probe_round_params(&net->plan, rounded, p);
    arc_net_set_params(net, rounded);
    free(rounded);
    return net;
}

double arc_probe_agreement(const ArcNet *src, ArcPrecision p, const uint8_t *obs, int n)
{
    float *params = arc_xmalloc(sizeof(float) * src->num_params);
    arc_net_get_params(src, params);
    ArcNet *net = copy_net(src, CHUNK, params, ARC_PREC_FP32), *rnet = copy_net(src, CHUNK, params, p);
    Policy fp32, rounded;
    policy_init(&fp32, net);
    policy_init(&rounded, rnet);
    rounded.prec = p;
    Reservoir states = {.obs = (uint8_t *)obs, .obs_size = input_size(src), .cap = n, .count = n};
    double agree = agreement(&fp32, &rounded, &states);
    policy_free(&fp32), policy_free(&rounded);
    arc_net_free(net), arc_net_free(rnet);
    free(params);
    return agree;
}

int arc_probe_run(const ArcNet *src, const ArcGame *game, const ArcProbeOptions *o, ArcProbeReport *r,
                  ArcErr *err)
{
    memset(r, 0, sizeof *r);
    if (o->episodes < 1 || o->max_states < 1 || o->max_steps < 1 || !(o->epsilon >= 0) ||
        !(o->sticky >= 0 && o->sticky <= 1))
        return arc_err_set(err, ARC_ERR_ARG,
                           "probe options: expected episodes, states and max steps >= 1, epsilon >= 0, "
                           "sticky in [0, 1]");
    if (src->cfg.in_channels != game->channels || src->cfg.num_actions != ARC_NUM_ACTIONS)
        return arc_err_set(err, ARC_ERR_ARG, "probe: the network does not fit %s", game->name);
    int max_batch = o->episodes > CHUNK ? o->episodes : CHUNK;
    float *params = arc_xmalloc(sizeof(float) * src->num_params);
    arc_net_get_params(src, params);
    ArcNet *net = copy_net(src, max_batch, params, ARC_PREC_FP32);
    ArcNet *rnet = copy_net(src, max_batch, params, ARC_PREC_FP32);

    r->params = net->num_params;
    r->flops_per_forward = net->plan.flops_forward;
    r->epsilon = o->epsilon;
    arc_probe_norms(net, r);

    Policy fp32, rounded;
    policy_init(&fp32, net);
    policy_init(&rounded, rnet);
    Reservoir res = {.obs_size = input_size(net), .cap = o->max_states};
    res.obs = arc_xmalloc(res.obs_size * (size_t)res.cap);
    arc_rng_seed(&res.rng, (uint32_t)arc_splitmix64(o->seed ^ 0x70726f6265ull));
    r->ret[ARC_PREC_FP32] = play(&fp32, game, o, &res);
    r->states = res.count;
    r->agreement[ARC_PREC_FP32] = 1.0;

    float *rounded_params = arc_xmalloc(sizeof(float) * src->num_params);
    for (int p = ARC_PREC_FP16; p < ARC_PREC_COUNT; p++) {
        memcpy(rounded_params, params, sizeof(float) * src->num_params);
        arc_probe_round_params(&rnet->plan, rounded_params, (ArcPrecision)p);
        arc_net_set_params(rnet, rounded_params);
        rounded.prec = (ArcPrecision)p;
        r->agreement[p] = agreement(&fp32, &rounded, &res);
        r->ret[p] = play(&rounded, game, o, NULL);
    }

    fgsm_stats(&fp32, &res, r);
    Policy attacked = fp32;
    attacked.fgsm = o->epsilon;
    r->ret_fgsm = o->epsilon > 0 ? play(&attacked, game, o, NULL) : r->ret[ARC_PREC_FP32];

    free(rounded_params), free(params), free(res.obs);
    policy_free(&fp32), policy_free(&rounded);
    arc_net_free(net), arc_net_free(rnet);
    return ARC_OK;
}
