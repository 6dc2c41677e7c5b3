/* test_probe.c — the measurement instruments of agent/probe.h: spectral norms of known
 * matrices, kappa of a hand-built two-layer network, input gradients against finite
 * differences and the cpu_ref backend, the rounded forward, agreement, FGSM flipping
 * hand-built networks at their analytic epsilon, and `arcade probe --json` end to end
 * (also with --levels, and its bad inputs). */
#include <cjson/cJSON.h>
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "../agent/probe.h"
#include "../common/rng.h"
#include "run_cli.h"

/* A net on a (1, 1, 2) input: `hidden` dense layers of width 2, then the head. */
static ArcNet *tiny_net_with(ArcHead head, bool dueling, int hidden, int A)
{
    ArcNetConfig cfg = {.in_channels = 1, .in_h = 1, .in_w = 2, .num_dense = hidden, .k = 1.0f,
                        .act = ARC_ACT_RELU, .head = head, .dueling = dueling, .num_actions = A};
    for (int i = 0; i < hidden; i++) cfg.dense_width[i] = 2;
    ArcErr err = {{0}};
    ArcNet *net = arc_net_init(&cfg, arc_backend_cpu(), 4, 1, &err);
    cr_assert_not_null(net, "%s", err.msg);
    return net;
}

static ArcNet *tiny_net(ArcHead head, int hidden, int A) { return tiny_net_with(head, false, hidden, A); }

Test(probe, spectral_norm_of_known_matrices)
{
    float diag[9] = {3, 0, 0, 0, -2, 0, 0, 0, 1};
    cr_assert_float_eq(arc_probe_spectral_norm(diag, 3, 3, NULL), 3.0, 1e-6);
    float wide[8] = {3, 0, 0, 0, 0, -5, 0, 0}; /* 2x4, singular values 5 and 3 */
    cr_assert_float_eq(arc_probe_spectral_norm(wide, 2, 4, NULL), 5.0, 1e-6);
    /* rank one u v^T: ||u|| ||v|| = 3 * 5 */
    float u[3] = {1, 2, 2}, v[2] = {3, 4}, r1[6];
    for (int i = 0; i < 3; i++)
        for (int j = 0; j < 2; j++) r1[i * 2 + j] = u[i] * v[j];
    int iters = 0;
    cr_assert_float_eq(arc_probe_spectral_norm(r1, 3, 2, &iters), 15.0, 1e-6);
    cr_assert(iters >= 1 && iters <= 3, "rank one converges at once: %d", iters);
    float zero[4] = {0};
    cr_assert_eq(arc_probe_spectral_norm(zero, 2, 2, NULL), 0.0);
}

Test(probe, kappa_of_a_hand_built_two_layer_net)
{
    double s[2] = {2, 3};
    cr_assert_float_eq(arc_probe_kappa(s, 2), 2 * 3 + 3, 1e-12);
    /* dense1 = diag(2, 1) (spectral 2, Frobenius sqrt 5); head = [[1, 1], [1, 1]]
     * (rank one: spectral 2, Frobenius 2); kappa = 2 * 2 + 2 = 6, product 4 */
    ArcNet *net = tiny_net(ARC_HEAD_DQN, 1, 2);
    float params[] = {2, 0, 0, 1, 0.5f, -0.5f, 1, 1, 1, 1, 0, 0};
    cr_assert_eq(net->num_params, sizeof params / sizeof params[0]);
    arc_net_set_params(net, params);
    ArcProbeReport r;
    memset(&r, 0, sizeof r);
    arc_probe_norms(net, &r);
    cr_assert_eq(r.num_layers, 2);
    cr_assert_str_eq(r.layers[0].name, "dense1");
    cr_assert_str_eq(r.layers[1].name, "head");
    cr_assert_float_eq(r.layers[0].frobenius, sqrt(5.0), 1e-9);
    cr_assert_float_eq(r.layers[0].spectral, 2.0, 1e-6);
    cr_assert_float_eq(r.layers[1].frobenius, 2.0, 1e-9);
    cr_assert_float_eq(r.layers[1].spectral, 2.0, 1e-6);
    cr_assert_float_eq(r.spectral_product, 4.0, 1e-5);
    cr_assert_float_eq(r.kappa, 6.0, 1e-5);
    arc_net_free(net);
}

