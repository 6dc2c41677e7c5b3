/* space_invaders.c — MinAtar Space Invaders (spec §2.5): a cannon in row 9, a formation of
 * aliens that marches sideways and steps down at the walls, bullets both ways, and a new,
 * faster wave each time the formation is cleared.
 *
 * Channels: 0 cannon, 1 alien, 2 alien_left, 3 alien_right (the alien map again, in the
 * channel of the formation's direction), 4 friendly bullet, 5 enemy bullet.
 *
 * Every map is a 10-bit mask per row (bit c = column c), so the reference's array rolls
 * become shifts and its counts become popcounts. The game draws nothing from the stream:
 * given the executed actions it is deterministic. Both countdowns are idiom A (act at 0,
 * reload, decrement at the end of every step): first shot on step 11, first formation move
 * on step 13.
 *
 * The formation moves like the reference's array roll (spec §7): sideways the wall test
 * makes that a plain shift, but a step-down with an alien in row 9 (terminal) carries that
 * row round to row 0, where it shows in the last observation and can still be shot.
 * Bullets do not roll: they vanish past the edge (spec §2.5).
 *
 * The procedural variant (arc_game_space_invaders_procedural, opt-in; not MinAtar) draws
 * at reset, in this order: a formation of one integer in [0, 256) per row 0..3, each bit
 * an alien in columns 1..8 (the four draws are repeated in the rare case of no alien),
 * the cannon's column (an integer in [0, 10)) and the formation's first direction (an
 * integer in [0, 2): 0 left). Every new wave repeats that formation. The rest is the
 * standard game. */
#include "space_invaders.h"

#include <string.h>

enum { CANNON_ROW = ARC_GRID - 1, FULL_ROW = (1 << ARC_GRID) - 1, LEFT_COL = 1,
       RIGHT_COL = 1 << (ARC_GRID - 1),
       WAVE_MASK = 0x0fc /* columns 2..7 */, WAVE_TOP = 0, WAVE_BOTTOM = 3 };

enum { CH_CANNON, CH_ALIEN, CH_ALIEN_LEFT, CH_ALIEN_RIGHT, CH_F_BULLET, CH_E_BULLET,
       NUM_CHANNELS };

static void new_wave(ArcSpaceInvaders *s)
{
    for (int r = WAVE_TOP; r <= WAVE_BOTTOM; r++)
        s->aliens[r] = s->procedural ? s->layout[r - WAVE_TOP] : WAVE_MASK;
}

static void reset(void *state, ArcRng *rng, bool ramping)
{
    (void)rng; /* nothing random in this game */
    ArcSpaceInvaders *s = state;
    memset(s, 0, sizeof *s);
    new_wave(s);
    s->cannon = 5;
    s->direction = -1;
    s->move_interval = ARC_SI_START_INTERVAL;
    s->move_counter = ARC_SI_START_INTERVAL;
    s->shot_counter = ARC_SI_SHOT_INTERVAL;
    s->ramping = ramping;
}

static void reset_procedural(void *state, ArcRng *rng, bool ramping)
{
    reset(state, rng, ramping);
    ArcSpaceInvaders *s = state;
    s->procedural = true;
    unsigned any = 0;
    while (!any)
        for (int r = 0; r < ARC_SI_WAVE_ROWS; r++)
            any |= s->layout[r] = (uint16_t)(arc_rng_int(rng, 0, 256) << 1);
    new_wave(s);
    s->cannon = (int8_t)arc_rng_int(rng, 0, ARC_GRID);
    s->direction = arc_rng_int(rng, 0, 2) == 0 ? -1 : 1;
}

static int count_aliens(const ArcSpaceInvaders *s)
{
    int n = 0;
    for (int r = 0; r < ARC_GRID; r++) n += __builtin_popcount(s->aliens[r]);
    return n;
}

static unsigned alien_columns(const ArcSpaceInvaders *s)
{
    unsigned cols = 0;
    for (int r = 0; r < ARC_GRID; r++) cols |= s->aliens[r];
    return cols;
}

