/* asterix.h — Asterix's state, exposed for the rule tests (tests/test_asterix.c).
 *
 * Only the game (asterix.c) and its tests include this header; everyone else treats the
 * state as the opaque arc_game_asterix.state_bytes block. Spec: ../shared/spec/minatar.md
 * §2.1. Lane k (0..7) is grid row k + 1 and holds at most one entity.
 */
#ifndef ARC_ASTERIX_H
#define ARC_ASTERIX_H

#include "game.h"

#define ARC_ASTERIX_LANES 8

enum { ARC_ASTERIX_EMPTY = 0, ARC_ASTERIX_ENEMY = 1, ARC_ASTERIX_GOLD = 2 };

typedef struct ArcAsterix {
    int8_t player_row, player_col;          /* rows 1..8, columns 0..9 */
    int8_t kind[ARC_ASTERIX_LANES];         /* ARC_ASTERIX_EMPTY / _ENEMY / _GOLD */
    int8_t col[ARC_ASTERIX_LANES];          /* the entity's column, 0..9 */
    int8_t dir[ARC_ASTERIX_LANES];          /* +1 moving right, -1 moving left */
    int8_t spawn_interval, spawn_counter;   /* idiom A: spawn when the counter is 0 */
    int8_t move_interval, move_counter;     /* idiom A: move when the counter is 0 */
    int8_t ramp_counter;                    /* 100 down to -1, then a ramp event */
    int8_t ramp_level;                      /* ramp events so far, 0..9 */
    bool ramping;                           /* difficulty ramping enabled */
} ArcAsterix;

#endif
