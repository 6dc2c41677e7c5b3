/* test_seaquest.c — Seaquest rules that the public traces exercise rarely or not at all:
 * the -1 diver count after a 6-diver surfacing, the bonus, oxygen death, surfacing with
 * no divers, the surface as a safe harbour, the ramp, update order and list capacities.
 * Situations are built directly on the state (seaquest.h) where scripting would be long. */
#include <criterion/criterion.h>
#include <string.h>

#include "../env/env.h"
#include "../env/seaquest.h"

enum { CH_E_BULLET = 4, CH_SUB = 6, CH_OXYGEN = 7, CH_DIVER_GAUGE = 8 };

static const ArcGame *game = &arc_game_seaquest;

static void fresh(ArcSeaquest *s, ArcRng *rng, bool ramping)
{
    arc_rng_seed(rng, 1);
    game->reset(s, rng, ramping);
}

static int play(ArcSeaquest *s, ArcRng *rng, int action, bool *terminal)
{
    *terminal = false;
    return game->step(s, rng, action, terminal);
}

static int plane_count(const uint8_t *obs, int c)
{
    int n = 0;
    for (int i = 0; i < ARC_GRID * ARC_GRID; i++) n += obs[c * ARC_GRID * ARC_GRID + i];
    return n;
}

static void clear_enemies(ArcSeaquest *s)
{
    s->num_fish = s->num_subs = s->num_e_bullets = 0;
}

static void put_diver_on_front(ArcSeaquest *s)
{
    s->divers[0] = (ArcSqObject){.col = s->col, .row = s->row, .dir = 1, .move = 3};
    s->num_divers = 1;
}

Test(seaquest, table_matches_spec)
{
    cr_assert_eq(game->channels, 10);
    cr_assert_eq(game->num_minimal_actions, 6);
    for (int a = 0; a < 6; a++) cr_assert_eq(game->minimal_actions[a], a);
    cr_assert_str_eq(game->channel_names[0], "sub_front");
    cr_assert_str_eq(game->channel_names[9], "diver");
}

Test(seaquest, six_diver_surfacing_pays_bonus_and_leaves_minus_one)
{
    ArcSeaquest s;
    ArcRng rng;
    bool terminal;
    uint8_t obs[ARC_OBS_MAX];
    fresh(&s, &rng, true);
    s.row = 1;
    s.at_surface = false;
    s.carried = 6;
    s.oxygen = 150;
    cr_assert_eq(play(&s, &rng, ARC_UP, &terminal), 7); /* floor(150 * 10 / 200) */
    cr_assert(!terminal);
    cr_assert_eq(s.carried, -1);
    cr_assert_eq(s.oxygen, 200);
    cr_assert(s.at_surface);
    game->observe(&s, obs);
    cr_assert_eq(plane_count(obs, CH_DIVER_GAUGE), 0, "a negative count shows no divers");
    cr_assert_eq(plane_count(obs, CH_OXYGEN), 10);

    /* with a negative count, surfacing is neither terminal nor rewarded; the count falls */
    for (int k = 2; k <= 4; k++) {
        cr_assert_eq(play(&s, &rng, ARC_DOWN, &terminal), 0);
        cr_assert_eq(play(&s, &rng, ARC_UP, &terminal), 0);
        cr_assert(!terminal);
        cr_assert_eq(s.carried, -k);
    }
}

Test(seaquest, count_back_at_zero_makes_surfacing_terminal)
{
    ArcSeaquest s;
    ArcRng rng;
    bool terminal;
    fresh(&s, &rng, true);
    s.row = 3;
    s.at_surface = false;
    s.carried = -2;
    for (int k = 0; k < 2; k++) {
        put_diver_on_front(&s);
        play(&s, &rng, ARC_NOOP, &terminal);
        cr_assert(!terminal);
    }
    cr_assert_eq(s.carried, 0);
    s.row = 1;
    play(&s, &rng, ARC_UP, &terminal);
    cr_assert(terminal);
}

Test(seaquest, six_diver_bonus_is_floor_of_oxygen_over_twenty)
{
    static const struct { int oxygen, bonus; } cases[] = {
        {200, 10}, {199, 9}, {180, 9}, {179, 8}, {100, 5}, {39, 1}, {20, 1}, {19, 0}, {1, 0}};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        ArcSeaquest s;
        ArcRng rng;
        bool terminal;
        fresh(&s, &rng, true);
        s.row = 1;
        s.at_surface = false;
        s.carried = 6;
        s.oxygen = (int16_t)cases[i].oxygen;
        cr_assert_eq(play(&s, &rng, ARC_UP, &terminal), cases[i].bonus, "oxygen %d",
                     cases[i].oxygen);
        cr_assert(!terminal);
    }
}