static bool alien_on_cannon(const ArcSpaceInvaders *s)
{
    return s->aliens[CANNON_ROW] >> s->cannon & 1;
}

/* Step 5: the formation moves (the counter is 0). Returns true if the move is terminal. */
static bool move_formation(ArcSpaceInvaders *s, int num_aliens)
{
    bool terminal = false;
    s->move_counter = (int8_t)(num_aliens < s->move_interval ? num_aliens : s->move_interval);
    unsigned cols = alien_columns(s);
    if ((s->direction < 0 && (cols & LEFT_COL)) || (s->direction > 0 && (cols & RIGHT_COL))) {
        s->direction = (int8_t)-s->direction;
        uint16_t bottom = s->aliens[ARC_GRID - 1];
        if (bottom) terminal = true;
        for (int r = ARC_GRID - 1; r > 0; r--) s->aliens[r] = s->aliens[r - 1];
        s->aliens[0] = bottom; /* a roll, as in the reference: see the file comment */
    } else if (s->direction < 0) {
        for (int r = 0; r < ARC_GRID; r++) s->aliens[r] >>= 1;
    } else {
        for (int r = 0; r < ARC_GRID; r++) s->aliens[r] = (uint16_t)(s->aliens[r] << 1);
    }
    return terminal || alien_on_cannon(s);
}

/* Step 6: the lowest alien of the occupied column nearest the cannon fires; ties go to
 * the smaller column. Called only while aliens exist. */
static void alien_shot(ArcSpaceInvaders *s)
{
    unsigned cols = alien_columns(s);
    int col = s->cannon;
    for (int d = 0; d < ARC_GRID; d++) {
        if (col - d >= 0 && (cols >> (col - d) & 1)) {
            col -= d;
            break;
        }
        if (col + d < ARC_GRID && (cols >> (col + d) & 1)) {
            col += d;
            break;
        }
    }
    for (int r = ARC_GRID - 1; r >= 0; r--) {
        if (s->aliens[r] >> col & 1) {
            s->e_bullets[r] |= (uint16_t)(1u << col);
            return;
        }
    }
}

static int step(void *state, ArcRng *rng, int action, bool *terminal)
{
    (void)rng;
    ArcSpaceInvaders *s = state;
    int reward = 0;

    if (action == ARC_FIRE) {
        if (s->cooldown == 0) {
            s->f_bullets[CANNON_ROW] |= (uint16_t)(1u << s->cannon);
            s->cooldown = ARC_SI_COOLDOWN;
        }
    } else if (action == ARC_LEFT) {
        if (s->cannon > 0) s->cannon--;
    } else if (action == ARC_RIGHT) {
        if (s->cannon < ARC_GRID - 1) s->cannon++;
    }

    for (int r = 0; r < ARC_GRID - 1; r++) s->f_bullets[r] = s->f_bullets[r + 1];
    s->f_bullets[ARC_GRID - 1] = 0;
    for (int r = ARC_GRID - 1; r > 0; r--) s->e_bullets[r] = s->e_bullets[r - 1];
    s->e_bullets[0] = 0;
    if (s->e_bullets[CANNON_ROW] >> s->cannon & 1) *terminal = true;
    if (alien_on_cannon(s)) *terminal = true;

    int num_aliens = count_aliens(s); /* >= 1: an empty formation is refilled at step end */
    if (s->move_counter == 0 && move_formation(s, num_aliens)) *terminal = true;
    if (s->shot_counter == 0) {
        s->shot_counter = ARC_SI_SHOT_INTERVAL;
        alien_shot(s);
    }

    bool cleared = true;
    for (int r = 0; r < ARC_GRID; r++) {
        uint16_t hit = s->aliens[r] & s->f_bullets[r];
        reward += __builtin_popcount(hit);
        s->aliens[r] &= (uint16_t)~hit;
        s->f_bullets[r] &= (uint16_t)~hit;
        cleared &= s->aliens[r] == 0;
    }

    if (s->cooldown > 0) s->cooldown--;
    s->move_counter--;
    s->shot_counter--;

    if (cleared) {
        if (s->ramping && s->move_interval > ARC_SI_MIN_INTERVAL) {
            s->move_interval--;
            s->ramp_level++;
        }
        new_wave(s);
    }
    return reward;
}

