/* seaquest.c — MinAtar Seaquest (spec §2.4): a submarine that shoots fish and enemy subs,
 * collects divers and must surface before its oxygen runs out; surfacing with six divers
 * pays an oxygen bonus, surfacing with none ends the episode.
 *
 * Channels: 0 sub front, 1 sub back, 2 friendly bullet, 3 trail, 4 enemy bullet,
 * 5 enemy fish, 6 enemy sub, 7 oxygen gauge, 8 diver gauge, 9 diver.
 *
 * Entities live in small fixed arrays in spawn order (seaquest.h gives the capacities and
 * why they suffice). Each stage walks its list newest first, and removal keeps the order,
 * so which of two objects sharing a cell goes first matches the reference. When several
 * objects could be a collision partner (the fish or sub a bullet hits, the bullet a moving
 * enemy lands on), the oldest on that cell is taken: the spec does not say, and it only
 * matters late in a ramped game, when enemies can share a cell.
 *
 * Two countdown idioms (spec §1): spawn counters and the shot cool-down are idiom A (act
 * at 0, reload, decrement while > 0); entity movement and sub shooting are idiom B (act
 * at 0 and reload, otherwise decrement).
 *
 * Randomness, in the reference's order: on an enemy-spawn step a uniform (side), a
 * uniform (sub or fish) and an integer in [1, 9) (row); then on a diver-spawn step a
 * uniform (side) and an integer in [1, 9). Nothing at reset. */
#include "seaquest.h"

#include <string.h>

#include "../common/check.h"

enum { GAUGE_ROW = 9, MAX_ROW = 8, BONUS_SCALE = 10 };

enum { CH_FRONT, CH_BACK, CH_F_BULLET, CH_TRAIL, CH_E_BULLET, CH_FISH, CH_SUB, CH_OXYGEN,
       CH_DIVER_GAUGE, CH_DIVER, NUM_CHANNELS };

static bool off_grid(int col) { return col < 0 || col >= ARC_GRID; }

/* Appends obj to a list of capacity cap holding *n objects. */
static void push(ArcSqObject *list, uint8_t *n, int cap, ArcSqObject obj)
{
    ARC_CHECK(*n < cap, "seaquest: entity list full (capacity %d, above its proven maximum)", cap);
    list[(*n)++] = obj;
}

/* Removes element i, keeping the order of the rest. */
static void erase(ArcSqObject *list, uint8_t *n, int i)
{
    memmove(&list[i], &list[i + 1], (size_t)(*n - i - 1) * sizeof *list);
    (*n)--;
}

/* Index of the oldest object of the list on (row, col), or -1. */
static int find_at(const ArcSqObject *list, int n, int row, int col)
{
    for (int i = 0; i < n; i++)
        if (list[i].row == row && list[i].col == col) return i;
    return -1;
}

static bool on_front(const ArcSeaquest *s, const ArcSqObject *o)
{
    return o->row == s->row && o->col == s->col;
}

static bool row_has_direction(const ArcSqObject *list, int n, int row, int dir)
{
    for (int i = 0; i < n; i++)
        if (list[i].row == row && list[i].dir == dir) return true;
    return false;
}

static void reset(void *state, ArcRng *rng, bool ramping)
{
    (void)rng; /* Seaquest draws nothing at reset */
    ArcSeaquest *s = state;
    memset(s, 0, sizeof *s);
    s->col = 5;
    s->row = 0;
    s->dir = -1;
    s->oxygen = ARC_SQ_MAX_OXYGEN;
    s->spawn_interval = ARC_SQ_START_SPAWN_INTERVAL;
    s->spawn_counter = ARC_SQ_START_SPAWN_INTERVAL;
    s->diver_counter = ARC_SQ_DIVER_INTERVAL;
    s->move_interval = ARC_SQ_START_MOVE_INTERVAL;
    s->at_surface = true;
    s->ramping = ramping;
}

