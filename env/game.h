/* game.h — the five MinAtar games as constant tables of functions over plain-data states.
 *
 * A game never allocates: its state is a fixed-size struct (spec->state_bytes) that the
 * caller owns, so a batch of envs is one slab of states. Every game plays on a 10x10 grid,
 * accepts the full 6-action set (0 no-op, 1 left, 2 up, 3 right, 4 down, 5 fire; unused
 * actions are no-ops) and writes its observation as (C, 10, 10) uint8 0/1 planes.
 * Behaviour follows ../shared/spec/minatar.md (MinAtar 1.0.15), implemented from that
 * description. Sticky actions, step caps and episode bookkeeping live in env.h, not here.
 */
#ifndef ARC_GAME_H
#define ARC_GAME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../common/rng.h"

#define ARC_GRID 10            /* rows = cols = 10 in every game */
#define ARC_NUM_ACTIONS 6
#define ARC_MAX_CHANNELS 10    /* Seaquest */
#define ARC_OBS_MAX (ARC_MAX_CHANNELS * ARC_GRID * ARC_GRID)

enum { ARC_NOOP = 0, ARC_LEFT = 1, ARC_UP = 2, ARC_RIGHT = 3, ARC_DOWN = 4, ARC_FIRE = 5 };

typedef struct ArcGame {
    const char *name;                 /* "breakout", "space_invaders", ... */
    const char *variant;              /* NULL: the MinAtar game; else e.g. "procedural" */
    int channels;                     /* C */
    size_t state_bytes;               /* size of the game's state struct */
    int num_minimal_actions;          /* the game's minimal action set ... */
    const int *minimal_actions;       /* ... as indices into the 6-action set */
    const char *const *channel_names; /* (C) */
    const uint32_t *palette;          /* (C) 0xRRGGBB, for drawing; later channels on top */

    /* Start a new episode. Draws from rng exactly as the reference does at reset. */
    void (*reset)(void *state, ArcRng *rng, bool ramping);
    /* Advance one step with an already-resolved action in 0..5; returns the reward and
     * sets *terminal. Must not be called again once terminal (env.h guards that). */
    int (*step)(void *state, ArcRng *rng, int action, bool *terminal);
    /* The one writer of observations: all (C, 10, 10) bytes of obs are written. */
    void (*observe)(const void *state, uint8_t *obs);
} ArcGame;

extern const ArcGame arc_game_asterix;
extern const ArcGame arc_game_breakout;
extern const ArcGame arc_game_freeway;
extern const ArcGame arc_game_seaquest;
extern const ArcGame arc_game_space_invaders;

#define ARC_NUM_GAMES 5
extern const ArcGame *const arc_games[ARC_NUM_GAMES]; /* in alphabetical order */

/* Opt-in variants, not MinAtar (README "Levels"): "procedural" Breakout (random brick
 * walls) and Space Invaders (random formations, cannon column and first direction), all
 * drawn at reset. Same name, channels and state as the standard game. */
extern const ArcGame arc_game_breakout_procedural;
extern const ArcGame arc_game_space_invaders_procedural;

/* The game called name, or NULL. */
const ArcGame *arc_game_find(const char *name);
/* The game called name in variant "standard" (the MinAtar game, as arc_game_find) or
 * "procedural"; NULL when there is no such game or the game has no such variant. */
const ArcGame *arc_game_find_variant(const char *name, const char *variant);
/* "standard" or the game's variant name. */
static inline const char *arc_game_variant_name(const ArcGame *game)
{
    return game->variant ? game->variant : "standard";
}
/* "asterix, breakout, freeway, seaquest, space_invaders": for error messages. */
const char *arc_game_names(void);

/* Helpers for observe(): plane c of a (C, 10, 10) observation. */
static inline uint8_t *arc_obs_plane(uint8_t *obs, int c)
{
    return obs + (size_t)c * ARC_GRID * ARC_GRID;
}
static inline void arc_obs_set(uint8_t *obs, int c, int row, int col)
{
    obs[(c * ARC_GRID + row) * ARC_GRID + col] = 1;
}

#endif
