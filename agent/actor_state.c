/* actor_state.c — an actor's state in checkpoints (see actor_state.h). */
#include "actor_state.h"

#include <stdio.h>

void arc_actor_envs_init(ArcVecEnv *vec, ArcRng *rng, const ArcGame *game, const ArcTrainConfig *cfg,
                         int N, uint64_t env_seed, int index)
{
    ArcEnvConfig env_cfg = arc_env_config_default();
    env_cfg.sticky_prob = cfg->sticky;
    ARC_CHECK(arc_vec_env_init(vec, game, N, &env_cfg, env_seed + (uint64_t)index, NULL) == ARC_OK,
              "vec env");
    arc_vec_env_train_levels(vec, cfg->train_levels);
    arc_rng_seed(rng, arc_vec_env_seed(env_seed + (uint64_t)index, N));
}

void arc_actor_state_add(ArcStWriter *w, int index, ArcEnvSnapshot *snap, const ArcVecEnv *vec,
                         const uint8_t *obs, const ArcRng *rng, uint32_t *words, ArcErr *err)
{
    char name[64];
    snprintf(name, sizeof name, "actor%d.env", index);
    arc_env_snapshot_add(snap, w, name, vec, obs, err);
    snprintf(name, sizeof name, "actor%d.rng", index);
    arc_rng_snapshot_add(w, name, rng, words, err);
}

bool arc_actor_state_present(const ArcStFile *f) { return f && arc_st_tensor(f, "actor0.rng"); }

int arc_actor_state_restore(const ArcStFile *f, int index, ArcVecEnv *vec, uint8_t *obs, ArcRng *rng,
                            ArcErr *err)
{
    char name[64];
    snprintf(name, sizeof name, "actor%d.env", index);
    int status = arc_env_snapshot_restore(f, name, vec, obs, err);
    snprintf(name, sizeof name, "actor%d.rng", index);
    if (!status) status = arc_rng_snapshot_restore(f, name, rng, err);
    return status;
}
