/* selfcheck.c — a plain program that checks and times the GPU backend against cpu_ref
 * where the full build cannot go: a device machine without OpenBLAS or Criterion.
 *
 * scripts/gpu-check.sh builds it (without cpu_blas.c, hence the stand-ins for the cpu
 * backend below) when `make GPU=cuda` is not possible there. It runs every op on the
 * GPU and on cpu_ref with random shapes and values and compares them (normalised error,
 * NaN/Inf, sentinels after every output), then the whole network forward/backward for
 * both heads, then times forward and forward+backward at k = 1, 4 and batch 1, 32, 256.
 * The Criterion tests (tests/test_kernels_*.c, tests/test_net.c) are the full version.
 * Exit status: 0 all checks passed, 1 a check failed, 2 no usable GPU.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../../common/rng.h"
#include "../net.h"

/* Stand-ins for cpu_blas.c, which this program is built without (no OpenBLAS here). */
ArcBackend *arc_backend_cpu(void) { return arc_backend_cpu_ref(); }
double arc_backend_cpu_sgemm_gflops(int n, double seconds)
{
    (void)n, (void)seconds;
    return 0.0;
}

#define SENT 16
#define SENT_VALUE (-7777.25f)

static ArcBackend *gpu, *ref;
static ArcRng rng;
static int failures;

typedef struct Pair {
    size_t n;
    float *host; /* cpu_ref's copy, n + SENT */
    float *dev;  /* the GPU's, n + SENT */
} Pair;

static Pair pair_new(size_t n, float lo, float hi)
{
    Pair p = {.n = n, .host = arc_xmalloc((n + SENT) * sizeof(float))};
    for (size_t i = 0; i < n; i++) p.host[i] = lo == hi ? lo : (float)(lo + (hi - lo) * arc_rng_uniform(&rng));
    for (size_t i = n; i < n + SENT; i++) p.host[i] = SENT_VALUE;
    p.dev = arc_be_alloc(gpu, (n + SENT) * sizeof(float));
    arc_be_upload(gpu, p.dev, p.host, (n + SENT) * sizeof(float));
    return p;
}

static void pair_free(Pair *p)
{
    free(p->host);
    arc_be_free(gpu, p->dev);
}

static void expect(const char *what, const Pair *p, double tol)
{
    float *got = arc_xmalloc((p->n + SENT) * sizeof(float));
    arc_be_download(gpu, got, p->dev, (p->n + SENT) * sizeof(float));
    double num = 0.0, den = 1e-3;
    bool finite = true, sentinels = true;
    for (size_t i = 0; i < p->n; i++) {
        finite = finite && isfinite(got[i]);
        num = fmax(num, fabs((double)got[i] - p->host[i]));
        den = fmax(den, fabs(p->host[i]));
    }
    for (size_t i = p->n; i < p->n + SENT; i++) sentinels = sentinels && got[i] == SENT_VALUE;
    bool ok = finite && sentinels && num / den <= tol;
    printf("%-4s %-34s normalised error %.2e (tol %.0e)%s%s\n", ok ? "ok" : "FAIL", what, num / den, tol,
           finite ? "" : " NaN/Inf", sentinels ? "" : " sentinel overwritten");
    failures += !ok;
    free(got);
}

static void expect_scalar(const char *what, double got, double want)
{
    bool ok = fabs(got - want) <= 1e-5 * (1.0 + fabs(want));
    printf("%-4s %-34s %.6g vs cpu_ref %.6g\n", ok ? "ok" : "FAIL", what, got, want);
    failures += !ok;
}

static int rand_int(int lo, int hi) { return (int)arc_rng_int(&rng, lo, (int64_t)hi + 1); }

