/* test_kernels_optim.c — optimizer steps, clipping and the DQN target rule against values
 * computed by hand (formulas written out independently of host_ops.c), on every
 * backend (GPU variants skip without a device).
 */
#include "test_kernels_util.h"

static void run_steps(ArcBackend *be, float *p, float *m, float *v, const float *g, size_t n,
                      const ArcOptimConfig *cfg, int steps)
{
    float *dp = arc_be_alloc(be, n * 4), *dm = arc_be_alloc(be, n * 4), *dv = arc_be_alloc(be, n * 4);
    float *dg = arc_be_alloc(be, n * 4);
    arc_be_upload(be, dp, p, n * 4);
    arc_be_upload(be, dg, g, n * 4);
    for (int s = 1; s <= steps; s++) arc_be_optim_step(be, dp, dm, dv, dg, n, cfg, s);
    arc_be_download(be, p, dp, n * 4);
    arc_be_download(be, m, dm, n * 4);
    arc_be_download(be, v, dv, n * 4);
    arc_be_free(be, dp), arc_be_free(be, dm), arc_be_free(be, dv), arc_be_free(be, dg);
}

static void check_rmsprop(ArcBackend *be)
{
    /* one param, g = 2, alpha 0.9, lr 0.1, eps 0:
     * step 1: v = 0.1 * 4 = 0.4,  p = 1 - 0.1 * 2 / sqrt(0.4)
     * step 2: v = 0.9*0.4 + 0.4 = 0.76, p -= 0.1 * 2 / sqrt(0.76) */
    ArcOptimConfig cfg = arc_optim_rmsprop(0.1f, false);
    cfg.alpha = 0.9f, cfg.eps = 0.0f;
    float p[1] = {1.0f}, m[1], v[1], g[1] = {2.0f};
    run_steps(be, p, m, v, g, 1, &cfg, 2);
    double expect = 1.0 - 0.2 / sqrt(0.4) - 0.2 / sqrt(0.76);
    cr_assert(fabs(v[0] - 0.76) < 1e-6, "v %g", (double)v[0]);
    cr_assert(fabs(p[0] - expect) < 1e-5, "p %g expected %g", (double)p[0], expect);

    /* centered: mean g after 2 steps = 0.1*2 + 0.9*0.2 = 0.38; var = v - mg^2 */
    cfg.centered = true;
    p[0] = 1.0f;
    run_steps(be, p, m, v, g, 1, &cfg, 2);
    double mg1 = 0.2, v1 = 0.4, mg2 = 0.38, v2 = 0.76;
    expect = 1.0 - 0.2 / sqrt(v1 - mg1 * mg1) - 0.2 / sqrt(v2 - mg2 * mg2);
    cr_assert(fabs(m[0] - mg2) < 1e-6, "mean g %g", (double)m[0]);
    cr_assert(fabs(p[0] - expect) < 1e-4, "centered p %g expected %g", (double)p[0], expect);
}

static void check_adam(ArcBackend *be)
{
    /* g = 0.5 constant, lr 0.01: bias-corrected m_hat = 0.5, v_hat = 0.25 at every step,
     * so each step moves p by lr * 0.5 / (0.5 + eps) */
    ArcOptimConfig cfg = arc_optim_adam(0.01f);
    cfg.eps = 1e-8f;
    float p[2] = {1.0f, -1.0f}, m[2], v[2], g[2] = {0.5f, -0.5f};
    run_steps(be, p, m, v, g, 2, &cfg, 3);
    double step = 0.01 * 0.5 / (0.5 + 1e-8);
    cr_assert(fabs(p[0] - (1.0 - 3 * step)) < 1e-6, "p0 %g", (double)p[0]);
    cr_assert(fabs(p[1] - (-1.0 + 3 * step)) < 1e-6, "p1 %g", (double)p[1]);
    double m3 = 0.5 * (1 - pow(0.9, 3)), v3 = 0.25 * (1 - pow(0.999, 3));
    cr_assert(fabs(m[0] - m3) < 1e-6 && fabs(v[0] - v3) < 1e-6, "m %g v %g", (double)m[0], (double)v[0]);
}

static void check_clip(ArcBackend *be)
{
    float g[4] = {3.0f, 4.0f, 0.0f, 0.0f}; /* norm 5 */
    float *dg = arc_be_alloc(be, sizeof g);
    arc_be_upload(be, dg, g, sizeof g);
    double n = arc_be_clip_grad_norm(be, dg, 4, 10.0f);
    cr_assert(fabs(n - 5.0) < 1e-6, "norm %g", n);
    arc_be_download(be, g, dg, sizeof g);
    cr_assert(g[0] == 3.0f && g[1] == 4.0f, "no clipping below the bound");
    n = arc_be_clip_grad_norm(be, dg, 4, 1.0f);
    arc_be_download(be, g, dg, sizeof g);
    cr_assert(fabs(n - 5.0) < 1e-6);
    cr_assert(fabs(g[0] - 0.6) < 1e-5 && fabs(g[1] - 0.8) < 1e-5, "clipped to (%g, %g)", (double)g[0],
              (double)g[1]);
    arc_be_free(be, dg);
}

static void check_targets(ArcBackend *be)
{
    /* y = r + gamma (1 - done) Q_target(s', a*) */
    float qn[2 * 3] = {1, 5, 2, /* */ 7, 0, 9};
    float qo[2 * 3] = {9, 0, 1, /* */ 0, 3, 1};
    float r[2] = {0.5f, -1.0f}, done[2] = {0.0f, 0.0f}, y[2];
    float *d[5];
    float *src[5] = {qn, qo, r, done, y};
    size_t sz[5] = {sizeof qn, sizeof qo, sizeof r, sizeof done, sizeof y};
    for (int i = 0; i < 5; i++) {
        d[i] = arc_be_alloc(be, sz[i]);
        arc_be_upload(be, d[i], src[i], sz[i]);
    }
    arc_be_dqn_targets(be, d[4], d[0], NULL, d[2], d[3], 0.5f, 2, 3);
    arc_be_download(be, y, d[4], sizeof y);
    cr_assert(y[0] == 0.5f + 0.5f * 5 && y[1] == -1.0f + 0.5f * 9, "max targets %g %g", (double)y[0], (double)y[1]);
    arc_be_dqn_targets(be, d[4], d[0], d[1], d[2], d[3], 0.5f, 2, 3);
    arc_be_download(be, y, d[4], sizeof y);
    cr_assert(y[0] == 0.5f + 0.5f * 1 && y[1] == -1.0f + 0.5f * 0, "double targets %g %g", (double)y[0], (double)y[1]);
    done[1] = 1.0f;
    arc_be_upload(be, d[3], done, sizeof done);
    arc_be_dqn_targets(be, d[4], d[0], NULL, d[2], d[3], 0.5f, 2, 3);
    arc_be_download(be, y, d[4], sizeof y);
    cr_assert(y[1] == -1.0f, "terminal target %g", (double)y[1]);
    for (int i = 0; i < 5; i++) arc_be_free(be, d[i]);
}

static void check_all(ArcBackend *be)
{
    check_rmsprop(be);
    check_adam(be);
    check_clip(be);
    check_targets(be);
}

Test(kernels_optim, cpu_ref) { check_all(arc_backend_cpu_ref()); }
TK_ON_FAST_BACKENDS(kernels_optim, hand_values, check_all)
