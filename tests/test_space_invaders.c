/* test_space_invaders.c — Space Invaders rules: the wave ramp, the formation speeding up
 * as it thins out, the timing of the first shot and move, the 17-step shortest episode,
 * shot column choice, reversal and step-down, tunnelling, and determinism. Situations
 * are built directly on the state (space_invaders.h) where scripting would be long. */
#include <criterion/criterion.h>
#include <string.h>

#include "../env/env.h"
#include "../env/space_invaders.h"

enum { CH_CANNON, CH_ALIEN, CH_ALIEN_LEFT, CH_ALIEN_RIGHT, CH_F_BULLET, CH_E_BULLET };

static const ArcGame *game = &arc_game_space_invaders;

static void fresh(ArcSpaceInvaders *s, bool ramping)
{
    ArcRng rng;
    arc_rng_seed(&rng, 1);
    game->reset(s, &rng, ramping);
}

static int play(ArcSpaceInvaders *s, int action, bool *terminal)
{
    *terminal = false;
    return game->step(s, NULL, action, terminal);
}

static void clear_aliens(ArcSpaceInvaders *s)
{
    memset(s->aliens, 0, sizeof s->aliens);
}

static bool same_aliens(const uint16_t *a, const uint16_t *b)
{
    return memcmp(a, b, ARC_GRID * sizeof *a) == 0;
}

Test(space_invaders, table_matches_spec)
{
    static const int minimal[] = {ARC_NOOP, ARC_LEFT, ARC_RIGHT, ARC_FIRE};
    cr_assert_eq(game->channels, 6);
    cr_assert_eq(game->num_minimal_actions, 4);
    for (int i = 0; i < 4; i++) cr_assert_eq(game->minimal_actions[i], minimal[i]);
    cr_assert_str_eq(game->channel_names[2], "alien_left");
}

Test(space_invaders, reset_formation)
{
    ArcSpaceInvaders s;
    uint8_t obs[ARC_OBS_MAX];
    fresh(&s, true);
    game->observe(&s, obs);
    for (int r = 0; r < ARC_GRID; r++)
        for (int c = 0; c < ARC_GRID; c++) {
            int alien = r <= 3 && c >= 2 && c <= 7;
            cr_assert_eq(obs[(CH_ALIEN * ARC_GRID + r) * ARC_GRID + c], alien);
            cr_assert_eq(obs[(CH_ALIEN_LEFT * ARC_GRID + r) * ARC_GRID + c], alien);
            cr_assert_eq(obs[(CH_ALIEN_RIGHT * ARC_GRID + r) * ARC_GRID + c], 0);
            cr_assert_eq(obs[(CH_CANNON * ARC_GRID + r) * ARC_GRID + c], r == 9 && c == 5);
        }
}

Test(space_invaders, wave_ramp_down_to_six)
{
    /* each cleared wave: interval -1 (12 -> 11 ... 6, then stays); a fresh wave appears */
    for (int ramping = 0; ramping <= 1; ramping++) {
        ArcSpaceInvaders s;
        bool terminal;
        fresh(&s, ramping);
        for (int wave = 1; wave <= 9; wave++) {
            clear_aliens(&s);
            s.aliens[0] = 1u << 4;
            s.f_bullets[1] = 1u << 4; /* moves into the last alien */
            s.move_counter = 100;
            s.shot_counter = 100;
            cr_assert_eq(play(&s, ARC_NOOP, &terminal), 1);
            cr_assert(!terminal);
            int expected = ramping ? (12 - wave > 6 ? 12 - wave : 6) : 12;
            cr_assert_eq(s.move_interval, expected, "wave %d", wave);
            cr_assert_eq(s.ramp_level, ramping ? (wave < 6 ? wave : 6) : 0);
            for (int r = 0; r < ARC_GRID; r++)
                cr_assert_eq(s.aliens[r], r <= 3 ? 0x0fc : 0, "new wave, row %d", r);
        }
    }
}

/* Steps with no-ops and returns the steps (1-based) on which the formation moved. */
static int move_steps(ArcSpaceInvaders *s, int steps, int *when)
{
    int n = 0;
    for (int t = 1; t <= steps; t++) {
        uint16_t before[ARC_GRID];
        bool terminal;
        memcpy(before, s->aliens, sizeof before);
        s->shot_counter = 100; /* no enemy bullets in the way */
        play(s, ARC_NOOP, &terminal);
        cr_assert(!terminal);
        if (!same_aliens(before, s->aliens)) when[n++] = t;
    }
    return n;
}