static void spawn_enemy(ArcSeaquest *s, ArcRng *rng)
{
    bool from_left = arc_rng_uniform(rng) < 0.5;
    bool is_sub = arc_rng_uniform(rng) < 1.0 / 3.0;
    int row = (int)arc_rng_int(rng, 1, MAX_ROW + 1);
    int dir = from_left ? 1 : -1;
    if (row_has_direction(s->fish, s->num_fish, row, -dir) ||
        row_has_direction(s->subs, s->num_subs, row, -dir))
        return;
    ArcSqObject o = {.col = (int8_t)(from_left ? 0 : ARC_GRID - 1), .row = (int8_t)row,
                     .dir = (int8_t)dir, .move = s->move_interval};
    if (is_sub) {
        o.shot = ARC_SQ_SHOT_INTERVAL;
        push(s->subs, &s->num_subs, ARC_SQ_MAX_ENEMIES, o);
    } else {
        push(s->fish, &s->num_fish, ARC_SQ_MAX_ENEMIES, o);
    }
}

static void spawn_diver(ArcSeaquest *s, ArcRng *rng)
{
    bool from_left = arc_rng_uniform(rng) < 0.5;
    int row = (int)arc_rng_int(rng, 1, MAX_ROW + 1);
    ArcSqObject o = {.col = (int8_t)(from_left ? 0 : ARC_GRID - 1), .row = (int8_t)row,
                     .dir = (int8_t)(from_left ? 1 : -1), .move = ARC_SQ_DIVER_MOVE_INTERVAL};
    push(s->divers, &s->num_divers, ARC_SQ_MAX_DIVERS, o);
}

static void apply_action(ArcSeaquest *s, int action)
{
    switch (action) {
    case ARC_FIRE:
        if (s->cooldown == 0) {
            ArcSqObject b = {.col = s->col, .row = s->row, .dir = s->dir};
            push(s->f_bullets, &s->num_f_bullets, ARC_SQ_MAX_F_BULLETS, b);
            s->cooldown = ARC_SQ_COOLDOWN;
        }
        break;
    case ARC_LEFT:
        if (s->col > 0) s->col--;
        s->dir = -1;
        break;
    case ARC_RIGHT:
        if (s->col < ARC_GRID - 1) s->col++;
        s->dir = 1;
        break;
    case ARC_UP:
        if (s->row > 0) s->row--;
        break;
    case ARC_DOWN:
        if (s->row < MAX_ROW) s->row++;
        break;
    default:
        break;
    }
}

/* Stage 4: friendly bullets move and hit a fish, else a sub, on their new cell. */
static int update_friendly_bullets(ArcSeaquest *s)
{
    int reward = 0;
    for (int i = s->num_f_bullets - 1; i >= 0; i--) {
        ArcSqObject *b = &s->f_bullets[i];
        b->col = (int8_t)(b->col + b->dir);
        if (off_grid(b->col)) {
            erase(s->f_bullets, &s->num_f_bullets, i);
            continue;
        }
        int j = find_at(s->fish, s->num_fish, b->row, b->col);
        if (j >= 0) {
            erase(s->fish, &s->num_fish, j);
        } else {
            j = find_at(s->subs, s->num_subs, b->row, b->col);
            if (j < 0) continue;
            erase(s->subs, &s->num_subs, j);
        }
        erase(s->f_bullets, &s->num_f_bullets, i);
        reward++;
    }
    return reward;
}

/* Stage 5: divers on the front cell are picked up (while fewer than 6 are carried);
 * the others move every 6 steps and may move onto the front cell. */
static void update_divers(ArcSeaquest *s)
{
    for (int i = s->num_divers - 1; i >= 0; i--) {
        ArcSqObject *d = &s->divers[i];
        if (on_front(s, d) && s->carried < ARC_SQ_MAX_CARRIED) {
            erase(s->divers, &s->num_divers, i);
            s->carried++;
        } else if (d->move == 0) {
            d->move = ARC_SQ_DIVER_MOVE_INTERVAL;
            d->col = (int8_t)(d->col + d->dir);
            if (off_grid(d->col)) {
                erase(s->divers, &s->num_divers, i);
            } else if (on_front(s, d) && s->carried < ARC_SQ_MAX_CARRIED) {
                erase(s->divers, &s->num_divers, i);
                s->carried++;
            }
        } else {
            d->move--;
        }
    }
}

