/* overfit_plan.c — presets, list flags and cell enumeration (see overfit_plan.h). */
#include "overfit_plan.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../env/game.h"
#include "../kernels/net.h"

void arc_overfit_plan_defaults(ArcOverfitPlan *plan)
{
    memset(plan, 0, sizeof *plan);
    strcpy(plan->game, "asterix");
    strcpy(plan->algo, "a3c");
    strcpy(plan->variant, "standard");
    const double widths[] = {0.125, 0.25, 0.5, 1, 2, 4, 8};
    const int64_t levels[] = {1, 4, 16, 64, 256, ARC_OVERFIT_LEVELS_INF};
    plan->num_widths = 7;
    memcpy(plan->widths, widths, sizeof widths);
    plan->num_levels = 6;
    memcpy(plan->levels, levels, sizeof levels);
    plan->runs = 5;
    plan->seed = 1;
    plan->frames = 5000000;
    plan->checkpoints_per_decade = 3;
    plan->eval_episodes = 32;
    plan->eval_max_steps = 10000;
    plan->probe_episodes = 8;
    plan->gpu_min_width = 2;
    strcpy(plan->device, "cpu");
    plan->jobs = 2;
}

int arc_overfit_plan_preset(ArcOverfitPlan *plan, const char *preset, ArcErr *err)
{
    if (strcmp(preset, "none") == 0 || strcmp(preset, "paper") == 0) {
        arc_overfit_plan_defaults(plan); /* the paper grid is the defaults */
        return ARC_OK;
    }
    if (strcmp(preset, "quick") != 0)
        return arc_err_set(err, ARC_ERR_ARG, "--preset expects quick|paper, got '%s'", preset);
    arc_overfit_plan_defaults(plan);
    const double widths[] = {0.25, 0.5, 1, 2, 4};
    const int64_t levels[] = {1, 16, ARC_OVERFIT_LEVELS_INF};
    plan->num_widths = 5;
    memcpy(plan->widths, widths, sizeof widths);
    plan->num_levels = 3;
    memcpy(plan->levels, levels, sizeof levels);
    plan->runs = 3;
    plan->frames = 300000;
    plan->eval_episodes = 16;
    plan->probe_episodes = 4;
    return ARC_OK;
}

/* Splits text at commas; calls item() on each, stopping at the first failure. */
static int each_item(const char *text, const char *flag, int max_items, ArcErr *err,
                     int (*item)(void *ctx, const char *s, ArcErr *err), void *ctx)
{
    char buf[512];
    if (strlen(text) >= sizeof buf || text[0] == '\0')
        return arc_err_set(err, ARC_ERR_ARG, "--%s expects a comma-separated list, got '%s'", flag, text);
    strcpy(buf, text);
    int count = 0;
    for (char *save = NULL, *tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
        if (++count > max_items)
            return arc_err_set(err, ARC_ERR_ARG, "--%s takes at most %d values", flag, max_items);
        ArcErr inner;
        if (item(ctx, tok, &inner))
            return arc_err_set(err, ARC_ERR_ARG, "--%s: %s (in '%s')", flag, inner.msg, text);
    }
    return ARC_OK;
}

static int add_width(void *ctx, const char *s, ArcErr *err)
{
    ArcOverfitPlan *plan = ctx;
    char *end;
    errno = 0;
    double k = strtod(s, &end);
    if (end == s || *end || errno || !(k >= ARC_NET_K_MIN && k <= ARC_NET_K_MAX))
        return arc_err_set(err, ARC_ERR_ARG, "width '%s' is not a number in [%g, %g]", s,
                           ARC_NET_K_MIN, ARC_NET_K_MAX);
    for (int i = 0; i < plan->num_widths; i++)
        if (plan->widths[i] == k) return arc_err_set(err, ARC_ERR_ARG, "width %g is listed twice", k);
    plan->widths[plan->num_widths++] = k;
    return ARC_OK;
}

