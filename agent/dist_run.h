/* dist_run.h — a training run (run.h) made by several MPI ranks together.
 *
 * A synchronous trainer that runs across ranks calls arc_run_join_ranks right after
 * arc_run_init on every rank, then makes its updates through the returned learner
 * exchange (learner/dist_learner.h) instead of arc_learner_apply_sum, and frees it with
 * arc_run_leave_ranks. Rank 0 is the run's writer (run.h); it alone resumes, and its
 * learner and frame count are what every rank starts from.
 */
#ifndef ARC_DIST_RUN_H
#define ARC_DIST_RUN_H

#include "../learner/dist_learner.h"
#include "run.h"

/* Collective, on every rank with the status of its arc_run_init: all learn whether all
 * could start (if not, the run is freed where it was set up and a status returned: this
 * rank's own, or one naming the rank that failed). Then rank 0's parameters, optimizer
 * statistics, version and frame count replace the others', and *dist is the exchange
 * for run->cfg->dist and dist_check_every. */
int arc_run_join_ranks(ArcRun *run, ArcDistLearner **dist, int status, ArcErr *err);

/* Frees *dist (NULL is fine) and sets it to NULL. */
void arc_run_leave_ranks(ArcDistLearner **dist);

#endif
