/* net.c — network planning, slabs, forward/backward and the loss helpers (see net.h).
 *
 * Planning (arc_net_plan) is pure arithmetic over the config so `arcade model` can print
 * any k without allocating. arc_net_init allocates every buffer once, for max_batch
 * rows, on the chosen backend; forward/backward only call backend ops. Backward walks
 * the layers in reverse through two ping-pong gradient buffers: activation backward in
 * place, then the layer's backward writes the input gradient into the other buffer
 * (skipped for the first layer, whose input is the observation, unless arc_net_input_grad
 * asks for it). One forward_layers serves the normal forward, the real-valued-input
 * forward and the rounded forward (a per-layer hook, NULL on the normal path). Tensor
 * shapes of the public functions are documented in net.h.
 */
#include "net.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../common/rng.h"

void arc_net_config_minatar(ArcNetConfig *cfg, int channels, ArcHead head, float k)
{
    memset(cfg, 0, sizeof *cfg);
    cfg->in_channels = channels;
    cfg->in_h = 10;
    cfg->in_w = 10;
    cfg->num_conv = 1;
    cfg->conv_channels[0] = 16;
    cfg->conv_kernel[0] = 3;
    cfg->conv_same[0] = false;
    cfg->num_dense = 1;
    cfg->dense_width[0] = 128;
    cfg->k = k;
    cfg->act = ARC_ACT_RELU;
    cfg->head = head;
    cfg->num_actions = 6;
}

int arc_net_width(float k, int w)
{
    long r = lroundf(k * (float)w);
    return r < 1 ? 1 : (int)r;
}

static void finish_layer(ArcNetLayer *l, size_t *offset)
{
    l->in_size = (size_t)l->in_h * l->in_w * l->in_c;
    l->out_size = (size_t)l->out_h * l->out_w * l->out_c;
    size_t fan_in = l->kind == ARC_LAYER_CONV ? (size_t)l->kernel * l->kernel * l->in_c : l->in_size;
    l->w_count = (size_t)l->out_c * fan_in;
    l->b_count = (size_t)l->out_c;
    l->w_offset = *offset;
    l->b_offset = l->w_offset + l->w_count;
    *offset = l->b_offset + l->b_count;
    l->flops = 2.0 * (double)l->out_h * l->out_w * (double)l->w_count;
}

