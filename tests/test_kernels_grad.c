/* test_kernels_grad.c — backward ops against central finite differences.
 *
 * For an op y = f(theta) the check builds a scalar L = sum(r * y) with fixed random r
 * (accumulated in double), runs the op's backward with dy = r, and compares each sampled
 * dL/dtheta_i with (L(theta_i + h) - L(theta_i - h)) / 2h. Losses are checked on their
 * own scalar. Inputs keep a margin from kinks (ReLU at 0, Huber at +-delta) so the
 * differences are meaningful. Runs on the cpu_ref backend (the oracle; the other
 * backends are compared with it in test_kernels_ops.c) and on cpu for the GEMM ops.
 */
#include "test_kernels_util.h"

typedef double (*LossFn)(void *ctx);

/* Perturbs `samples` random entries of param (host memory) and compares the central
 * difference of loss(ctx) with analytic. Tolerance: rel * max(|fd|, |an|) + abs_tol. */
static void fd_check(const char *what, float *param, size_t n, const float *analytic, LossFn loss,
                     void *ctx, int samples, float h, double rel, double abs_tol, ArcRng *rng)
{
    for (int s = 0; s < samples; s++) {
        size_t i = samples >= (int)n ? (size_t)s % n : (size_t)arc_rng_int(rng, 0, (int64_t)n);
        float keep = param[i];
        param[i] = keep + h;
        double lp = loss(ctx);
        param[i] = keep - h;
        double lm = loss(ctx);
        param[i] = keep;
        double fd = (lp - lm) / (2.0 * h), an = analytic[i];
        double tol = rel * fmax(fabs(fd), fabs(an)) + abs_tol;
        cr_assert(fabs(fd - an) <= tol, "%s[%zu]: finite difference %.6g, backward %.6g", what, i, fd, an);
    }
}

static double weighted_sum(const float *y, const float *r, size_t n)
{
    double s = 0.0;
    for (size_t i = 0; i < n; i++) s += (double)y[i] * r[i];
    return s;
}

static float *rand_vec(ArcRng *rng, size_t n, double lo, double hi)
{
    float *v = arc_xmalloc(n * sizeof *v);
    for (size_t i = 0; i < n; i++) v[i] = (float)tk_uniform(rng, lo, hi);
    return v;
}

/* --- conv2d ---------------------------------------------------------------------------- */

typedef struct ConvCtx {
    ArcBackend *be;
    ArcConvShape s;
    float *x, *w, *b, *y, *r, *ws;
} ConvCtx;

static double conv_loss(void *p)
{
    ConvCtx *c = p;
    arc_be_conv2d_forward(c->be, c->y, c->ws, c->x, c->w, c->b, &c->s);
    return weighted_sum(c->y, c->r, (size_t)c->s.batch * c->s.out_h * c->s.out_w * c->s.out_c);
}

static void conv_fd(ArcBackend *be, bool same, uint32_t seed)
{
    ArcRng rng;
    arc_rng_seed(&rng, seed);
    ConvCtx c = {.be = be};
    c.s = arc_conv_shape(2, 6, 7, 3, 4, 3, same);
    size_t nx = 2 * 6 * 7 * 3, nw = 4 * 9 * 3, ny = (size_t)2 * c.s.out_h * c.s.out_w * 4;
    c.x = rand_vec(&rng, nx, -1, 1), c.w = rand_vec(&rng, nw, -1, 1), c.b = rand_vec(&rng, 4, -1, 1);
    c.y = rand_vec(&rng, ny, 0, 0), c.r = rand_vec(&rng, ny, -1, 1);
    c.ws = arc_xcalloc(arc_be_conv2d_workspace(be, &c.s) + 1, sizeof(float));
    float *dx = arc_xcalloc(nx, sizeof(float)), *dw = arc_xcalloc(nw, sizeof(float));
    float *db = arc_xcalloc(4, sizeof(float));
    conv_loss(&c);
    arc_be_conv2d_backward(be, dx, dw, db, c.ws, c.r, c.x, c.w, &c.s);
    fd_check("conv dx", c.x, nx, dx, conv_loss, &c, 40, 1e-2f, 1e-3, 1e-4, &rng);
    fd_check("conv dw", c.w, nw, dw, conv_loss, &c, 40, 1e-2f, 1e-3, 1e-4, &rng);
    fd_check("conv db", c.b, 4, db, conv_loss, &c, 4, 1e-2f, 1e-3, 1e-4, &rng);
    free(c.x), free(c.w), free(c.b), free(c.y), free(c.r), free(c.ws), free(dx), free(dw), free(db);
}

