/* commands.h — the subcommands of bin/arcade. Each returns the process exit status:
 * 0 success, 1 runtime failure, 2 bad usage (a one-line message has been printed). */
#ifndef ARC_COMMANDS_H
#define ARC_COMMANDS_H

#include "../env/game.h"

int arc_cmd_trace(int argc, char **argv);
int arc_cmd_bench(int argc, char **argv);
int arc_cmd_play(int argc, char **argv);
int arc_cmd_watch(int argc, char **argv);
int arc_cmd_model(int argc, char **argv);
int arc_cmd_train(int argc, char **argv);
int arc_cmd_eval(int argc, char **argv);
int arc_cmd_overfit(int argc, char **argv);
int arc_cmd_sweep(int argc, char **argv);
int arc_cmd_probe(int argc, char **argv);

/* The game named by --game, or NULL after printing "<cmd>: unknown game 'X' for --game
 * (expected one of: ...)". */
const ArcGame *arc_cli_game(const char *cmd, const char *name);
/* game in the variant named by --variant, or NULL after printing "<cmd>: --variant: game G
 * has no variant 'X' (...)". */
const ArcGame *arc_cli_variant(const char *cmd, const ArcGame *game, const char *variant);

/* The levels (episodes) of --levels train|val|test for a checkpoint trained with
 * train_levels (agent/evaluate.h: arc_eval_levels), caller frees; or NULL after printing
 * "<cmd>: --levels expects train, val or test, got 'X'" or "<cmd>: --levels S with
 * --episodes E: <why> (<checkpoint>)" (a usage error: exit 2). */
uint32_t *arc_cli_levels(const char *cmd, const char *set, int64_t train_levels, int episodes,
                         const char *checkpoint);

/* bench subcommands, dispatched by arc_cmd_bench */
int arc_bench_env(int argc, char **argv);
int arc_bench_kernels(int argc, char **argv);
int arc_bench_train(int argc, char **argv);
int arc_bench_dist(int argc, char **argv);

#endif