int arc_net_plan(ArcNetPlan *plan, const ArcNetConfig *c, ArcErr *err)
{
    memset(plan, 0, sizeof *plan);
    if (c->in_channels < 1 || c->in_h < 1 || c->in_w < 1)
        return arc_err_set(err, ARC_ERR_ARG, "network input %dx%dx%d: expected positive C, H, W",
                           c->in_channels, c->in_h, c->in_w);
    if (!(c->k >= ARC_NET_K_MIN - 1e-6f && c->k <= ARC_NET_K_MAX + 1e-6f))
        return arc_err_set(err, ARC_ERR_ARG, "width multiplier k=%g: expected %g to %g", (double)c->k,
                           (double)ARC_NET_K_MIN, (double)ARC_NET_K_MAX);
    if (c->num_conv < 0 || c->num_conv > ARC_NET_MAX_CONV)
        return arc_err_set(err, ARC_ERR_ARG, "conv layer count %d: expected 0 to %d", c->num_conv,
                           ARC_NET_MAX_CONV);
    if (c->num_dense < 0 || c->num_dense > ARC_NET_MAX_DENSE)
        return arc_err_set(err, ARC_ERR_ARG, "dense layer count %d: expected 0 to %d", c->num_dense,
                           ARC_NET_MAX_DENSE);
    if (c->act != ARC_ACT_RELU && c->act != ARC_ACT_SILU && c->act != ARC_ACT_NONE)
        return arc_err_set(err, ARC_ERR_ARG, "activation %d: expected none, relu or silu", (int)c->act);
    if (c->head != ARC_HEAD_A3C && c->head != ARC_HEAD_DQN)
        return arc_err_set(err, ARC_ERR_ARG, "head %d: expected a3c or dqn", (int)c->head);
    if (c->num_actions < 1)
        return arc_err_set(err, ARC_ERR_ARG, "action count %d: expected at least 1", c->num_actions);
    if (c->dueling && c->head != ARC_HEAD_DQN)
        return arc_err_set(err, ARC_ERR_ARG, "dueling head: only with the dqn head");

    size_t offset = 0;
    int h = c->in_h, w = c->in_w, ch = c->in_channels;
    for (int i = 0; i < c->num_conv; i++) {
        int k = c->conv_kernel[i];
        if (c->conv_channels[i] < 1)
            return arc_err_set(err, ARC_ERR_ARG, "conv layer %d channels %d: expected at least 1", i + 1,
                               c->conv_channels[i]);
        if (k < 1 || (c->conv_same[i] && k % 2 == 0) || (!c->conv_same[i] && (k > h || k > w)))
            return arc_err_set(err, ARC_ERR_ARG,
                               "conv layer %d kernel %d: expected odd for same padding, and at most "
                               "the %dx%d input for valid padding", i + 1, k, h, w);
        ArcNetLayer *l = &plan->layers[plan->num_layers++];
        l->kind = ARC_LAYER_CONV;
        l->act = c->act;
        l->in_h = h, l->in_w = w, l->in_c = ch;
        l->kernel = k;
        l->pad = c->conv_same[i] ? (k - 1) / 2 : 0;
        l->out_h = h + 2 * l->pad - k + 1;
        l->out_w = w + 2 * l->pad - k + 1;
        l->out_c = arc_net_width(c->k, c->conv_channels[i]);
        finish_layer(l, &offset);
        h = l->out_h, w = l->out_w, ch = l->out_c;
    }
    int flat = h * w * ch;
    for (int i = 0; i < c->num_dense + 1; i++) {
        bool head = i == c->num_dense;
        if (!head && c->dense_width[i] < 1)
            return arc_err_set(err, ARC_ERR_ARG, "dense layer %d width %d: expected at least 1", i + 1,
                               c->dense_width[i]);
        ArcNetLayer *l = &plan->layers[plan->num_layers++];
        l->kind = head ? ARC_LAYER_HEAD : ARC_LAYER_DENSE;
        l->act = head ? ARC_ACT_NONE : c->act;
        l->in_h = l->in_w = l->out_h = l->out_w = 1;
        l->in_c = flat;
        l->out_c = head ? c->num_actions + (c->head == ARC_HEAD_A3C || c->dueling ? 1 : 0)
                        : arc_net_width(c->k, c->dense_width[i]);
        finish_layer(l, &offset);
        flat = l->out_c;
    }
    plan->num_params = offset;
    plan->out_dim = c->dueling ? c->num_actions : flat;
    for (int i = 0; i < plan->num_layers; i++) {
        plan->flops_forward += plan->layers[i].flops;
        plan->flops_backward += plan->layers[i].flops * (i == 0 ? 1.0 : 2.0);
    }
    return ARC_OK;
}

static void layer_name(const ArcNetPlan *plan, int li, char *buf, size_t len)
{
    int conv = 0, dense = 0;
    for (int i = 0; i <= li; i++) {
        conv += plan->layers[i].kind == ARC_LAYER_CONV;
        dense += plan->layers[i].kind == ARC_LAYER_DENSE;
    }
    ArcLayerKind kind = plan->layers[li].kind;
    if (kind == ARC_LAYER_CONV)
        snprintf(buf, len, "conv%d", conv);
    else if (kind == ARC_LAYER_DENSE)
        snprintf(buf, len, "dense%d", dense);
    else
        snprintf(buf, len, "head");
}

int arc_net_num_tensors(const ArcNetPlan *plan) { return 2 * plan->num_layers; }

ArcNetTensor arc_net_tensor(const ArcNetPlan *plan, int index)
{
    ARC_CHECK(index >= 0 && index < 2 * plan->num_layers, "tensor %d of %d", index, 2 * plan->num_layers);
    const ArcNetLayer *l = &plan->layers[index / 2];
    bool weight = index % 2 == 0;
    ArcNetTensor t = {0};
    char layer[16];
    layer_name(plan, index / 2, layer, sizeof layer);
    snprintf(t.name, sizeof t.name, "%s.%s", layer, weight ? "weight" : "bias");
    t.offset = weight ? l->w_offset : l->b_offset;
    t.count = weight ? l->w_count : l->b_count;
    t.shape[0] = l->out_c;
    if (!weight) {
        t.ndim = 1;
    } else if (l->kind == ARC_LAYER_CONV) {
        t.ndim = 4;
        t.shape[1] = t.shape[2] = l->kernel;
        t.shape[3] = l->in_c;
    } else {
        t.ndim = 2;
        t.shape[1] = (int64_t)l->in_size;
    }
    return t;
}