Test(kernels_grad, conv2d_valid_ref) { conv_fd(arc_backend_cpu_ref(), false, 1); }
Test(kernels_grad, conv2d_same_ref) { conv_fd(arc_backend_cpu_ref(), true, 2); }
Test(kernels_grad, conv2d_valid_cpu) { conv_fd(arc_backend_cpu(), false, 3); }
Test(kernels_grad, conv2d_same_cpu) { conv_fd(arc_backend_cpu(), true, 4); }

/* --- dense ----------------------------------------------------------------------------- */

typedef struct DenseCtx {
    ArcBackend *be;
    int B, I, O;
    float *x, *w, *b, *y, *r;
} DenseCtx;

static double dense_loss(void *p)
{
    DenseCtx *c = p;
    arc_be_dense_forward(c->be, c->y, c->x, c->w, c->b, c->B, c->I, c->O);
    return weighted_sum(c->y, c->r, (size_t)c->B * c->O);
}

static void dense_fd(ArcBackend *be, uint32_t seed)
{
    ArcRng rng;
    arc_rng_seed(&rng, seed);
    DenseCtx c = {.be = be, .B = 3, .I = 17, .O = 5};
    size_t nx = 3 * 17, nw = 5 * 17, ny = 3 * 5;
    c.x = rand_vec(&rng, nx, -1, 1), c.w = rand_vec(&rng, nw, -1, 1), c.b = rand_vec(&rng, 5, -1, 1);
    c.y = rand_vec(&rng, ny, 0, 0), c.r = rand_vec(&rng, ny, -1, 1);
    float *dx = arc_xcalloc(nx, sizeof(float)), *dw = arc_xcalloc(nw, sizeof(float));
    float *db = arc_xcalloc(5, sizeof(float));
    arc_be_dense_backward(be, dx, dw, db, c.r, c.x, c.w, c.B, c.I, c.O);
    fd_check("dense dx", c.x, nx, dx, dense_loss, &c, 30, 1e-2f, 1e-3, 1e-4, &rng);
    fd_check("dense dw", c.w, nw, dw, dense_loss, &c, 30, 1e-2f, 1e-3, 1e-4, &rng);
    fd_check("dense db", c.b, 5, db, dense_loss, &c, 5, 1e-2f, 1e-3, 1e-4, &rng);
    free(c.x), free(c.w), free(c.b), free(c.y), free(c.r), free(dx), free(dw), free(db);
}

Test(kernels_grad, dense_ref) { dense_fd(arc_backend_cpu_ref(), 5); }
Test(kernels_grad, dense_cpu) { dense_fd(arc_backend_cpu(), 6); }

/* --- activations ----------------------------------------------------------------------- */

typedef struct ActCtx {
    ArcAct act;
    size_t n;
    float *x, *y, *r;
} ActCtx;

static double act_loss(void *p)
{
    ActCtx *c = p;
    arc_be_act_forward(arc_backend_cpu_ref(), c->y, c->x, c->n, c->act);
    return weighted_sum(c->y, c->r, c->n);
}

Test(kernels_grad, activations)
{
    ArcRng rng;
    arc_rng_seed(&rng, 7);
    ArcAct acts[] = {ARC_ACT_NONE, ARC_ACT_RELU, ARC_ACT_SILU};
    for (int a = 0; a < 3; a++) {
        ActCtx c = {.act = acts[a], .n = 64};
        c.x = rand_vec(&rng, c.n, -4, 4), c.y = rand_vec(&rng, c.n, 0, 0), c.r = rand_vec(&rng, c.n, -1, 1);
        for (size_t i = 0; i < c.n; i++)
            if (fabsf(c.x[i]) < 0.05f) c.x[i] = 0.5f; /* away from the ReLU kink */
        float *dx = arc_xcalloc(c.n, sizeof(float));
        arc_be_act_backward(arc_backend_cpu_ref(), dx, c.r, c.x, c.n, c.act);
        fd_check("act dx", c.x, c.n, dx, act_loss, &c, 64, 1e-3f, 2e-3, 1e-4, &rng);
        free(c.x), free(c.y), free(c.r), free(dx);
    }
}

/* --- A3C loss (covers log-softmax and entropy backward) ---------------------------------- */

