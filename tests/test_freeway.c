/* test_freeway.c — Freeway rules (spec §2.3) checked on hand-built states.
 *
 * Most tests drive the game table directly (reset/step/observe on an ArcFreeway) and set
 * cars and counters by hand through env/freeway.h; the wrapper tests go through env.h.
 * Random draws are checked by replaying the expected draws on a copy of the stream and
 * comparing the two streams' positions. */
#include <criterion/criterion.h>
#include <string.h>

#include "../env/env.h"
#include "../env/freeway.h"

static const ArcGame *game = &arc_game_freeway;

enum { OBS_BYTES = 7 * 100 };

static ArcFreeway fresh(ArcRng *rng, uint32_t seed)
{
    ArcFreeway s;
    arc_rng_seed(rng, seed);
    game->reset(&s, rng, true);
    return s;
}

/* Parks every car at column 0, stopped, so that nothing can reach column 4. */
static void park_cars(ArcFreeway *s)
{
    for (int k = 0; k < ARC_FREEWAY_CARS; k++) {
        s->col[k] = 0;
        s->dir[k] = 0;
    }
}

static void set_car(ArcFreeway *s, int k, int col, int speed, int dir, int counter)
{
    s->col[k] = (int8_t)col;
    s->speed[k] = (int8_t)speed;
    s->dir[k] = (int8_t)dir;
    s->counter[k] = (int8_t)counter;
}

static bool same_stream(const ArcRng *a, const ArcRng *b)
{
    return memcmp(a, b, sizeof *a) == 0;
}

static uint8_t cell(const uint8_t *obs, int c, int row, int col)
{
    return obs[(c * ARC_GRID + row) * ARC_GRID + col];
}

Test(freeway, table_matches_spec)
{
    cr_assert_str_eq(game->name, "freeway");
    cr_assert_eq(game->channels, 7);
    cr_assert_eq(game->num_minimal_actions, 3);
    cr_assert_eq(game->minimal_actions[0], ARC_NOOP);
    cr_assert_eq(game->minimal_actions[1], ARC_UP);
    cr_assert_eq(game->minimal_actions[2], ARC_DOWN);
    cr_assert_str_eq(game->channel_names[0], "chicken");
    cr_assert_str_eq(game->channel_names[1], "car");
    cr_assert_eq(game->state_bytes, sizeof(ArcFreeway));
}

Test(freeway, reset_draws_speeds_then_directions)
{
    ArcRng rng, expect;
    ArcFreeway s = fresh(&rng, 17);
    arc_rng_seed(&expect, 17);
    int speed[8];
    for (int k = 0; k < 8; k++) speed[k] = (int)arc_rng_int(&expect, 1, 6);
    for (int k = 0; k < 8; k++) {
        double u = arc_rng_uniform(&expect);
        cr_assert_eq(s.dir[k], u > 0.5 ? 1 : -1, "car %d", k);
        cr_assert_eq(s.speed[k], speed[k], "car %d", k);
        cr_assert_eq(s.counter[k], speed[k], "car %d", k);
        cr_assert_eq(s.col[k], 0, "car %d", k);
    }
    cr_assert(same_stream(&rng, &expect), "8 integers and 8 uniforms, nothing else");
    cr_assert_eq(s.chicken_row, 9);
    cr_assert_eq(s.cooldown, 3);
    cr_assert_eq(s.timer, 2500);
}

Test(freeway, ramping_flag_is_ignored)
{
    ArcRng ra, rb;
    ArcFreeway a, b;
    arc_rng_seed(&ra, 4);
    arc_rng_seed(&rb, 4);
    game->reset(&a, &ra, true);
    game->reset(&b, &rb, false);
    cr_assert_eq(memcmp(&a, &b, sizeof a), 0);
}