static void check_layers(void)
{
    for (int trial = 0; trial < 6; trial++) {
        bool same = trial % 2;
        int B = rand_int(1, 5), H = rand_int(3, 10), W = rand_int(3, 10), I = rand_int(1, 10), O = rand_int(1, 20);
        int k = same ? 2 * rand_int(0, 2) + 1 : rand_int(1, H < W ? H : W);
        ArcConvShape s = arc_conv_shape(B, H, W, I, O, k, same);
        size_t nx = (size_t)B * H * W * I, ny = (size_t)B * s.out_h * s.out_w * O, nw = (size_t)O * k * k * I;
        Pair x = pair_new(nx, -1, 1), w = pair_new(nw, -1, 1), b = pair_new(O, -1, 1), y = pair_new(ny, 0, 0);
        Pair dy = pair_new(ny, -1, 1), dx = pair_new(nx, 0, 0), dw = pair_new(nw, -1, 1), db = pair_new(O, -1, 1);
        float *ws = arc_be_alloc(gpu, arc_be_conv2d_workspace(gpu, &s) * sizeof(float));
        arc_be_conv2d_forward(ref, y.host, NULL, x.host, w.host, b.host, &s);
        arc_be_conv2d_forward(gpu, y.dev, ws, x.dev, w.dev, b.dev, &s);
        arc_be_conv2d_backward(ref, dx.host, dw.host, db.host, NULL, dy.host, x.host, w.host, &s);
        arc_be_conv2d_backward(gpu, dx.dev, dw.dev, db.dev, ws, dy.dev, x.dev, w.dev, &s);
        expect(same ? "conv2d same forward" : "conv2d valid forward", &y, 1e-4);
        expect("conv2d backward dx", &dx, 1e-4);
        expect("conv2d backward dw (+=)", &dw, 1e-4);
        expect("conv2d backward db (+=)", &db, 1e-4);
        Pair *all[] = {&x, &w, &b, &y, &dy, &dx, &dw, &db};
        for (int i = 0; i < 8; i++) pair_free(all[i]);
        arc_be_free(gpu, ws);
    }
    for (int trial = 0; trial < 4; trial++) {
        int B = rand_int(1, 300), I = rand_int(1, 1100), O = rand_int(1, 140);
        Pair x = pair_new((size_t)B * I, -1, 1), w = pair_new((size_t)O * I, -1, 1), b = pair_new(O, -1, 1);
        Pair y = pair_new((size_t)B * O, 0, 0), dy = pair_new((size_t)B * O, -1, 1);
        Pair dx = pair_new((size_t)B * I, 0, 0), dw = pair_new((size_t)O * I, -1, 1), db = pair_new(O, -1, 1);
        arc_be_dense_forward(ref, y.host, x.host, w.host, b.host, B, I, O);
        arc_be_dense_forward(gpu, y.dev, x.dev, w.dev, b.dev, B, I, O);
        arc_be_dense_backward(ref, dx.host, dw.host, db.host, dy.host, x.host, w.host, B, I, O);
        arc_be_dense_backward(gpu, dx.dev, dw.dev, db.dev, dy.dev, x.dev, w.dev, B, I, O);
        expect("dense forward", &y, 1e-4);
        expect("dense backward dx", &dx, 1e-4);
        expect("dense backward dw (+=)", &dw, 1e-4);
        expect("dense backward db (+=)", &db, 1e-4);
        Pair *all[] = {&x, &w, &b, &y, &dy, &dx, &dw, &db};
        for (int i = 0; i < 8; i++) pair_free(all[i]);
    }
    for (int a = 0; a < 3; a++) {
        size_t n = (size_t)rand_int(1, 100000);
        Pair x = pair_new(n, -6, 6), y = pair_new(n, 0, 0), dy = pair_new(n, -1, 1);
        arc_be_act_forward(ref, y.host, x.host, n, (ArcAct)a);
        arc_be_act_forward(gpu, y.dev, x.dev, n, (ArcAct)a);
        arc_be_act_backward(ref, dy.host, dy.host, x.host, n, (ArcAct)a);
        arc_be_act_backward(gpu, dy.dev, dy.dev, x.dev, n, (ArcAct)a);
        expect("activation forward", &y, 1e-5);
        expect("activation backward (in place)", &dy, 1e-5);
        pair_free(&x), pair_free(&y), pair_free(&dy);
    }
}

