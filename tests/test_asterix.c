/* test_asterix.c — Asterix rules (spec §2.1) checked on hand-built states.
 *
 * Most tests drive the game table directly (reset/step/observe on an ArcAsterix) and set
 * up lanes and counters by hand through env/asterix.h; the wrapper tests go through
 * env.h. Random draws are checked by replaying the expected draws on a copy of the stream
 * and comparing the two streams' positions. */
#include <criterion/criterion.h>
#include <string.h>

#include "../env/asterix.h"
#include "../env/env.h"

static const ArcGame *game = &arc_game_asterix;

static ArcAsterix fresh(ArcRng *rng, uint32_t seed, bool ramping)
{
    ArcAsterix s;
    arc_rng_seed(rng, seed);
    game->reset(&s, rng, ramping);
    return s;
}

static void place(ArcAsterix *s, int lane, int kind, int col, int dir)
{
    s->kind[lane] = (int8_t)kind;
    s->col[lane] = (int8_t)col;
    s->dir[lane] = (int8_t)dir;
}

static bool same_stream(const ArcRng *a, const ArcRng *b)
{
    return memcmp(a, b, sizeof *a) == 0;
}

static uint8_t cell(const uint8_t *obs, int c, int row, int col)
{
    return obs[(c * ARC_GRID + row) * ARC_GRID + col];
}

static int count_entities(const ArcAsterix *s)
{
    int n = 0;
    for (int k = 0; k < ARC_ASTERIX_LANES; k++) n += s->kind[k] != ARC_ASTERIX_EMPTY;
    return n;
}

Test(asterix, table_matches_spec)
{
    cr_assert_str_eq(game->name, "asterix");
    cr_assert_eq(game->channels, 4);
    cr_assert_eq(game->num_minimal_actions, 5);
    for (int i = 0; i < 5; i++) cr_assert_eq(game->minimal_actions[i], i);
    cr_assert_str_eq(game->channel_names[0], "player");
    cr_assert_str_eq(game->channel_names[1], "enemy");
    cr_assert_str_eq(game->channel_names[2], "trail");
    cr_assert_str_eq(game->channel_names[3], "gold");
    cr_assert_eq(game->state_bytes, sizeof(ArcAsterix));
}

Test(asterix, reset_state_and_observation)
{
    ArcRng rng, untouched;
    ArcAsterix s = fresh(&rng, 3, true);
    arc_rng_seed(&untouched, 3);
    cr_assert(same_stream(&rng, &untouched), "reset must draw nothing");
    cr_assert_eq(s.player_row, 5);
    cr_assert_eq(s.player_col, 5);
    cr_assert_eq(count_entities(&s), 0);
    cr_assert_eq(s.spawn_interval, 10);
    cr_assert_eq(s.spawn_counter, 10);
    cr_assert_eq(s.move_interval, 5);
    cr_assert_eq(s.move_counter, 5);
    cr_assert_eq(s.ramp_counter, 100);
    cr_assert_eq(s.ramp_level, 0);

    uint8_t obs[4 * 100];
    memset(obs, 0xee, sizeof obs);
    game->observe(&s, obs);
    int ones = 0;
    for (int i = 0; i < 400; i++) {
        cr_assert(obs[i] <= 1, "byte %d is %d", i, obs[i]);
        ones += obs[i];
    }
    cr_assert_eq(ones, 1);
    cr_assert_eq(cell(obs, 0, 5, 5), 1);
}

Test(asterix, first_spawn_on_step_11_with_its_draws)
{
    ArcRng rng, expect;
    ArcAsterix s = fresh(&rng, 11, true);
    arc_rng_seed(&expect, 11);
    bool terminal = false;
    for (int t = 1; t <= 10; t++) {
        game->step(&s, &rng, ARC_NOOP, &terminal);
        cr_assert_eq(count_entities(&s), 0, "something spawned on step %d", t);
    }
    cr_assert(same_stream(&rng, &expect), "no draws before the first spawn");

    game->step(&s, &rng, ARC_NOOP, &terminal);
    bool from_left = arc_rng_uniform(&expect) < 0.5;
    bool gold = arc_rng_uniform(&expect) < 1.0 / 3.0;
    int lane = (int)arc_rng_int(&expect, 0, 8);
    cr_assert(same_stream(&rng, &expect), "a spawn draws two uniforms and one integer in [0,8)");
    cr_assert_eq(count_entities(&s), 1);
    cr_assert_eq(s.kind[lane], gold ? ARC_ASTERIX_GOLD : ARC_ASTERIX_ENEMY);
    cr_assert_eq(s.dir[lane], from_left ? 1 : -1);
    /* step 11 is also a move step: the newcomer is already one cell in from its edge */
    cr_assert_eq(s.col[lane], from_left ? 1 : 8);
    cr_assert_eq(s.spawn_counter, 9);
}

