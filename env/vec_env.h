/* vec_env.h — a batch of N envs of one game stepped together.
 *
 * All N game states live in one slab; observations are written straight into a
 * caller-provided (N, C, 10, 10) uint8 buffer. An env whose episode ends (terminal, or
 * truncated by the step cap) is reset at once inside the same step (auto-reset): that
 * step's reward and done flags describe the last step of the old episode, while its
 * observation is already the first one of the new episode. Each finished episode is
 * recorded (return, length, truncated) in `finished` for the caller to read after the
 * step. Stepping allocates nothing.
 *
 * Seeding: env i of a batch with base seed S gets the 32-bit MT19937 seed
 * arc_vec_env_seed(S, i) = high 32 bits of splitmix64(S * 2^32 + i). The same S gives
 * the same streams; envs keep their stream across episodes (no re-seeding on reset).
 * One batch is owned by one thread.
 *
 * Levels (level.h; off unless asked for): arc_vec_env_train_levels puts every env in
 * level mode (env.h: its own stream keeps only the sticky draws) and gives each episode,
 * at every reset and auto-reset, a train level drawn from the batch's level stream: with
 * N levels an index uniform in [0, N) (no draw when N = 1), with ARC_LEVELS_INF a fresh
 * uniform 31-bit index. The level stream is seeded with arc_vec_env_level_seed(S), apart
 * from every env's stream; envs draw in index order (all N at reset, then the finished
 * ones of each step in index order), so the same S gives the same levels.
 * arc_vec_env_fixed_levels instead pins env i to one level for all its episodes (eval).
 */
#ifndef ARC_VEC_ENV_H
#define ARC_VEC_ENV_H

#include "../common/check.h"
#include "env.h"

typedef struct ArcEpisode {
    int env;          /* index of the env in the batch */
    int64_t ret;      /* sum of rewards */
    int64_t length;   /* steps */
    bool truncated;   /* ended by the step cap rather than by the game */
    int64_t level;    /* the level seed it played, or -1 outside level mode */
} ArcEpisode;

typedef struct ArcVecEnv {
    const ArcGame *game;
    int num_envs;            /* N */
    size_t obs_size;         /* C * 10 * 10 bytes per env */
    ArcEnv *envs;            /* (N) */
    unsigned char *states;   /* (N, stride) game states */
    size_t state_stride;
    ArcEpisode *finished;    /* (N) episodes that ended during the last step */
    int num_finished;
    int64_t total_steps;     /* env steps taken by the batch */
    int64_t total_episodes;  /* episodes finished by the batch */
    uint64_t seed;           /* the base seed S */
    /* levels: ARC_LEVELS_OFF, a train-level count N or ARC_LEVELS_INF */
    int64_t train_levels;
    uint32_t *fixed_levels;  /* (N) or NULL: env i always plays fixed_levels[i] */
    ArcRng level_rng;        /* draws the train level of each episode */
} ArcVecEnv;

uint32_t arc_vec_env_seed(uint64_t base_seed, int index);
/* The seed of the level stream of a batch with base seed S: the high 32 bits of
 * splitmix64(splitmix64(S) ^ 0x6c6576656c) ("level"). */
uint32_t arc_vec_env_level_seed(uint64_t base_seed);

/* Allocates the batch and seeds env i with arc_vec_env_seed(seed, i); does not reset.
 * Returns ARC_ERR_ARG (with a message) for num_envs < 1. Free with arc_vec_env_free. */
int arc_vec_env_init(ArcVecEnv *vec, const ArcGame *game, int num_envs, const ArcEnvConfig *cfg,
                     uint64_t seed, ArcErr *err);
void arc_vec_env_free(ArcVecEnv *vec);

/* Level mode for the whole batch, before the first reset: each episode plays a train level
 * drawn as described above. train_levels is N >= 1 or ARC_LEVELS_INF; ARC_LEVELS_OFF
 * leaves the batch as it is. */
void arc_vec_env_train_levels(ArcVecEnv *vec, int64_t train_levels);
/* Level mode with env i playing levels[i] (N) in every episode (copied). */
void arc_vec_env_fixed_levels(ArcVecEnv *vec, const uint32_t *levels);
static inline bool arc_vec_env_has_levels(const ArcVecEnv *vec)
{
    return vec->train_levels != 0 || vec->fixed_levels;
}

/* Resets every env and writes the first observations. */
void arc_vec_env_reset(ArcVecEnv *vec, uint8_t *obs /* (N, C, 10, 10) */);

/* Steps env i with actions[i] (0..5), writes rewards, done flags and observations, and
 * auto-resets finished envs (see above). For an env whose episode ended this step,
 * final_obs row i receives the episode's last observation (taken before the reset; a
 * truncated episode bootstraps from it); other rows of final_obs are left untouched.
 * Any of rewards/terminals/truncations/final_obs may be NULL when not needed. */
void arc_vec_env_step(ArcVecEnv *vec, const int *actions /* (N) */, uint8_t *obs /* (N, C, 10, 10) */,
                      float *rewards /* (N) */, uint8_t *terminals /* (N) */,
                      uint8_t *truncations /* (N) */, uint8_t *final_obs /* (N, C, 10, 10) */);

#endif