/* --- lifetime ------------------------------------------------------------------------- */

ArcNet *arc_net_init(const ArcNetConfig *cfg, ArcBackend *be, int max_batch, uint32_t seed, ArcErr *err)
{
    ArcNetPlan plan;
    if (arc_net_plan(&plan, cfg, err) != ARC_OK) return NULL;
    if (max_batch < 1) {
        arc_err_set(err, ARC_ERR_ARG, "max batch %d: expected at least 1", max_batch);
        return NULL;
    }
    ArcNet *net = arc_xcalloc(1, sizeof *net);
    net->cfg = *cfg;
    net->plan = plan;
    net->be = be;
    net->max_batch = max_batch;
    net->num_params = plan.num_params;
    size_t P = plan.num_params * sizeof(float), Bm = (size_t)max_batch;
    net->params = arc_be_alloc(be, P);
    net->grads = arc_be_alloc(be, P);
    net->opt_m = arc_be_alloc(be, P);
    net->opt_v = arc_be_alloc(be, P);
    size_t obs_size = (size_t)cfg->in_channels * cfg->in_h * cfg->in_w;
    net->obs = arc_be_alloc(be, Bm * obs_size);
    net->x0 = arc_be_alloc(be, Bm * obs_size * sizeof(float));
    size_t widest = obs_size;
    for (int i = 0; i < plan.num_layers; i++) {
        const ArcNetLayer *l = &plan.layers[i];
        net->pre[i] = arc_be_alloc(be, Bm * l->out_size * sizeof(float));
        if (l->act != ARC_ACT_NONE) net->post[i] = arc_be_alloc(be, Bm * l->out_size * sizeof(float));
        if (l->kind == ARC_LAYER_CONV) {
            ArcConvShape s = arc_conv_shape(max_batch, l->in_h, l->in_w, l->in_c, l->out_c, l->kernel,
                                            l->pad > 0);
            net->ws[i] = arc_be_alloc(be, arc_be_conv2d_workspace(be, &s) * sizeof(float));
        }
        if (l->out_size > widest) widest = l->out_size;
        if (l->in_size > widest) widest = l->in_size;
    }
    net->dbuf[0] = arc_be_alloc(be, Bm * widest * sizeof(float));
    net->dbuf[1] = arc_be_alloc(be, Bm * widest * sizeof(float));
    net->dout = arc_be_alloc(be, Bm * plan.out_dim * sizeof(float));
    net->actions = arc_be_alloc(be, Bm * sizeof(int32_t));
    for (int i = 0; i < 4; i++) net->vec[i] = arc_be_alloc(be, Bm * sizeof(float));
    net->qbuf = arc_be_alloc(be, Bm * plan.out_dim * sizeof(float));
    if (cfg->dueling) net->q = arc_be_alloc(be, Bm * plan.out_dim * sizeof(float));
    arc_net_init_params(net, seed);
    return net;
}

void arc_net_free(ArcNet *net)
{
    if (!net) return;
    ArcBackend *be = net->be;
    arc_be_free(be, net->params);
    arc_be_free(be, net->grads);
    arc_be_free(be, net->opt_m);
    arc_be_free(be, net->opt_v);
    arc_be_free(be, net->obs);
    arc_be_free(be, net->x0);
    for (int i = 0; i < net->plan.num_layers; i++) {
        arc_be_free(be, net->pre[i]);
        arc_be_free(be, net->post[i]);
        arc_be_free(be, net->ws[i]);
    }
    arc_be_free(be, net->dbuf[0]);
    arc_be_free(be, net->dbuf[1]);
    arc_be_free(be, net->dout);
    arc_be_free(be, net->actions);
    for (int i = 0; i < 4; i++) arc_be_free(be, net->vec[i]);
    arc_be_free(be, net->qbuf);
    arc_be_free(be, net->q);
    free(net);
}

