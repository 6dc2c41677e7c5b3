/* test_kernels_ops.c — every op of the cpu and gpu backends against cpu_ref.
 *
 * Each check draws random shapes and values from a fixed seed, runs the op on cpu_ref
 * (host buffers) and on the backend under test (its own memory), and asserts a
 * normalised error under the stated tolerance, no NaN/Inf, and untouched sentinel values
 * after every output buffer. Accumulating outputs (weight/bias gradients) start from the
 * same random values on both sides so "+=" is checked too. GPU variants skip when no
 * device exists.
 */
#include "test_kernels_util.h"

#define TOL_GEMM 1e-4 /* float sums of up to ~2000 terms against double sums */
#define TOL_ELEM 1e-5

static void check_obs_to_float(ArcBackend *be)
{
    ArcRng rng;
    arc_rng_seed(&rng, 11);
    ArcBackend *ref = arc_backend_cpu_ref();
    int B = 5, C = 7, H = 10, W = 10;
    size_t n = (size_t)B * C * H * W;
    uint8_t *obs = arc_xmalloc(n);
    for (size_t i = 0; i < n; i++) obs[i] = (uint8_t)tk_int(&rng, 0, 1);
    uint8_t *dobs = arc_be_alloc(be, n);
    arc_be_upload(be, dobs, obs, n);
    TBuf x = tbuf_new(be, n, NULL, 0, 0);
    arc_be_obs_to_float(ref, x.ref, obs, B, C, H, W);
    arc_be_obs_to_float(be, x.dev, dobs, B, C, H, W);
    tbuf_expect(&x, 0.0, "obs_to_float");
    /* channels-last: x[b, y, x, c] = obs[b, c, y, x] */
    cr_assert_eq(x.ref[((2 * H + 3) * W + 4) * C + 5], (float)obs[((2 * C + 5) * H + 3) * W + 4]);
    tbuf_free(&x);
    arc_be_free(be, dobs);
    free(obs);
}

static void check_conv(ArcBackend *be, uint32_t seed, bool same)
{
    ArcRng rng;
    arc_rng_seed(&rng, seed);
    ArcBackend *ref = arc_backend_cpu_ref();
    for (int trial = 0; trial < 4; trial++) {
        int B = tk_int(&rng, 1, 5), H = tk_int(&rng, 3, 10), W = tk_int(&rng, 3, 10);
        int I = tk_int(&rng, 1, 10), O = tk_int(&rng, 1, 20);
        int k = same ? 2 * tk_int(&rng, 0, 2) + 1 : tk_int(&rng, 1, H < W ? H : W);
        ArcConvShape s = arc_conv_shape(B, H, W, I, O, k, same);
        size_t nx = (size_t)B * H * W * I, ny = (size_t)B * s.out_h * s.out_w * O;
        size_t nw = (size_t)O * k * k * I;
        TBuf x = tbuf_new(be, nx, &rng, -1, 1), w = tbuf_new(be, nw, &rng, -1, 1);
        TBuf b = tbuf_new(be, (size_t)O, &rng, -1, 1), y = tbuf_new(be, ny, NULL, 0, 0);
        TBuf dy = tbuf_new(be, ny, &rng, -1, 1), dx = tbuf_new(be, nx, NULL, 0, 0);
        TBuf dw = tbuf_new(be, nw, &rng, -1, 1), db = tbuf_new(be, (size_t)O, &rng, -1, 1);
        size_t nws = arc_be_conv2d_workspace(be, &s);
        float *ws = arc_be_alloc(be, (nws ? nws : 1) * sizeof(float));

        arc_be_conv2d_forward(ref, y.ref, NULL, x.ref, w.ref, b.ref, &s);
        arc_be_conv2d_forward(be, y.dev, ws, x.dev, w.dev, b.dev, &s);
        tbuf_expect(&y, TOL_GEMM, same ? "conv2d_forward(same)" : "conv2d_forward(valid)");

        arc_be_conv2d_backward(ref, dx.ref, dw.ref, db.ref, NULL, dy.ref, x.ref, w.ref, &s);
        arc_be_conv2d_backward(be, dx.dev, dw.dev, db.dev, ws, dy.dev, x.dev, w.dev, &s);
        tbuf_expect(&dx, TOL_GEMM, "conv2d_backward dx");
        tbuf_expect(&dw, TOL_GEMM, "conv2d_backward dw");
        tbuf_expect(&db, TOL_GEMM, "conv2d_backward db");

        /* without dx (first layer): weight gradients accumulate a second time */
        arc_be_conv2d_backward(ref, NULL, dw.ref, db.ref, NULL, dy.ref, x.ref, w.ref, &s);
        arc_be_conv2d_backward(be, NULL, dw.dev, db.dev, ws, dy.dev, x.dev, w.dev, &s);
        tbuf_expect(&dw, TOL_GEMM, "conv2d_backward dw (no dx)");

        TBuf *all[] = {&x, &w, &b, &y, &dy, &dx, &dw, &db};
        for (int i = 0; i < 8; i++) tbuf_free(all[i]);
        arc_be_free(be, ws);
    }
}

