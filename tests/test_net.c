/* test_net.c — the network: plans and parameter counts, deterministic init, backends
 * agreeing on whole forward/backward passes, whole-network finite-difference gradient
 * checks for both heads at several widths k, the A3C/DQN helper paths, and several
 * threads sharing the cpu backend and one optimizer slab.
 */
#include <pthread.h>

#include "../kernels/net.h"
#include "test_kernels_util.h"

static uint8_t *random_obs(ArcRng *rng, int B, int C)
{
    size_t n = (size_t)B * C * 100;
    uint8_t *obs = arc_xmalloc(n);
    for (size_t i = 0; i < n; i++) obs[i] = arc_rng_uniform(rng) < 0.3 ? 1 : 0;
    return obs;
}

static ArcNet *make_net(ArcBackend *be, int C, ArcHead head, bool dueling, float k, ArcAct act, int max_batch,
                        uint32_t seed)
{
    ArcNetConfig cfg;
    arc_net_config_minatar(&cfg, C, head, k);
    cfg.dueling = dueling;
    cfg.act = act;
    ArcErr err = {{0}};
    ArcNet *net = arc_net_init(&cfg, be, max_batch, seed, &err);
    cr_assert_not_null(net, "arc_net_init: %s", err.msg);
    return net;
}

Test(kernels_net, minatar_plan_counts)
{
    ArcNetConfig cfg;
    ArcNetPlan plan;
    arc_net_config_minatar(&cfg, 4, ARC_HEAD_DQN, 1.0f);
    cr_assert_eq(arc_net_plan(&plan, &cfg, NULL), 0);
    /* conv 4->16 3x3: 592; dense 1024->128: 131200; head 128->6: 774 */
    cr_assert_eq(plan.num_layers, 3);
    cr_assert_eq(plan.num_params, 592u + 131200u + 774u);
    cr_assert_eq(plan.out_dim, 6);
    cr_assert_eq(plan.layers[1].in_c, 1024);
    cfg.dueling = true; /* head 128 -> 6 advantages + 1 value, combined into 6 Q-values */
    cr_assert_eq(arc_net_plan(&plan, &cfg, NULL), 0);
    cr_assert_eq(plan.num_params, 592u + 131200u + 903u);
    cr_assert_eq(plan.layers[2].out_c, 7);
    cr_assert_eq(plan.out_dim, 6);
    cfg.dueling = false;
    cfg.head = ARC_HEAD_A3C;
    arc_net_plan(&plan, &cfg, NULL);
    cr_assert_eq(plan.num_params, 592u + 131200u + 903u);
    cr_assert_eq(plan.out_dim, 7);
    /* ~0.34 MFLOP forward */
    cr_assert(plan.flops_forward > 0.33e6 && plan.flops_forward < 0.35e6, "%g", plan.flops_forward);
    /* widths scale and round to at least 1 */
    cfg.k = 0.125f;
    arc_net_plan(&plan, &cfg, NULL);
    cr_assert(plan.layers[0].out_c == 2 && plan.layers[1].out_c == 16);
    cfg.k = 16.0f;
    arc_net_plan(&plan, &cfg, NULL);
    cr_assert(plan.layers[0].out_c == 256 && plan.layers[1].out_c == 2048);
    cr_assert_eq(arc_net_width(0.01f, 16), 1);
}

Test(kernels_net, tensors_tile_the_slab)
{
    ArcNetConfig cfg;
    ArcNetPlan plan;
    arc_net_config_minatar(&cfg, 10, ARC_HEAD_A3C, 2.0f);
    cfg.num_conv = 2, cfg.conv_channels[1] = 8, cfg.conv_kernel[1] = 3, cfg.conv_same[1] = true;
    cr_assert_eq(arc_net_plan(&plan, &cfg, NULL), 0);
    cr_assert_eq(arc_net_num_tensors(&plan), 8);
    size_t next = 0;
    for (int i = 0; i < arc_net_num_tensors(&plan); i++) {
        ArcNetTensor t = arc_net_tensor(&plan, i);
        size_t numel = 1;
        for (int d = 0; d < t.ndim; d++) numel *= (size_t)t.shape[d];
        cr_assert_eq(t.offset, next, "%s starts at %zu", t.name, t.offset);
        cr_assert_eq(numel, t.count, "%s shape", t.name);
        next += t.count;
    }
    cr_assert_eq(next, plan.num_params);
    ArcNetTensor c2 = arc_net_tensor(&plan, 2);
    cr_assert_str_eq(c2.name, "conv2.weight");
    cr_assert(c2.ndim == 4 && c2.shape[0] == 16 && c2.shape[1] == 3 && c2.shape[3] == 32);
    cr_assert_str_eq(arc_net_tensor(&plan, 7).name, "head.bias");
}