Test(freeway, car_of_speed_s_moves_every_s_plus_1_steps)
{
    ArcRng rng;
    ArcFreeway s = fresh(&rng, 1);
    for (int k = 0; k < ARC_FREEWAY_CARS; k++) {
        int speed = k % 5 + 1;
        set_car(&s, k, 0, speed, k < 4 ? 1 : -1, speed);
    }
    bool terminal = false;
    for (int t = 1; t <= 60; t++) {
        game->step(&s, &rng, ARC_NOOP, &terminal);
        for (int k = 0; k < ARC_FREEWAY_CARS; k++) {
            int moves = t / (k % 5 + 2);
            int col = ((k < 4 ? moves : -moves) % 10 + 10) % 10;
            cr_assert_eq(s.col[k], col, "car %d (speed %d), step %d", k, k % 5 + 1, t);
        }
    }
}

Test(freeway, episode_lasts_exactly_2501_steps)
{
    for (uint32_t seed = 1; seed <= 3; seed++) {
        ArcRng rng;
        ArcFreeway s = fresh(&rng, seed);
        ArcRng policy;
        arc_rng_seed(&policy, seed + 100);
        for (int t = 1; t <= 2501; t++) {
            bool terminal = false;
            game->step(&s, &rng, (int)arc_rng_int(&policy, 0, 6), &terminal);
            cr_assert_eq(terminal, t == 2501, "seed %u, step %d", seed, t);
        }
    }
}

Test(freeway, chicken_moves_at_most_once_per_3_steps)
{
    ArcRng rng;
    ArcFreeway s = fresh(&rng, 2);
    park_cars(&s);
    bool terminal = false;
    int reward_steps[2] = {0, 0}, crossings = 0;
    for (int t = 1; t <= 60; t++) {
        int before = s.chicken_row;
        int reward = game->step(&s, &rng, ARC_UP, &terminal);
        if (reward) {
            cr_assert_lt(crossings, 2);
            reward_steps[crossings++] = t;
            park_cars(&s); /* the crossing re-drew speeds and directions */
            continue;
        }
        bool move_step = t >= 4 && (t - 4) % 3 == 0;
        cr_assert_eq(s.chicken_row, move_step ? before - 1 : before, "step %d", t);
    }
    cr_assert_eq(reward_steps[0], 28, "first crossing: first move on step 4, then 8 more");
    cr_assert_eq(reward_steps[1], 55, "a crossing from row 9 takes 27 steps");
}

Test(freeway, down_at_the_bottom_still_uses_the_cooldown)
{
    ArcRng rng;
    ArcFreeway s = fresh(&rng, 2);
    park_cars(&s);
    bool terminal = false;
    for (int t = 1; t <= 3; t++) game->step(&s, &rng, ARC_NOOP, &terminal);
    game->step(&s, &rng, ARC_DOWN, &terminal); /* step 4: row stays 9, cool-down reloads */
    cr_assert_eq(s.chicken_row, 9);
    game->step(&s, &rng, ARC_UP, &terminal);   /* step 5: still cooling down */
    game->step(&s, &rng, ARC_UP, &terminal);   /* step 6 */
    cr_assert_eq(s.chicken_row, 9);
    game->step(&s, &rng, ARC_UP, &terminal);   /* step 7 */
    cr_assert_eq(s.chicken_row, 8);
    for (int t = 0; t < 3; t++) game->step(&s, &rng, ARC_LEFT, &terminal);
    game->step(&s, &rng, ARC_FIRE, &terminal);
    cr_assert_eq(s.chicken_row, 8, "left, right and fire do nothing");
    game->step(&s, &rng, ARC_DOWN, &terminal);
    cr_assert_eq(s.chicken_row, 9);
}

Test(freeway, crossing_gives_one_and_redraws_every_car)
{
    ArcRng rng, expect;
    ArcFreeway s = fresh(&rng, 31);
    s.chicken_row = 1;
    s.cooldown = 0;
    for (int k = 0; k < ARC_FREEWAY_CARS; k++) set_car(&s, k, k == 4 ? 4 : 7, 5, 1, 3);
    expect = rng;
    bool terminal = false;
    cr_assert_eq(game->step(&s, &rng, ARC_UP, &terminal), 1);
    cr_assert_not(terminal);
    cr_assert_eq(s.chicken_row, 9, "back to the start");
    int speed[8];
    for (int k = 0; k < 8; k++) speed[k] = (int)arc_rng_int(&expect, 1, 6);
    for (int k = 0; k < 8; k++) {
        double u = arc_rng_uniform(&expect);
        cr_assert_eq(s.dir[k], u > 0.5 ? 1 : -1, "car %d", k);
        cr_assert_eq(s.speed[k], speed[k], "car %d", k);
        /* the counters restart at the new speeds and then tick once this step */
        cr_assert_eq(s.counter[k], speed[k] - 1, "car %d", k);
        cr_assert_eq(s.col[k], k == 4 ? 4 : 7, "car %d keeps its column", k);
    }
    cr_assert(same_stream(&rng, &expect), "exactly 8 integers and 8 uniforms");
}