static int add_levels(void *ctx, const char *s, ArcErr *err)
{
    ArcOverfitPlan *plan = ctx;
    int64_t n;
    if (strcmp(s, "inf") == 0) {
        n = ARC_OVERFIT_LEVELS_INF;
    } else if (strcmp(s, "off") == 0) {
        n = ARC_OVERFIT_LEVELS_OFF;
    } else {
        char *end;
        errno = 0;
        long long v = strtoll(s, &end, 10);
        if (end == s || *end || errno || v < 1 || v > 1000000000)
            return arc_err_set(err, ARC_ERR_ARG, "'%s' is not a level count (1..1e9), inf or off", s);
        n = v;
    }
    for (int i = 0; i < plan->num_levels; i++)
        if (plan->levels[i] == n) return arc_err_set(err, ARC_ERR_ARG, "'%s' is listed twice", s);
    plan->levels[plan->num_levels++] = n;
    return ARC_OK;
}

int arc_overfit_parse_widths(ArcOverfitPlan *plan, const char *text, const char *flag, ArcErr *err)
{
    plan->num_widths = 0;
    return each_item(text, flag, ARC_OVERFIT_MAX_WIDTHS, err, add_width, plan);
}

int arc_overfit_parse_levels(ArcOverfitPlan *plan, const char *text, const char *flag, ArcErr *err)
{
    plan->num_levels = 0;
    return each_item(text, flag, ARC_OVERFIT_MAX_LEVELS, err, add_levels, plan);
}

void arc_overfit_levels_label(int64_t levels, char *buf, size_t size)
{
    if (levels == ARC_OVERFIT_LEVELS_INF) snprintf(buf, size, "inf");
    else if (levels == ARC_OVERFIT_LEVELS_OFF) snprintf(buf, size, "off");
    else snprintf(buf, size, "%lld", (long long)levels);
}

int arc_overfit_num_cells(const ArcOverfitPlan *plan)
{
    return plan->num_widths * plan->num_levels * plan->runs;
}

ArcOverfitCell arc_overfit_cell(const ArcOverfitPlan *plan, int index)
{
    ARC_CHECK(index >= 0 && index < arc_overfit_num_cells(plan), "cell %d of %d", index,
              arc_overfit_num_cells(plan));
    ArcOverfitCell cell = {.index = index};
    int per_width = plan->num_levels * plan->runs;
    cell.width = plan->widths[index / per_width];
    cell.levels = plan->levels[index % per_width / plan->runs];
    cell.run = index % plan->runs + 1;
    cell.seed = plan->seed + cell.run - 1;
    arc_overfit_cell_name(cell.width, cell.levels, cell.run, cell.name, sizeof cell.name);
    return cell;
}

void arc_overfit_cell_name(double width, int64_t levels, int run, char *buf, size_t size)
{
    char label[32];
    arc_overfit_levels_label(levels, label, sizeof label);
    snprintf(buf, size, "k%g-n%s-r%d", width, label, run);
}

void arc_overfit_cell_dir(const ArcOverfitPlan *plan, const ArcOverfitCell *cell, char *buf,
                          size_t size)
{
    snprintf(buf, size, "%s/cells/%s", plan->out, cell->name);
}

void arc_overfit_network_size(const ArcOverfitPlan *plan, double width, int64_t *params,
                              double *flops_per_forward)
{
    const ArcGame *game = arc_game_find(plan->game);
    ARC_CHECK(game, "game '%s' was validated", plan->game);
    ArcNetConfig cfg;
    arc_net_config_minatar(&cfg, game->channels,
                           strcmp(plan->algo, "dqn") ? ARC_HEAD_A3C : ARC_HEAD_DQN, (float)width);
    ArcNetPlan net;
    ArcErr err;
    ARC_CHECK(arc_net_plan(&net, &cfg, &err) == ARC_OK, "%s", err.msg);
    *params = (int64_t)net.num_params;
    *flops_per_forward = net.flops_forward;
}
