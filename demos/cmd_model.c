/* cmd_model.c — `arcade model --game G [--algo a3c|dqn] [--k K] [--act relu|silu]`:
 * prints the network a game and algorithm get as a table (layer, shapes, parameters,
 * FLOPs per forward) with totals. Planning only: nothing is allocated, so any k from
 * 1/8 to 16 prints instantly.
 *
 * Game channels come from the game registry (env/game.h). While the registry still holds
 * placeholder games (every one reporting 1 channel), the MinAtar channel counts below are
 * used instead; once the real games are merged the registry wins and the table can go.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../env/game.h"
#include "../kernels/net.h"
#include "commands.h"

static const struct {
    const char *name;
    int channels;
} minatar_channels[] = {
    {"asterix", 4}, {"breakout", 4}, {"freeway", 7}, {"seaquest", 10}, {"space_invaders", 6},
};

static int game_channels(const ArcGame *game)
{
    if (game->channels > 1) return game->channels;
    for (size_t i = 0; i < sizeof minatar_channels / sizeof minatar_channels[0]; i++)
        if (strcmp(minatar_channels[i].name, game->name) == 0) return minatar_channels[i].channels;
    return game->channels;
}

static void usage(FILE *out)
{
    fprintf(out,
            "usage: arcade model --game G [--algo a3c|dqn] [--k K] [--act relu|silu]\n"
            "  --game G   %s\n"
            "  --algo A   a3c (policy + value head, default) or dqn (Q-value head)\n"
            "  --k K      width multiplier from 0.125 to 16 (default 1: MinAtar's network)\n"
            "  --act F    hidden activation: relu (default) or silu\n",
            arc_game_names());
}

/* "1,234,567" into buf */
static const char *grouped(char *buf, size_t len, double value)
{
    char digits[32];
    snprintf(digits, sizeof digits, "%.0f", value);
    size_t n = strlen(digits), o = 0;
    for (size_t i = 0; i < n && o + 2 < len; i++) {
        buf[o++] = digits[i];
        if ((n - i - 1) % 3 == 0 && i + 1 < n) buf[o++] = ',';
    }
    buf[o] = '\0';
    return buf;
}

static void shape_text(char *buf, size_t len, int h, int w, int c, bool spatial)
{
    if (spatial)
        snprintf(buf, len, "%dx%dx%d", h, w, c);
    else
        snprintf(buf, len, "%d", c);
}

static void print_plan(const ArcNetConfig *cfg, const ArcNetPlan *plan, const char *game)
{
    char a[32], b[32], p[32], f[32];
    printf("network for %s (C=%d), %s head, k=%g, %s; layout channels-last (H, W, C)\n", game,
           cfg->in_channels, cfg->head == ARC_HEAD_A3C ? "a3c (policy + value)" : "dqn (Q values)",
           (double)cfg->k, cfg->act == ARC_ACT_SILU ? "silu" : "relu");
    printf("%-8s %-20s %-12s %-12s %12s %15s\n", "layer", "kind", "input", "output", "parameters",
           "FLOPs/forward");
    int nconv = 0, ndense = 0;
    for (int i = 0; i < plan->num_layers; i++) {
        const ArcNetLayer *l = &plan->layers[i];
        char name[16], kind[32];
        bool conv = l->kind == ARC_LAYER_CONV;
        if (conv) {
            snprintf(name, sizeof name, "conv%d", ++nconv);
            snprintf(kind, sizeof kind, "conv %dx%d %s", l->kernel, l->kernel, l->pad ? "same" : "valid");
        } else if (l->kind == ARC_LAYER_DENSE) {
            snprintf(name, sizeof name, "dense%d", ++ndense);
            snprintf(kind, sizeof kind, "dense");
        } else {
            snprintf(name, sizeof name, "head");
            snprintf(kind, sizeof kind, "%s", cfg->head == ARC_HEAD_A3C ? "policy+value" : "q values");
        }
        if (l->act != ARC_ACT_NONE) strncat(kind, l->act == ARC_ACT_SILU ? "+silu" : "+relu", 8);
        bool in_spatial = conv || (i > 0 && plan->layers[i - 1].kind == ARC_LAYER_CONV);
        if (in_spatial && !conv) {
            const ArcNetLayer *prev = &plan->layers[i - 1];
            snprintf(a, sizeof a, "%dx%dx%d", prev->out_h, prev->out_w, prev->out_c);
        } else if (!conv && i == 0) {
            snprintf(a, sizeof a, "%dx%dx%d", cfg->in_h, cfg->in_w, cfg->in_channels);
        } else {
            shape_text(a, sizeof a, l->in_h, l->in_w, l->in_c, conv);
        }
        if (l->kind == ARC_LAYER_HEAD && cfg->head == ARC_HEAD_A3C)
            snprintf(b, sizeof b, "%d+1", cfg->num_actions);
        else
            shape_text(b, sizeof b, l->out_h, l->out_w, l->out_c, conv);
        printf("%-8s %-20s %-12s %-12s %12s %15s\n", name, kind, a, b,
               grouped(p, sizeof p, (double)(l->w_count + l->b_count)), grouped(f, sizeof f, l->flops));
    }
    printf("%-8s %-20s %-12s %-12s %12s %15s\n", "total", "", "", "", grouped(p, sizeof p, (double)plan->num_params),
           grouped(f, sizeof f, plan->flops_forward));
    printf("forward+backward: %s FLOPs per observation; slabs: 4 x %.2f MiB (params, grads, 2 moments)\n",
           grouped(f, sizeof f, plan->flops_forward + plan->flops_backward),
           (double)plan->num_params * sizeof(float) / (1024.0 * 1024.0));
}

