/* vec_env.c — batched envs with auto-reset and episode records (see vec_env.h). */
#include "vec_env.h"

#include <stdlib.h>
#include <string.h>

uint32_t arc_vec_env_seed(uint64_t base_seed, int index)
{
    return (uint32_t)(arc_splitmix64((base_seed << 32) + (uint64_t)index) >> 32);
}

int arc_vec_env_init(ArcVecEnv *vec, const ArcGame *game, int num_envs, const ArcEnvConfig *cfg,
                     uint64_t seed, ArcErr *err)
{
    memset(vec, 0, sizeof *vec);
    if (num_envs < 1)
        return arc_err_set(err, ARC_ERR_ARG, "a batch needs at least 1 env, got %d", num_envs);
    vec->game = game;
    vec->num_envs = num_envs;
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
    memset(vec, 0, sizeof *vec);
}

void arc_vec_env_reset(ArcVecEnv *vec, uint8_t *obs)
{
    for (int i = 0; i < vec->num_envs; i++) {
        arc_env_reset(&vec->envs[i]);
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
                .truncated = env->truncated};
            vec->total_episodes++;
            arc_env_reset(env);
        }
        arc_env_observe(env, obs + vec->obs_size * (size_t)i);
    }
    vec->total_steps += vec->num_envs;
}