Test(kernels_net, bad_configs_are_reported)
{
    ArcNetConfig cfg;
    ArcNetPlan plan;
    ArcErr err = {{0}};
    arc_net_config_minatar(&cfg, 4, ARC_HEAD_A3C, 17.0f);
    cr_assert_eq(arc_net_plan(&plan, &cfg, &err), ARC_ERR_ARG);
    cr_assert(strstr(err.msg, "k=17") != NULL, "%s", err.msg);
    arc_net_config_minatar(&cfg, 4, ARC_HEAD_A3C, 1.0f);
    cfg.conv_kernel[0] = 11;
    cr_assert_eq(arc_net_plan(&plan, &cfg, &err), ARC_ERR_ARG);
    cfg.conv_kernel[0] = 4;
    cfg.conv_same[0] = true;
    cr_assert_eq(arc_net_plan(&plan, &cfg, &err), ARC_ERR_ARG);
    arc_net_config_minatar(&cfg, 0, ARC_HEAD_A3C, 1.0f);
    cr_assert_null(arc_net_init(&cfg, arc_backend_cpu(), 4, 1, &err));
    arc_net_config_minatar(&cfg, 4, ARC_HEAD_A3C, 1.0f);
    cr_assert_null(arc_net_init(&cfg, arc_backend_cpu(), 0, 1, &err));
    cfg.dueling = true;
    cr_assert_eq(arc_net_plan(&plan, &cfg, &err), ARC_ERR_ARG);
    cr_assert(strstr(err.msg, "dueling head: only with the dqn head") != NULL, "%s", err.msg);
}

/* The dueling combine by hand: Q = V + adv - mean(adv); its backward sends dq - mean(dq)
 * to the advantages and sum(dq) to the value. Same numbers on every backend. */
static void check_dueling_by_hand(ArcBackend *be)
{
    enum { B = 2, A = 6 };
    const float out[B * (A + 1)] = {1, 2, 3, 4, 5, 6, 10, /* mean adv 3.5 */
                                     -1, 1, -1, 1, -1, 1, -2};
    const float want_q[B * A] = {7.5f, 8.5f, 9.5f, 10.5f, 11.5f, 12.5f, -3, -1, -3, -1, -3, -1};
    const float dq[B * A] = {1, 0, 0, 0, 0, 2, /* sum 3, mean 0.5 */
                             0.5f, 0.5f, 0.5f, 0.5f, 0.5f, 0.5f};
    const float want_dout[B * (A + 1)] = {0.5f, -0.5f, -0.5f, -0.5f, -0.5f, 1.5f, 3, 0, 0, 0, 0, 0, 0, 3};
    float *d_out = arc_be_alloc(be, sizeof out), *d_q = arc_be_alloc(be, sizeof want_q);
    float *d_dq = arc_be_alloc(be, sizeof dq), *d_dout = arc_be_alloc(be, sizeof want_dout);
    float q[B * A], dout[B * (A + 1)];
    arc_be_upload(be, d_out, out, sizeof out);
    arc_be_upload(be, d_dq, dq, sizeof dq);
    arc_be_dueling_forward(be, d_q, d_out, B, A);
    arc_be_dueling_backward(be, d_dout, d_dq, B, A);
    arc_be_download(be, q, d_q, sizeof q);
    arc_be_download(be, dout, d_dout, sizeof dout);
    for (int i = 0; i < B * A; i++) cr_assert_float_eq(q[i], want_q[i], 1e-6, "q[%d] = %g", i, (double)q[i]);
    for (int i = 0; i < B * (A + 1); i++)
        cr_assert_float_eq(dout[i], want_dout[i], 1e-6, "dout[%d] = %g", i, (double)dout[i]);
    arc_be_free(be, d_out), arc_be_free(be, d_q), arc_be_free(be, d_dq), arc_be_free(be, d_dout);
}

Test(kernels_net, dueling_combine_by_hand) { check_dueling_by_hand(arc_backend_cpu_ref()); }
TK_ON_FAST_BACKENDS(kernels_net, dueling_combine_by_hand_fast, check_dueling_by_hand)

/* A dueling net's output is the combine of its head's [advantages, value]: each row of Q
 * averages to the value, and Q minus that mean is the centred advantages. */