static void check_conv_valid(ArcBackend *be) { check_conv(be, 21, false); }
static void check_conv_same(ArcBackend *be) { check_conv(be, 22, true); }

static void check_dense(ArcBackend *be)
{
    ArcRng rng;
    arc_rng_seed(&rng, 31);
    ArcBackend *ref = arc_backend_cpu_ref();
    for (int trial = 0; trial < 5; trial++) {
        int B = tk_int(&rng, 1, 40), I = tk_int(&rng, 1, 300), O = tk_int(&rng, 1, 70);
        TBuf x = tbuf_new(be, (size_t)B * I, &rng, -1, 1), w = tbuf_new(be, (size_t)O * I, &rng, -1, 1);
        TBuf b = tbuf_new(be, (size_t)O, &rng, -1, 1), y = tbuf_new(be, (size_t)B * O, NULL, 0, 0);
        TBuf dy = tbuf_new(be, (size_t)B * O, &rng, -1, 1), dx = tbuf_new(be, (size_t)B * I, NULL, 0, 0);
        TBuf dw = tbuf_new(be, (size_t)O * I, &rng, -1, 1), db = tbuf_new(be, (size_t)O, &rng, -1, 1);
        arc_be_dense_forward(ref, y.ref, x.ref, w.ref, b.ref, B, I, O);
        arc_be_dense_forward(be, y.dev, x.dev, w.dev, b.dev, B, I, O);
        tbuf_expect(&y, TOL_GEMM, "dense_forward");
        arc_be_dense_backward(ref, dx.ref, dw.ref, db.ref, dy.ref, x.ref, w.ref, B, I, O);
        arc_be_dense_backward(be, dx.dev, dw.dev, db.dev, dy.dev, x.dev, w.dev, B, I, O);
        tbuf_expect(&dx, TOL_GEMM, "dense_backward dx");
        tbuf_expect(&dw, TOL_GEMM, "dense_backward dw");
        tbuf_expect(&db, TOL_GEMM, "dense_backward db");
        TBuf *all[] = {&x, &w, &b, &y, &dy, &dx, &dw, &db};
        for (int i = 0; i < 8; i++) tbuf_free(all[i]);
    }
}

static void check_act(ArcBackend *be)
{
    ArcRng rng;
    arc_rng_seed(&rng, 41);
    ArcBackend *ref = arc_backend_cpu_ref();
    ArcAct acts[] = {ARC_ACT_NONE, ARC_ACT_RELU, ARC_ACT_SILU};
    for (int a = 0; a < 3; a++) {
        size_t n = (size_t)tk_int(&rng, 1, 5000);
        TBuf x = tbuf_new(be, n, &rng, -6, 6), y = tbuf_new(be, n, NULL, 0, 0);
        TBuf dy = tbuf_new(be, n, &rng, -1, 1), dx = tbuf_new(be, n, NULL, 0, 0);
        arc_be_act_forward(ref, y.ref, x.ref, n, acts[a]);
        arc_be_act_forward(be, y.dev, x.dev, n, acts[a]);
        tbuf_expect(&y, TOL_ELEM, "act_forward");
        arc_be_act_backward(ref, dx.ref, dy.ref, x.ref, n, acts[a]);
        arc_be_act_backward(be, dx.dev, dy.dev, x.dev, n, acts[a]);
        tbuf_expect(&dx, TOL_ELEM, "act_backward");
        /* in place: dy <- dy * act'(x) */
        arc_be_act_backward(ref, dy.ref, dy.ref, x.ref, n, acts[a]);
        arc_be_act_backward(be, dy.dev, dy.dev, x.dev, n, acts[a]);
        tbuf_expect(&dy, TOL_ELEM, "act_backward in place");
        TBuf *all[] = {&x, &y, &dy, &dx};
        for (int i = 0; i < 4; i++) tbuf_free(all[i]);
    }
}

