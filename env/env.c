/* env.c — sticky actions, terminal latch and step cap around a game (see env.h). */
#include "env.h"

#include <string.h>

#include "../common/check.h"

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

void arc_env_reset(ArcEnv *env)
{
    env->game->reset(env->state, &env->rng, env->cfg.ramping);
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

    bool terminal = false;
    int reward = env->game->step(env->state, &env->rng, action, &terminal);
    env->terminal = terminal;
    env->steps++;
    env->episode_return += reward;
    if (!terminal && env->cfg.step_cap > 0 && env->steps >= env->cfg.step_cap)
        env->truncated = true;
    return reward;
}