Test(kernels_net, dueling_net_outputs_the_combined_q)
{
    ArcRng rng;
    arc_rng_seed(&rng, 9);
    enum { B = 5, A = 6 };
    ArcNet *net = make_net(arc_backend_cpu_ref(), 4, ARC_HEAD_DQN, true, 1.0f, ARC_ACT_RELU, B, 3);
    cr_assert_eq(net->plan.out_dim, A);
    uint8_t *obs = random_obs(&rng, B, 4);
    float q[B * A], head[B * (A + 1)];
    arc_net_forward_host(net, q, obs, B);
    memcpy(head, net->pre[net->plan.num_layers - 1], sizeof head);
    for (int b = 0; b < B; b++) {
        const float *z = head + b * (A + 1), *row = q + b * A;
        double mean_q = 0, mean_adv = 0;
        for (int j = 0; j < A; j++) mean_q += row[j] / A, mean_adv += z[j] / A;
        cr_assert_float_eq(mean_q, z[A], 1e-5, "row %d: mean Q %g vs value %g", b, mean_q, (double)z[A]);
        for (int j = 0; j < A; j++) cr_assert_float_eq(row[j] - mean_q, z[j] - mean_adv, 1e-5);
    }
    free(obs);
    arc_net_free(net);
}

Test(kernels_net, init_is_deterministic_across_backends)
{
    ArcNet *a = make_net(arc_backend_cpu_ref(), 4, ARC_HEAD_A3C, false, 1.0f, ARC_ACT_RELU, 2, 42);
    ArcNet *b = make_net(arc_backend_cpu(), 4, ARC_HEAD_A3C, false, 1.0f, ARC_ACT_RELU, 2, 42);
    ArcNet *c = make_net(arc_backend_cpu(), 4, ARC_HEAD_A3C, false, 1.0f, ARC_ACT_RELU, 2, 43);
    cr_assert(memcmp(a->params, b->params, a->num_params * sizeof(float)) == 0);
    cr_assert(memcmp(a->params, c->params, a->num_params * sizeof(float)) != 0);
    /* bounds: the dense layer's weights lie within 1/sqrt(1024) */
    const ArcNetLayer *l = &a->plan.layers[1];
    for (size_t i = 0; i < l->w_count; i++) cr_assert(fabsf(a->params[l->w_offset + i]) <= 1.0f / 32.0f);
    arc_net_free(a), arc_net_free(b), arc_net_free(c);
}

/* the same forward/backward on be and on cpu_ref, stacked convs with same padding */
static void check_net_vs_ref(ArcBackend *be)
{
    ArcRng rng;
    arc_rng_seed(&rng, 5);
    ArcNetConfig cfg;
    arc_net_config_minatar(&cfg, 6, ARC_HEAD_A3C, 0.5f);
    cfg.num_conv = 2, cfg.conv_channels[1] = 12, cfg.conv_kernel[1] = 3, cfg.conv_same[1] = true;
    cfg.num_dense = 2, cfg.dense_width[1] = 40, cfg.act = ARC_ACT_SILU;
    ArcErr err = {{0}};
    int B = 9;
    ArcNet *r = arc_net_init(&cfg, arc_backend_cpu_ref(), 16, 3, &err);
    ArcNet *n = arc_net_init(&cfg, be, 16, 3, &err);
    cr_assert(r && n, "%s", err.msg);
    uint8_t *obs = random_obs(&rng, B, 6);
    int od = r->plan.out_dim;
    float *yr = arc_xmalloc((size_t)B * od * 4), *yn = arc_xmalloc((size_t)B * od * 4);
    arc_net_forward_host(r, yr, obs, B);
    arc_net_forward_host(n, yn, obs, B);
    cr_assert(tk_norm_err(yn, yr, (size_t)B * od) < 1e-4, "forward differs");
    int32_t act[9];
    float adv[9], ret[9];
    for (int b = 0; b < B; b++) act[b] = b % 6, adv[b] = (float)(b - 4) * 0.3f, ret[b] = (float)b * 0.1f;
    ArcA3CStats sr, sn;
    arc_net_a3c_backward(r, &sr, act, adv, ret, B, 0.5f, 0.01f);
    arc_net_a3c_backward(n, &sn, act, adv, ret, B, 0.5f, 0.01f);
    cr_assert(fabsf(sr.loss - sn.loss) < 1e-4f * (1 + fabsf(sr.loss)));
    float *gr = arc_xmalloc(r->num_params * 4), *gn = arc_xmalloc(r->num_params * 4);
    arc_be_download(be, gn, n->grads, r->num_params * 4);
    memcpy(gr, r->grads, r->num_params * 4);
    cr_assert(tk_norm_err(gn, gr, r->num_params) < 1e-4, "gradients differ: %g",
              tk_norm_err(gn, gr, r->num_params));
    free(obs), free(yr), free(yn), free(gr), free(gn);
    arc_net_free(r), arc_net_free(n);
}

