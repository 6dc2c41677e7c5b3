/* vec_env.c — batched envs with auto-reset and episode records (see vec_env.h). */
#include "vec_env.h"

#include <stdlib.h>
#include <string.h>

#include "level.h"

uint32_t arc_vec_env_seed(uint64_t base_seed, int index)
{
    return (uint32_t)(arc_splitmix64((base_seed << 32) + (uint64_t)index) >> 32);
}

uint32_t arc_vec_env_level_seed(uint64_t base_seed)
{
    return (uint32_t)(arc_splitmix64(arc_splitmix64(base_seed) ^ 0x6c6576656cull) >> 32);
}

int arc_vec_env_init(ArcVecEnv *vec, const ArcGame *game, int num_envs, const ArcEnvConfig *cfg,
                     uint64_t seed, ArcErr *err)
{
    memset(vec, 0, sizeof *vec);
    if (num_envs < 1)
        return arc_err_set(err, ARC_ERR_ARG, "a batch needs at least 1 env, got %d", num_envs);
    vec->game = game;
    vec->num_envs = num_envs;
    vec->seed = seed;
    vec->obs_size = (size_t)game->channels * ARC_GRID * ARC_GRID;
    vec->state_stride = (game->state_bytes + 63) / 64 * 64;
    vec->states = arc_xaligned(64, vec->state_stride * (size_t)num_envs);
    memset(vec->states, 0, vec->state_stride * (size_t)num_envs);
    vec->envs = arc_xcalloc((size_t)num_envs, sizeof *vec->envs);
    vec->finished = arc_xcalloc((size_t)num_envs, sizeof *vec->finished);
    for (int i = 0; i < num_envs; i++)
        arc_env_init(&vec->envs[i], game, cfg, vec->states + vec->state_stride * (size_t)i,
                     arc_vec_env_seed(seed, i));
    return ARC_OK;
}

void arc_vec_env_free(ArcVecEnv *vec)
{
    free(vec->states);
    free(vec->envs);
    free(vec->finished);
    free(vec->fixed_levels);
    memset(vec, 0, sizeof *vec);
}

void arc_vec_env_train_levels(ArcVecEnv *vec, int64_t train_levels)
{
    ARC_CHECK(train_levels == ARC_LEVELS_INF || (train_levels >= 0 && train_levels <= ARC_LEVEL_TRAIN_MAX),
              "train_levels %lld", (long long)train_levels);
    if (train_levels == ARC_LEVELS_OFF) return;
    vec->train_levels = train_levels;
    arc_rng_seed(&vec->level_rng, arc_vec_env_level_seed(vec->seed));
}

void arc_vec_env_fixed_levels(ArcVecEnv *vec, const uint32_t *levels)
{
    size_t bytes = (size_t)vec->num_envs * sizeof *levels;
    if (!vec->fixed_levels) vec->fixed_levels = arc_xmalloc(bytes);
    memcpy(vec->fixed_levels, levels, bytes);
}

/* Resets env i, first giving it its next level in level mode. */
static void start_episode(ArcVecEnv *vec, int i)
{
    ArcEnv *env = &vec->envs[i];
    if (vec->fixed_levels) {
        arc_env_set_level(env, vec->fixed_levels[i]);
    } else if (vec->train_levels == ARC_LEVELS_INF) {
        arc_env_set_level(env, arc_rng_u32(&vec->level_rng) & (ARC_LEVEL_TRAIN_MAX - 1));
    } else if (vec->train_levels > 0) {
        arc_env_set_level(env, (uint32_t)arc_rng_int(&vec->level_rng, 0, vec->train_levels));
    }
    arc_env_reset(env);
}

void arc_vec_env_reset(ArcVecEnv *vec, uint8_t *obs)
{
    for (int i = 0; i < vec->num_envs; i++) {
        start_episode(vec, i);
        arc_env_observe(&vec->envs[i], obs + vec->obs_size * (size_t)i);
    }
    vec->num_finished = 0;
}

void arc_vec_env_step(ArcVecEnv *vec, const int *actions, uint8_t *obs, float *rewards,
                      uint8_t *terminals, uint8_t *truncations, uint8_t *final_obs)
{
    vec->num_finished = 0;
    for (int i = 0; i < vec->num_envs; i++) {
        ArcEnv *env = &vec->envs[i];
        int reward = arc_env_step(env, actions[i]);
        if (rewards) rewards[i] = (float)reward;
        if (terminals) terminals[i] = env->terminal;
        if (truncations) truncations[i] = env->truncated;
        if (arc_env_done(env)) {
            if (final_obs) arc_env_observe(env, final_obs + vec->obs_size * (size_t)i);
            vec->finished[vec->num_finished++] = (ArcEpisode){
                .env = i, .ret = env->episode_return, .length = env->steps,
                .truncated = env->truncated, .level = env->level_mode ? (int64_t)env->level : -1};
            vec->total_episodes++;
            start_episode(vec, i);
        }
        arc_env_observe(env, obs + vec->obs_size * (size_t)i);
    }
    vec->total_steps += vec->num_envs;
}