static void check_log_softmax(ArcBackend *be)
{
    ArcRng rng;
    arc_rng_seed(&rng, 51);
    ArcBackend *ref = arc_backend_cpu_ref();
    int B = 33, A = 6, ld = 7;
    TBuf z = tbuf_new(be, (size_t)B * ld, &rng, -30, 30), lp = tbuf_new(be, (size_t)B * A, NULL, 0, 0);
    TBuf h = tbuf_new(be, (size_t)B, NULL, 0, 0);
    arc_be_log_softmax(ref, lp.ref, h.ref, z.ref, B, A, ld);
    arc_be_log_softmax(be, lp.dev, h.dev, z.dev, B, A, ld);
    tbuf_expect(&lp, TOL_ELEM, "log_softmax");
    tbuf_expect(&h, 1e-4, "entropy");
    /* the oracle itself: rows of exp(logp) sum to 1, entropy in [0, log A] */
    for (int b = 0; b < B; b++) {
        double s = 0.0;
        for (int j = 0; j < A; j++) s += exp(lp.ref[b * A + j]);
        cr_assert(fabs(s - 1.0) < 1e-5, "row %d sums to %g", b, s);
        cr_assert(h.ref[b] >= -1e-6 && h.ref[b] <= log((double)A) + 1e-5, "entropy %g", (double)h.ref[b]);
    }
    tbuf_free(&z);
    tbuf_free(&lp);
    tbuf_free(&h);
}

static int32_t *upload_actions(ArcBackend *be, const int32_t *host, int B)
{
    int32_t *d = arc_be_alloc(be, (size_t)B * sizeof *d);
    arc_be_upload(be, d, host, (size_t)B * sizeof *d);
    return d;
}

static void check_a3c_loss(ArcBackend *be)
{
    ArcRng rng;
    arc_rng_seed(&rng, 61);
    ArcBackend *ref = arc_backend_cpu_ref();
    int B = 45, A = 6;
    int32_t act[45];
    for (int b = 0; b < B; b++) act[b] = tk_int(&rng, 0, A - 1);
    int32_t *dact = upload_actions(be, act, B);
    TBuf out = tbuf_new(be, (size_t)B * (A + 1), &rng, -3, 3), adv = tbuf_new(be, (size_t)B, &rng, -2, 2);
    TBuf ret = tbuf_new(be, (size_t)B, &rng, -2, 2), dout = tbuf_new(be, (size_t)B * (A + 1), NULL, 0, 0);
    ArcA3CStats sr, sb;
    arc_be_a3c_loss(ref, dout.ref, &sr, out.ref, act, adv.ref, ret.ref, B, A, 0.5f, 0.01f);
    arc_be_a3c_loss(be, dout.dev, &sb, out.dev, dact, adv.dev, ret.dev, B, A, 0.5f, 0.01f);
    tbuf_expect(&dout, TOL_ELEM, "a3c_loss dout");
    cr_assert(fabsf(sr.loss - sb.loss) <= 1e-5f * (1 + fabsf(sr.loss)), "loss %g vs %g", sr.loss, sb.loss);
    cr_assert(fabsf(sr.policy_loss - sb.policy_loss) <= 1e-5f * (1 + fabsf(sr.policy_loss)));
    cr_assert(fabsf(sr.value_loss - sb.value_loss) <= 1e-5f * (1 + fabsf(sr.value_loss)));
    cr_assert(fabsf(sr.entropy - sb.entropy) <= 1e-5f * (1 + fabsf(sr.entropy)));
    cr_assert(fabsf(sr.loss - (sr.policy_loss + 0.5f * sr.value_loss - 0.01f * sr.entropy)) < 1e-5f);
    TBuf *all[] = {&out, &adv, &ret, &dout};
    for (int i = 0; i < 4; i++) tbuf_free(all[i]);
    arc_be_free(be, dact);
}