TK_ON_FAST_BACKENDS(kernels_net, forward_backward_vs_ref, check_net_vs_ref)

/* Whole-network gradient check: L = sum(r * out) with random r; backward(r) must match
 * central differences on sampled parameters of every layer (weights and biases). With
 * ReLU a pre-activation crossing zero between theta - h and theta + h makes the
 * difference meaningless, so such samples are detected (the ReLU masks of the two
 * forwards differ) and skipped; every other sample must agree, and most must count. */
static double net_objective(ArcNet *net, const uint8_t *obs, const float *r, int B, float *out)
{
    arc_net_forward_host(net, out, obs, B);
    double s = 0.0;
    for (int i = 0; i < B * net->plan.out_dim; i++) s += (double)out[i] * r[i];
    return s;
}

/* FNV-1a over the signs of every pre-activation of the last forward */
static uint64_t relu_mask_hash(const ArcNet *net, int B, float *tmp)
{
    uint64_t h = 1469598103934665603ull;
    for (int li = 0; li < net->plan.num_layers; li++) {
        const ArcNetLayer *l = &net->plan.layers[li];
        if (l->act != ARC_ACT_RELU) continue;
        size_t n = (size_t)B * l->out_size;
        arc_be_download(net->be, tmp, net->pre[li], n * sizeof(float));
        for (size_t i = 0; i < n; i++) h = (h ^ (uint64_t)(tmp[i] > 0.0f)) * 1099511628211ull;
    }
    return h;
}

static void net_gradcheck(ArcBackend *be, ArcHead head, bool dueling, float k, ArcAct act, uint32_t seed)
{
    ArcRng rng;
    arc_rng_seed(&rng, seed);
    int B = 3, C = 4;
    ArcNet *net = make_net(be, C, head, dueling, k, act, B, seed);
    int od = net->plan.out_dim;
    uint8_t *obs = random_obs(&rng, B, C);
    float *r = arc_xmalloc((size_t)B * od * 4), *out = arc_xmalloc((size_t)B * od * 4);
    for (int i = 0; i < B * od; i++) r[i] = (float)tk_uniform(&rng, -1, 1);
    float *dr = arc_be_alloc(be, (size_t)B * od * 4);
    arc_be_upload(be, dr, r, (size_t)B * od * 4);
    size_t P = net->num_params, widest = 0;
    for (int li = 0; li < net->plan.num_layers; li++)
        if (net->plan.layers[li].out_size > widest) widest = net->plan.layers[li].out_size;
    float *params = arc_xmalloc(P * 4), *grads = arc_xmalloc(P * 4), *tmp = arc_xmalloc(B * widest * 4);
    arc_net_get_params(net, params);
    net_objective(net, obs, r, B, out);
    arc_net_backward(net, dr, B);
    arc_be_download(be, grads, net->grads, P * 4);

    const float h = 2e-3f;
    int checked = 0, kinks = 0;
    for (int li = 0; li < net->plan.num_layers; li++) {
        const ArcNetLayer *l = &net->plan.layers[li];
        for (int s = 0; s < 12; s++) {
            size_t i = s < 8 ? l->w_offset + (size_t)arc_rng_int(&rng, 0, (int64_t)l->w_count)
                             : l->b_offset + (size_t)arc_rng_int(&rng, 0, (int64_t)l->b_count);
            float keep = params[i];
            params[i] = keep + h;
            arc_net_set_params(net, params);
            double lp = net_objective(net, obs, r, B, out);
            uint64_t mp = relu_mask_hash(net, B, tmp);
            params[i] = keep - h;
            arc_net_set_params(net, params);
            double lm = net_objective(net, obs, r, B, out);
            uint64_t mm = relu_mask_hash(net, B, tmp);
            params[i] = keep;
            if (mp != mm) {
                kinks++;
                continue;
            }
            double fd = (lp - lm) / (2.0 * h), an = grads[i];
            checked++;
            cr_assert(fabs(fd - an) <= 1e-2 * fmax(fabs(fd), fabs(an)) + 3e-4,
                      "k=%g layer %d param %zu: finite difference %.6g vs backward %.6g", (double)k, li, i,
                      fd, an);
        }
    }
    arc_net_set_params(net, params);
    cr_assert(checked >= 2 * kinks, "k=%g: only %d samples without a ReLU crossing (%d with)", (double)k,
              checked, kinks);
    arc_be_free(be, dr);
    free(obs), free(r), free(out), free(params), free(grads), free(tmp);
    arc_net_free(net);
}

