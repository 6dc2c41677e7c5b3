/* dist_run.c — joining a training run across MPI ranks (see dist_run.h). */
#include "dist_run.h"

#include <stdlib.h>

#include "../common/dist.h"

int arc_run_join_ranks(ArcRun *run, ArcDistLearner **dist, int status, ArcErr *err)
{
    *dist = NULL;
    int agreed = arc_dist_agree(status, err);
    if (agreed) {
        if (!status) arc_run_free(run);
        return agreed;
    }
    ArcDistMode mode;
    ARC_CHECK(arc_dist_mode_parse(run->cfg->dist, &mode), "dist '%s'", run->cfg->dist);
    *dist = arc_xmalloc(sizeof **dist);
    arc_dist_learner_init(*dist, &run->learner, mode, run->cfg->dist_check_every);
    int64_t frames = run->start_frames;
    arc_dist_learner_broadcast(*dist, &frames);
    run->start_frames = frames;
    int64_t rollbacks = run->rollbacks; /* only rank 0 read the checkpoint */
    arc_dist_broadcast(&rollbacks, sizeof rollbacks, 0);
    run->rollbacks = (int)rollbacks;
    atomic_store(&run->frames, frames);
    return ARC_OK;
}

void arc_run_leave_ranks(ArcDistLearner **dist)
{
    if (!*dist) return;
    arc_dist_learner_free(*dist);
    free(*dist);
    *dist = NULL;
}