Test(space_invaders, formation_moves_every_min_of_aliens_and_interval)
{
    static const int counts[] = {1, 2, 3, 5, 8, 11, 12, 20};
    for (size_t i = 0; i < sizeof counts / sizeof counts[0]; i++) {
        ArcSpaceInvaders s;
        int when[64];
        fresh(&s, true);
        clear_aliens(&s);
        for (int k = 0; k < counts[i]; k++) s.aliens[k / 5] |= (uint16_t)(1u << (3 + k % 5));
        s.move_counter = 0;
        int n = move_steps(&s, 40, when);
        int period = counts[i] < 12 ? counts[i] : 12;
        cr_assert_eq(when[0], 1, "%d aliens", counts[i]);
        cr_assert_eq(n, 1 + 39 / period, "%d aliens", counts[i]);
        for (int k = 1; k < n; k++)
            cr_assert_eq(when[k] - when[k - 1], period, "%d aliens", counts[i]);
    }
}

Test(space_invaders, formation_speeds_up_as_aliens_are_shot)
{
    /* the reload value is taken when the formation moves, from the aliens left then */
    ArcSpaceInvaders s;
    bool terminal;
    int when[64];
    fresh(&s, true);
    clear_aliens(&s);
    s.aliens[0] = 0x0f8; /* 5 aliens, columns 3..7 */
    s.move_counter = 0;
    cr_assert_eq(move_steps(&s, 1, when), 1);
    cr_assert_eq(s.move_counter, 4, "reloaded with 5, then decremented");
    s.aliens[0] = 0x010; /* 4 of them shot */
    s.move_counter = 0;
    s.shot_counter = 100;
    play(&s, ARC_NOOP, &terminal);
    cr_assert_eq(s.move_counter, 0, "one alien: the formation moves every step");
}

Test(space_invaders, first_shot_on_step_11_first_move_on_step_13)
{
    ArcSpaceInvaders s, start;
    bool terminal;
    fresh(&s, true);
    start = s;
    for (int t = 1; t <= 13; t++) {
        play(&s, ARC_NOOP, &terminal);
        cr_assert(!terminal);
        int bullets = 0;
        for (int r = 0; r < ARC_GRID; r++) bullets += __builtin_popcount(s.e_bullets[r]);
        cr_assert_eq(bullets, t >= 11, "step %d", t);
        cr_assert_eq(same_aliens(s.aliens, start.aliens), t < 13, "step %d", t);
        if (t == 11) cr_assert_eq(s.e_bullets[3], 1u << 5, "lowest alien above the cannon");
    }
    for (int r = 0; r < ARC_GRID; r++)
        cr_assert_eq(s.aliens[r], r <= 3 ? 0x0fc >> 1 : 0, "shifted left one column");
}

Test(space_invaders, shortest_episode_is_17_noop_steps)
{
    ArcSpaceInvaders s;
    ArcEnv env;
    ArcEnvConfig cfg = arc_env_config_default();
    arc_env_init(&env, game, &cfg, &s, 5);
    arc_env_reset(&env);
    for (int t = 1; t <= 16; t++) {
        arc_env_step(&env, ARC_NOOP);
        cr_assert(!arc_env_done(&env), "step %d", t);
    }
    cr_assert_eq(arc_env_step(&env, ARC_NOOP), 0);
    cr_assert(env.terminal, "the first enemy bullet reaches the cannon on step 17");
}

Test(space_invaders, shot_column_nearest_cannon_ties_to_smaller)
{
    ArcSpaceInvaders s;
    bool terminal;
    fresh(&s, true);
    clear_aliens(&s);
    s.aliens[0] = (1u << 3) | (1u << 7);
    s.aliens[2] = 1u << 3;
    s.aliens[4] = 1u << 7;
    s.cannon = 5;
    s.shot_counter = 0;
    s.move_counter = 100;
    play(&s, ARC_NOOP, &terminal);
    for (int r = 0; r < ARC_GRID; r++)
        cr_assert_eq(s.e_bullets[r], r == 2 ? 1u << 3 : 0, "row %d", r);

    fresh(&s, true);
    clear_aliens(&s);
    s.aliens[1] = (1u << 0) | (1u << 8);
    s.cannon = 5;
    s.shot_counter = 0;
    s.move_counter = 100;
    play(&s, ARC_NOOP, &terminal);
    cr_assert_eq(s.e_bullets[1], 1u << 8, "column 8 is nearer than column 0");
}

Test(space_invaders, reversal_steps_down)
{
    ArcSpaceInvaders s;
    bool terminal;
    uint8_t obs[ARC_OBS_MAX];
    fresh(&s, true);
    clear_aliens(&s);
    s.aliens[2] = 0x003; /* columns 0 and 1, moving left */
    s.move_counter = 0;
    s.shot_counter = 100;
    play(&s, ARC_NOOP, &terminal);
    cr_assert(!terminal);
    cr_assert_eq(s.direction, 1);
    cr_assert_eq(s.aliens[2], 0);
    cr_assert_eq(s.aliens[3], 0x003);
    game->observe(&s, obs);
    cr_assert_eq(obs[(CH_ALIEN_RIGHT * ARC_GRID + 3) * ARC_GRID + 0], 1);
    cr_assert_eq(obs[(CH_ALIEN_LEFT * ARC_GRID + 3) * ARC_GRID + 0], 0);

    clear_aliens(&s);
    s.aliens[5] = 1u << 9; /* at the right wall, moving right */
    s.move_counter = 0;
    play(&s, ARC_NOOP, &terminal);
    cr_assert_eq(s.direction, -1);
    cr_assert_eq(s.aliens[6], 1u << 9);
}

