/* freeway.c — MinAtar Freeway (spec §2.3): a chicken crosses eight lanes of wrapping
 * traffic against a 2501-step clock.
 *
 * Channels: 0 chicken, 1 car, 2..6 trail of a speed-1..5 car (the cell behind it, with
 * wrap-around). Randomness: at reset and at every crossing, 8 speeds in [1, 6) then 8
 * direction uniforms. Collisions only send the chicken back to row 9; the timer alone ends
 * the episode. Difficulty ramping does not exist in this game. */
#include "freeway.h"

#include <string.h>

enum { CHANNELS = 7, CH_CHICKEN = 0, CH_CAR = 1, START_ROW = 9, COOLDOWN = 3 };

/* New speeds and directions for every car, as at reset; positions are kept. A direction
 * uniform of exactly 0.5 leaves the car stopped (probability about 1e-16). */
static void randomize_cars(ArcFreeway *s, ArcRng *rng)
{
    for (int k = 0; k < ARC_FREEWAY_CARS; k++) {
        s->speed[k] = (int8_t)arc_rng_int(rng, 1, 6);
        s->counter[k] = s->speed[k];
    }
    for (int k = 0; k < ARC_FREEWAY_CARS; k++) {
        double u = arc_rng_uniform(rng);
        s->dir[k] = u > 0.5 ? 1 : u < 0.5 ? -1 : 0;
    }
}

static void reset(void *state, ArcRng *rng, bool ramping)
{
    (void)ramping; /* Freeway has no difficulty ramp */
    ArcFreeway *s = state;
    memset(s, 0, sizeof *s);
    s->chicken_row = START_ROW;
    s->cooldown = COOLDOWN;
    s->timer = ARC_FREEWAY_EPISODE;
    randomize_cars(s, rng);
}

static int wrap(int col)
{
    return col < 0 ? col + ARC_GRID : col >= ARC_GRID ? col - ARC_GRID : col;
}

static int step(void *state, ArcRng *rng, int action, bool *terminal)
{
    ArcFreeway *s = state;
    int reward = 0;
    if (s->cooldown == 0) {
        if (action == ARC_UP) {
            s->cooldown = COOLDOWN;
            if (s->chicken_row > 0) s->chicken_row--;
        } else if (action == ARC_DOWN) {
            s->cooldown = COOLDOWN;
            if (s->chicken_row < START_ROW) s->chicken_row++;
        }
    }
    if (s->chicken_row == 0) {
        reward = 1;
        randomize_cars(s, rng);
        s->chicken_row = START_ROW;
    }

    /* The spec tests each car against the chicken before and after its move, lanes in
     * order. A hit only ever sends the chicken to row 9, where no car drives, so only the
     * car of the chicken's row (as it stands now) can hit it, and the cars can all move
     * first without changing the outcome. */
    int lane = s->chicken_row - 1;
    bool on_road = lane >= 0 && lane < ARC_FREEWAY_CARS;
    bool hit = on_road && s->col[lane] == ARC_FREEWAY_CHICKEN_COL;
    for (int k = 0; k < ARC_FREEWAY_CARS; k++) {
        bool move = s->counter[k] == 0;
        s->counter[k] = (int8_t)(move ? s->speed[k] : s->counter[k] - 1);
        s->col[k] = (int8_t)wrap(s->col[k] + (move ? s->dir[k] : 0));
    }
    if (hit || (on_road && s->col[lane] == ARC_FREEWAY_CHICKEN_COL)) s->chicken_row = START_ROW;

    if (s->cooldown > 0) s->cooldown--;
    if (--s->timer < 0) *terminal = true;
    return reward;
}

static void observe(const void *state, uint8_t *obs)
{
    const ArcFreeway *s = state;
    memset(obs, 0, CHANNELS * ARC_GRID * ARC_GRID);
    arc_obs_set(obs, CH_CHICKEN, s->chicken_row, ARC_FREEWAY_CHICKEN_COL);
    for (int k = 0; k < ARC_FREEWAY_CARS; k++) {
        arc_obs_set(obs, CH_CAR, k + 1, s->col[k]);
        /* A stopped car has no "behind" and leaves no trail. */
        if (s->dir[k] != 0)
            arc_obs_set(obs, CH_CAR + s->speed[k], k + 1, wrap(s->col[k] - s->dir[k]));
    }
}

static const int minimal_actions[] = {ARC_NOOP, ARC_UP, ARC_DOWN};
static const char *const channel_names[] = {
    "chicken", "car", "trail_speed1", "trail_speed2", "trail_speed3", "trail_speed4",
    "trail_speed5",
};
/* Trails: one hue, brighter for faster cars. */
static const uint32_t palette[] = {
    0xffe040, 0xd8403a, 0x3a1f1c, 0x522a24, 0x6a352c, 0x824034, 0x9a4b3c,
};

const ArcGame arc_game_freeway = {
    .name = "freeway",
    .channels = CHANNELS,
    .state_bytes = sizeof(ArcFreeway),
    .num_minimal_actions = 3,
    .minimal_actions = minimal_actions,
    .channel_names = channel_names,
    .palette = palette,
    .reset = reset,
    .step = step,
    .observe = observe,
};