typedef struct A3CCtx {
    int B, A;
    float *out, *dout, *adv, *ret;
    int32_t *act;
    float vc, ec;
} A3CCtx;

static double a3c_scalar(void *p)
{
    A3CCtx *c = p;
    ArcA3CStats st;
    arc_be_a3c_loss(arc_backend_cpu_ref(), c->dout, &st, c->out, c->act, c->adv, c->ret, c->B, c->A, c->vc, c->ec);
    return st.loss;
}

Test(kernels_grad, a3c_loss)
{
    ArcRng rng;
    arc_rng_seed(&rng, 8);
    A3CCtx c = {.B = 4, .A = 6, .vc = 0.5f, .ec = 0.1f};
    size_t n = (size_t)c.B * (c.A + 1);
    c.out = rand_vec(&rng, n, -2, 2), c.dout = rand_vec(&rng, n, 0, 0);
    c.adv = rand_vec(&rng, 4, -2, 2), c.ret = rand_vec(&rng, 4, -2, 2);
    int32_t act[4] = {0, 5, 2, 2};
    c.act = act;
    float *an = arc_xmalloc(n * sizeof(float));
    a3c_scalar(&c);
    memcpy(an, c.dout, n * sizeof(float));
    fd_check("a3c dout", c.out, n, an, a3c_scalar, &c, (int)n, 1e-2f, 5e-3, 2e-4, &rng);
    /* entropy alone: with zero advantages and value weight, L = -ec * mean(H) */
    for (int b = 0; b < c.B; b++) c.adv[b] = 0.0f;
    c.vc = 0.0f;
    a3c_scalar(&c);
    memcpy(an, c.dout, n * sizeof(float));
    fd_check("entropy grad", c.out, n, an, a3c_scalar, &c, (int)n, 1e-2f, 5e-3, 2e-4, &rng);
    free(c.out), free(c.dout), free(c.adv), free(c.ret), free(an);
}

/* --- DQN loss ---------------------------------------------------------------------------- */

typedef struct DQNCtx {
    int B, A;
    float *q, *dq, *y, *w;
    int32_t *act;
    float delta;
} DQNCtx;

static double dqn_scalar(void *p)
{
    DQNCtx *c = p;
    ArcDQNStats st;
    arc_be_dqn_loss(arc_backend_cpu_ref(), c->dq, NULL, &st, c->q, c->act, c->y, c->w, c->delta, c->B, c->A);
    return st.loss;
}

Test(kernels_grad, dqn_huber_loss)
{
    ArcRng rng;
    arc_rng_seed(&rng, 9);
    DQNCtx c = {.B = 6, .A = 6, .delta = 1.0f};
    size_t n = 36;
    c.q = rand_vec(&rng, n, -1, 1), c.dq = rand_vec(&rng, n, 0, 0), c.w = rand_vec(&rng, 6, 0.2, 1);
    int32_t act[6] = {1, 0, 5, 3, 3, 2};
    c.act = act;
    /* differences -2.5, -0.4, 0.3, 2.0, -1.6, 0.7: both Huber branches, away from +-1 */
    float diffs[6] = {-2.5f, -0.4f, 0.3f, 2.0f, -1.6f, 0.7f};
    float y[6];
    for (int b = 0; b < 6; b++) y[b] = c.q[b * 6 + act[b]] - diffs[b];
    c.y = y;
    float *an = arc_xmalloc(n * sizeof(float));
    for (int weighted = 0; weighted < 2; weighted++) {
        float *keep_w = c.w;
        if (!weighted) c.w = NULL;
        dqn_scalar(&c);
        memcpy(an, c.dq, n * sizeof(float));
        fd_check("dqn dq", c.q, n, an, dqn_scalar, &c, (int)n, 1e-2f, 1e-3, 1e-5, &rng);
        c.w = keep_w;
    }
    /* hand values: unweighted loss = mean(huber) */
    float *weights = c.w;
    c.w = NULL;
    double expect = 0.0;
    for (int b = 0; b < 6; b++) {
        double d = fabs(diffs[b]);
        expect += d <= 1.0 ? 0.5 * d * d : d - 0.5;
    }
    cr_assert(fabs(dqn_scalar(&c) - expect / 6) < 1e-5, "huber mean %g vs %g", dqn_scalar(&c), expect / 6);
    free(c.q), free(c.dq), free(weights), free(an);
}
