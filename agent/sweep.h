/* sweep.h — many training runs from one file: `arcade sweep FILE.ini`.
 *
 * Three steps, each usable alone so that the runs can later be spread over MPI ranks:
 *   1. arc_sweep_plan     parses the sweep file into the list of runs (every error is
 *                         reported as FILE:LINE before anything runs);
 *   2. arc_sweep_execute  runs the runs with index i % stride == first as child processes
 *                         (`arcade train`), skipping finished ones and resuming unfinished
 *                         ones from their last checkpoint;
 *   3. arc_sweep_report   reads the run directories and writes results.csv, results.md and
 *                         curves.png into the sweep directory.
 *
 * The sweep file (INI, see README.md "Sweeps"):
 *   [sweep]          out = DIR (the sweep directory; default sweeps/<file name>)
 *   [base]           train keys (`key = value`, checked as `train --config` checks them)
 *                    and config = FILE (a train config applied first)
 *   [setup NAME]   optional, repeatable: keys (and config = FILE) on top of [base]; every
 *                    setup is crossed with the grid
 *   [grid]           axes: `key = v1, v2, A..B` (A..B: the integers A to B); the runs are
 *                    the cartesian product of all axes (and the setups)
 * A run's directory under the sweep directory is named after its values, in file order
 * with the seed last: "algo=dqn,lr=0.001,seed=2"; its configuration (the same name
 * without the seed) groups the runs that differ only by seed.
 */
#ifndef ARC_SWEEP_H
#define ARC_SWEEP_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "../common/check.h"
#include "train_config.h"

#define ARC_SWEEP_MAX_RUNS 10000
#define ARC_SWEEP_MAX_COLUMNS 32  /* setup + grid axes */
#define ARC_SWEEP_NAME_MAX 200    /* characters in a run's directory name */
#define ARC_SWEEP_OUT_MAX 300     /* characters in the sweep directory's path */

typedef struct ArcSweepRun {
    char name[ARC_SWEEP_NAME_MAX + 1];  /* directory under the sweep's out */
    char group[ARC_SWEEP_NAME_MAX + 1]; /* its configuration: name without the seed */
    int group_index;                    /* 0 .. num_groups-1, in plan order */
    const char *values[ARC_SWEEP_MAX_COLUMNS]; /* text of each column (owned by the plan) */
    ArcTrainConfig cfg;                 /* complete (finished); cfg.out is the run directory */
    char *config_text;                  /* cfg as config.ini text: what run.ini holds */
    int line;                           /* the last sweep-file line that shaped this run */
} ArcSweepRun;

typedef struct ArcSweepPlan {
    char path[512];                   /* the sweep file */
    char out[ARC_SWEEP_OUT_MAX + 1];  /* the sweep directory */
    int num_columns;                  /* "setup" (if any) then the grid axes but seed */
    char columns[ARC_SWEEP_MAX_COLUMNS][48];
    int num_runs, num_groups;
    ArcSweepRun *runs;                /* (num_runs), setups outermost, seed innermost */
    char *errors;                     /* after a failed plan: every error found, one a line */
    char **pool;                      /* strings the runs point into */
    int pool_count, pool_cap;
} ArcSweepPlan;

/* Reads and plans the sweep file at path. out_override (may be NULL) replaces the file's
 * [sweep] out. On error returns ARC_ERR_* with the first "FILE:LINE: message" in err and
 * every error (up to 20) in plan->errors; either way free with arc_sweep_plan_free. */
int arc_sweep_plan(ArcSweepPlan *plan, const char *path, const char *out_override, ArcErr *err);

/* The same from text in memory (len bytes; need not end in NUL); path names the file in
 * messages and anchors relative `config = FILE` includes. */
int arc_sweep_plan_text(ArcSweepPlan *plan, const char *text, size_t len, const char *path,
                        const char *out_override, ArcErr *err);

void arc_sweep_plan_free(ArcSweepPlan *plan);

