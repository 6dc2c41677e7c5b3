/* freeway.h — Freeway's state, exposed for the rule tests (tests/test_freeway.c).
 *
 * Only the game (freeway.c) and its tests include this header; everyone else treats the
 * state as the opaque arc_game_freeway.state_bytes block. Spec: ../shared/spec/minatar.md
 * §2.3. Car k (0..7) drives in grid row k + 1; the chicken always stands in column 4.
 */
#ifndef ARC_FREEWAY_H
#define ARC_FREEWAY_H

#include "game.h"

#define ARC_FREEWAY_CARS 8
#define ARC_FREEWAY_CHICKEN_COL 4
#define ARC_FREEWAY_EPISODE 2500 /* the timer's start; episodes last one step more */

typedef struct ArcFreeway {
    int8_t chicken_row;                  /* 0..9, starts at 9 */
    int8_t cooldown;                     /* steps until the chicken may move again */
    int16_t timer;                       /* 2500 down to -1 (terminal) */
    int8_t col[ARC_FREEWAY_CARS];        /* the car's column, 0..9 */
    int8_t speed[ARC_FREEWAY_CARS];      /* 1..5: the car moves every speed + 1 steps */
    int8_t dir[ARC_FREEWAY_CARS];        /* +1 right, -1 left, 0 stopped (u == 0.5) */
    int8_t counter[ARC_FREEWAY_CARS];    /* idiom B: move when 0, else decrement */
} ArcFreeway;

#endif
