/* evaluate.c — agents played for return statistics (see evaluate.h). */
#include "evaluate.h"

#include <stdlib.h>

#include "../env/vec_env.h"

ArcEvalConfig arc_eval_config_default(void)
{
    return (ArcEvalConfig){.episodes = 30, .seed = 1000, .sticky = 0.1, .max_steps = 100000};
}

int arc_eval_levels(ArcLevelFamily family, int64_t train_levels, int episodes, uint32_t *levels,
                    ArcErr *err)
{
    if (family == ARC_LEVEL_TRAIN && train_levels == ARC_LEVELS_OFF)
        return arc_err_set(err, ARC_ERR_ARG, "the run has no train levels (train_levels = off)");
    if (family != ARC_LEVEL_TRAIN && episodes > ARC_LEVEL_SET_SIZE)
        return arc_err_set(err, ARC_ERR_ARG, "the %s set has %d levels, not %d",
                           arc_level_family_name(family), ARC_LEVEL_SET_SIZE, episodes);
    for (int i = 0; i < episodes; i++) {
        uint32_t index = (uint32_t)i;
        if (family == ARC_LEVEL_TRAIN && train_levels > 0) index = (uint32_t)(i % train_levels);
        levels[i] = arc_level_seed(family, index);
    }
    return ARC_OK;
}

void arc_eval_run(ArcAgent *agent, const ArcEvalConfig *cfg, const uint32_t *levels,
                  double *returns, int *truncated)
{
    const int E = cfg->episodes;
    ArcEnvConfig env_cfg = arc_env_config_default();
    env_cfg.sticky_prob = cfg->sticky;
    env_cfg.step_cap = cfg->max_steps;
    ArcVecEnv vec;
    ARC_CHECK(arc_vec_env_init(&vec, agent->game, E, &env_cfg, cfg->seed, NULL) == ARC_OK, "vec env");
    if (levels) arc_vec_env_fixed_levels(&vec, levels);
    uint8_t *obs = arc_xmalloc(vec.obs_size * (size_t)E); /* (E, C, 10, 10) */
    int *actions = arc_xmalloc(sizeof(int) * (size_t)E);
    bool *done = arc_xcalloc((size_t)E, sizeof(bool));
    ArcRng rng;
    arc_rng_seed(&rng, arc_vec_env_seed(cfg->seed, E));
    arc_vec_env_reset(&vec, obs);
    *truncated = 0;
    for (int left = E; left > 0;) {
        arc_agent_act(agent, obs, E, &rng, actions, NULL, NULL);
        arc_vec_env_step(&vec, actions, obs, NULL, NULL, NULL, NULL);
        for (int k = 0; k < vec.num_finished; k++) {
            const ArcEpisode *e = &vec.finished[k];
            if (done[e->env]) continue;
            done[e->env] = true;
            returns[e->env] = (double)e->ret;
            *truncated += e->truncated;
            left--;
        }
    }
    free(obs), free(actions), free(done);
    arc_vec_env_free(&vec);
}
