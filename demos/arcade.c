/* arcade.c — the single program: `arcade <command> [flags]`.
 *
 * Started by an MPI launcher, the MPI build (bin/arcade-mpi) joins the MPI world first
 * and leaves it last (common/dist.h); the plain build refuses a multi-rank launch.
 *
 * SIGXFSZ is ignored, so that a file-size limit (`ulimit -f`) makes a write fail with
 * EFBIG, which every writer reports with the file's name, instead of killing the program
 * mid-write. What a command printed to stdout is checked at the end: a failed write (a
 * full disk behind a redirection) is one line on stderr and exit status 1. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../common/dist.h"
#include "../agent/evaluate.h"
#include "commands.h"

typedef struct Command {
    const char *name;
    int (*run)(int argc, char **argv);
    const char *summary;
} Command;

static const Command commands[] = {
    {"train", arc_cmd_train, "train an agent (A3C) and write a run directory"},
    {"eval", arc_cmd_eval, "evaluate a checkpoint over fixed-seed episodes"},
    {"play", arc_cmd_play, "play a game yourself in a window"},
    {"watch", arc_cmd_watch, "watch an agent play in a window"},
    {"trace", arc_cmd_trace, "replay a conformance trace's actions and print our trace"},
    {"bench", arc_cmd_bench, "measure throughput: bench env | kernels | train | dist"},
    {"model", arc_cmd_model, "print a network's layers, or what a checkpoint holds"},
    {"overfit", arc_cmd_overfit, "capacity against overfitting: train a grid of widths and levels"},
    {"sweep", arc_cmd_sweep, "run many training runs from a sweep file, with their results"},
    {"probe", arc_cmd_probe, "measure a checkpoint: norms, kappa, precision, FGSM robustness"},
};
#define NUM_COMMANDS (int)(sizeof commands / sizeof commands[0])

const ArcGame *arc_cli_game(const char *cmd, const char *name)
{
    const ArcGame *game = arc_game_find(name);
    if (!game)
        fprintf(stderr, "%s: unknown game '%s' for --game (expected one of: %s)\n", cmd, name,
                arc_game_names());
    return game;
}

const ArcGame *arc_cli_variant(const char *cmd, const ArcGame *game, const char *variant)
{
    const ArcGame *found = arc_game_find_variant(game->name, variant);
    if (!found)
        fprintf(stderr, "%s: --variant: game %s has no variant '%s' (standard, or procedural for "
                        "breakout and space_invaders)\n", cmd, game->name, variant);
    return found;
}

uint32_t *arc_cli_levels(const char *cmd, const char *set, int64_t train_levels, int episodes,
                         const char *checkpoint)
{
    ArcLevelFamily family;
    ArcErr why;
    if (!arc_level_family_parse(set, &family)) {
        fprintf(stderr, "%s: --levels expects train, val or test, got '%s'\n", cmd, set);
        return NULL;
    }
    uint32_t *levels = arc_xmalloc((size_t)episodes * sizeof *levels);
    if (arc_eval_levels(family, train_levels, episodes, levels, &why)) {
        fprintf(stderr, "%s: --levels %s with --episodes %d: %s (%s)\n", cmd, set, episodes, why.msg,
                checkpoint);
        free(levels);
        return NULL;
    }
    return levels;
}

static void usage(FILE *out)
{
    fprintf(out, "usage: arcade <command> [flags]   (arcade <command> --help for its flags)\n\n");
    for (int i = 0; i < NUM_COMMANDS; i++)
        fprintf(out, "  %-8s %s\n", commands[i].name, commands[i].summary);
}

static int run_command(int argc, char **argv)
{
    signal(SIGXFSZ, SIG_IGN);
    if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
        usage(argc < 2 ? stderr : stdout);
        return argc < 2 ? 2 : 0;
    }
    for (int i = 0; i < NUM_COMMANDS; i++) {
        if (strcmp(argv[1], commands[i].name) != 0) continue;
        char name[64]; /* argv[0] of the command: "arcade trace", used in its messages */
        snprintf(name, sizeof name, "arcade %s", commands[i].name);
        argv[1] = name;
        int status = commands[i].run(argc - 1, argv + 1);
        errno = 0;
        if ((fflush(stdout) != 0 || ferror(stdout)) && status == 0) { /* else already said */
            fprintf(stderr, "%s: writing to standard output failed: %s\n", name,
                    strerror(errno ? errno : EIO));
            return 1;
        }
        return status;
    }
    fprintf(stderr, "arcade: unknown command '%s' (expected one of:", argv[1]);
    for (int i = 0; i < NUM_COMMANDS; i++) fprintf(stderr, "%s %s", i ? "," : "", commands[i].name);
    fprintf(stderr, ")\n");
    return 2;
}

int main(int argc, char **argv)
{
    ArcErr err;
    if (arc_dist_init(&argc, &argv, &err)) {
        fprintf(stderr, "arcade: %s\n", err.msg);
        return 2;
    }
    int status = run_command(argc, argv);
    arc_dist_finalize();
    return status;
}