/* Moves enemy e (idiom B) and resolves where it lands. Returns true if e is to be deleted
 * (left the grid, or shot by a friendly bullet it moved onto: +1 in *reward). */
static bool move_enemy(ArcSeaquest *s, ArcSqObject *e, int *reward, bool *terminal)
{
    if (on_front(s, e)) *terminal = true;
    if (e->move != 0) {
        e->move--;
        return false;
    }
    e->move = s->move_interval;
    e->col = (int8_t)(e->col + e->dir);
    if (off_grid(e->col)) return true;
    if (on_front(s, e)) {
        *terminal = true;
        return false;
    }
    int j = find_at(s->f_bullets, s->num_f_bullets, e->row, e->col);
    if (j < 0) return false;
    erase(s->f_bullets, &s->num_f_bullets, j);
    (*reward)++;
    return true;
}

/* Stage 6: enemy subs move, then fire every 11 steps, even on the step they are deleted. */
static int update_subs(ArcSeaquest *s, bool *terminal)
{
    int reward = 0;
    for (int i = s->num_subs - 1; i >= 0; i--) {
        ArcSqObject sub = s->subs[i];
        bool deleted = move_enemy(s, &sub, &reward, terminal);
        if (sub.shot == 0) {
            sub.shot = ARC_SQ_SHOT_INTERVAL;
            ArcSqObject b = {.col = sub.col, .row = sub.row, .dir = sub.dir};
            push(s->e_bullets, &s->num_e_bullets, ARC_SQ_MAX_E_BULLETS, b);
        } else {
            sub.shot--;
        }
        if (deleted)
            erase(s->subs, &s->num_subs, i);
        else
            s->subs[i] = sub;
    }
    return reward;
}

/* Stage 7: enemy bullets move one column per step; the front cell is tested before and
 * after the move. */
static void update_enemy_bullets(ArcSeaquest *s, bool *terminal)
{
    for (int i = s->num_e_bullets - 1; i >= 0; i--) {
        ArcSqObject *b = &s->e_bullets[i];
        if (on_front(s, b)) *terminal = true;
        b->col = (int8_t)(b->col + b->dir);
        if (off_grid(b->col))
            erase(s->e_bullets, &s->num_e_bullets, i);
        else if (on_front(s, b))
            *terminal = true;
    }
}

/* Stage 8: fish move like subs and never fire. */
static int update_fish(ArcSeaquest *s, bool *terminal)
{
    int reward = 0;
    for (int i = s->num_fish - 1; i >= 0; i--)
        if (move_enemy(s, &s->fish[i], &reward, terminal)) erase(s->fish, &s->num_fish, i);
    return reward;
}

/* Stage 10: oxygen, surfacing and the difficulty ramp. */
static int update_surface(ArcSeaquest *s, bool *terminal)
{
    int reward = 0;
    if (s->oxygen <= 0) *terminal = true;
    if (s->row > 0) {
        s->oxygen--;
        s->at_surface = false;
        return 0;
    }
    if (s->at_surface) return 0;
    if (s->carried == 0) {
        *terminal = true;
        return 0;
    }
    s->at_surface = true;
    if (s->carried == ARC_SQ_MAX_CARRIED) {
        reward = s->oxygen * BONUS_SCALE / ARC_SQ_MAX_OXYGEN; /* oxygen >= 0 here: 0..10 */
        s->carried = 0;
    }
    s->oxygen = ARC_SQ_MAX_OXYGEN;
    s->carried--;
    if (s->ramping && (s->spawn_interval > 1 || s->move_interval > ARC_SQ_MIN_MOVE_INTERVAL)) {
        if (s->move_interval > ARC_SQ_MIN_MOVE_INTERVAL && (s->ramp_level & 1))
            s->move_interval--;
        if (s->spawn_interval > 1) s->spawn_interval--;
        s->ramp_level++;
    }
    return reward;
}