void arc_net_init_params(ArcNet *net, uint32_t seed)
{
    ArcRng rng;
    arc_rng_seed(&rng, seed);
    float *host = arc_xmalloc(net->num_params * sizeof *host);
    for (int i = 0; i < net->plan.num_layers; i++) {
        const ArcNetLayer *l = &net->plan.layers[i];
        double bound = 1.0 / sqrt((double)(l->w_count / (size_t)l->out_c));
        for (size_t j = 0; j < l->w_count + l->b_count; j++)
            host[l->w_offset + j] = (float)((2.0 * arc_rng_uniform(&rng) - 1.0) * bound);
    }
    arc_be_upload(net->be, net->params, host, net->num_params * sizeof *host);
    free(host);
    arc_be_fill(net->be, net->grads, 0.0f, net->num_params);
    arc_be_fill(net->be, net->opt_m, 0.0f, net->num_params);
    arc_be_fill(net->be, net->opt_v, 0.0f, net->num_params);
    net->last_batch = 0;
}

void arc_net_zero_grad(ArcNet *net) { arc_be_fill(net->be, net->grads, 0.0f, net->num_params); }

/* --- forward / backward ----------------------------------------------------------------- */

static ArcConvShape layer_conv_shape(const ArcNetLayer *l, int B)
{
    ArcConvShape s = {.batch = B, .in_h = l->in_h, .in_w = l->in_w, .in_c = l->in_c, .out_c = l->out_c,
                      .kernel = l->kernel, .pad = l->pad, .out_h = l->out_h, .out_w = l->out_w};
    return s;
}

/* the activation layer i's output leaves (its input for layer i + 1) */
static const float *layer_output(const ArcNet *net, int i)
{
    if (i < 0) return net->x0;
    return net->post[i] ? net->post[i] : net->pre[i];
}

/* the net's output of the last forward: the head's, or the dueling Q-values */
static const float *net_output(const ArcNet *net)
{
    return net->q ? net->q : layer_output(net, net->plan.num_layers - 1);
}

/* Applies a rounding hook to B rows of n floats of backend memory: in place on host
 * backends, through a temporary host copy on a device (the rounded forward is a
 * measurement path, not a hot loop). */
static void round_output(ArcNet *net, float *y, int B, size_t n, ArcNetRoundFn round, void *ctx)
{
    if (!arc_backend_is_device(net->be)) {
        round(y, B, n, ctx);
        return;
    }
    size_t bytes = (size_t)B * n * sizeof(float);
    float *host = arc_xmalloc(bytes);
    arc_be_download(net->be, host, y, bytes);
    round(host, B, n, ctx);
    arc_be_upload(net->be, y, host, bytes);
    free(host);
}

/* The layers after x0 is filled; round (optional) rewrites every layer's output. */
static const float *forward_layers(ArcNet *net, int B, ArcNetRoundFn round, void *ctx)
{
    ArcBackend *be = net->be;
    for (int i = 0; i < net->plan.num_layers; i++) {
        const ArcNetLayer *l = &net->plan.layers[i];
        const float *in = layer_output(net, i - 1);
        const float *w = net->params + l->w_offset, *b = net->params + l->b_offset;
        if (l->kind == ARC_LAYER_CONV) {
            ArcConvShape s = layer_conv_shape(l, B);
            arc_be_conv2d_forward(be, net->pre[i], net->ws[i], in, w, b, &s);
        } else {
            arc_be_dense_forward(be, net->pre[i], in, w, b, B, (int)l->in_size, l->out_c);
        }
        if (net->post[i]) arc_be_act_forward(be, net->post[i], net->pre[i], (size_t)B * l->out_size, l->act);
        if (round) round_output(net, (float *)layer_output(net, i), B, l->out_size, round, ctx);
    }
    net->last_batch = B;
    if (net->cfg.dueling) {
        arc_be_dueling_forward(be, net->q, layer_output(net, net->plan.num_layers - 1), B, net->plan.out_dim);
        if (round) round_output(net, net->q, B, (size_t)net->plan.out_dim, round, ctx);
    }
    return net_output(net);
}

static void check_batch(const ArcNet *net, int B)
{
    ARC_CHECK(B >= 1 && B <= net->max_batch, "batch %d outside 1..%d", B, net->max_batch);
}

static void load_obs(ArcNet *net, const uint8_t *obs, int B)
{
    const ArcNetConfig *c = &net->cfg;
    arc_be_upload(net->be, net->obs, obs, (size_t)B * c->in_channels * c->in_h * c->in_w);
    arc_be_obs_to_float(net->be, net->x0, net->obs, B, c->in_channels, c->in_h, c->in_w);
}

