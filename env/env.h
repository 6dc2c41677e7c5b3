/* env.h — one running game: the MinAtar 1.0.15 wrapper around a game's state.
 *
 * The wrapper adds what the reference's Environment class adds: sticky actions (on every
 * step one uniform is drawn; below sticky_prob the previously executed action is repeated;
 * the remembered action starts at no-op and, as in 1.0.15, survives reset), the
 * "terminal stays terminal" contract, and an optional step cap reported as truncation
 * (off by default, as in the reference). The game and the sticky draw share one MT19937
 * stream seeded with init_genrand(seed), which is what makes bit-exact replay possible.
 *
 * Level mode (opt-in, arc_env_set_level; see level.h): the env's own stream (seeded with
 * seed) keeps only the sticky draw, and the game draws from a world stream that is
 * reseeded before every game call from the episode's level seed and the step index:
 * arc_level_world_seed(level, 0) at reset, arc_level_world_seed(level, k) for the k-th
 * step. So on one level the game sees the same random numbers at each step of the
 * episode whatever the actions were; what it does with them may still depend on the
 * state (see the README's "Levels"). The sticky memory restarts at no-op at each reset,
 * so an episode depends only on its level, its sticky draws and the agent.
 *
 * The env owns no memory: the game state is a caller-provided block of
 * game->state_bytes bytes (so a batch of envs is one slab; see vec_env.h).
 */
#ifndef ARC_ENV_H
#define ARC_ENV_H

#include "game.h"

typedef struct ArcEnvConfig {
    double sticky_prob; /* 0.1 in MinAtar; 0 disables (the draw is still made) */
    bool ramping;       /* difficulty ramping, on in MinAtar */
    int64_t step_cap;   /* 0: none; else the episode is truncated after this many steps */
} ArcEnvConfig;

/* sticky 0.1, ramping on, no cap: the reference's defaults. */
ArcEnvConfig arc_env_config_default(void);

typedef struct ArcEnv {
    const ArcGame *game;
    ArcEnvConfig cfg;
    void *state;          /* game->state_bytes bytes, owned by the caller */
    ArcRng rng;           /* shared by the sticky draw and the game, as in the reference;
                             in level mode the sticky draw's alone */
    ArcRng world;         /* level mode: the game's stream, reseeded every step */
    bool level_mode;
    uint32_t level;       /* level mode: the level seed of the current episode */
    int last_action;      /* the previously executed action (sticky memory) */
    bool terminal;        /* the game ended the episode */
    bool truncated;       /* the step cap ended the episode */
    int64_t steps;        /* steps taken in this episode */
    int64_t episode_return;
} ArcEnv;

/* Binds env to game and state and seeds its stream; the caller then calls arc_env_reset.
 * state must stay valid for the life of env. */
void arc_env_init(ArcEnv *env, const ArcGame *game, const ArcEnvConfig *cfg, void *state,
                  uint32_t seed);
/* Switches env to level mode (for good) and makes level the seed of the episodes started
 * from now on (the current one keeps its level). */
void arc_env_set_level(ArcEnv *env, uint32_t level);
/* Starts a new episode (draws what the game draws at reset). */
void arc_env_reset(ArcEnv *env);
/* Executes the requested action (0..5) through the sticky-action logic and returns the
 * reward. Once the episode is over (terminal or truncated) it returns 0 and changes
 * nothing but the stream position, as the reference does. */
int arc_env_step(ArcEnv *env, int action);
static inline bool arc_env_done(const ArcEnv *env) { return env->terminal || env->truncated; }
/* Writes the (C, 10, 10) observation. */
static inline void arc_env_observe(const ArcEnv *env, uint8_t *obs)
{
    env->game->observe(env->state, obs);
}

#endif