static int step(void *state, ArcRng *rng, int action, bool *terminal)
{
    ArcSeaquest *s = state;
    if (s->spawn_counter == 0) {
        spawn_enemy(s, rng);
        s->spawn_counter = s->spawn_interval;
    }
    if (s->diver_counter == 0) {
        spawn_diver(s, rng);
        s->diver_counter = ARC_SQ_DIVER_INTERVAL;
    }
    apply_action(s, action);
    int reward = update_friendly_bullets(s);
    update_divers(s);
    reward += update_subs(s, terminal);
    update_enemy_bullets(s, terminal);
    reward += update_fish(s, terminal);
    if (s->spawn_counter > 0) s->spawn_counter--;
    if (s->diver_counter > 0) s->diver_counter--;
    if (s->cooldown > 0) s->cooldown--;
    reward += update_surface(s, terminal);
    return reward;
}

/* Sets channel c at each object's cell and, with trail, the trail behind it. */
static void put_objects(uint8_t *obs, int c, const ArcSqObject *list, int n, bool trail)
{
    for (int i = 0; i < n; i++) {
        arc_obs_set(obs, c, list[i].row, list[i].col);
        int behind = list[i].col - list[i].dir;
        if (trail && !off_grid(behind)) arc_obs_set(obs, CH_TRAIL, list[i].row, behind);
    }
}

static void observe(const void *state, uint8_t *obs)
{
    const ArcSeaquest *s = state;
    memset(obs, 0, NUM_CHANNELS * ARC_GRID * ARC_GRID);
    arc_obs_set(obs, CH_FRONT, s->row, s->col);
    int back = s->col - s->dir;
    if (!off_grid(back)) arc_obs_set(obs, CH_BACK, s->row, back);
    put_objects(obs, CH_F_BULLET, s->f_bullets, s->num_f_bullets, false);
    put_objects(obs, CH_E_BULLET, s->e_bullets, s->num_e_bullets, false);
    put_objects(obs, CH_FISH, s->fish, s->num_fish, true);
    put_objects(obs, CH_SUB, s->subs, s->num_subs, true);
    put_objects(obs, CH_DIVER, s->divers, s->num_divers, true);
    int oxygen_cells = (s->oxygen > 0 ? s->oxygen : 0) * ARC_GRID / ARC_SQ_MAX_OXYGEN;
    memset(arc_obs_plane(obs, CH_OXYGEN) + GAUGE_ROW * ARC_GRID, 1, (size_t)oxygen_cells);
    if (s->carried > 0)
        memset(arc_obs_plane(obs, CH_DIVER_GAUGE) + GAUGE_ROW * ARC_GRID + ARC_GRID - 1 -
                   s->carried, 1, (size_t)s->carried);
}

static const int minimal_actions[] = {ARC_NOOP, ARC_LEFT, ARC_UP, ARC_RIGHT, ARC_DOWN, ARC_FIRE};
static const char *const channel_names[NUM_CHANNELS] = {
    "sub_front", "sub_back", "friendly_bullet", "trail", "enemy_bullet",
    "enemy_fish", "enemy_sub", "oxygen_gauge", "diver_gauge", "diver"};
static const uint32_t palette[NUM_CHANNELS] = {0xffe040, 0xc8a830, 0xffffff, 0x3a4050,
                                               0xff4040, 0xff9a30, 0xd048d8, 0x40a0ff,
                                               0x40d080, 0x70ffb0};

const ArcGame arc_game_seaquest = {
    .name = "seaquest",
    .channels = NUM_CHANNELS,
    .state_bytes = sizeof(ArcSeaquest),
    .num_minimal_actions = 6,
    .minimal_actions = minimal_actions,
    .channel_names = channel_names,
    .palette = palette,
    .reset = reset,
    .step = step,
    .observe = observe,
};