/* The dueling combine [I - 11^T/A | 1] is a last stage of norm sqrt(A) (checked here by
 * power iteration for A = 6); with dense1 = diag(2, 1) and a head of spectral norm 2
 * (A = 2: kappa = 2 * 2 * sqrt 2 + 2 * sqrt 2 + sqrt 2 = 7 sqrt 2, product 4 sqrt 2). */
Test(probe, kappa_counts_the_dueling_combine)
{
    enum { A = 6 };
    float m[A * (A + 1)];
    for (int i = 0; i < A; i++)
        for (int j = 0; j <= A; j++) m[i * (A + 1) + j] = j == A ? 1.0f : (i == j) - 1.0f / A;
    cr_assert_float_eq(arc_probe_spectral_norm(m, A, A + 1, NULL), sqrt(6.0), 1e-5);
    ArcNet *net = tiny_net_with(ARC_HEAD_DQN, true, 1, 2);
    float params[] = {2, 0, 0, 1, 0.5f, -0.5f, 1, 1, 1, 1, 0, 0, 0, 0, 0};
    cr_assert_eq(net->num_params, sizeof params / sizeof params[0]);
    arc_net_set_params(net, params);
    ArcProbeReport r;
    memset(&r, 0, sizeof r);
    arc_probe_norms(net, &r);
    cr_assert_eq(r.num_layers, 2, "the combine has no weights: not a layer of the table");
    cr_assert_float_eq(r.layers[1].spectral, 2.0, 1e-6);
    cr_assert_float_eq(r.spectral_product, 4.0 * sqrt(2.0), 1e-5);
    cr_assert_float_eq(r.kappa, 7.0 * sqrt(2.0), 1e-5);
    arc_net_free(net);
}

/* A SiLU MinAtar-shaped net (smooth, so finite differences apply everywhere). */
static ArcNet *smooth_net(ArcBackend *be, ArcHead head)
{
    ArcNetConfig cfg;
    arc_net_config_minatar(&cfg, 3, head, 0.25f);
    cfg.act = ARC_ACT_SILU;
    ArcErr err = {{0}};
    ArcNet *net = arc_net_init(&cfg, be, 3, 7, &err);
    cr_assert_not_null(net, "%s", err.msg);
    return net;
}

static double dot(const float *a, const float *b, size_t n)
{
    double s = 0;
    for (size_t i = 0; i < n; i++) s += (double)a[i] * b[i];
    return s;
}

Test(probe, input_gradient_matches_finite_differences_and_cpu_ref)
{
    for (int h = 0; h < 2; h++) {
        ArcHead head = h ? ARC_HEAD_DQN : ARC_HEAD_A3C;
        ArcNet *fast = smooth_net(arc_backend_cpu(), head), *ref = smooth_net(arc_backend_cpu_ref(), head);
        int B = 3, dim = fast->plan.out_dim;
        size_t in = 3 * 100;
        ArcRng rng;
        arc_rng_seed(&rng, 99);
        float x[3 * 300], dout[3 * 7], out[3 * 7], dx[3 * 300], dx_ref[3 * 300];
        for (size_t i = 0; i < B * in; i++) x[i] = (float)arc_rng_uniform(&rng);
        for (int i = 0; i < B * dim; i++) dout[i] = (float)(2 * arc_rng_uniform(&rng) - 1);
        arc_net_forward_float(fast, out, x, B);
        arc_net_input_grad(fast, dx, dout, B);
        arc_net_forward_float(ref, out, x, B);
        arc_net_input_grad(ref, dx_ref, dout, B);
        double err = 0, norm = 0;
        for (size_t i = 0; i < B * in; i++) {
            err += (dx[i] - dx_ref[i]) * (double)(dx[i] - dx_ref[i]);
            norm += (double)dx_ref[i] * dx_ref[i];
        }
        cr_assert(norm > 0 && sqrt(err / norm) < 1e-5, "cpu vs cpu_ref: %g", sqrt(err / norm));
        /* central differences of L(x) = sum(dout * out(x)) on cpu_ref, 40 coordinates */
        double max_err = 0, scale = 0;
        for (size_t i = 0; i < B * in; i++) scale = fmax(scale, fabs(dx_ref[i]));
        for (int t = 0; t < 40; t++) {
            size_t i = (size_t)arc_rng_int(&rng, 0, (int64_t)(B * in));
            float keep = x[i], eps = 1e-2f;
            x[i] = keep + eps;
            arc_net_forward_float(ref, out, x, B);
            double up = dot(out, dout, (size_t)B * dim);
            x[i] = keep - eps;
            arc_net_forward_float(ref, out, x, B);
            double down = dot(out, dout, (size_t)B * dim);
            x[i] = keep;
            max_err = fmax(max_err, fabs((up - down) / (2 * eps) - dx_ref[i]));
        }
        cr_log_info("input gradient, %s head: max FD error %.3g of max |dx| %.3g", h ? "dqn" : "a3c", max_err,
                    scale);
        cr_assert(max_err < 2e-3 * scale + 1e-5, "FD error %g (scale %g)", max_err, scale);
        arc_net_free(fast), arc_net_free(ref);
    }
}

