/* breakout.c — MinAtar Breakout (spec §2.2): a paddle, a ball with a diagonal heading
 * and three rows of bricks that refill when cleared.
 *
 * Channels: 0 paddle, 1 ball, 2 trail (the ball's previous cell), 3 brick. Bricks are one
 * 10-bit mask per row. The only randomness is the start side, drawn at reset.
 *
 * The procedural variant (arc_game_breakout_procedural, opt-in; not MinAtar) draws a
 * brick wall at reset before the start side: one integer in [0, 1024) per brick row,
 * rows 1 to 3, each bit a brick (the three draws are repeated in the rare case of an
 * empty wall); a cleared wall refills with that same layout. Everything else is the
 * standard game. */
#include <string.h>

#include "breakout.h"

enum { PADDLE_ROW = 9, BRICK_TOP = 1, BRICK_BOTTOM = 3, FULL_ROW = (1 << ARC_GRID) - 1 };

/* Headings: 0 up-left, 1 up-right, 2 down-right, 3 down-left. */
static const int heading_dx[4] = {-1, 1, 1, -1};
static const int heading_dy[4] = {-1, -1, 1, 1};
static const int mirror_horizontal[4] = {1, 0, 3, 2};
static const int mirror_vertical[4] = {3, 2, 1, 0};
static const int reverse[4] = {2, 3, 0, 1};


static void fill_bricks(ArcBreakoutState *s)
{
    for (int r = BRICK_TOP; r <= BRICK_BOTTOM; r++)
        s->bricks[r] = s->procedural ? s->layout[r - BRICK_TOP] : FULL_ROW;
}

static bool no_bricks_left(const ArcBreakoutState *s)
{
    for (int r = BRICK_TOP; r <= BRICK_BOTTOM; r++)
        if (s->bricks[r]) return false;
    return true;
}

/* The start position, after the wall is in place. */
static void place_ball(ArcBreakoutState *s, ArcRng *rng)
{
    s->paddle = 4;
    s->ball_row = 3;
    bool from_left = arc_rng_int(rng, 0, 2) == 0;
    s->ball_col = from_left ? 0 : 9;
    s->heading = from_left ? 2 : 3;
    s->trail_row = s->ball_row;
    s->trail_col = s->ball_col;
}

static void reset(void *state, ArcRng *rng, bool ramping)
{
    (void)ramping; /* Breakout has no difficulty ramp */
    ArcBreakoutState *s = state;
    memset(s, 0, sizeof *s);
    fill_bricks(s);
    place_ball(s, rng);
}

static void reset_procedural(void *state, ArcRng *rng, bool ramping)
{
    (void)ramping;
    ArcBreakoutState *s = state;
    memset(s, 0, sizeof *s);
    s->procedural = true;
    unsigned any = 0;
    while (!any)
        for (int r = 0; r < ARC_BREAKOUT_BRICK_ROWS; r++)
            any |= s->layout[r] = (uint16_t)arc_rng_int(rng, 0, FULL_ROW + 1);
    fill_bricks(s);
    place_ball(s, rng);
}

static int step(void *state, ArcRng *rng, int action, bool *terminal)
{
    (void)rng;
    ArcBreakoutState *s = state;
    int reward = 0;
    if (action == ARC_LEFT && s->paddle > 0) s->paddle--;
    if (action == ARC_RIGHT && s->paddle < ARC_GRID - 1) s->paddle++;

    int old_row = s->ball_row, old_col = s->ball_col;
    int row = old_row + heading_dy[s->heading], col = old_col + heading_dx[s->heading];
    if (col < 0 || col >= ARC_GRID) {
        col = col < 0 ? 0 : ARC_GRID - 1;
        s->heading = (int8_t)mirror_horizontal[s->heading];
    }
    bool touched_brick = false;
    if (row < 0) {
        row = 0;
        s->heading = (int8_t)mirror_vertical[s->heading];
    } else if (s->bricks[row] >> col & 1) {
        touched_brick = true;
        if (!s->struck_last_step) {
            reward = 1;
            s->bricks[row] &= (uint16_t)~(1u << col);
            s->struck_last_step = true;
            row = old_row;
            s->heading = (int8_t)mirror_vertical[s->heading];
        }
    } else if (row == PADDLE_ROW) {
        if (no_bricks_left(s)) fill_bricks(s);
        if (s->paddle == old_col) {
            row = old_row;
            s->heading = (int8_t)mirror_vertical[s->heading];
        } else if (s->paddle == col) {
            row = old_row;
            s->heading = (int8_t)reverse[s->heading];
        } else {
            *terminal = true;
        }
    }
    if (!touched_brick) s->struck_last_step = false;
    s->trail_row = (int8_t)old_row;
    s->trail_col = (int8_t)old_col;
    s->ball_row = (int8_t)row;
    s->ball_col = (int8_t)col;
    return reward;
}

static void observe(const void *state, uint8_t *obs)
{
    const ArcBreakoutState *s = state;
    memset(obs, 0, 4 * ARC_GRID * ARC_GRID);
    arc_obs_set(obs, 0, PADDLE_ROW, s->paddle);
    arc_obs_set(obs, 1, s->ball_row, s->ball_col);
    arc_obs_set(obs, 2, s->trail_row, s->trail_col);
    uint8_t *bricks = arc_obs_plane(obs, 3);
    for (int r = BRICK_TOP; r <= BRICK_BOTTOM; r++)
        for (int c = 0; c < ARC_GRID; c++) bricks[r * ARC_GRID + c] = s->bricks[r] >> c & 1;
}

static const int minimal_actions[] = {ARC_NOOP, ARC_LEFT, ARC_RIGHT};
static const char *const channel_names[] = {"paddle", "ball", "trail", "brick"};
static const uint32_t palette[] = {0xf0f0f0, 0xffd23c, 0x6a5a2a, 0xd0503c};

const ArcGame arc_game_breakout = {
    .name = "breakout",
    .channels = 4,
    .state_bytes = sizeof(ArcBreakoutState),
    .num_minimal_actions = 3,
    .minimal_actions = minimal_actions,
    .channel_names = channel_names,
    .palette = palette,
    .reset = reset,
    .step = step,
    .observe = observe,
};

const ArcGame arc_game_breakout_procedural = {
    .name = "breakout",
    .variant = "procedural",
    .channels = 4,
    .state_bytes = sizeof(ArcBreakoutState),
    .num_minimal_actions = 3,
    .minimal_actions = minimal_actions,
    .channel_names = channel_names,
    .palette = palette,
    .reset = reset_procedural,
    .step = step,
    .observe = observe,
};