const float *arc_net_forward(ArcNet *net, const uint8_t *obs, int B)
{
    check_batch(net, B);
    load_obs(net, obs, B);
    return forward_layers(net, B, NULL, NULL);
}

void arc_net_forward_rounded(ArcNet *net, float *out, const uint8_t *obs, int B, ArcNetRoundFn round,
                             void *ctx)
{
    check_batch(net, B);
    load_obs(net, obs, B);
    const float *y = forward_layers(net, B, round, ctx);
    arc_be_download(net->be, out, y, (size_t)B * net->plan.out_dim * sizeof *out);
}

void arc_net_forward_float(ArcNet *net, float *out, const float *x, int B)
{
    check_batch(net, B);
    const ArcNetConfig *c = &net->cfg;
    arc_be_upload(net->be, net->x0, x, (size_t)B * c->in_channels * c->in_h * c->in_w * sizeof *x);
    const float *y = forward_layers(net, B, NULL, NULL);
    arc_be_download(net->be, out, y, (size_t)B * net->plan.out_dim * sizeof *out);
}

void arc_net_forward_host(ArcNet *net, float *out, const uint8_t *obs, int B)
{
    const float *y = arc_net_forward(net, obs, B);
    arc_be_download(net->be, out, y, (size_t)B * net->plan.out_dim * sizeof *out);
}

/* Backward through every layer. With input_grad, layer 0 also writes the gradient w.r.t.
 * the input x0 into the ping-pong buffer it does not read (both hold the widest of the
 * input and every layer), and that buffer is returned; else returns NULL. */
static const float *backward_layers(ArcNet *net, const float *dout, int B, bool input_grad)
{
    ARC_CHECK(B == net->last_batch, "backward of batch %d after a forward of batch %d", B, net->last_batch);
    ArcBackend *be = net->be;
    const float *g = dout; /* gradient w.r.t. the current layer's output */
    if (net->cfg.dueling) { /* through the combine first: dout is the Q-values' gradient */
        arc_be_dueling_backward(be, net->dbuf[0], dout, B, net->plan.out_dim);
        g = net->dbuf[0];
    }
    for (int i = net->plan.num_layers - 1; i >= 0; i--) {
        const ArcNetLayer *l = &net->plan.layers[i];
        if (l->act != ARC_ACT_NONE) {
            float *dz = g == net->dbuf[1] ? net->dbuf[1] : net->dbuf[0];
            arc_be_act_backward(be, dz, g, net->pre[i], (size_t)B * l->out_size, l->act);
            g = dz;
        }
        float *other = g == net->dbuf[0] ? net->dbuf[1] : net->dbuf[0];
        float *dx = i > 0 || input_grad ? other : NULL;
        const float *in = layer_output(net, i - 1);
        const float *w = net->params + l->w_offset;
        float *dw = net->grads + l->w_offset, *db = net->grads + l->b_offset;
        if (l->kind == ARC_LAYER_CONV) {
            ArcConvShape s = layer_conv_shape(l, B);
            arc_be_conv2d_backward(be, dx, dw, db, net->ws[i], g, in, w, &s);
        } else {
            arc_be_dense_backward(be, dx, dw, db, g, in, w, B, (int)l->in_size, l->out_c);
        }
        g = dx;
    }
    return g;
}

void arc_net_backward(ArcNet *net, const float *dout, int B) { backward_layers(net, dout, B, false); }

void arc_net_input_grad(ArcNet *net, float *dx, const float *dout, int B)
{
    ARC_CHECK(B == net->last_batch, "input gradient of batch %d after a forward of batch %d", B,
              net->last_batch);
    const ArcNetConfig *c = &net->cfg;
    arc_be_upload(net->be, net->dout, dout, (size_t)B * net->plan.out_dim * sizeof *dout);
    const float *dx0 = backward_layers(net, net->dout, B, true);
    arc_be_download(net->be, dx, dx0, (size_t)B * c->in_channels * c->in_h * c->in_w * sizeof *dx);
}

/* --- losses --------------------------------------------------------------------------- */

