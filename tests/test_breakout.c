/* test_breakout.c — Breakout rules of spec §2.2 on hand-built states. */
#include <criterion/criterion.h>
#include <string.h>

#include "../env/breakout.h"
#include "../env/env.h"

static ArcRng rng; /* Breakout draws nothing while playing */

static void full_wall(ArcBreakoutState *s)
{
    memset(s, 0, sizeof *s);
    for (int r = 1; r <= 3; r++) s->bricks[r] = 0x3ff;
    s->paddle = 4;
}

static bool brick(const ArcBreakoutState *s, int row, int col) { return s->bricks[row] >> col & 1; }

static int step(ArcBreakoutState *s, int action, bool *terminal)
{
    *terminal = false;
    return arc_game_breakout.step(s, &rng, action, terminal);
}

Test(breakout, second_consecutive_brick_contact_passes_through)
{
    ArcBreakoutState s;
    bool terminal;
    full_wall(&s);
    s.bricks[2] &= (uint16_t)~(1u << 3); /* a hole at (2, 3) holding the ball */
    s.ball_row = 2, s.ball_col = 3, s.heading = ARC_BREAKOUT_UP_RIGHT;

    cr_assert_eq(step(&s, ARC_NOOP, &terminal), 1, "first contact breaks (1, 4)");
    cr_assert(!brick(&s, 1, 4));
    cr_assert_eq(s.ball_row, 2);
    cr_assert_eq(s.ball_col, 4);
    cr_assert_eq(s.heading, ARC_BREAKOUT_DOWN_RIGHT);

    cr_assert_eq(step(&s, ARC_NOOP, &terminal), 0, "second contact pays nothing");
    cr_assert(brick(&s, 3, 5), "the second brick survives");
    cr_assert_eq(s.ball_row, 3, "the ball moves into the brick");
    cr_assert_eq(s.ball_col, 5);
    cr_assert(s.struck_last_step);

    cr_assert_eq(step(&s, ARC_NOOP, &terminal), 0);
    cr_assert(!s.struck_last_step, "the flag clears on a step without bricks");
    cr_assert(!terminal);
}

Test(breakout, wall_refills_only_when_ball_reaches_paddle_row)
{
    ArcBreakoutState s;
    bool terminal;
    full_wall(&s);
    memset(s.bricks, 0, sizeof s.bricks);
    s.ball_row = 5, s.ball_col = 2, s.heading = ARC_BREAKOUT_DOWN_RIGHT, s.paddle = 5;
    step(&s, ARC_NOOP, &terminal);
    step(&s, ARC_NOOP, &terminal);
    cr_assert(!brick(&s, 1, 0), "no refill in mid-field");
    cr_assert_eq(s.ball_row, 7);
    step(&s, ARC_NOOP, &terminal); /* (8, 5) */
    step(&s, ARC_NOOP, &terminal); /* reaches the paddle row: refill, then bounce */
    cr_assert(!terminal);
    for (int r = 1; r <= 3; r++) cr_assert_eq(s.bricks[r], 0x3ff, "row %d refilled", r);
}

Test(breakout, paddle_under_old_column_mirrors_vertically)
{
    ArcBreakoutState s;
    bool terminal;
    full_wall(&s);
    s.ball_row = 8, s.ball_col = 3, s.heading = ARC_BREAKOUT_DOWN_RIGHT, s.paddle = 3;
    cr_assert_eq(step(&s, ARC_NOOP, &terminal), 0);
    cr_assert(!terminal);
    cr_assert_eq(s.ball_row, 8);
    cr_assert_eq(s.ball_col, 4, "the ball still moves one column");
    cr_assert_eq(s.heading, ARC_BREAKOUT_UP_RIGHT);
}

Test(breakout, paddle_under_new_column_reverses_heading)
{
    ArcBreakoutState s;
    bool terminal;
    full_wall(&s);
    s.ball_row = 8, s.ball_col = 3, s.heading = ARC_BREAKOUT_DOWN_RIGHT, s.paddle = 4;
    step(&s, ARC_NOOP, &terminal);
    cr_assert(!terminal);
    cr_assert_eq(s.ball_row, 8);
    cr_assert_eq(s.ball_col, 4);
    cr_assert_eq(s.heading, ARC_BREAKOUT_UP_LEFT);
}

Test(breakout, missing_the_ball_is_terminal_in_row_nine)
{
    ArcBreakoutState s;
    bool terminal;
    full_wall(&s);
    s.ball_row = 8, s.ball_col = 3, s.heading = ARC_BREAKOUT_DOWN_RIGHT, s.paddle = 7;
    step(&s, ARC_NOOP, &terminal);
    cr_assert(terminal);
    cr_assert_eq(s.ball_row, 9);
}

Test(breakout, side_wall_and_ceiling_mirror)
{
    ArcBreakoutState s;
    bool terminal;
    full_wall(&s);
    memset(s.bricks, 0, sizeof s.bricks);
    s.ball_row = 0, s.ball_col = 9, s.heading = ARC_BREAKOUT_UP_RIGHT;
    step(&s, ARC_NOOP, &terminal);
    cr_assert_eq(s.ball_col, 9, "clamped at the side wall");
    cr_assert_eq(s.ball_row, 0, "clamped at the ceiling");
    cr_assert_eq(s.heading, ARC_BREAKOUT_DOWN_LEFT, "both components mirrored");
}

Test(breakout, noop_from_the_left_start_ends_in_six_steps)
{
    ArcEnvConfig cfg = arc_env_config_default();
    cfg.sticky_prob = 0;
    ArcBreakoutState s;
    ArcEnv env;
    int left_starts = 0;
    for (uint32_t seed = 0; seed < 20; seed++) {
        arc_env_init(&env, &arc_game_breakout, &cfg, &s, seed);
        arc_env_reset(&env);
        if (s.ball_col != 0) continue;
        left_starts++;
        for (int t = 1; t <= 6; t++) {
            arc_env_step(&env, ARC_NOOP);
            cr_assert_eq(env.terminal, t == 6, "seed %u step %d", seed, t);
        }
    }
    cr_assert_gt(left_starts, 0);
}