static void identity_hook(float *x, int B, size_t n, void *ctx)
{
    (void)x, (void)B, (void)n;
    ++*(int *)ctx;
}

Test(probe, rounded_forward_with_identity_and_agreement)
{
    ArcNetConfig cfg;
    arc_net_config_minatar(&cfg, 4, ARC_HEAD_A3C, 0.5f);
    ArcNet *net = arc_net_init(&cfg, arc_backend_cpu(), 8, 3, NULL);
    uint8_t obs[8 * 400];
    ArcRng rng;
    arc_rng_seed(&rng, 5);
    for (size_t i = 0; i < sizeof obs; i++) obs[i] = arc_rng_uniform(&rng) < 0.2;
    float plain[8 * 7], hooked[8 * 7];
    int calls = 0;
    arc_net_forward_host(net, plain, obs, 8);
    arc_net_forward_rounded(net, hooked, obs, 8, identity_hook, &calls);
    cr_assert_eq(calls, net->plan.num_layers);
    cr_assert_eq(memcmp(plain, hooked, sizeof plain), 0, "an identity hook changes nothing");
    cr_assert_eq(arc_probe_agreement(net, ARC_PREC_FP32, obs, 8), 1.0);
    double a16 = arc_probe_agreement(net, ARC_PREC_FP16, obs, 8);
    cr_assert(a16 >= 0 && a16 <= 1);
    arc_net_free(net);
}

Test(probe, agreement_detects_a_difference_below_fp16_resolution)
{
    /* head only: Q = 0 x + b with b = (1, 1 + 2^-12): fp32 picks action 1; fp16 and bf16
     * round both to 1 and the tie goes to action 0; int8 (scale (1 + 2^-12) / 127) keeps
     * them apart only if they land on different steps: 127 / (1 + 2^-12) ~ 126.97 -> 127 */
    ArcNet *net = tiny_net(ARC_HEAD_DQN, 0, 2);
    float params[] = {0, 0, 0, 0, 1.0f, 1.0f + 0x1p-12f};
    arc_net_set_params(net, params);
    uint8_t obs[2] = {1, 0};
    cr_assert_eq(arc_probe_agreement(net, ARC_PREC_FP32, obs, 1), 1.0);
    cr_assert_eq(arc_probe_agreement(net, ARC_PREC_FP16, obs, 1), 0.0);
    cr_assert_eq(arc_probe_agreement(net, ARC_PREC_BF16, obs, 1), 0.0);
    cr_assert_eq(arc_probe_agreement(net, ARC_PREC_INT8, obs, 1), 0.0);
    arc_net_free(net);
}

