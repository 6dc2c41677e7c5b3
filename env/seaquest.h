/* seaquest.h — the Seaquest state, exposed for the rule tests.
 *
 * Users of the game go through arc_game_seaquest (game.h); only tests build states by hand.
 * Every entity list keeps spawn order (index 0 = oldest) and is updated newest first, as
 * the reference does. Each capacity sits above a proven maximum, derived below, so no
 * entity is ever dropped (seaquest.c still aborts with ARC_CHECK if a list were full):
 *   fish, subs: an enemy's counter starts at and reloads with the move interval (<= 5),
 *     so it moves at least once every 6 steps and has left the grid (10 moves) at the
 *     latest 59 steps after its spawn step; at most one enemy spawns per step, so each
 *     list holds at most 60;
 *   enemy bullets: a bullet leaves the grid within 10 moves (one per step) and a sub fires
 *     at most once every 11 steps, so live bullets have distinct shooters; a sub first
 *     fires 10 steps after its spawn and may fire last 59 steps after it, so the bullets
 *     alive at any moment (fired in the last 10 steps) have shooters from at most 59
 *     spawn steps: at most 59;
 *   friendly bullets: one shot per 5 steps, each gone within 10 steps: at most 2;
 *   divers: one spawn per 30 steps, each gone within 60 steps: at most 2. */
#ifndef ARC_SEAQUEST_H
#define ARC_SEAQUEST_H

#include "game.h"

enum { ARC_SQ_MAX_ENEMIES = 64, ARC_SQ_MAX_E_BULLETS = 64, ARC_SQ_MAX_F_BULLETS = 4,
       ARC_SQ_MAX_DIVERS = 4 };

enum { ARC_SQ_MAX_OXYGEN = 200, ARC_SQ_MAX_CARRIED = 6, ARC_SQ_START_SPAWN_INTERVAL = 20,
       ARC_SQ_START_MOVE_INTERVAL = 5, ARC_SQ_MIN_MOVE_INTERVAL = 2, ARC_SQ_DIVER_INTERVAL = 30,
       ARC_SQ_DIVER_MOVE_INTERVAL = 5, ARC_SQ_SHOT_INTERVAL = 10, ARC_SQ_COOLDOWN = 5 };

/* One entity: bullets use col/row/dir; fish and divers add the move counter; subs add the
 * shot counter. dir is -1 (moving left) or +1 (moving right). */
typedef struct ArcSqObject {
    int8_t col, row, dir;
    int8_t move; /* idiom B: move when 0 and reload, else decrement */
    int8_t shot; /* subs only, idiom B: fire when 0 and reload with 10, else decrement */
} ArcSqObject;

typedef struct ArcSeaquest {
    ArcSqObject fish[ARC_SQ_MAX_ENEMIES];
    ArcSqObject subs[ARC_SQ_MAX_ENEMIES];
    ArcSqObject e_bullets[ARC_SQ_MAX_E_BULLETS];
    ArcSqObject f_bullets[ARC_SQ_MAX_F_BULLETS];
    ArcSqObject divers[ARC_SQ_MAX_DIVERS];
    uint8_t num_fish, num_subs, num_e_bullets, num_f_bullets, num_divers;
    int8_t col, row, dir;   /* the player's front cell (row 0 = surface) and facing */
    int16_t oxygen;         /* 200 full; terminal once <= 0 at the start of stage 10 */
    int64_t carried;        /* divers carried; -1 after a 6-diver surfacing, may keep falling */
    int8_t spawn_interval;  /* enemy spawn interval: 20, -1 per surfacing when ramping, floor 1 */
    int8_t spawn_counter;   /* idiom A (decremented while > 0) */
    int8_t diver_counter;   /* idiom A, reload 30 */
    int8_t move_interval;   /* enemy move interval: 5, floor 2 */
    int8_t cooldown;        /* player shot cool-down, idiom A */
    int8_t ramp_level;
    bool at_surface;
    bool ramping;
} ArcSeaquest;

#endif
