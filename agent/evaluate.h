/* evaluate.h — playing a trained agent for return statistics: what `arcade eval` does,
 * callable in-process (the overfitting harness evaluates many checkpoints).
 *
 * Episode i runs on an env seeded arc_vec_env_seed(seed, i) (all E as one batch; each
 * env's first episode counts), with the agent's actions drawn from a stream seeded
 * arc_vec_env_seed(seed, E). With levels, episode i plays levels[i] (level mode,
 * env/level.h): the env seed then drives only the sticky draws.
 */
#ifndef ARC_EVALUATE_H
#define ARC_EVALUATE_H

#include "../env/level.h"
#include "agent.h"

typedef struct ArcEvalConfig {
    int episodes;      /* E >= 1 */
    uint64_t seed;     /* base seed of the episodes' envs */
    double sticky;     /* sticky-action probability */
    int64_t max_steps; /* step cap per episode (capped episodes count as truncated) */
} ArcEvalConfig;

/* sticky 0.1, 30 episodes, seed 1000 (away from the training seeds), cap 100,000. */
ArcEvalConfig arc_eval_config_default(void);

/* The level of each of E episodes on a level set: validation or test level i (E at most
 * ARC_LEVEL_SET_SIZE), or train level i mod N for a run with train_levels N (train level
 * i with ARC_LEVELS_INF). Writes levels (E). Returns ARC_OK, or ARC_ERR_ARG with a
 * message ("the test set has 1000 levels, not 1001", "the run has no train levels
 * (train_levels = off)"). */
int arc_eval_levels(ArcLevelFamily family, int64_t train_levels, int episodes, uint32_t *levels,
                    ArcErr *err);

/* Plays cfg->episodes episodes with agent (max_batch >= E), on levels (E) or, with
 * levels NULL, in the default mode. Writes returns (E) and the number of truncated
 * episodes. */
void arc_eval_run(ArcAgent *agent, const ArcEvalConfig *cfg, const uint32_t *levels,
                  double *returns, int *truncated);

#endif