/* Whether two config.ini texts differ other than in their `out = ` lines; if so, the
 * first differing lines (or "(end)") go into a and b. */
bool arc_sweep_config_differs(const char *x, const char *y, char *a, size_t a_size, char *b,
                              size_t b_size);

/* What a run directory says about its run. */
typedef enum {
    ARC_SWEEP_PENDING,     /* nothing yet */
    ARC_SWEEP_UNFINISHED,  /* started (or stopped) before its last frame; resumes */
    ARC_SWEEP_FAILED,      /* its last attempt failed: DIR/error.txt */
    ARC_SWEEP_DONE,        /* summary.json of a complete run */
} ArcSweepState;

typedef struct ArcSweepOutcome {
    ArcSweepState state;
    int64_t frames;          /* from summary.json (done runs) */
    double wall_seconds;     /* training time over all its sessions (metrics.csv) */
    double return_mean100;   /* final mean return of the last 100 episodes */
    bool has_checkpoint;     /* checkpoints/latest.safetensors exists */
    char error[256];         /* failed: the first line of error.txt */
} ArcSweepOutcome;

void arc_sweep_outcome(const ArcSweepRun *run, ArcSweepOutcome *out);
const char *arc_sweep_state_name(ArcSweepState state); /* "pending", "done", ... */

/* Run directories that already hold a run of another configuration (the sweep file
 * changed under them): returns the number found (0: consistent) and writes one line per
 * conflict, "DIR: ... lr = 0.002 there, 0.001 in FILE ...", into messages (malloc'd, or
 * NULL when 0; free it). Reads only. */
int arc_sweep_conflicts(const ArcSweepPlan *plan, char **messages);

typedef struct ArcSweepExecOptions {
    const char *exe;      /* the arcade binary to run as `EXE train ...` */
    int jobs;             /* runs at once (>= 1) */
    int first, stride;    /* this process executes runs i with i % stride == first */
    atomic_bool *stop;    /* polled (may be NULL): when set, nothing new starts and the
                             running runs get SIGTERM (they checkpoint and stop) */
    FILE *log;            /* one line per run start/finish/failure; NULL: quiet */
    bool bar;             /* draw an overall progress bar on log if it is a terminal */
} ArcSweepExecOptions;

typedef struct ArcSweepCounts {
    int done, failed, unfinished, pending; /* arc_sweep_report: over all runs */
    int skipped, ran;                      /* arc_sweep_execute: already done / started */
} ArcSweepCounts;

/* Executes this process's share of the runs, `jobs` at a time, each as
 * `EXE train --config DIR/run.ini --out DIR --force` (or `--resume DIR` when a checkpoint
 * exists) with OPENBLAS_NUM_THREADS=1, stdout and stderr going to DIR/train.log. Finished
 * runs are skipped; a run whose DIR/sweep.lock another process holds (flock: another sweep
 * or rank running it) is left alone and counted as unfinished. A failed run (non-zero exit, signal) gets DIR/error.txt (the exit
 * status and the tail of train.log) and the others go on. Returns ARC_ERR_IO only when the
 * sweep directory cannot be created; counts->failed says whether runs failed. */
int arc_sweep_execute(const ArcSweepPlan *plan, const ArcSweepExecOptions *opt,
                      ArcSweepCounts *counts, ArcErr *err);

/* Reads every run directory of the plan and writes OUT/results.csv (one row per run),
 * OUT/results.md (one row per configuration: mean, IQM with a bootstrap 95% CI over
 * seeds, seeds, wall time) and OUT/curves.png (gnuplot; when it cannot be drawn, *note
 * says why and the tables are still written). */
int arc_sweep_report(const ArcSweepPlan *plan, ArcSweepCounts *counts, char *note,
                     size_t note_size, ArcErr *err);

/* Default --jobs: cores / the most actor threads of any run, at least 1. */
int arc_sweep_default_jobs(const ArcSweepPlan *plan);

#endif