static void check_dqn(ArcBackend *be)
{
    ArcRng rng;
    arc_rng_seed(&rng, 71);
    ArcBackend *ref = arc_backend_cpu_ref();
    int B = 37, A = 6;
    int32_t act[37];
    for (int b = 0; b < B; b++) act[b] = tk_int(&rng, 0, A - 1);
    int32_t *dact = upload_actions(be, act, B);
    TBuf q = tbuf_new(be, (size_t)B * A, &rng, -3, 3), qn = tbuf_new(be, (size_t)B * A, &rng, -3, 3);
    TBuf qo = tbuf_new(be, (size_t)B * A, &rng, -3, 3), r = tbuf_new(be, (size_t)B, &rng, -1, 1);
    TBuf done = tbuf_new(be, (size_t)B, NULL, 0, 0), w = tbuf_new(be, (size_t)B, &rng, 0, 1);
    for (int b = 0; b < B; b += 3) done.ref[b] = 1.0f;
    arc_be_upload(be, done.dev, done.ref, (size_t)B * sizeof(float));
    TBuf qa = tbuf_new(be, (size_t)B, NULL, 0, 0), y = tbuf_new(be, (size_t)B, NULL, 0, 0);
    TBuf dq = tbuf_new(be, (size_t)B * A, NULL, 0, 0), td = tbuf_new(be, (size_t)B, NULL, 0, 0);

    arc_be_gather(ref, qa.ref, q.ref, act, B, A);
    arc_be_gather(be, qa.dev, q.dev, dact, B, A);
    tbuf_expect(&qa, 0.0, "gather");
    for (int online = 0; online < 2; online++) {
        arc_be_dqn_targets(ref, y.ref, qn.ref, online ? qo.ref : NULL, r.ref, done.ref, 0.99f, B, A);
        arc_be_dqn_targets(be, y.dev, qn.dev, online ? qo.dev : NULL, r.dev, done.dev, 0.99f, B, A);
        tbuf_expect(&y, TOL_ELEM, online ? "dqn_targets (double)" : "dqn_targets");
    }
    for (int weighted = 0; weighted < 2; weighted++) {
        ArcDQNStats sr, sb;
        arc_be_dqn_loss(ref, dq.ref, td.ref, &sr, q.ref, act, y.ref, weighted ? w.ref : NULL, 1.0f, B, A);
        arc_be_dqn_loss(be, dq.dev, td.dev, &sb, q.dev, dact, y.dev, weighted ? w.dev : NULL, 1.0f, B, A);
        tbuf_expect(&dq, TOL_ELEM, "dqn_loss dq");
        tbuf_expect(&td, TOL_ELEM, "dqn_loss td");
        cr_assert(fabsf(sr.loss - sb.loss) <= 1e-5f * (1 + fabsf(sr.loss)), "loss %g vs %g", sr.loss, sb.loss);
        cr_assert(fabsf(sr.mean_q - sb.mean_q) <= 1e-5f * (1 + fabsf(sr.mean_q)));
    }
    TBuf *all[] = {&q, &qn, &qo, &r, &done, &w, &qa, &y, &dq, &td};
    for (int i = 0; i < 10; i++) tbuf_free(all[i]);
    arc_be_free(be, dact);
}

static void check_norm_and_optim(ArcBackend *be)
{
    ArcRng rng;
    arc_rng_seed(&rng, 81);
    ArcBackend *ref = arc_backend_cpu_ref();
    size_t n = 100003; /* not a multiple of any block size */
    TBuf g = tbuf_new(be, n, &rng, -0.1f, 0.1f);
    double nr = arc_be_clip_grad_norm(ref, g.ref, n, 1.0f);
    double nb = arc_be_clip_grad_norm(be, g.dev, n, 1.0f);
    cr_assert(fabs(nr - nb) <= 1e-5 * nr, "norm %g vs %g", nr, nb);
    tbuf_expect(&g, TOL_ELEM, "clip_grad_norm");
    ArcOptimConfig cfgs[3] = {arc_optim_rmsprop(1e-3f, false), arc_optim_rmsprop(1e-3f, true),
                              arc_optim_adam(1e-3f)};
    for (int c = 0; c < 3; c++) {
        TBuf p = tbuf_new(be, n, &rng, -1, 1), m = tbuf_new(be, n, NULL, 0, 0), v = tbuf_new(be, n, NULL, 0, 0);
        for (long step = 1; step <= 3; step++) {
            arc_be_optim_step(ref, p.ref, m.ref, v.ref, g.ref, n, &cfgs[c], step);
            arc_be_optim_step(be, p.dev, m.dev, v.dev, g.dev, n, &cfgs[c], step);
        }
        tbuf_expect(&p, 1e-5, "optim params");
        tbuf_expect(&m, 1e-5, "optim m");
        tbuf_expect(&v, 1e-5, "optim v");
        tbuf_free(&p);
        tbuf_free(&m);
        tbuf_free(&v);
    }
    tbuf_free(&g);
}