Test(freeway, collision_sends_the_chicken_to_row_9)
{
    ArcRng rng;
    bool terminal = false;

    /* a resting car on the chicken's cell */
    ArcFreeway s = fresh(&rng, 3);
    park_cars(&s);
    s.chicken_row = 3;
    set_car(&s, 2, 4, 2, 1, 2);
    cr_assert_eq(game->step(&s, &rng, ARC_NOOP, &terminal), 0);
    cr_assert_eq(s.chicken_row, 9);

    /* a car on the chicken's cell that drives away this step still hits first */
    s = fresh(&rng, 3);
    park_cars(&s);
    s.chicken_row = 3;
    set_car(&s, 2, 4, 2, 1, 0);
    game->step(&s, &rng, ARC_NOOP, &terminal);
    cr_assert_eq(s.col[2], 5);
    cr_assert_eq(s.chicken_row, 9);

    /* a car moving onto the chicken */
    s = fresh(&rng, 3);
    park_cars(&s);
    s.chicken_row = 6;
    set_car(&s, 5, 5, 1, -1, 0);
    game->step(&s, &rng, ARC_NOOP, &terminal);
    cr_assert_eq(s.col[5], 4);
    cr_assert_eq(s.chicken_row, 9);

    /* a car wrapping from column 9 to 0 in the chicken's row is harmless */
    s = fresh(&rng, 3);
    park_cars(&s);
    s.chicken_row = 6;
    set_car(&s, 5, 9, 1, 1, 0);
    game->step(&s, &rng, ARC_NOOP, &terminal);
    cr_assert_eq(s.col[5], 0);
    cr_assert_eq(s.chicken_row, 6);

    /* the chicken steps up into a car */
    s = fresh(&rng, 3);
    park_cars(&s);
    s.chicken_row = 8;
    s.cooldown = 0;
    set_car(&s, 6, 4, 3, 1, 2);
    game->step(&s, &rng, ARC_UP, &terminal);
    cr_assert_eq(s.chicken_row, 9);

    /* a car in another row on column 4 does nothing */
    s = fresh(&rng, 3);
    park_cars(&s);
    s.chicken_row = 6;
    set_car(&s, 2, 4, 3, 1, 2);
    game->step(&s, &rng, ARC_NOOP, &terminal);
    cr_assert_eq(s.chicken_row, 6);
    cr_assert_not(terminal);
}

Test(freeway, trail_wraps_around_in_the_speed_channel)
{
    ArcRng rng;
    ArcFreeway s = fresh(&rng, 1);
    set_car(&s, 0, 0, 1, 1, 1);   /* behind is column 9 */
    set_car(&s, 1, 9, 5, -1, 5);  /* behind is column 0 */
    set_car(&s, 2, 5, 3, 1, 3);   /* behind is column 4 */
    set_car(&s, 3, 5, 3, -1, 3);  /* behind is column 6 */
    set_car(&s, 4, 2, 2, 1, 2);
    set_car(&s, 5, 2, 4, 1, 4);
    set_car(&s, 6, 2, 2, -1, 2);
    set_car(&s, 7, 2, 4, -1, 4);
    uint8_t obs[OBS_BYTES];
    memset(obs, 0xee, sizeof obs);
    game->observe(&s, obs);
    cr_assert_eq(cell(obs, 0, 9, 4), 1);
    cr_assert_eq(cell(obs, 2, 1, 9), 1);
    cr_assert_eq(cell(obs, 6, 2, 0), 1);
    cr_assert_eq(cell(obs, 4, 3, 4), 1);
    cr_assert_eq(cell(obs, 4, 4, 6), 1);
    cr_assert_eq(cell(obs, 3, 5, 1), 1);
    cr_assert_eq(cell(obs, 5, 6, 1), 1);
    cr_assert_eq(cell(obs, 3, 7, 3), 1);
    cr_assert_eq(cell(obs, 5, 8, 3), 1);
    int per_channel[7] = {0};
    for (int i = 0; i < OBS_BYTES; i++) {
        cr_assert(obs[i] <= 1, "byte %d", i);
        per_channel[i / 100] += obs[i];
    }
    const int expect[7] = {1, 8, 1, 2, 2, 2, 1};
    for (int c = 0; c < 7; c++) cr_assert_eq(per_channel[c], expect[c], "channel %d", c);
}

