/* env.c — sticky actions, terminal latch and step cap around a game (see env.h). */
#include "env.h"

#include <string.h>

#include "../common/check.h"
#include "level.h"

ArcEnvConfig arc_env_config_default(void)
{
    return (ArcEnvConfig){.sticky_prob = 0.1, .ramping = true, .step_cap = 0};
}

void arc_env_init(ArcEnv *env, const ArcGame *game, const ArcEnvConfig *cfg, void *state,
                  uint32_t seed)
{
    ARC_CHECK(game && cfg && state, "arc_env_init needs a game, a config and a state");
    memset(env, 0, sizeof *env);
    env->game = game;
    env->cfg = *cfg;
    env->state = state;
    arc_rng_seed(&env->rng, seed);
    env->last_action = ARC_NOOP;
}

void arc_env_set_level(ArcEnv *env, uint32_t level)
{
    env->level_mode = true;
    env->level = level;
}

void arc_env_reset(ArcEnv *env)
{
    ArcRng *world = &env->rng;
    if (env->level_mode) {
        world = &env->world;
        arc_rng_seed_lazy(world, arc_level_world_seed(env->level, 0));
        env->last_action = ARC_NOOP;
    }
    env->game->reset(env->state, world, env->cfg.ramping);
    env->terminal = false;
    env->truncated = false;
    env->steps = 0;
    env->episode_return = 0;
}

int arc_env_step(ArcEnv *env, int action)
{
    if (arc_rng_uniform(&env->rng) < env->cfg.sticky_prob) action = env->last_action;
    env->last_action = action;
    if (arc_env_done(env)) return 0;

    ArcRng *world = &env->rng;
    if (env->level_mode) {
        world = &env->world;
        arc_rng_seed_lazy(world, arc_level_world_seed(env->level, env->steps + 1));
    }
    bool terminal = false;
    int reward = env->game->step(env->state, world, action, &terminal);
    env->terminal = terminal;
    env->steps++;
    env->episode_return += reward;
    if (!terminal && env->cfg.step_cap > 0 && env->steps >= env->cfg.step_cap)
        env->truncated = true;
    return reward;
}
