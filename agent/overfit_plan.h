/* overfit_plan.h — what `arcade overfit` runs: the grid of cells and how each is named.
 *
 * A *cell* is one trained network: (width multiplier k, number of training levels N,
 * run r). Its directory is DIR/cells/<name>, name "k<k>-n<N>-r<r>" (k with %g, N a
 * count, "inf" or "off"), e.g. k0.25-n16-r2, k1-ninf-r1. A *group* is (k, N): the runs
 * of one configuration, which the statistics aggregate over. Run r trains with seed
 * seed + r - 1, the same for every (k, N), so groups are compared on common seeds.
 *
 * Levels: N > 0 trains on N fixed level seeds (`train --train-levels N`), N = inf on a
 * fresh level every episode, N = off without level mode (the game's own randomness, no
 * --train-levels flag at all, for builds or games without levels).
 */
#ifndef ARC_OVERFIT_PLAN_H
#define ARC_OVERFIT_PLAN_H

#include <stdbool.h>
#include <stdint.h>

#include "../common/check.h"

#define ARC_OVERFIT_MAX_WIDTHS 16
#define ARC_OVERFIT_MAX_LEVELS 16
#define ARC_OVERFIT_MAX_RUNS 64
#define ARC_OVERFIT_LEVELS_INF (-1)
#define ARC_OVERFIT_LEVELS_OFF 0

typedef struct ArcOverfitPlan {
    char game[32];
    char algo[8];                          /* a3c | dqn */
    char variant[16];                      /* train --variant: standard | procedural */
    double widths[ARC_OVERFIT_MAX_WIDTHS]; /* k, ascending as given */
    int num_widths;
    int64_t levels[ARC_OVERFIT_MAX_LEVELS]; /* N > 0, ARC_OVERFIT_LEVELS_INF or _OFF */
    int num_levels;
    int runs;
    int64_t seed;              /* run r trains with seed + r - 1 */
    int64_t frames;            /* per cell */
    int64_t checkpoints_per_decade; /* train --checkpoint-log */
    int64_t eval_episodes;     /* per evaluation (train levels, test levels) */
    int64_t eval_max_steps;    /* step cap per evaluation episode */
    int64_t probe_episodes;    /* arcade probe --episodes */
    double gpu_min_width;      /* --device gpu: cells with k >= this train with it */
    char device[8];            /* cpu | gpu */
    int jobs;                  /* cells run at once */
    char out[512];
} ArcOverfitPlan;

typedef struct ArcOverfitCell {
    int index;                 /* position in the plan's enumeration */
    double width;
    int64_t levels;
    int run;                   /* 1-based */
    int64_t seed;
    char name[64];
} ArcOverfitCell;

/* The quick and paper presets (game, algo, widths, levels, runs, frames, ...; see
 * docs/OVERFIT.md); "none" leaves the defaults. Returns ARC_ERR_ARG for another name. */
void arc_overfit_plan_defaults(ArcOverfitPlan *plan);
int arc_overfit_plan_preset(ArcOverfitPlan *plan, const char *preset, ArcErr *err);

/* Parses "0.25,0.5,1" into plan->widths (each within the network's k range) and
 * "1,16,inf" (or "off") into plan->levels. The message names flag and the bad item. */
int arc_overfit_parse_widths(ArcOverfitPlan *plan, const char *text, const char *flag, ArcErr *err);
int arc_overfit_parse_levels(ArcOverfitPlan *plan, const char *text, const char *flag, ArcErr *err);

/* "16", "inf" or "off" into buf. */
void arc_overfit_levels_label(int64_t levels, char *buf, size_t size);

/* The number of cells, and cell i (0 <= i < count) in the order width, levels, run, each
 * as given in the plan. (The executor starts the widest first: see overfit_exec.h.) */
int arc_overfit_num_cells(const ArcOverfitPlan *plan);
ArcOverfitCell arc_overfit_cell(const ArcOverfitPlan *plan, int index);

/* The cell's name and directory (DIR/cells/<name>). */
void arc_overfit_cell_name(double width, int64_t levels, int run, char *buf, size_t size);
void arc_overfit_cell_dir(const ArcOverfitPlan *plan, const ArcOverfitCell *cell, char *buf,
                          size_t size);

/* The network size of width k for the plan's game and algorithm (the game
 * must exist): parameters and forward FLOPs per observation. */
void arc_overfit_network_size(const ArcOverfitPlan *plan, double width, int64_t *params,
                              double *flops_per_forward);

#endif