Test(asterix, spawns_every_spawn_interval_steps)
{
    ArcRng rng;
    ArcAsterix s = fresh(&rng, 5, true);
    bool terminal = false;
    for (int t = 1; t <= 60; t++) {
        ArcRng before = rng;
        game->step(&s, &rng, ARC_NOOP, &terminal);
        bool drew = !same_stream(&rng, &before);
        cr_assert_eq(drew, t >= 11 && (t - 11) % 10 == 0, "step %d", t);
        memset(s.kind, ARC_ASTERIX_EMPTY, sizeof s.kind); /* keep the player safe */
    }
}

Test(asterix, entities_move_every_move_interval_steps)
{
    ArcRng rng;
    ArcAsterix s = fresh(&rng, 1, true);
    s.spawn_counter = 100; /* no spawns in this test */
    place(&s, 0, ARC_ASTERIX_ENEMY, 0, 1);
    place(&s, 7, ARC_ASTERIX_GOLD, 9, -1);
    bool terminal = false;
    int moves = 0;
    for (int t = 1; t <= 21; t++) {
        game->step(&s, &rng, ARC_NOOP, &terminal);
        bool move_step = t >= 6 && (t - 6) % 5 == 0;
        moves += move_step;
        cr_assert_eq(s.col[0], moves, "step %d", t);
        cr_assert_eq(s.col[7], 9 - moves, "step %d", t);
    }
    cr_assert_eq(moves, 4);

    /* a ramped interval: moves on every third step once the counter has run out */
    s.move_interval = 3;
    s.move_counter = 0;
    place(&s, 0, ARC_ASTERIX_ENEMY, 0, 1);
    for (int t = 1; t <= 9; t++) {
        game->step(&s, &rng, ARC_NOOP, &terminal);
        cr_assert_eq(s.col[0], (t + 2) / 3, "step %d", t);
    }
    cr_assert_not(terminal);
}

Test(asterix, entity_leaving_the_grid_is_removed)
{
    ArcRng rng;
    ArcAsterix s = fresh(&rng, 1, true);
    s.spawn_counter = 100;
    s.move_counter = 0;
    place(&s, 1, ARC_ASTERIX_ENEMY, 9, 1);
    place(&s, 2, ARC_ASTERIX_GOLD, 0, -1);
    place(&s, 3, ARC_ASTERIX_ENEMY, 8, 1);
    bool terminal = false;
    cr_assert_eq(game->step(&s, &rng, ARC_NOOP, &terminal), 0);
    cr_assert_eq(s.kind[1], ARC_ASTERIX_EMPTY);
    cr_assert_eq(s.kind[2], ARC_ASTERIX_EMPTY);
    cr_assert_eq(s.kind[3], ARC_ASTERIX_ENEMY);
    cr_assert_eq(s.col[3], 9);
    cr_assert_not(terminal);
}

Test(asterix, gold_gives_one_and_disappears)
{
    ArcRng rng;
    bool terminal = false;

    /* the gold moves onto the player */
    ArcAsterix s = fresh(&rng, 1, true);
    s.move_counter = 0;
    place(&s, 4, ARC_ASTERIX_GOLD, 6, -1);
    cr_assert_eq(game->step(&s, &rng, ARC_NOOP, &terminal), 1);
    cr_assert_eq(s.kind[4], ARC_ASTERIX_EMPTY);
    cr_assert_not(terminal);

    /* the player steps onto the gold before anything moves */
    s = fresh(&rng, 1, true);
    place(&s, 4, ARC_ASTERIX_GOLD, 6, 1);
    cr_assert_eq(game->step(&s, &rng, ARC_RIGHT, &terminal), 1);
    cr_assert_eq(s.kind[4], ARC_ASTERIX_EMPTY);
    cr_assert_not(terminal);

    /* gold in another lane on the player's column is not collected */
    s = fresh(&rng, 1, true);
    place(&s, 3, ARC_ASTERIX_GOLD, 5, 1);
    cr_assert_eq(game->step(&s, &rng, ARC_NOOP, &terminal), 0);
    cr_assert_eq(s.kind[3], ARC_ASTERIX_GOLD);
}