Test(space_invaders, step_down_from_row_9_is_terminal)
{
    ArcSpaceInvaders s;
    bool terminal;
    fresh(&s, true);
    clear_aliens(&s);
    s.aliens[8] = 1u << 1;
    s.aliens[9] = 1u << 0; /* bottom row, left wall, far from the cannon */
    s.cannon = 7;
    s.move_counter = 0;
    s.shot_counter = 100;
    play(&s, ARC_NOOP, &terminal);
    cr_assert(terminal);
    cr_assert_eq(s.aliens[9], 1u << 1, "row 8 stepped down");
    cr_assert_eq(s.aliens[0], 1u << 0, "the formation rolls: row 9 comes round to row 0");

    fresh(&s, true);
    clear_aliens(&s);
    s.aliens[9] = 1u << 3; /* bottom row but not at a wall: moves sideways */
    s.cannon = 7;
    s.move_counter = 0;
    s.shot_counter = 100;
    play(&s, ARC_NOOP, &terminal);
    cr_assert(!terminal);
    cr_assert_eq(s.aliens[9], 1u << 2);
}

Test(space_invaders, alien_moving_onto_cannon_is_terminal)
{
    ArcSpaceInvaders s;
    bool terminal;
    fresh(&s, true);
    clear_aliens(&s);
    s.aliens[9] = 1u << 6;
    s.cannon = 5;
    s.move_counter = 0;
    s.shot_counter = 100;
    play(&s, ARC_NOOP, &terminal);
    cr_assert(terminal);
}

Test(space_invaders, bullet_tunnels_through_a_swapping_alien)
{
    /* the bullet moves up into row 4 while the alien steps down into row 5: no hit */
    ArcSpaceInvaders s;
    bool terminal;
    fresh(&s, true);
    clear_aliens(&s);
    s.aliens[4] = 1u << 0;
    s.f_bullets[5] = 1u << 0;
    s.move_counter = 0;
    s.shot_counter = 100;
    cr_assert_eq(play(&s, ARC_NOOP, &terminal), 0);
    cr_assert_eq(s.aliens[5], 1u << 0);
    cr_assert_eq(s.f_bullets[4], 1u << 0);

    /* without the swap the same bullet hits */
    fresh(&s, true);
    clear_aliens(&s);
    s.aliens[4] = 1u << 3;
    s.aliens[0] = 1u << 9;
    s.f_bullets[5] = 1u << 3;
    s.move_counter = 100;
    s.shot_counter = 100;
    cr_assert_eq(play(&s, ARC_NOOP, &terminal), 1);
    cr_assert_eq(s.aliens[4], 0);
    cr_assert_eq(s.f_bullets[4], 0);
}

Test(space_invaders, fire_cool_down_is_five_steps)
{
    ArcSpaceInvaders s;
    bool terminal;
    fresh(&s, true);
    int shots = 0;
    for (int t = 1; t <= 11; t++) {
        s.shot_counter = 100;
        play(&s, ARC_FIRE, &terminal);
        bool fired = s.f_bullets[8] >> s.cannon & 1;
        cr_assert_eq(fired, t == 1 || t == 6 || t == 11, "step %d", t);
        shots += fired;
    }
    cr_assert_eq(shots, 3);
}

Test(space_invaders, deterministic_given_actions)
{
    /* no randomness in the game: with sticky actions off, any seed gives the same run */
    uint8_t a[ARC_OBS_MAX], b[ARC_OBS_MAX];
    ArcSpaceInvaders sa, sb;
    ArcEnv ea, eb;
    ArcEnvConfig cfg = arc_env_config_default();
    cfg.sticky_prob = 0;
    ArcRng pick;
    arc_rng_seed(&pick, 11);
    arc_env_init(&ea, game, &cfg, &sa, 1);
    arc_env_init(&eb, game, &cfg, &sb, 999);
    arc_env_reset(&ea);
    arc_env_reset(&eb);
    for (int t = 0; t < 5000; t++) {
        int action = game->minimal_actions[arc_rng_int(&pick, 0, 4)];
        cr_assert_eq(arc_env_step(&ea, action), arc_env_step(&eb, action));
        cr_assert_eq(arc_env_done(&ea), arc_env_done(&eb));
        arc_env_observe(&ea, a);
        arc_env_observe(&eb, b);
        cr_assert_eq(memcmp(a, b, 6 * ARC_GRID * ARC_GRID), 0, "step %d", t);
        if (arc_env_done(&ea)) {
            arc_env_reset(&ea);
            arc_env_reset(&eb);
        }
    }
}