void arc_net_a3c_backward(ArcNet *net, ArcA3CStats *stats, const int32_t *actions, const float *advantages,
                          const float *returns, int B, float value_coef, float entropy_coef)
{
    ARC_CHECK(net->cfg.head == ARC_HEAD_A3C, "A3C loss on a net without the A3C head");
    ARC_CHECK(B == net->last_batch, "A3C loss of batch %d after a forward of batch %d", B, net->last_batch);
    ArcBackend *be = net->be;
    arc_be_upload(be, net->actions, actions, (size_t)B * sizeof *actions);
    arc_be_upload(be, net->vec[0], advantages, (size_t)B * sizeof(float));
    arc_be_upload(be, net->vec[1], returns, (size_t)B * sizeof(float));
    const float *out = net_output(net);
    arc_be_a3c_loss(be, net->dout, stats, out, net->actions, net->vec[0], net->vec[1], B,
                    net->cfg.num_actions, value_coef, entropy_coef);
    arc_net_backward(net, net->dout, B);
}

void arc_net_dqn_targets(ArcNet *target, ArcNet *online, float *y, const uint8_t *next_obs,
                         const float *rewards, const float *dones, float gamma, int B)
{
    ARC_CHECK(target->cfg.head == ARC_HEAD_DQN, "DQN targets from a net without the DQN head");
    ArcBackend *be = target->be;
    int A = target->cfg.num_actions;
    if (online) {
        ARC_CHECK(online->be == be && online->plan.out_dim == A, "double-DQN nets differ");
        const float *qo = arc_net_forward(online, next_obs, B);
        arc_be_copy(be, target->qbuf, qo, (size_t)B * A * sizeof(float));
    }
    const float *qt = arc_net_forward(target, next_obs, B);
    arc_be_upload(be, target->vec[0], rewards, (size_t)B * sizeof(float));
    arc_be_upload(be, target->vec[1], dones, (size_t)B * sizeof(float));
    arc_be_dqn_targets(be, target->vec[2], qt, online ? target->qbuf : NULL, target->vec[0], target->vec[1],
                       gamma, B, A);
    arc_be_download(be, y, target->vec[2], (size_t)B * sizeof(float));
}

void arc_net_dqn_backward(ArcNet *net, ArcDQNStats *stats, float *td, const int32_t *actions,
                          const float *targets, const float *weights, float delta, int B)
{
    ARC_CHECK(net->cfg.head == ARC_HEAD_DQN, "DQN loss on a net without the DQN head");
    ARC_CHECK(B == net->last_batch, "DQN loss of batch %d after a forward of batch %d", B, net->last_batch);
    ArcBackend *be = net->be;
    arc_be_upload(be, net->actions, actions, (size_t)B * sizeof *actions);
    arc_be_upload(be, net->vec[0], targets, (size_t)B * sizeof(float));
    if (weights) arc_be_upload(be, net->vec[1], weights, (size_t)B * sizeof(float));
    const float *q = net_output(net);
    arc_be_dqn_loss(be, net->dout, td ? net->vec[2] : NULL, stats, q, net->actions, net->vec[0],
                    weights ? net->vec[1] : NULL, delta, B, net->cfg.num_actions);
    if (td) arc_be_download(be, td, net->vec[2], (size_t)B * sizeof(float));
    arc_net_backward(net, net->dout, B);
}

/* --- optimisation and parameter transfer ----------------------------------------------- */

double arc_net_clip_grad_norm(ArcNet *net, float max_norm)
{
    return arc_be_clip_grad_norm(net->be, net->grads, net->num_params, max_norm);
}

void arc_net_optim_step(ArcNet *net, const float *grads, const ArcOptimConfig *cfg, long step)
{
    arc_be_optim_step(net->be, net->params, net->opt_m, net->opt_v, grads, net->num_params, cfg, step);
}

void arc_net_get_params(const ArcNet *net, float *host)
{
    arc_be_download(net->be, host, net->params, net->num_params * sizeof *host);
}

void arc_net_set_params(ArcNet *net, const float *host)
{
    arc_be_upload(net->be, net->params, host, net->num_params * sizeof *host);
}

void arc_net_copy_params(ArcNet *dst, const ArcNet *src)
{
    ARC_CHECK(dst->num_params == src->num_params, "copying %zu params into a net of %zu", src->num_params,
              dst->num_params);
    if (dst->be == src->be) {
        arc_be_copy(dst->be, dst->params, src->params, dst->num_params * sizeof(float));
        return;
    }
    float *host = arc_xmalloc(dst->num_params * sizeof *host);
    arc_net_get_params(src, host);
    arc_net_set_params(dst, host);
    free(host);
}