/* spread[m] is the byte-per-bit expansion of the 10-bit row mask m: (m >> c) & 1 at c. */
#define SPREAD(n) {(n) & 1, (n) >> 1 & 1, (n) >> 2 & 1, (n) >> 3 & 1, (n) >> 4 & 1, \
                   (n) >> 5 & 1, (n) >> 6 & 1, (n) >> 7 & 1, (n) >> 8 & 1, (n) >> 9 & 1}
#define SPREAD4(n) SPREAD(n), SPREAD((n) + 1), SPREAD((n) + 2), SPREAD((n) + 3)
#define SPREAD16(n) SPREAD4(n), SPREAD4((n) + 4), SPREAD4((n) + 8), SPREAD4((n) + 12)
#define SPREAD64(n) SPREAD16(n), SPREAD16((n) + 16), SPREAD16((n) + 32), SPREAD16((n) + 48)
#define SPREAD256(n) SPREAD64(n), SPREAD64((n) + 64), SPREAD64((n) + 128), SPREAD64((n) + 192)
static const uint8_t spread[1 << ARC_GRID][ARC_GRID] = {SPREAD256(0), SPREAD256(256),
                                                        SPREAD256(512), SPREAD256(768)};

/* Writes the ten rows of one mask map into a plane. */
static void put_map(uint8_t *plane, const uint16_t *rows)
{
    for (int r = 0; r < ARC_GRID; r++)
        memcpy(plane + r * ARC_GRID, spread[rows[r] & FULL_ROW], ARC_GRID);
}

static void observe(const void *state, uint8_t *obs)
{
    const ArcSpaceInvaders *s = state;
    uint8_t *moving = arc_obs_plane(obs, s->direction < 0 ? CH_ALIEN_LEFT : CH_ALIEN_RIGHT);
    uint8_t *idle = arc_obs_plane(obs, s->direction < 0 ? CH_ALIEN_RIGHT : CH_ALIEN_LEFT);
    memset(arc_obs_plane(obs, CH_CANNON), 0, ARC_GRID * ARC_GRID);
    arc_obs_set(obs, CH_CANNON, CANNON_ROW, s->cannon);
    put_map(arc_obs_plane(obs, CH_ALIEN), s->aliens);
    put_map(moving, s->aliens);
    memset(idle, 0, ARC_GRID * ARC_GRID);
    put_map(arc_obs_plane(obs, CH_F_BULLET), s->f_bullets);
    put_map(arc_obs_plane(obs, CH_E_BULLET), s->e_bullets);
}

static const int minimal_actions[] = {ARC_NOOP, ARC_LEFT, ARC_RIGHT, ARC_FIRE};
static const char *const channel_names[NUM_CHANNELS] = {
    "cannon", "alien", "alien_left", "alien_right", "friendly_bullet", "enemy_bullet"};
static const uint32_t palette[NUM_CHANNELS] = {0x40e0ff, 0x50d050, 0x48c8a0, 0xa8d048,
                                               0xfff060, 0xff4040};

const ArcGame arc_game_space_invaders = {
    .name = "space_invaders",
    .channels = NUM_CHANNELS,
    .state_bytes = sizeof(ArcSpaceInvaders),
    .num_minimal_actions = 4,
    .minimal_actions = minimal_actions,
    .channel_names = channel_names,
    .palette = palette,
    .reset = reset,
    .step = step,
    .observe = observe,
};

const ArcGame arc_game_space_invaders_procedural = {
    .name = "space_invaders",
    .variant = "procedural",
    .channels = NUM_CHANNELS,
    .state_bytes = sizeof(ArcSpaceInvaders),
    .num_minimal_actions = 4,
    .minimal_actions = minimal_actions,
    .channel_names = channel_names,
    .palette = palette,
    .reset = reset_procedural,
    .step = step,
    .observe = observe,
};
