/* cmd_model.c — `arcade model`: what a network is, and what a checkpoint holds.
 *
 *   arcade model --game G [--algo a3c|dqn] [--k K] [--act relu|silu] [--save FILE] [--seed S]
 *       prints the network a game and algorithm get as a table (layer, shapes,
 *       parameters, FLOPs per forward) with totals; --save writes it, freshly initialised
 *       from --seed, as a checkpoint (learner/checkpoint.h).
 *   arcade model --load FILE
 *       prints the checkpoint's metadata, tensors and network, or one line saying what is
 *       wrong with the file.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../common/args.h"
#include "../common/safetensors.h"
#include "../env/game.h"
#include "../kernels/net.h"
#include "../learner/checkpoint.h"
#include "commands.h"

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
    const char *head = cfg->head == ARC_HEAD_A3C ? "a3c (policy + value)"
                       : cfg->dueling            ? "dueling dqn (advantages + value -> Q values)"
                                                 : "dqn (Q values)";
    printf("network for %s (C=%d), %s head, k=%g, %s; layout channels-last (H, W, C)\n", game,
           cfg->in_channels, head, (double)cfg->k, cfg->act == ARC_ACT_SILU ? "silu" : "relu");
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
            snprintf(kind, sizeof kind, "%s", cfg->head == ARC_HEAD_A3C ? "policy+value"
                                              : cfg->dueling           ? "advantages+value"
                                                                       : "q values");
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
        if (l->kind == ARC_LAYER_HEAD && (cfg->head == ARC_HEAD_A3C || cfg->dueling))
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

/* Prints what FILE holds: the file's metadata and tensors, then its network. */
static int describe_checkpoint(const char *cmd, const char *path)
{
    ArcErr err;
    ArcCheckpoint ck;
    if (arc_checkpoint_load(path, &ck, &err)) {
        fprintf(stderr, "%s: %s\n", cmd, err.msg);
        return 1;
    }
    arc_st_describe(ck.file, stdout);
    ArcNetPlan plan;
    arc_net_plan(&plan, &ck.net, NULL);
    printf("\n");
    print_plan(&ck.net, &plan, ck.game);
    arc_checkpoint_free(&ck);
    return 0;
}

/* Writes a freshly initialised network as a checkpoint (no optimizer state). */
static int save_fresh(const char *cmd, const char *path, const ArcNetConfig *cfg, const char *game,
                      const char *algo, uint32_t seed)
{
    ArcErr err;
    ArcNet *net = arc_net_init(cfg, arc_backend_cpu(), 1, seed, &err);
    if (!net) {
        fprintf(stderr, "%s: %s\n", cmd, err.msg);
        return 2;
    }
    ArcCheckpoint ck = {.net = *cfg, .num_params = net->num_params};
    ck.params = arc_xmalloc(net->num_params * sizeof(float));
    arc_net_get_params(net, ck.params);
    snprintf(ck.algo, sizeof ck.algo, "%s", algo);
    snprintf(ck.game, sizeof ck.game, "%s", game);
    int status = arc_checkpoint_save(path, &ck, &err);
    if (status) fprintf(stderr, "%s: %s\n", cmd, err.msg);
    else printf("wrote %s (%zu parameters, seed %u)\n", path, ck.num_params, seed);
    free(ck.params);
    arc_net_free(net);
    return status ? 1 : 0;
}

int arc_cmd_model(int argc, char **argv)
{
    const char *cmd = argv[0], *game_name = NULL, *algo = "a3c", *act = "relu", *save = NULL,
               *load = NULL;
    bool dueling = false;
    double k = 1;
    int64_t seed = 1;
    ArcFlag flags[] = {
        {"game", ARC_FLAG_STRING, &game_name, 1, 0,
         "asterix, breakout, freeway, seaquest or space_invaders", false},
        {"algo", ARC_FLAG_STRING, &algo, 1, 0, "a3c (policy + value head, default) or dqn", false},
        {"dueling", ARC_FLAG_BOOL, &dueling, 1, 0, "dqn only: the dueling head (advantages + value)", false},
        {"k", ARC_FLAG_DOUBLE, &k, ARC_NET_K_MIN, ARC_NET_K_MAX,
         "width multiplier from 0.125 to 16 (default 1: MinAtar's network)", false},
        {"act", ARC_FLAG_STRING, &act, 1, 0, "hidden activation: relu (default) or silu", false},
        {"save", ARC_FLAG_STRING, &save, 1, 0, "write the freshly initialised network here", false},
        {"seed", ARC_FLAG_INT, &seed, 0, 4294967295.0, "initialisation seed for --save (1)", false},
        {"load", ARC_FLAG_STRING, &load, 1, 0, "print what this checkpoint holds instead", false},
    };
    int parsed = arc_args_parse(argc, argv, flags, 8,
                                "arcade model --game G [--algo a3c|dqn] [--dueling] [--k K] [--act relu|silu] "
                                "[--save FILE] | --load FILE");
    if (parsed) return parsed == ARC_ARGS_HELP ? 0 : 2;
    if (load) return describe_checkpoint(cmd, load);
    if (!game_name) {
        fprintf(stderr, "%s: --game is required (expected one of: %s)\n", cmd, arc_game_names());
        return 2;
    }
    const ArcGame *game = arc_cli_game(cmd, game_name);
    if (!game) return 2;
    if (strcmp(algo, "a3c") != 0 && strcmp(algo, "dqn") != 0) {
        fprintf(stderr, "%s: --algo '%s' is unknown (expected a3c or dqn)\n", cmd, algo);
        return 2;
    }
    if (strcmp(act, "relu") != 0 && strcmp(act, "silu") != 0) {
        fprintf(stderr, "%s: --act '%s' is unknown (expected relu or silu)\n", cmd, act);
        return 2;
    }
    if (dueling && strcmp(algo, "dqn") != 0) {
        fprintf(stderr, "%s: --dueling is a DQN head (add --algo dqn)\n", cmd);
        return 2;
    }
    ArcNetConfig cfg;
    arc_net_config_minatar(&cfg, game->channels, strcmp(algo, "a3c") == 0 ? ARC_HEAD_A3C : ARC_HEAD_DQN,
                           (float)k);
    cfg.act = strcmp(act, "silu") == 0 ? ARC_ACT_SILU : ARC_ACT_RELU;
    cfg.dueling = dueling;
    ArcNetPlan plan;
    ArcErr err = {{0}};
    if (arc_net_plan(&plan, &cfg, &err) != ARC_OK) {
        fprintf(stderr, "%s: %s\n", cmd, err.msg);
        return 2;
    }
    print_plan(&cfg, &plan, game->name);
    return save ? save_fresh(cmd, save, &cfg, game->name, algo, (uint32_t)seed) : 0;
}
