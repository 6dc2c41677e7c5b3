/* breakout.h — Breakout's state, exposed so tests can set up exact situations.
 * Everything else about the game is reached through arc_game_breakout (game.h), or
 * arc_game_breakout_procedural for the procedural variant (breakout.c). */
#ifndef ARC_BREAKOUT_H
#define ARC_BREAKOUT_H

#include "game.h"

enum { ARC_BREAKOUT_BRICK_ROWS = 3 };

/* Ball headings. */
enum { ARC_BREAKOUT_UP_LEFT, ARC_BREAKOUT_UP_RIGHT, ARC_BREAKOUT_DOWN_RIGHT, ARC_BREAKOUT_DOWN_LEFT };

typedef struct ArcBreakoutState {
    uint16_t bricks[ARC_GRID]; /* bit c of row r: a brick at (r, c); rows 1..3 only */
    int8_t ball_row, ball_col, heading;
    int8_t trail_row, trail_col;
    int8_t paddle;             /* column of the paddle in row 9 */
    bool struck_last_step;     /* a brick was broken on the previous step */
    bool procedural;           /* the procedural variant: walls refill with layout */
    uint16_t layout[ARC_BREAKOUT_BRICK_ROWS]; /* procedural: the wall of rows 1..3 */
} ArcBreakoutState;

#endif
