/* asterix.c — MinAtar Asterix (spec §2.1): the player dodges enemies and collects gold
 * pieces that cross eight lanes; spawns and moves speed up over time.
 *
 * Channels: 0 player, 1 enemy, 2 trail (the cell behind each entity, when on the grid),
 * 3 gold. Randomness: on a spawn step a uniform for the side, a uniform for the kind, then
 * an integer over the free lanes (none when no lane is free; the two uniforms are drawn
 * anyway). The state is a few small integers per lane: no allocation, no grid scans. */
#include "asterix.h"

#include <string.h>

enum {
    CHANNELS = 4, CH_PLAYER = 0, CH_ENEMY = 1, CH_TRAIL = 2, CH_GOLD = 3,
    TOP_ROW = 1, BOTTOM_ROW = 8, LAST_COL = ARC_GRID - 1,
    SPAWN_INTERVAL = 10, MOVE_INTERVAL = 5, RAMP_PERIOD = 100,
};

static void reset(void *state, ArcRng *rng, bool ramping)
{
    (void)rng; /* Asterix draws nothing at reset */
    ArcAsterix *s = state;
    memset(s, 0, sizeof *s);
    s->player_row = 5;
    s->player_col = 5;
    s->spawn_interval = s->spawn_counter = SPAWN_INTERVAL;
    s->move_interval = s->move_counter = MOVE_INTERVAL;
    s->ramp_counter = RAMP_PERIOD;
    s->ramping = ramping;
}

/* Both uniforms are drawn first; the lane is the n-th free one, n uniform over the free
 * lanes (no draw when exactly one is free, nothing placed when none is). */
static void spawn(ArcAsterix *s, ArcRng *rng)
{
    bool from_left = arc_rng_uniform(rng) < 0.5;
    bool gold = arc_rng_uniform(rng) < 1.0 / 3.0;
    int free_lanes[ARC_ASTERIX_LANES], num_free = 0;
    for (int k = 0; k < ARC_ASTERIX_LANES; k++)
        if (s->kind[k] == ARC_ASTERIX_EMPTY) free_lanes[num_free++] = k;
    if (num_free == 0) return;
    int k = free_lanes[arc_rng_int(rng, 0, num_free)];
    s->kind[k] = gold ? ARC_ASTERIX_GOLD : ARC_ASTERIX_ENEMY;
    s->col[k] = from_left ? 0 : LAST_COL;
    s->dir[k] = from_left ? 1 : -1;
}

/* The entity of lane k is on the player's cell: gold is collected, an enemy ends the
 * episode (and stays where it is). */
static void touch(ArcAsterix *s, int k, int *reward, bool *terminal)
{
    if (s->kind[k] == ARC_ASTERIX_GOLD) {
        s->kind[k] = ARC_ASTERIX_EMPTY;
        (*reward)++;
    } else {
        *terminal = true;
    }
}

static void move_entities(ArcAsterix *s, int *reward, bool *terminal)
{
    for (int k = 0; k < ARC_ASTERIX_LANES; k++) {
        if (s->kind[k] == ARC_ASTERIX_EMPTY) continue;
        int col = s->col[k] + s->dir[k];
        if (col < 0 || col > LAST_COL) {
            s->kind[k] = ARC_ASTERIX_EMPTY;
            continue;
        }
        s->col[k] = (int8_t)col;
        if (k + 1 == s->player_row && col == s->player_col) touch(s, k, reward, terminal);
    }
}

static void ramp(ArcAsterix *s)
{
    if (!s->ramping || (s->spawn_interval <= 1 && s->move_interval <= 1)) return;
    if (s->ramp_counter >= 0) {
        s->ramp_counter--;
        return;
    }
    if (s->move_interval > 1 && (s->ramp_level & 1)) s->move_interval--;
    if (s->spawn_interval > 1) s->spawn_interval--;
    s->ramp_level++;
    s->ramp_counter = RAMP_PERIOD;
}

static int step(void *state, ArcRng *rng, int action, bool *terminal)
{
    ArcAsterix *s = state;
    int reward = 0;
    if (s->spawn_counter == 0) {
        spawn(s, rng);
        s->spawn_counter = s->spawn_interval;
    }

    switch (action) {
    case ARC_LEFT: if (s->player_col > 0) s->player_col--; break;
    case ARC_RIGHT: if (s->player_col < LAST_COL) s->player_col++; break;
    case ARC_UP: if (s->player_row > TOP_ROW) s->player_row--; break;
    case ARC_DOWN: if (s->player_row < BOTTOM_ROW) s->player_row++; break;
    default: break;
    }

    /* Contact before anything moves: only the player's own lane can hold that cell. */
    int lane = s->player_row - 1;
    if (s->kind[lane] != ARC_ASTERIX_EMPTY && s->col[lane] == s->player_col)
        touch(s, lane, &reward, terminal);

    if (s->move_counter == 0) {
        s->move_counter = s->move_interval;
        move_entities(s, &reward, terminal);
    }
    s->spawn_counter--;
    s->move_counter--;
    ramp(s);
    return reward;
}

static void observe(const void *state, uint8_t *obs)
{
    const ArcAsterix *s = state;
    memset(obs, 0, CHANNELS * ARC_GRID * ARC_GRID);
    arc_obs_set(obs, CH_PLAYER, s->player_row, s->player_col);
    /* Branch-free over the lanes: an empty lane ORs a 0 into some cell (its column is
     * always kept in 0..9), an off-grid trail ORs a 0 into the entity's own cell. */
    for (int k = 0; k < ARC_ASTERIX_LANES; k++) {
        uint8_t occupied = s->kind[k] != ARC_ASTERIX_EMPTY;
        int row = k + 1, col = s->col[k], back = col - s->dir[k];
        bool back_on_grid = back >= 0 && back <= LAST_COL;
        int channel = s->kind[k] == ARC_ASTERIX_GOLD ? CH_GOLD : CH_ENEMY;
        obs[(channel * ARC_GRID + row) * ARC_GRID + col] |= occupied;
        obs[(CH_TRAIL * ARC_GRID + row) * ARC_GRID + (back_on_grid ? back : col)] |=
            (uint8_t)(occupied & back_on_grid);
    }
}

static const int minimal_actions[] = {ARC_NOOP, ARC_LEFT, ARC_UP, ARC_RIGHT, ARC_DOWN};
static const char *const channel_names[] = {"player", "enemy", "trail", "gold"};
static const uint32_t palette[] = {0xf0f0f0, 0xd8403a, 0x5c4a44, 0xffd23c};

const ArcGame arc_game_asterix = {
    .name = "asterix",
    .channels = CHANNELS,
    .state_bytes = sizeof(ArcAsterix),
    .num_minimal_actions = 5,
    .minimal_actions = minimal_actions,
    .channel_names = channel_names,
    .palette = palette,
    .reset = reset,
    .step = step,
    .observe = observe,
};