Test(asterix, enemy_contact_is_terminal_and_the_enemy_stays)
{
    ArcRng rng;
    uint8_t obs[400];

    /* the player walks into a resting enemy */
    bool terminal = false;
    ArcAsterix s = fresh(&rng, 1, true);
    place(&s, 3, ARC_ASTERIX_ENEMY, 5, -1);
    cr_assert_eq(game->step(&s, &rng, ARC_UP, &terminal), 0);
    cr_assert(terminal);
    game->observe(&s, obs);
    cr_assert_eq(cell(obs, 0, 4, 5), 1);
    cr_assert_eq(cell(obs, 1, 4, 5), 1, "the enemy stays on the player's cell");

    /* an enemy moves onto the player */
    terminal = false;
    s = fresh(&rng, 1, true);
    s.move_counter = 0;
    place(&s, 4, ARC_ASTERIX_ENEMY, 4, 1);
    cr_assert_eq(game->step(&s, &rng, ARC_NOOP, &terminal), 0);
    cr_assert(terminal);
    cr_assert_eq(s.col[4], 5);

    /* the player and an enemy swap cells: the contact check comes before the move */
    terminal = false;
    s = fresh(&rng, 1, true);
    s.move_counter = 0;
    place(&s, 4, ARC_ASTERIX_ENEMY, 6, -1);
    game->step(&s, &rng, ARC_RIGHT, &terminal);
    cr_assert(terminal, "the player stepped onto the enemy's cell");
}

Test(asterix, player_is_clamped_to_rows_1_to_8)
{
    ArcRng rng;
    ArcAsterix s = fresh(&rng, 1, true);
    s.spawn_counter = 100;
    bool terminal = false;
    for (int t = 0; t < 12; t++) game->step(&s, &rng, ARC_UP, &terminal);
    cr_assert_eq(s.player_row, 1);
    for (int t = 0; t < 12; t++) game->step(&s, &rng, ARC_DOWN, &terminal);
    cr_assert_eq(s.player_row, 8);
    for (int t = 0; t < 12; t++) game->step(&s, &rng, ARC_LEFT, &terminal);
    cr_assert_eq(s.player_col, 0);
    for (int t = 0; t < 12; t++) game->step(&s, &rng, ARC_RIGHT, &terminal);
    cr_assert_eq(s.player_col, 9);
    game->step(&s, &rng, ARC_FIRE, &terminal);
    cr_assert_eq(s.player_row, 8);
    cr_assert_eq(s.player_col, 9);
    cr_assert_not(terminal);
}

Test(asterix, full_lanes_skip_the_spawn_but_draw_two_uniforms)
{
    ArcRng rng, expect;
    ArcAsterix s = fresh(&rng, 21, true);
    arc_rng_seed(&expect, 21);
    for (int k = 0; k < ARC_ASTERIX_LANES; k++) place(&s, k, ARC_ASTERIX_ENEMY, 0, 1);
    s.spawn_counter = 0;
    s.move_counter = 3;
    ArcAsterix before = s;
    bool terminal = false;
    game->step(&s, &rng, ARC_NOOP, &terminal);
    arc_rng_uniform(&expect);
    arc_rng_uniform(&expect);
    cr_assert(same_stream(&rng, &expect), "exactly two uniforms, no integer");
    cr_assert_eq(memcmp(s.kind, before.kind, sizeof s.kind), 0);
    cr_assert_eq(memcmp(s.col, before.col, sizeof s.col), 0);
    cr_assert_eq(s.spawn_counter, 9, "the counter is reloaded anyway");
}

Test(asterix, one_free_lane_draws_no_integer)
{
    for (uint32_t seed = 1; seed <= 20; seed++) {
        ArcRng rng, expect;
        ArcAsterix s = fresh(&rng, seed, true);
        arc_rng_seed(&expect, seed);
        for (int k = 0; k < ARC_ASTERIX_LANES; k++)
            if (k != 6) place(&s, k, ARC_ASTERIX_ENEMY, 0, 1);
        s.spawn_counter = 0;
        s.move_counter = 3;
        bool terminal = false;
        game->step(&s, &rng, ARC_NOOP, &terminal);
        bool from_left = arc_rng_uniform(&expect) < 0.5;
        bool gold = arc_rng_uniform(&expect) < 1.0 / 3.0;
        cr_assert(same_stream(&rng, &expect), "seed %u: two uniforms only", seed);
        cr_assert_eq(s.kind[6], gold ? ARC_ASTERIX_GOLD : ARC_ASTERIX_ENEMY);
        cr_assert_eq(s.col[6], from_left ? 0 : 9);
    }
}