static void check_losses(void)
{
    enum { B = 300, A = 6 };
    int32_t act[B];
    for (int b = 0; b < B; b++) act[b] = rand_int(0, A - 1);
    int32_t *dact = arc_be_alloc(gpu, sizeof act);
    arc_be_upload(gpu, dact, act, sizeof act);
    Pair out = pair_new(B * (A + 1), -3, 3), adv = pair_new(B, -2, 2), ret = pair_new(B, -2, 2);
    Pair dout = pair_new(B * (A + 1), 0, 0), lp = pair_new(B * A, 0, 0), h = pair_new(B, 0, 0);
    arc_be_log_softmax(ref, lp.host, h.host, out.host, B, A, A + 1);
    arc_be_log_softmax(gpu, lp.dev, h.dev, out.dev, B, A, A + 1);
    expect("log_softmax", &lp, 1e-5);
    expect("entropy", &h, 1e-4);
    ArcA3CStats sr, sg;
    arc_be_a3c_loss(ref, dout.host, &sr, out.host, act, adv.host, ret.host, B, A, 0.5f, 0.01f);
    arc_be_a3c_loss(gpu, dout.dev, &sg, out.dev, dact, adv.dev, ret.dev, B, A, 0.5f, 0.01f);
    expect("a3c loss gradient", &dout, 1e-5);
    expect_scalar("a3c loss", sg.loss, sr.loss);
    expect_scalar("a3c entropy", sg.entropy, sr.entropy);

    Pair q = pair_new(B * A, -3, 3), qn = pair_new(B * A, -3, 3), qo = pair_new(B * A, -3, 3);
    Pair r = pair_new(B, -1, 1), done = pair_new(B, 0, 0), w = pair_new(B, 0, 1), y = pair_new(B, 0, 0);
    Pair qa = pair_new(B, 0, 0), dq = pair_new(B * A, 0, 0), td = pair_new(B, 0, 0);
    for (int b = 0; b < B; b += 3) done.host[b] = 1.0f;
    arc_be_upload(gpu, done.dev, done.host, B * sizeof(float));
    arc_be_gather(ref, qa.host, q.host, act, B, A);
    arc_be_gather(gpu, qa.dev, q.dev, dact, B, A);
    expect("gather Q(s,a)", &qa, 0.0);
    Pair duel = pair_new(B * A, 0, 0), dduel = pair_new(B * (A + 1), 0, 0);
    arc_be_dueling_forward(ref, duel.host, out.host, B, A);
    arc_be_dueling_forward(gpu, duel.dev, out.dev, B, A);
    expect("dueling combine", &duel, 1e-6);
    arc_be_dueling_backward(ref, dduel.host, q.host, B, A);
    arc_be_dueling_backward(gpu, dduel.dev, q.dev, B, A);
    expect("dueling combine backward", &dduel, 1e-6);
    pair_free(&duel), pair_free(&dduel);
    for (int dbl = 0; dbl < 2; dbl++) {
        arc_be_dqn_targets(ref, y.host, qn.host, dbl ? qo.host : NULL, r.host, done.host, 0.99f, B, A);
        arc_be_dqn_targets(gpu, y.dev, qn.dev, dbl ? qo.dev : NULL, r.dev, done.dev, 0.99f, B, A);
        expect(dbl ? "dqn targets (double)" : "dqn targets", &y, 1e-6);
    }
    ArcDQNStats dr, dg;
    arc_be_dqn_loss(ref, dq.host, td.host, &dr, q.host, act, y.host, w.host, 1.0f, B, A);
    arc_be_dqn_loss(gpu, dq.dev, td.dev, &dg, q.dev, dact, y.dev, w.dev, 1.0f, B, A);
    expect("dqn huber gradient", &dq, 1e-5);
    expect("dqn td errors", &td, 1e-5);
    expect_scalar("dqn loss", dg.loss, dr.loss);

    Pair g = pair_new(300007, -0.1f, 0.1f);
    expect_scalar("gradient norm", arc_be_clip_grad_norm(gpu, g.dev, g.n, 1.0f),
                  arc_be_clip_grad_norm(ref, g.host, g.n, 1.0f));
    expect("clipped gradients", &g, 1e-5);
    ArcOptimConfig cfgs[3] = {arc_optim_rmsprop(1e-3f, false), arc_optim_rmsprop(1e-3f, true), arc_optim_adam(1e-3f)};
    const char *names[3] = {"rmsprop step", "centered rmsprop step", "adam step"};
    for (int c = 0; c < 3; c++) {
        Pair p = pair_new(g.n, -1, 1), m = pair_new(g.n, 0, 0), v = pair_new(g.n, 0, 0);
        for (long step = 1; step <= 3; step++) {
            arc_be_optim_step(ref, p.host, m.host, v.host, g.host, g.n, &cfgs[c], step);
            arc_be_optim_step(gpu, p.dev, m.dev, v.dev, g.dev, g.n, &cfgs[c], step);
        }
        expect(names[c], &p, 1e-5);
        pair_free(&p), pair_free(&m), pair_free(&v);
    }
    Pair *all[] = {&out, &adv, &ret, &dout, &lp, &h, &q, &qn, &qo, &r, &done, &w, &y, &qa, &dq, &td, &g};
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++) pair_free(all[i]);
    arc_be_free(gpu, dact);
}

static uint8_t *random_obs(int B, int C)
{
    uint8_t *obs = arc_xmalloc((size_t)B * C * 100);
    for (size_t i = 0; i < (size_t)B * C * 100; i++) obs[i] = arc_rng_uniform(&rng) < 0.3;
    return obs;
}