/* Spec: a direction uniform of exactly 0.5 gives a stopped car. Ours never leaves its
 * column and, having no "behind", draws no trail. */
Test(freeway, stopped_car_stays_and_leaves_no_trail)
{
    ArcRng rng;
    ArcFreeway s = fresh(&rng, 1);
    park_cars(&s);
    set_car(&s, 3, 7, 1, 0, 1);
    bool terminal = false;
    for (int t = 0; t < 20; t++) game->step(&s, &rng, ARC_NOOP, &terminal);
    cr_assert_eq(s.col[3], 7);
    uint8_t obs[OBS_BYTES];
    game->observe(&s, obs);
    cr_assert_eq(cell(obs, 1, 4, 7), 1);
    for (int i = 200; i < OBS_BYTES; i++) cr_assert_eq(obs[i], 0, "trail byte %d", i);
}

Test(freeway, terminal_stays_terminal_through_the_wrapper)
{
    ArcEnvConfig cfg = arc_env_config_default();
    ArcFreeway state;
    ArcEnv env;
    arc_env_init(&env, game, &cfg, &state, 6);
    arc_env_reset(&env);
    uint8_t obs[OBS_BYTES], again[OBS_BYTES];
    for (int t = 1; t <= 2501; t++) {
        cr_assert_not(arc_env_done(&env), "step %d", t);
        arc_env_step(&env, ARC_UP);
    }
    cr_assert(env.terminal);
    arc_env_observe(&env, obs);
    ArcFreeway frozen = state;
    for (int i = 0; i < 20; i++) cr_assert_eq(arc_env_step(&env, ARC_UP), 0);
    cr_assert(env.terminal);
    arc_env_observe(&env, again);
    cr_assert_eq(memcmp(obs, again, sizeof obs), 0);
    cr_assert_eq(memcmp(&state, &frozen, sizeof state), 0);
    cr_assert_eq(env.steps, 2501);
}

Test(freeway, same_seed_and_actions_give_same_observations)
{
    ArcEnvConfig cfg = arc_env_config_default();
    ArcFreeway sa, sb;
    ArcEnv a, b;
    arc_env_init(&a, game, &cfg, &sa, 77);
    arc_env_init(&b, game, &cfg, &sb, 77);
    arc_env_reset(&a);
    arc_env_reset(&b);
    ArcRng policy;
    arc_rng_seed(&policy, 8);
    uint8_t oa[OBS_BYTES], ob[OBS_BYTES];
    int64_t total = 0;
    for (int t = 0; t < 6000; t++) {
        /* mostly up, so that crossings (and their re-draws) happen */
        int action = arc_rng_int(&policy, 0, 4) ? ARC_UP : (int)arc_rng_int(&policy, 0, 6);
        int ra = arc_env_step(&a, action), rb = arc_env_step(&b, action);
        cr_assert_eq(ra, rb, "step %d", t);
        total += ra;
        arc_env_observe(&a, oa);
        arc_env_observe(&b, ob);
        cr_assert_eq(memcmp(oa, ob, sizeof oa), 0, "step %d", t);
        if (arc_env_done(&a)) {
            cr_assert(arc_env_done(&b));
            arc_env_reset(&a);
            arc_env_reset(&b);
        }
    }
    cr_assert_gt(total, 0, "some crossings happened");
}