int arc_cmd_model(int argc, char **argv)
{
    const char *game_name = NULL, *algo = "a3c", *k_text = "1", *act = "relu";
    for (int i = 1; i < argc; i++) {
        const char *flag = argv[i];
        if (strcmp(flag, "--help") == 0 || strcmp(flag, "-h") == 0) {
            usage(stdout);
            return 0;
        }
        const char **dst = strcmp(flag, "--game") == 0   ? &game_name
                           : strcmp(flag, "--algo") == 0 ? &algo
                           : strcmp(flag, "--k") == 0    ? &k_text
                           : strcmp(flag, "--act") == 0  ? &act
                                                         : NULL;
        /* --save FILE / --load FILE belong to the checkpoint module and plug in here. */
        if (!dst) {
            fprintf(stderr, "arcade model: unknown flag '%s' (expected --game, --algo, --k, --act)\n", flag);
            return 2;
        }
        if (i + 1 >= argc) {
            fprintf(stderr, "arcade model: %s needs a value\n", flag);
            return 2;
        }
        *dst = argv[++i];
    }
    if (!game_name) {
        fprintf(stderr, "arcade model: --game is required (expected one of: %s)\n", arc_game_names());
        return 2;
    }
    const ArcGame *game = arc_game_find(game_name);
    if (!game) {
        fprintf(stderr, "arcade model: --game '%s' is unknown (expected one of: %s)\n", game_name,
                arc_game_names());
        return 2;
    }
    ArcHead head;
    if (strcmp(algo, "a3c") == 0)
        head = ARC_HEAD_A3C;
    else if (strcmp(algo, "dqn") == 0)
        head = ARC_HEAD_DQN;
    else {
        fprintf(stderr, "arcade model: --algo '%s' is unknown (expected a3c or dqn)\n", algo);
        return 2;
    }
    char *end = NULL;
    double k = strtod(k_text, &end);
    if (end == k_text || *end != '\0' || !(k >= ARC_NET_K_MIN && k <= ARC_NET_K_MAX)) {
        fprintf(stderr, "arcade model: --k '%s': expected a number from %g to %g\n", k_text,
                (double)ARC_NET_K_MIN, (double)ARC_NET_K_MAX);
        return 2;
    }
    ArcNetConfig cfg;
    arc_net_config_minatar(&cfg, game_channels(game), head, (float)k);
    if (strcmp(act, "relu") == 0)
        cfg.act = ARC_ACT_RELU;
    else if (strcmp(act, "silu") == 0)
        cfg.act = ARC_ACT_SILU;
    else {
        fprintf(stderr, "arcade model: --act '%s' is unknown (expected relu or silu)\n", act);
        return 2;
    }
    ArcNetPlan plan;
    ArcErr err = {{0}};
    if (arc_net_plan(&plan, &cfg, &err) != ARC_OK) {
        fprintf(stderr, "arcade model: %s\n", err.msg);
        return 2;
    }
    print_plan(&cfg, &plan, game->name);
    return 0;
}
