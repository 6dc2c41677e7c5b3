/* test_env.c — the MinAtar wrapper: sticky actions, terminal latch, step cap, streams. */
#include <criterion/criterion.h>

#include "../env/breakout.h"
#include "../env/env.h"

static ArcBreakoutState state;

static ArcEnv make_env(double sticky, int64_t cap, uint32_t seed)
{
    ArcEnvConfig cfg = arc_env_config_default();
    cfg.sticky_prob = sticky;
    cfg.step_cap = cap;
    ArcEnv env;
    arc_env_init(&env, &arc_game_breakout, &cfg, &state, seed);
    arc_env_reset(&env);
    return env;
}

Test(env, defaults_are_the_reference_wrapper)
{
    ArcEnvConfig cfg = arc_env_config_default();
    cr_assert_eq(cfg.sticky_prob, 0.1);
    cr_assert(cfg.ramping);
    cr_assert_eq(cfg.step_cap, 0);
}

Test(env, without_sticky_the_requested_action_runs)
{
    ArcEnv env = make_env(0.0, 0, 3);
    arc_env_step(&env, ARC_RIGHT);
    cr_assert_eq(state.paddle, 5);
    arc_env_step(&env, ARC_LEFT);
    cr_assert_eq(state.paddle, 4);
}

Test(env, always_sticky_repeats_the_remembered_action_across_reset)
{
    ArcEnv env = make_env(0.0, 0, 3);
    arc_env_step(&env, ARC_RIGHT); /* executed and remembered */
    env.cfg.sticky_prob = 1.0;
    arc_env_reset(&env);           /* 1.0.15: the memory survives reset */
    arc_env_step(&env, ARC_LEFT);
    cr_assert_eq(state.paddle, 5, "the remembered 'right' ran instead of 'left'");
    cr_assert_eq(env.last_action, ARC_RIGHT);
}

Test(env, sticky_rate_is_about_p)
{
    ArcEnv env = make_env(0.1, 0, 11);
    int repeats = 0, n = 20000;
    for (int i = 0; i < n; i++) {
        int requested = i % 2 ? ARC_LEFT : ARC_RIGHT;
        arc_env_step(&env, requested);
        repeats += env.last_action != requested;
        if (arc_env_done(&env)) arc_env_reset(&env);
    }
    /* binomial(20000, 0.1): sd 42; 0.09..0.11 is ~4.7 sd */
    cr_assert(repeats > 0.09 * n && repeats < 0.11 * n, "repeats %d", repeats);
}

Test(env, one_uniform_per_step_even_when_terminal)
{
    ArcEnv env = make_env(0.0, 0, 5);
    ArcRng ref;
    arc_rng_seed(&ref, 5);
    arc_rng_int(&ref, 0, 2); /* Breakout's reset draw */
    for (int t = 0; t < 40; t++) {
        arc_env_step(&env, ARC_NOOP); /* ends within a few steps; keeps drawing */
        arc_rng_uniform(&ref);
    }
    cr_assert(env.terminal);
    cr_assert_eq(arc_rng_u32(&env.rng), arc_rng_u32(&ref));
}

Test(env, terminal_stays_terminal)
{
    ArcEnv env = make_env(0.0, 0, 5);
    while (!env.terminal) arc_env_step(&env, ARC_NOOP);
    int64_t steps = env.steps, ret = env.episode_return;
    uint8_t before[400], after[400];
    arc_env_observe(&env, before);
    cr_assert_eq(arc_env_step(&env, ARC_RIGHT), 0);
    arc_env_observe(&env, after);
    cr_assert(env.terminal);
    cr_assert_eq(env.steps, steps);
    cr_assert_eq(env.episode_return, ret);
    cr_assert_arr_eq(before, after, sizeof before);
}

Test(env, step_cap_truncates)
{
    ArcEnv env = make_env(0.0, 3, 5);
    for (int t = 1; t <= 3; t++) {
        cr_assert(!arc_env_done(&env));
        arc_env_step(&env, ARC_NOOP);
    }
    cr_assert(env.truncated);
    cr_assert(!env.terminal);
    cr_assert_eq(env.steps, 3);
}

Test(env, same_seed_same_episode)
{
    uint8_t a[400], b[400];
    ArcBreakoutState other;
    ArcEnvConfig cfg = arc_env_config_default();
    ArcEnv x, y;
    arc_env_init(&x, &arc_game_breakout, &cfg, &state, 9);
    arc_env_init(&y, &arc_game_breakout, &cfg, &other, 9);
    arc_env_reset(&x);
    arc_env_reset(&y);
    for (int t = 0; t < 300; t++) {
        int action = (t * 7) % 6;
        cr_assert_eq(arc_env_step(&x, action), arc_env_step(&y, action));
        arc_env_observe(&x, a);
        arc_env_observe(&y, b);
        cr_assert_arr_eq(a, b, sizeof a);
        if (arc_env_done(&x)) arc_env_reset(&x), arc_env_reset(&y);
    }
}