Test(probe, fgsm_flips_a_hand_built_net_at_the_analytic_epsilon)
{
    /* logits / Q: l0 = x0 - x1 + b0, l1 = x1 (A3C adds a zero value row). At x = (1, 1):
     * l0 = b0, l1 = 1; with b0 = 1.3 the greedy action is 0. grad J is along (1, -1) for
     * DQN and (1, -2) for A3C (pi_1 (grad l0 - grad l1)); both give the step (-1, +1), so
     * l0 - l1 = 0.3 - 3 eps and the action flips for eps > 0.1. With b0 = 4.5 the margin
     * 3.5 survives eps = 1: never flipped. */
    for (int h = 0; h < 2; h++) {
        ArcHead head = h ? ARC_HEAD_DQN : ARC_HEAD_A3C;
        ArcNet *net = tiny_net(head, 0, 2);
        float dqn[] = {1, -1, 0, 1, 1.3f, 0}, a3c[] = {1, -1, 0, 1, 0, 0, 1.3f, 0, 0};
        arc_net_set_params(net, h ? dqn : a3c);
        float x[2] = {1, 1};
        double eps;
        arc_probe_min_epsilon(net, &eps, x, 1);
        cr_assert(eps > 0.1 && eps <= 0.1 + ARC_PROBE_EPS_TOL, "%s: min eps %.6f, expected 0.1",
                  h ? "dqn" : "a3c", eps);
        float far_dqn[] = {1, -1, 0, 1, 4.5f, 0}, far_a3c[] = {1, -1, 0, 1, 0, 0, 4.5f, 0, 0};
        arc_net_set_params(net, h ? far_dqn : far_a3c);
        arc_probe_min_epsilon(net, &eps, x, 1);
        cr_assert(isinf(eps), "never flipped: %g", eps);
        arc_net_free(net);
    }
}

static void expect_number(cJSON *obj, const char *key)
{
    cJSON *item = cJSON_GetObjectItemCaseSensitive(obj, key);
    cr_assert(item && (cJSON_IsNumber(item) || cJSON_IsNull(item)), "key %s missing or not a number", key);
}

Test(probe, cli_json_has_every_key, .timeout = 60)
{
    static const char *algos[] = {"a3c", "dqn", "dqn --dueling"};
    for (int k = 0; k < 3; k++) {
        char path[64], cmd[256], out[16384], err[1024];
        snprintf(path, sizeof path, "/tmp/arcade-probe-%d-%d.safetensors", k, (int)getpid());
        snprintf(cmd, sizeof cmd, "bin/arcade model --game breakout --algo %s --k 0.25 --save %s", algos[k], path);
        cr_assert_eq(run_cli(cmd, NULL, 0, err, sizeof err), 0, "%s", err);
        /* the DQN one on validation levels (as eval --levels val) */
        snprintf(cmd, sizeof cmd, "bin/arcade probe --checkpoint %s --episodes 2 --states 50 --json%s", path,
                 k ? " --levels val" : "");
        cr_assert_eq(run_cli(cmd, out, sizeof out, err, sizeof err), 0, "%s", err);
        unlink(path);
        cJSON *root = cJSON_Parse(out);
        cr_assert_not_null(root, "not JSON: %s", out);
        cr_assert_eq(cJSON_GetArraySize(root), 9, "exactly nine keys: %s", out);
        const char *numbers[] = {"params", "flops_per_forward", "spectral_product", "kappa", "states"};
        for (int i = 0; i < 5; i++) expect_number(root, numbers[i]);
        cJSON *layers = cJSON_GetObjectItemCaseSensitive(root, "layers");
        cr_assert(cJSON_IsArray(layers) && cJSON_GetArraySize(layers) == 3);
        cJSON *l;
        cJSON_ArrayForEach(l, layers)
        {
            cr_assert(cJSON_IsString(cJSON_GetObjectItemCaseSensitive(l, "name")));
            expect_number(l, "frobenius");
            expect_number(l, "spectral");
        }
        const char *precisions[] = {"fp16", "bf16", "int8"};
        cJSON *agree = cJSON_GetObjectItemCaseSensitive(root, "agreement");
        for (int i = 0; i < 3; i++) expect_number(agree, precisions[i]);
        cJSON *ret = cJSON_GetObjectItemCaseSensitive(root, "return");
        const char *rets[] = {"fp32", "fp16", "bf16", "int8", "fgsm"};
        for (int i = 0; i < 5; i++) expect_number(ret, rets[i]);
        cJSON *fgsm = cJSON_GetObjectItemCaseSensitive(root, "fgsm");
        const char *fk[] = {"epsilon", "min_epsilon_median", "min_epsilon_q25", "min_epsilon_q75", "never_flipped"};
        for (int i = 0; i < 5; i++) expect_number(fgsm, fk[i]);
        cJSON *states = cJSON_GetObjectItemCaseSensitive(root, "states");
        cr_assert(states->valuedouble >= 1 && states->valuedouble <= 50, "%g", states->valuedouble);
        cr_assert_eq(cJSON_GetObjectItemCaseSensitive(fgsm, "epsilon")->valuedouble, 0.1);
        cJSON_Delete(root);
    }
}