Test(seaquest, fewer_than_six_divers_pay_nothing_and_refill_oxygen)
{
    ArcSeaquest s;
    ArcRng rng;
    bool terminal;
    fresh(&s, &rng, true);
    s.row = 1;
    s.at_surface = false;
    s.carried = 5;
    s.oxygen = 150;
    cr_assert_eq(play(&s, &rng, ARC_UP, &terminal), 0);
    cr_assert(!terminal);
    cr_assert_eq(s.carried, 4);
    cr_assert_eq(s.oxygen, 200);
}

Test(seaquest, oxygen_runs_out_on_step_201)
{
    ArcSeaquest s;
    ArcRng rng;
    bool terminal;
    uint8_t obs[ARC_OBS_MAX];
    fresh(&s, &rng, true);
    play(&s, &rng, ARC_DOWN, &terminal);
    cr_assert(!terminal);
    for (int t = 2; t <= 200; t++) {
        clear_enemies(&s);
        play(&s, &rng, ARC_NOOP, &terminal);
        cr_assert(!terminal, "terminal too early, on step %d", t);
        cr_assert_eq(s.oxygen, 200 - t);
        game->observe(&s, obs);
        cr_assert_eq(plane_count(obs, CH_OXYGEN), (200 - t) / 20, "gauge on step %d", t);
    }
    clear_enemies(&s);
    play(&s, &rng, ARC_NOOP, &terminal);
    cr_assert(terminal, "oxygen 0 must end the episode on the next step");
    game->observe(&s, obs);
    cr_assert_eq(plane_count(obs, CH_OXYGEN), 0, "the gauge is clamped at 0");
}

Test(seaquest, empty_oxygen_still_processes_the_surfacing)
{
    ArcSeaquest s;
    ArcRng rng;
    bool terminal;
    fresh(&s, &rng, true);
    s.row = 1;
    s.at_surface = false;
    s.carried = 2;
    s.oxygen = 0;
    play(&s, &rng, ARC_UP, &terminal);
    cr_assert(terminal);
    cr_assert_eq(s.carried, 1);
    cr_assert_eq(s.oxygen, 200);
}

Test(seaquest, surfacing_with_no_divers_is_terminal)
{
    ArcSeaquest s;
    ArcRng rng;
    bool terminal;
    fresh(&s, &rng, true);
    play(&s, &rng, ARC_DOWN, &terminal);
    cr_assert(!terminal);
    play(&s, &rng, ARC_UP, &terminal);
    cr_assert(terminal);
}

Test(seaquest, surface_is_a_safe_harbour)
{
    /* 20,000 steps of fire, left, right and no-op at the surface through the real wrapper
     * (sticky actions on; none of these actions dives) never end the episode. */
    static const int actions[] = {ARC_NOOP, ARC_LEFT, ARC_RIGHT, ARC_FIRE};
    ArcSeaquest s;
    ArcEnv env;
    ArcEnvConfig cfg = arc_env_config_default();
    ArcRng pick;
    arc_rng_seed(&pick, 9);
    arc_env_init(&env, game, &cfg, &s, 42);
    arc_env_reset(&env);
    int max_enemies = 0;
    for (int t = 1; t <= 20000; t++) {
        arc_env_step(&env, actions[arc_rng_int(&pick, 0, 4)]);
        cr_assert(!arc_env_done(&env), "terminal on step %d", t);
        cr_assert_eq(s.row, 0);
        cr_assert_eq(s.oxygen, 200);
        if (s.num_fish + s.num_subs > max_enemies) max_enemies = s.num_fish + s.num_subs;
    }
    cr_assert_gt(max_enemies, 0, "enemies must have spawned for the test to mean anything");
}

Test(seaquest, ramp_one_event_per_surfacing)
{
    /* spawn interval 20 -> 1 over 19 events; move interval 5 -> 4 (2nd), 3 (4th), 2 (6th) */
    static const int move_after[] = {5, 4, 4, 3, 3, 2, 2};
    for (int ramping = 0; ramping <= 1; ramping++) {
        ArcSeaquest s;
        ArcRng rng;
        bool terminal;
        fresh(&s, &rng, ramping);
        s.carried = -1;
        for (int event = 1; event <= 25; event++) {
            clear_enemies(&s);
            play(&s, &rng, ARC_DOWN, &terminal);
            clear_enemies(&s);
            play(&s, &rng, ARC_UP, &terminal);
            cr_assert(!terminal);
            int spawn = ramping ? (20 - event > 1 ? 20 - event : 1) : 20;
            int move = ramping ? move_after[event < 7 ? event - 1 : 6] : 5;
            cr_assert_eq(s.spawn_interval, spawn, "event %d", event);
            cr_assert_eq(s.move_interval, move, "event %d", event);
            cr_assert_eq(s.ramp_level, ramping ? (event < 19 ? event : 19) : 0, "event %d",
                         event);
        }
    }
}