static void check_memory(ArcBackend *be)
{
    TBuf x = tbuf_new(be, 1000, NULL, 0, 0);
    for (size_t i = 0; i < 1000; i++) x.ref[i] = 2.5f * 3.0f;
    arc_be_fill(be, x.dev, 2.5f, 1000);
    arc_be_scale(be, x.dev, 3.0f, 1000);
    tbuf_expect(&x, 0.0, "fill+scale");
    float *copy = arc_be_alloc(be, 1000 * sizeof(float));
    arc_be_copy(be, copy, x.dev, 1000 * sizeof(float));
    float host[1000];
    arc_be_download(be, host, copy, sizeof host);
    cr_assert(host[999] == 7.5f);
    /* y += a x: 7.5 + (-0.5) * 7.5 = 3.75 everywhere */
    for (size_t i = 0; i < 1000; i++) x.ref[i] = 3.75f;
    arc_be_axpy(be, x.dev, -0.5f, copy, 1000);
    tbuf_expect(&x, 0.0, "axpy");
    arc_be_free(be, copy);
    tbuf_free(&x);
}

TK_ON_FAST_BACKENDS(kernels_ops, obs_to_float, check_obs_to_float)
TK_ON_FAST_BACKENDS(kernels_ops, conv2d_valid, check_conv_valid)
TK_ON_FAST_BACKENDS(kernels_ops, conv2d_same, check_conv_same)
TK_ON_FAST_BACKENDS(kernels_ops, dense, check_dense)
TK_ON_FAST_BACKENDS(kernels_ops, activations, check_act)
TK_ON_FAST_BACKENDS(kernels_ops, log_softmax_entropy, check_log_softmax)
TK_ON_FAST_BACKENDS(kernels_ops, a3c_loss, check_a3c_loss)
TK_ON_FAST_BACKENDS(kernels_ops, dqn_pieces, check_dqn)
TK_ON_FAST_BACKENDS(kernels_ops, clip_and_optimizers, check_norm_and_optim)
TK_ON_FAST_BACKENDS(kernels_ops, memory, check_memory)

Test(kernels_backend, registry)
{
    ArcErr err = {{0}};
    cr_assert_eq(arc_backend_find("cpu_ref", &err), arc_backend_cpu_ref());
    cr_assert_eq(arc_backend_find("cpu", &err), arc_backend_cpu());
    cr_assert_null(arc_backend_find("tpu", &err));
    cr_assert(strstr(err.msg, "cpu_ref, cpu or gpu") != NULL, "message: %s", err.msg);
    ArcBackend *gpu = arc_backend_gpu(0, &err);
    if (!gpu) cr_assert(strlen(err.msg) > 0 && strchr(err.msg, '\n') == NULL, "one-line reason");
    ArcErr notice = {{0}};
    ArcBackend *fallback = arc_backend_gpu_or_cpu(0, &notice);
    if (gpu) {
        cr_assert_eq(fallback, gpu);
        cr_assert_eq(notice.msg[0], '\0');
    } else {
        cr_assert_eq(fallback, arc_backend_cpu());
        cr_assert(strstr(notice.msg, "using the cpu backend") != NULL, "notice: %s", notice.msg);
    }
}

Test(kernels_backend, conv_shapes)
{
    ArcConvShape v = arc_conv_shape(2, 10, 10, 4, 16, 3, false);
    cr_assert(v.out_h == 8 && v.out_w == 8 && v.pad == 0);
    ArcConvShape s = arc_conv_shape(2, 10, 10, 4, 16, 5, true);
    cr_assert(s.out_h == 10 && s.out_w == 10 && s.pad == 2);
}
