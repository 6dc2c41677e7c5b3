/* overfit_exec.h — running the cells of an overfitting harness as child processes.
 *
 * A cell's pipeline (arc_overfit_run_cell), each step skipped when its output exists, so
 * that an interrupted harness continues where it stopped:
 *   1. train: `arcade train ... --out DIR/cells/<name>` (one actor thread, --sync for
 *      A3C on the CPU so a cell is a pure function of its seed; on the GPU A3C trains
 *      with the batched learner, which has no --sync; log-spaced checkpoints via
 *      --checkpoint-log); a cell with a checkpoint but no finished summary.json continues
 *      with `train --resume`;
 *   2. evaluate every checkpoint on the training levels and on the test levels
 *      (`arcade eval --json [--levels train|test]`, into eval/<checkpoint>.{train,test}.json);
 *   3. probe the final network (`arcade probe --json [--levels test]`, into probe.json);
 *   4. write points.csv (overfit_results.h) last: the cell is done.
 * Children run the program named by exe with OPENBLAS_NUM_THREADS=1; their stderr goes
 * to the cell's log.txt, JSON outputs are written to a temporary file and renamed.
 *
 * Processes: arc_overfit_run_all forks one worker per cell, up to plan->jobs at once,
 * widest cells first (longest first keeps the last minutes busy); each worker runs in
 * its own process group, so a Ctrl-C at the terminal reaches only the harness, which
 * then sends one SIGTERM to every running worker's group: train saves its checkpoint and
 * stops, the worker exits without writing points.csv, and a rerun resumes the cell.
 * The caller installs the SIGINT/SIGTERM handler that raises *stop before calling
 * arc_overfit_run_all; the workers inherit it, so their own copy of *stop is raised too
 * and they start no further child.
 */
#ifndef ARC_OVERFIT_EXEC_H
#define ARC_OVERFIT_EXEC_H

#include <signal.h>

#include "overfit_plan.h"
#include "overfit_results.h"

#define ARC_OVERFIT_INTERRUPTED 1 /* a status: the cell was stopped by a signal */

typedef struct ArcOverfitExec {
    const ArcOverfitPlan *plan;
    const char *exe;              /* the arcade program (children run `exe train ...`) */
    bool probe;                   /* run `exe probe` on final networks (false: columns stay empty) */
    bool gpu;                     /* pass --device gpu to cells with k >= plan->gpu_min_width */
    volatile sig_atomic_t *stop;  /* set by a signal handler: stop launching, stop cells */
    bool quiet;                   /* no per-cell lines on stderr */
} ArcOverfitExec;

typedef struct ArcOverfitTally {
    int cells, done_before, done_now, failed, interrupted;
} ArcOverfitTally;

/* True when DIR/cells/<name>/points.csv exists. */
bool arc_overfit_cell_done(const ArcOverfitPlan *plan, const ArcOverfitCell *cell);

/* Runs one cell's pipeline in this process (children for train/eval/probe). Returns
 * ARC_OK when points.csv is written, ARC_OVERFIT_INTERRUPTED when *stop was raised, else a
 * status with a one-line message naming the cell and the step (see its log.txt). */
int arc_overfit_run_cell(const ArcOverfitExec *ex, const ArcOverfitCell *cell, ArcErr *err);

/* Runs every cell of the plan that is not done, up to plan->jobs at once, one line per
 * finished cell on stderr. Fills tally; never stops at a failed cell. */
void arc_overfit_run_all(const ArcOverfitExec *ex, ArcOverfitTally *tally);

#endif