Test(seaquest, spawn_and_move_timing)
{
    /* enemy spawn attempt on step 21 (idiom A), diver on step 31; enemies move every 6
     * steps (idiom B with interval 5), first on step 26 */
    ArcSeaquest s;
    ArcRng rng;
    bool terminal;
    fresh(&s, &rng, true);
    int spawn_col = -1, moves = 0;
    for (int t = 1; t <= 40; t++) {
        play(&s, &rng, ARC_NOOP, &terminal);
        cr_assert(!terminal);
        int enemies = s.num_fish + s.num_subs;
        cr_assert_eq(enemies, t >= 21, "step %d", t);
        cr_assert_eq(s.num_divers, t >= 31, "step %d", t);
        if (t >= 21) {
            const ArcSqObject *e = s.num_fish ? &s.fish[0] : &s.subs[0];
            if (t == 21) spawn_col = e->col;
            int expected = t >= 38 ? 3 : t >= 32 ? 2 : t >= 26 ? 1 : 0;
            moves = (e->col - spawn_col) * e->dir;
            cr_assert_eq(moves, expected, "step %d", t);
        }
    }
}

Test(seaquest, sub_fires_ten_steps_after_spawn_then_every_eleven)
{
    ArcSeaquest s;
    ArcRng rng;
    bool terminal;
    fresh(&s, &rng, true);
    s.spawn_counter = s.diver_counter = 100;
    s.subs[0] = (ArcSqObject){.col = 0, .row = 4, .dir = 1, .move = 100, .shot = 10};
    s.num_subs = 1;
    int shots = 0;
    for (int t = 1; t <= 32; t++) {
        int before = s.num_e_bullets;
        play(&s, &rng, ARC_NOOP, &terminal);
        bool fired = s.num_e_bullets > before;
        cr_assert_eq(fired, t == 11 || t == 22, "step %d", t);
        shots += fired;
    }
    cr_assert_eq(shots, 2);
}

Test(seaquest, deleted_sub_still_fires)
{
    /* the sub moves onto a friendly bullet: both die (+1), and the sub's shot still comes */
    ArcSeaquest s;
    ArcRng rng;
    bool terminal;
    uint8_t obs[ARC_OBS_MAX];
    fresh(&s, &rng, true);
    s.subs[0] = (ArcSqObject){.col = 4, .row = 3, .dir = 1, .move = 0, .shot = 0};
    s.num_subs = 1;
    s.f_bullets[0] = (ArcSqObject){.col = 6, .row = 3, .dir = -1};
    s.num_f_bullets = 1;
    cr_assert_eq(play(&s, &rng, ARC_NOOP, &terminal), 1);
    cr_assert(!terminal);
    cr_assert_eq(s.num_subs, 0);
    cr_assert_eq(s.num_f_bullets, 0);
    cr_assert_eq(s.num_e_bullets, 1);
    cr_assert_eq(s.e_bullets[0].col, 6, "fired from (3,5), then moved one column");
    game->observe(&s, obs);
    cr_assert_eq(obs[(CH_E_BULLET * ARC_GRID + 3) * ARC_GRID + 6], 1);
    cr_assert_eq(plane_count(obs, CH_SUB), 0);
}

Test(seaquest, enemy_bullet_hits_the_front_cell_only)
{
    ArcSeaquest s;
    ArcRng rng;
    bool terminal;
    fresh(&s, &rng, true);
    s.row = 5;
    s.col = 5;
    s.dir = -1; /* back cell is (5, 6) */
    s.e_bullets[0] = (ArcSqObject){.col = 8, .row = 5, .dir = -1};
    s.num_e_bullets = 1;
    play(&s, &rng, ARC_NOOP, &terminal); /* bullet -> column 7 */
    play(&s, &rng, ARC_NOOP, &terminal); /* -> 6: the back cell is cosmetic */
    cr_assert(!terminal);
    play(&s, &rng, ARC_NOOP, &terminal); /* -> 5: the front cell */
    cr_assert(terminal);
}