Test(asterix, lane_is_drawn_over_the_free_lanes_in_order)
{
    ArcRng rng, expect;
    ArcAsterix s = fresh(&rng, 8, true);
    arc_rng_seed(&expect, 8);
    const int free_lanes[3] = {1, 4, 7};
    for (int k = 0; k < ARC_ASTERIX_LANES; k++)
        if (k != 1 && k != 4 && k != 7) place(&s, k, ARC_ASTERIX_GOLD, 0, 1);
    s.spawn_counter = 0;
    s.move_counter = 3;
    bool terminal = false;
    game->step(&s, &rng, ARC_NOOP, &terminal);
    arc_rng_uniform(&expect);
    arc_rng_uniform(&expect);
    int lane = free_lanes[arc_rng_int(&expect, 0, 3)];
    cr_assert(same_stream(&rng, &expect));
    cr_assert_neq(s.kind[lane], ARC_ASTERIX_EMPTY);
    cr_assert_eq(count_entities(&s), 6);
}

/* Steps with no entities (lanes cleared after every step) and records the ramp events. */
Test(asterix, ramp_events_every_102_steps_with_the_interval_sequence)
{
    const int spawn_after[9] = {9, 8, 7, 6, 5, 4, 3, 2, 1};
    const int move_after[9] = {5, 4, 4, 3, 3, 2, 2, 1, 1};
    ArcRng rng;
    ArcAsterix s = fresh(&rng, 2, true);
    bool terminal = false;
    int level = 0;
    for (int t = 1; t <= 3000; t++) {
        game->step(&s, &rng, ARC_NOOP, &terminal);
        memset(s.kind, ARC_ASTERIX_EMPTY, sizeof s.kind);
        if (s.ramp_level != level) {
            cr_assert_eq(s.ramp_level, level + 1, "step %d", t);
            cr_assert_eq(t, 102 * s.ramp_level, "ramp event %d on step %d", s.ramp_level, t);
            level = s.ramp_level;
            cr_assert_eq(s.spawn_interval, spawn_after[level - 1], "after event %d", level);
            cr_assert_eq(s.move_interval, move_after[level - 1], "after event %d", level);
        }
    }
    cr_assert_eq(level, 9, "ramping stops at level 9 (step 918)");
    cr_assert_not(terminal);
}

Test(asterix, fully_ramped_spawns_and_moves_every_step)
{
    ArcRng rng;
    ArcAsterix s = fresh(&rng, 4, true);
    bool terminal = false;
    for (int t = 1; t <= 918; t++) {
        game->step(&s, &rng, ARC_NOOP, &terminal);
        memset(s.kind, ARC_ASTERIX_EMPTY, sizeof s.kind);
    }
    cr_assert_eq(s.ramp_level, 9);
    cr_assert_eq(s.spawn_interval, 1);
    cr_assert_eq(s.move_interval, 1);
    for (int t = 0; t < 20; t++) {
        ArcRng before = rng;
        memset(s.kind, ARC_ASTERIX_EMPTY, sizeof s.kind);
        game->step(&s, &rng, ARC_NOOP, &terminal); /* player in column 5: out of reach */
        cr_assert_not(terminal);
        cr_assert_not(same_stream(&rng, &before), "a spawn attempt every step");
        cr_assert_eq(count_entities(&s), 1);
        int k = 0;
        while (s.kind[k] == ARC_ASTERIX_EMPTY) k++;
        cr_assert_eq(s.col[k], s.dir[k] > 0 ? 1 : 8, "spawned and moved in the same step");
    }
}