Test(kernels_net, gradcheck_a3c_ref)
{
    net_gradcheck(arc_backend_cpu_ref(), ARC_HEAD_A3C, false, 0.125f, ARC_ACT_SILU, 1);
    net_gradcheck(arc_backend_cpu_ref(), ARC_HEAD_A3C, false, 1.0f, ARC_ACT_RELU, 2);
}

Test(kernels_net, gradcheck_dqn_ref)
{
    net_gradcheck(arc_backend_cpu_ref(), ARC_HEAD_DQN, false, 0.125f, ARC_ACT_RELU, 3);
    net_gradcheck(arc_backend_cpu_ref(), ARC_HEAD_DQN, false, 1.0f, ARC_ACT_SILU, 4);
}

Test(kernels_net, gradcheck_dueling_dqn_ref)
{
    net_gradcheck(arc_backend_cpu_ref(), ARC_HEAD_DQN, true, 0.125f, ARC_ACT_RELU, 5);
    net_gradcheck(arc_backend_cpu_ref(), ARC_HEAD_DQN, true, 1.0f, ARC_ACT_SILU, 6);
}

static void gradcheck_all_k(ArcBackend *be)
{
    float ks[3] = {0.125f, 1.0f, 2.0f};
    for (int i = 0; i < 3; i++) {
        net_gradcheck(be, ARC_HEAD_A3C, false, ks[i], ARC_ACT_RELU, 10 + i);
        net_gradcheck(be, ARC_HEAD_DQN, false, ks[i], ARC_ACT_RELU, 20 + i);
        net_gradcheck(be, ARC_HEAD_A3C, false, ks[i], ARC_ACT_SILU, 30 + i);
        net_gradcheck(be, ARC_HEAD_DQN, true, ks[i], ARC_ACT_RELU, 40 + i);
    }
}

TK_ON_FAST_BACKENDS(kernels_net, gradcheck_heads_and_k, gradcheck_all_k)

static void check_dqn_helpers_head(ArcBackend *be, bool dueling)
{
    ArcRng rng;
    arc_rng_seed(&rng, 77);
    int B = 8;
    ArcNet *online = make_net(be, 7, ARC_HEAD_DQN, dueling, 1.0f, ARC_ACT_RELU, B, 1);
    ArcNet *target = make_net(be, 7, ARC_HEAD_DQN, dueling, 1.0f, ARC_ACT_RELU, B, 2);
    arc_net_copy_params(target, online);
    uint8_t *obs = random_obs(&rng, B, 7), *next = random_obs(&rng, B, 7);
    float rew[8], done[8], y[8], yd[8], q[8 * 6], td[8];
    int32_t act[8];
    for (int b = 0; b < B; b++) rew[b] = (float)(b % 2), done[b] = b == 3 ? 1.0f : 0.0f, act[b] = b % 6;
    arc_net_dqn_targets(target, NULL, y, next, rew, done, 0.9f, B);
    arc_net_dqn_targets(target, online, yd, next, rew, done, 0.9f, B);
    /* identical online and target nets: double-DQN targets equal plain targets */
    for (int b = 0; b < B; b++) cr_assert(fabsf(y[b] - yd[b]) < 1e-6f, "y %g yd %g", (double)y[b], (double)yd[b]);
    cr_assert(y[3] == rew[3], "terminal transition");
    arc_net_forward_host(online, q, obs, B);
    arc_net_zero_grad(online);
    ArcDQNStats st;
    arc_net_dqn_backward(online, &st, td, act, y, NULL, 1.0f, B);
    for (int b = 0; b < B; b++) cr_assert(fabsf(td[b] - (q[b * 6 + act[b]] - y[b])) < 1e-5f);
    double norm = arc_net_clip_grad_norm(online, 1e9f);
    cr_assert(norm > 0.0, "gradients flowed");
    /* a few Adam steps on the same batch lower the loss */
    ArcOptimConfig adam = arc_optim_adam(1e-3f);
    float first = st.loss;
    for (long s = 1; s <= 20; s++) {
        arc_net_optim_step(online, online->grads, &adam, s);
        arc_net_zero_grad(online);
        arc_net_forward(online, obs, B);
        arc_net_dqn_backward(online, &st, NULL, act, y, NULL, 1.0f, B);
    }
    cr_assert(st.loss < first, "loss %g did not drop below %g", (double)st.loss, (double)first);
    free(obs), free(next);
    arc_net_free(online), arc_net_free(target);
}