Test(probe, cli_rejects_bad_input)
{
    char err[1024];
    cr_assert_eq(run_cli("bin/arcade probe", NULL, 0, err, sizeof err), 2);
    cr_assert(strstr(err, "--checkpoint is required"), "%s", err);
    cr_assert_eq(run_cli("bin/arcade probe --checkpoint /nonexistent.safetensors", NULL, 0, err, sizeof err), 1);
    cr_assert(strstr(err, "/nonexistent.safetensors"), "%s", err);
    cr_assert_eq(run_cli("bin/arcade probe --checkpoint x --epsilon 2", NULL, 0, err, sizeof err), 2);
    cr_assert(strstr(err, "--epsilon"), "%s", err);
    char path[64], cmd[256];
    snprintf(path, sizeof path, "/tmp/arcade-probe-bad-%d.safetensors", (int)getpid());
    snprintf(cmd, sizeof cmd, "bin/arcade model --game freeway --k 0.125 --save %s", path);
    cr_assert_eq(run_cli(cmd, NULL, 0, err, sizeof err), 0, "%s", err);
    snprintf(cmd, sizeof cmd, "bin/arcade probe --checkpoint %s --levels dev", path);
    cr_assert_eq(run_cli(cmd, NULL, 0, err, sizeof err), 2);
    cr_assert(strstr(err, "--levels expects train, val or test, got 'dev'"), "%s", err);
    snprintf(cmd, sizeof cmd, "bin/arcade probe --checkpoint %s --levels train", path);
    cr_assert_eq(run_cli(cmd, NULL, 0, err, sizeof err), 2);
    cr_assert(strstr(err, "no train levels"), "%s", err);
    unlink(path);
}

static void fp16_hook(float *x, int B, size_t n, void *ctx)
{
    (void)ctx;
    arc_precision_round_rows(ARC_PREC_FP16, x, B, n);
}

Test(probe, activations_are_rounded_between_layers)
{
    /* every parameter is exact in fp16 (dense1 = I, bias (0, 2^-11); head = I), but the
     * hidden activation 1 + 2^-11 is a tie that rounds to 1: fp32 prefers action 1, the
     * rounded forward sees a tie and takes action 0 */
    ArcNet *net = tiny_net(ARC_HEAD_DQN, 1, 2);
    float params[] = {1, 0, 0, 1, 0, 0x1p-11f, 1, 0, 0, 1, 0, 0};
    arc_net_set_params(net, params);
    uint8_t obs[2] = {1, 1};
    float out[2];
    arc_net_forward_host(net, out, obs, 1);
    cr_assert(out[0] == 1.0f && out[1] == 1.0f + 0x1p-11f, "fp32: %a %a", (double)out[0], (double)out[1]);
    arc_net_forward_rounded(net, out, obs, 1, fp16_hook, NULL);
    cr_assert(out[0] == 1.0f && out[1] == 1.0f, "fp16: %a %a", (double)out[0], (double)out[1]);
    for (int p = ARC_PREC_FP16; p < ARC_PREC_COUNT; p++)
        cr_assert_eq(arc_probe_agreement(net, (ArcPrecision)p, obs, 1), 0.0, "%s",
                     arc_precision_name((ArcPrecision)p));
    cr_assert_eq(arc_probe_agreement(net, ARC_PREC_FP32, obs, 1), 1.0);
    arc_net_free(net);
}