Test(asterix, ramping_off_keeps_intervals_fixed)
{
    ArcRng rng;
    ArcAsterix s = fresh(&rng, 2, false);
    bool terminal = false;
    for (int t = 1; t <= 2000; t++) {
        ArcRng before = rng;
        game->step(&s, &rng, ARC_NOOP, &terminal);
        memset(s.kind, ARC_ASTERIX_EMPTY, sizeof s.kind);
        bool drew = !same_stream(&rng, &before);
        cr_assert_eq(drew, t >= 11 && (t - 11) % 10 == 0, "step %d", t);
    }
    cr_assert_eq(s.spawn_interval, 10);
    cr_assert_eq(s.move_interval, 5);
    cr_assert_eq(s.ramp_level, 0);
}

Test(asterix, trail_marks_the_cell_behind_on_the_grid_only)
{
    ArcRng rng;
    ArcAsterix s = fresh(&rng, 1, true);
    place(&s, 0, ARC_ASTERIX_ENEMY, 0, 1);  /* behind is off the grid */
    place(&s, 1, ARC_ASTERIX_GOLD, 9, -1);  /* behind is off the grid */
    place(&s, 2, ARC_ASTERIX_ENEMY, 4, 1);  /* behind: column 3 */
    place(&s, 5, ARC_ASTERIX_GOLD, 4, -1);  /* behind: column 5 */
    uint8_t obs[400];
    game->observe(&s, obs);
    cr_assert_eq(cell(obs, 1, 1, 0), 1);
    cr_assert_eq(cell(obs, 3, 2, 9), 1);
    cr_assert_eq(cell(obs, 1, 3, 4), 1);
    cr_assert_eq(cell(obs, 3, 6, 4), 1);
    cr_assert_eq(cell(obs, 2, 3, 3), 1);
    cr_assert_eq(cell(obs, 2, 6, 5), 1);
    int trails = 0, enemies = 0, gold = 0;
    for (int i = 0; i < 100; i++) {
        enemies += obs[100 + i];
        trails += obs[200 + i];
        gold += obs[300 + i];
    }
    cr_assert_eq(trails, 2);
    cr_assert_eq(enemies, 2);
    cr_assert_eq(gold, 2);
}

static int play_until_terminal(ArcEnv *env, ArcRng *policy, uint8_t *obs)
{
    for (int t = 1; t <= 5000; t++) {
        arc_env_step(env, (int)arc_rng_int(policy, 0, 6));
        if (env->terminal) {
            arc_env_observe(env, obs);
            return t;
        }
    }
    return -1;
}

Test(asterix, terminal_stays_terminal_through_the_wrapper)
{
    ArcEnvConfig cfg = arc_env_config_default();
    ArcAsterix state;
    ArcEnv env;
    arc_env_init(&env, game, &cfg, &state, 9);
    arc_env_reset(&env);
    ArcRng policy;
    arc_rng_seed(&policy, 99);
    uint8_t obs[400], again[400];
    int steps = play_until_terminal(&env, &policy, obs);
    cr_assert_gt(steps, 0, "a random player dies within 5000 steps");
    ArcAsterix frozen = state;
    for (int i = 0; i < 20; i++) {
        cr_assert_eq(arc_env_step(&env, i % 6), 0);
        cr_assert(arc_env_done(&env));
    }
    arc_env_observe(&env, again);
    cr_assert_eq(memcmp(obs, again, sizeof obs), 0);
    cr_assert_eq(memcmp(&state, &frozen, sizeof state), 0);
    cr_assert_eq(env.steps, steps);
}

Test(asterix, same_seed_and_actions_give_same_observations)
{
    ArcEnvConfig cfg = arc_env_config_default();
    ArcAsterix sa, sb;
    ArcEnv a, b;
    arc_env_init(&a, game, &cfg, &sa, 1234);
    arc_env_init(&b, game, &cfg, &sb, 1234);
    arc_env_reset(&a);
    arc_env_reset(&b);
    ArcRng policy;
    arc_rng_seed(&policy, 5);
    uint8_t oa[400], ob[400];
    int episodes = 0;
    for (int t = 0; t < 5000; t++) {
        int action = (int)arc_rng_int(&policy, 0, 6);
        cr_assert_eq(arc_env_step(&a, action), arc_env_step(&b, action), "step %d", t);
        arc_env_observe(&a, oa);
        arc_env_observe(&b, ob);
        cr_assert_eq(memcmp(oa, ob, sizeof oa), 0, "step %d", t);
        cr_assert_eq(a.terminal, b.terminal);
        if (arc_env_done(&a)) {
            arc_env_reset(&a);
            arc_env_reset(&b);
            episodes++;
        }
    }
    cr_assert_gt(episodes, 1);
}