static void check_dqn_helpers(ArcBackend *be)
{
    check_dqn_helpers_head(be, false);
    check_dqn_helpers_head(be, true);
}

TK_ON_FAST_BACKENDS(kernels_net, dqn_helpers, check_dqn_helpers)

/* Actors share the cpu backend from several threads (one BLAS thread each), and A3C
 * learners step one master slab from several threads on disjoint ranges: both must give
 * exactly what one thread gives. */
typedef struct WorkerArgs {
    ArcNet *net;
    const uint8_t *obs;
    const float *dout;
    int B;
    float *params, *m, *v;
    const float *grads;
    size_t begin, end;
    const ArcOptimConfig *cfg;
} WorkerArgs;

static void *worker_pass(void *p)
{
    WorkerArgs *a = p;
    for (int i = 0; i < 5; i++) {
        arc_net_forward(a->net, a->obs, a->B);
        arc_net_backward(a->net, a->dout, a->B);
    }
    return NULL;
}

static void *worker_step(void *p)
{
    WorkerArgs *a = p;
    size_t n = a->end - a->begin;
    arc_be_optim_step(arc_backend_cpu(), a->params + a->begin, a->m + a->begin, a->v + a->begin,
                      a->grads + a->begin, n, a->cfg, 1);
    return NULL;
}

Test(kernels_net, threads_share_the_cpu_backend)
{
    ArcRng rng;
    arc_rng_seed(&rng, 91);
    enum { T = 3, B = 16 };
    ArcNet *nets[T + 1];
    for (int t = 0; t <= T; t++)
        nets[t] = make_net(arc_backend_cpu(), 4, ARC_HEAD_A3C, false, 1.0f, ARC_ACT_RELU, B, 5);
    uint8_t *obs = random_obs(&rng, B, 4);
    float dout[B * 7];
    for (int i = 0; i < B * 7; i++) dout[i] = (float)tk_uniform(&rng, -1, 1);
    WorkerArgs args[T + 1];
    for (int t = 0; t <= T; t++) args[t] = (WorkerArgs){.net = nets[t], .obs = obs, .dout = dout, .B = B};
    worker_pass(&args[T]); /* the single-threaded reference */
    pthread_t th[T];
    for (int t = 0; t < T; t++) cr_assert_eq(pthread_create(&th[t], NULL, worker_pass, &args[t]), 0);
    for (int t = 0; t < T; t++) pthread_join(th[t], NULL);
    size_t P = nets[T]->num_params;
    for (int t = 0; t < T; t++)
        cr_assert(memcmp(nets[t]->grads, nets[T]->grads, P * sizeof(float)) == 0, "thread %d differs", t);

    /* RMSProp on one shared master slab, stepped by T threads on disjoint ranges */
    ArcOptimConfig cfg = arc_optim_rmsprop(1e-3f, true);
    float *p1 = arc_xmalloc(P * 4), *m1 = arc_xcalloc(P, 4), *v1 = arc_xcalloc(P, 4);
    float *p2 = arc_xmalloc(P * 4), *m2 = arc_xcalloc(P, 4), *v2 = arc_xcalloc(P, 4);
    memcpy(p1, nets[T]->params, P * 4);
    memcpy(p2, nets[T]->params, P * 4);
    arc_be_optim_step(arc_backend_cpu(), p1, m1, v1, nets[T]->grads, P, &cfg, 1);
    for (int t = 0; t < T; t++) {
        args[t] = (WorkerArgs){.params = p2, .m = m2, .v = v2, .grads = nets[T]->grads, .cfg = &cfg,
                               .begin = P * t / T, .end = P * (t + 1) / T};
        cr_assert_eq(pthread_create(&th[t], NULL, worker_step, &args[t]), 0);
    }
    for (int t = 0; t < T; t++) pthread_join(th[t], NULL);
    cr_assert(memcmp(p1, p2, P * 4) == 0 && memcmp(m1, m2, P * 4) == 0 && memcmp(v1, v2, P * 4) == 0);
    free(p1), free(m1), free(v1), free(p2), free(m2), free(v2), free(obs);
    for (int t = 0; t <= T; t++) arc_net_free(nets[t]);
}
