/* train.h — what every training algorithm takes and returns, and the dispatcher.
 *
 * A run is described by an ArcTrainConfig (train_config.h); the caller adds how to run
 * it (ArcTrainOptions: a stop flag for Ctrl-C, resume, quiet, a wall-clock limit) and
 * gets back an ArcTrainResult. Both algorithms write the same run directory
 * (run_log.h) and checkpoints (learner/checkpoint.h).
 */
#ifndef ARC_TRAIN_H
#define ARC_TRAIN_H

#include <stdatomic.h>

#include "../env/game.h"
#include "train_config.h"

typedef struct ArcTrainOptions {
    const ArcGame *game;  /* overrides cfg->game when non-NULL (tests use tiny games) */
    atomic_bool *stop;    /* polled; NULL: never */
    bool resume;          /* continue from cfg->out/checkpoints/latest.safetensors */
    bool quiet;           /* no progress output */
    double metrics_every; /* seconds between metrics rows (default 1 when 0) */
    double max_seconds;   /* > 0: stop after this much wall time (benchmarks) */
    bool local;           /* train in this process alone even when it is one of several MPI
                             ranks (tests); otherwise a multi-rank world trains one agent
                             data-parallel (cfg->dist, learner/dist_learner.h) */
} ArcTrainOptions;

typedef struct ArcTrainResult {
    int64_t start_frames;  /* frames already done when this call began (resumed runs) */
    int64_t frames;
    int64_t updates;
    int64_t episodes;
    double wall_seconds;
    double frames_per_second;
    double final_return_mean100;
    bool interrupted;
    uint64_t params_fingerprint; /* arc_dist_fingerprint of the final parameters (all ranks) */
    char checkpoint[600]; /* the final checkpoint's path */
} ArcTrainResult;

/* Runs cfg->algo (a3c.h or dqn.h). In a world of several MPI ranks (common/dist.h),
 * unless options->local, every rank must call it with the same cfg: A3C with cfg->sync
 * then trains one agent across the ranks and only rank 0 writes cfg->out; anything else
 * is refused with a message. */
int arc_train(const ArcTrainConfig *cfg, const ArcTrainOptions *options, ArcTrainResult *result,
              ArcErr *err);

#endif