Test(seaquest, divers_are_updated_newest_first)
{
    /* two divers on the front cell with 5 carried: the newer one is picked up first, which
     * fills the sub; the older one stays */
    ArcSeaquest s;
    ArcRng rng;
    bool terminal;
    fresh(&s, &rng, true);
    s.row = 4;
    s.carried = 5;
    s.divers[0] = (ArcSqObject){.col = 5, .row = 4, .dir = 1, .move = 3};
    s.divers[1] = (ArcSqObject){.col = 5, .row = 4, .dir = -1, .move = 2};
    s.num_divers = 2;
    play(&s, &rng, ARC_NOOP, &terminal);
    cr_assert_eq(s.carried, 6);
    cr_assert_eq(s.num_divers, 1);
    cr_assert_eq(s.divers[0].dir, 1, "the older diver must remain");
    cr_assert_eq(s.divers[0].move, 2, "and count down (idiom B)");
}

Test(seaquest, enemy_spawn_respects_opposite_direction_rows)
{
    /* a spawn into a row holding an enemy moving the other way is dropped (draws spent) */
    for (uint32_t seed = 1; seed <= 200; seed++) {
        ArcSeaquest s;
        ArcRng rng, probe;
        bool terminal;
        fresh(&s, &rng, true);
        arc_rng_seed(&rng, seed);
        probe = rng;
        bool from_left = arc_rng_uniform(&probe) < 0.5;
        arc_rng_uniform(&probe);
        int row = (int)arc_rng_int(&probe, 1, 9);
        s.spawn_counter = 0;
        s.fish[0] = (ArcSqObject){.col = 5, .row = (int8_t)row, .dir = (int8_t)(from_left ? -1 : 1),
                                  .move = 100};
        s.num_fish = 1;
        play(&s, &rng, ARC_NOOP, &terminal);
        cr_assert_eq(s.num_fish + s.num_subs, 1, "seed %u", seed);
        cr_assert_eq(memcmp(&rng, &probe, sizeof rng), 0, "the three draws are consumed");
    }
}

Test(seaquest, entity_lists_stay_within_proven_bounds)
{
    /* worst case for the proof: a spawn attempt every step with the slowest enemies;
     * the sub camps at the surface so nothing ends the run */
    ArcSeaquest s;
    ArcRng rng;
    bool terminal;
    fresh(&s, &rng, false);
    s.spawn_interval = 1;
    int max_fish = 0, max_subs = 0, max_bullets = 0, max_divers = 0;
    for (int t = 0; t < 20000; t++) {
        play(&s, &rng, t % 7 == 0 ? ARC_FIRE : ARC_NOOP, &terminal);
        cr_assert(!terminal);
        if (s.num_fish > max_fish) max_fish = s.num_fish;
        if (s.num_subs > max_subs) max_subs = s.num_subs;
        if (s.num_e_bullets > max_bullets) max_bullets = s.num_e_bullets;
        if (s.num_divers > max_divers) max_divers = s.num_divers;
    }
    cr_assert_leq(max_fish, 60);
    cr_assert_leq(max_subs, 60);
    cr_assert_leq(max_bullets, 59);
    cr_assert_leq(max_divers, 2);
    cr_assert_gt(max_fish + max_subs, 20, "the stress must actually crowd the lists");
}

Test(seaquest, replay_is_deterministic)
{
    uint8_t a[ARC_OBS_MAX], b[ARC_OBS_MAX];
    ArcSeaquest sa, sb;
    ArcEnv ea, eb;
    ArcEnvConfig cfg = arc_env_config_default();
    ArcRng pick;
    arc_rng_seed(&pick, 3);
    arc_env_init(&ea, game, &cfg, &sa, 77);
    arc_env_init(&eb, game, &cfg, &sb, 77);
    arc_env_reset(&ea);
    arc_env_reset(&eb);
    for (int t = 0; t < 5000; t++) {
        int action = (int)arc_rng_int(&pick, 0, 6);
        cr_assert_eq(arc_env_step(&ea, action), arc_env_step(&eb, action));
        cr_assert_eq(arc_env_done(&ea), arc_env_done(&eb));
        arc_env_observe(&ea, a);
        arc_env_observe(&eb, b);
        cr_assert_eq(memcmp(a, b, 10 * ARC_GRID * ARC_GRID), 0, "step %d", t);
        if (arc_env_done(&ea)) {
            arc_env_reset(&ea);
            arc_env_reset(&eb);
        }
    }
}
