/* space_invaders.h — the Space Invaders state, exposed for the rule tests.
 *
 * Users of the game go through arc_game_space_invaders (game.h), or
 * arc_game_space_invaders_procedural for the procedural variant; only tests build states
 * by hand. Every 10x10 map is one 10-bit mask per row: bit c of row r is the cell (r, c). */
#ifndef ARC_SPACE_INVADERS_H
#define ARC_SPACE_INVADERS_H

#include "game.h"

enum { ARC_SI_START_INTERVAL = 12, ARC_SI_MIN_INTERVAL = 6, ARC_SI_SHOT_INTERVAL = 10,
       ARC_SI_COOLDOWN = 5, ARC_SI_WAVE_ROWS = 4 };

typedef struct ArcSpaceInvaders {
    uint16_t aliens[ARC_GRID];    /* the formation */
    uint16_t f_bullets[ARC_GRID]; /* friendly bullets, moving up */
    uint16_t e_bullets[ARC_GRID]; /* enemy bullets, moving down */
    int8_t cannon;                /* cannon column; the cannon lives in row 9 */
    int8_t direction;             /* formation direction: -1 left, +1 right */
    int8_t move_interval;         /* 12 at reset, -1 per cleared wave when ramping, floor 6 */
    int8_t move_counter;          /* idiom A: move when 0, reload min(#aliens, interval) */
    int8_t shot_counter;          /* idiom A: the lowest alien nearest the cannon fires at 0 */
    int8_t cooldown;              /* player shot cool-down */
    int8_t ramp_level;            /* cleared waves that sped the formation up */
    bool ramping;
    bool procedural;              /* the procedural variant: waves repeat layout */
    uint16_t layout[ARC_SI_WAVE_ROWS]; /* procedural: the formation of rows 0..3 */
} ArcSpaceInvaders;

#endif