static void check_net(ArcHead head, bool dueling)
{
    ArcNetConfig cfg;
    arc_net_config_minatar(&cfg, 6, head, 0.5f);
    cfg.dueling = dueling;
    cfg.num_conv = 2, cfg.conv_channels[1] = 12, cfg.conv_kernel[1] = 3, cfg.conv_same[1] = true;
    cfg.act = ARC_ACT_SILU;
    ArcErr err = {{0}};
    enum { B = 33 };
    ArcNet *nr = arc_net_init(&cfg, ref, B, 3, &err), *ng = arc_net_init(&cfg, gpu, B, 3, &err);
    uint8_t *obs = random_obs(B, 6);
    size_t od = (size_t)nr->plan.out_dim, P = nr->num_params;
    Pair out = pair_new(B * od, 0, 0), dout = pair_new(B * od, -1, 1), grads = pair_new(P, 0, 0);
    arc_be_copy(ref, out.host, arc_net_forward(nr, obs, B), B * od * sizeof(float));
    arc_be_copy(gpu, out.dev, arc_net_forward(ng, obs, B), B * od * sizeof(float));
    expect(head == ARC_HEAD_A3C ? "network forward (a3c head)"
           : dueling            ? "network forward (dueling dqn head)"
                                : "network forward (dqn head)",
           &out, 1e-4);
    arc_net_backward(nr, dout.host, B);
    arc_net_backward(ng, dout.dev, B);
    arc_be_copy(ref, grads.host, nr->grads, P * sizeof(float));
    arc_be_copy(gpu, grads.dev, ng->grads, P * sizeof(float));
    expect("network backward (all gradients)", &grads, 1e-4);
    pair_free(&out), pair_free(&dout), pair_free(&grads);
    free(obs);
    arc_net_free(nr), arc_net_free(ng);
}

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static void bench(double seconds)
{
    printf("\n%-8s %4s %6s %14s %10s %14s %10s\n", "backend", "k", "batch", "fwd samples/s", "fwd GF/s",
           "f+b samples/s", "f+b GF/s");
    float ks[2] = {1.0f, 4.0f};
    int batches[3] = {1, 32, 256};
    for (int ki = 0; ki < 2; ki++)
        for (int bi = 0; bi < 3; bi++) {
            int B = batches[bi];
            ArcNetConfig cfg;
            arc_net_config_minatar(&cfg, 4, ARC_HEAD_A3C, ks[ki]);
            ArcNet *net = arc_net_init(&cfg, gpu, B, 1, NULL);
            uint8_t *obs = random_obs(B, 4);
            float *dout = arc_be_alloc(gpu, (size_t)B * net->plan.out_dim * sizeof(float));
            double rate[2];
            for (int with_bwd = 0; with_bwd < 2; with_bwd++) {
                arc_net_forward(net, obs, B);
                if (with_bwd) arc_net_backward(net, dout, B);
                arc_be_sync(gpu);
                long iters = 0;
                double t0 = now_seconds(), t;
                do {
                    arc_net_forward(net, obs, B);
                    if (with_bwd) arc_net_backward(net, dout, B);
                    if (++iters % 8 == 0) arc_be_sync(gpu);
                    t = now_seconds() - t0;
                } while (t < seconds);
                arc_be_sync(gpu);
                rate[with_bwd] = (double)iters * B / (now_seconds() - t0);
            }
            double ff = net->plan.flops_forward, fb = ff + net->plan.flops_backward;
            printf("%-8s %4g %6d %14.0f %10.2f %14.0f %10.2f\n", arc_backend_name(gpu), (double)ks[ki], B, rate[0],
                   rate[0] * ff * 1e-9, rate[1], rate[1] * fb * 1e-9);
            arc_be_free(gpu, dout);
            free(obs);
            arc_net_free(net);
        }
}

int main(int argc, char **argv)
{
    double seconds = argc > 1 ? atof(argv[1]) : 0.2;
    ArcErr err = {{0}};
    gpu = arc_backend_gpu(0, &err);
    if (!gpu) {
        fprintf(stderr, "selfcheck: no usable GPU: %s\n", err.msg);
        return 2;
    }
    ref = arc_backend_cpu_ref();
    arc_rng_seed(&rng, 2024);
    printf("gpu: %s\n", arc_backend_describe(gpu));
    check_layers();
    check_losses();
    check_net(ARC_HEAD_A3C, false);
    check_net(ARC_HEAD_DQN, false);
    check_net(ARC_HEAD_DQN, true);
    printf("%s: %d check(s) failed\n", failures ? "FAIL" : "PASS", failures);
    if (seconds > 0) bench(seconds);
    return failures ? 1 : 0;
}
