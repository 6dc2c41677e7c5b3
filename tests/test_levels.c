/* test_levels.c — levels (env/level.h): a level fixes the world's random draws whatever
 * the agent does, different levels differ, the level sets are disjoint, batches hand out
 * train levels as documented and checkpoint them, the procedural variants draw their
 * layouts from the level, and `arcade eval --levels` works end to end.
 *
 * The default (MinAtar) mode is covered by the conformance tests, which must keep
 * passing unchanged. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "../agent/a3c.h"
#include "../agent/agent.h"
#include "../agent/evaluate.h"
#include "../agent/train_config.h"
#include "../learner/checkpoint.h"
#include "../common/safetensors.h"
#include "../env/asterix.h"
#include "../env/breakout.h"
#include "../env/freeway.h"
#include "../env/level.h"
#include "../env/seaquest.h"
#include "../env/snapshot.h"
#include "../env/space_invaders.h"
#include "../env/vec_env.h"
#include "run_cli.h"

#define MAX_STEPS 400

static const ArcGame *const all_games[] = {
    &arc_game_asterix, &arc_game_breakout, &arc_game_freeway, &arc_game_seaquest,
    &arc_game_space_invaders, &arc_game_breakout_procedural, &arc_game_space_invaders_procedural,
};
#define NUM_ALL (int)(sizeof all_games / sizeof all_games[0])

/* What one episode showed: per step, a fingerprint of the world stream the game drew
 * from at that step (0: it drew nothing), and every observation. */
typedef struct Episode {
    int steps;
    uint64_t world[MAX_STEPS + 1];
    uint8_t obs[MAX_STEPS + 1][ARC_OBS_MAX];
} Episode;

static uint64_t world_fingerprint(const ArcRng *world)
{
    if (world->index > ARC_MT_N) return 0; /* still lazily seeded: no draw this step */
    uint64_t h = 1469598103934665603ull;
    for (int i = 0; i < ARC_MT_N; i++) h = (h ^ world->state[i]) * 1099511628211ull;
    return h | 1;
}

/* Plays level on game with sticky stream sticky_seed and uniform actions from a stream
 * seeded action_seed (or the fixed list `actions` when not NULL), for at most MAX_STEPS
 * steps. */
static void play(const ArcGame *game, uint32_t level, uint32_t sticky_seed, uint32_t action_seed,
                 const int *actions, int num_actions, Episode *ep)
{
    ArcEnvConfig cfg = arc_env_config_default();
    void *state = calloc(1, game->state_bytes);
    ArcEnv env;
    arc_env_init(&env, game, &cfg, state, sticky_seed);
    arc_env_set_level(&env, level);
    arc_env_reset(&env);
    ArcRng act;
    arc_rng_seed(&act, action_seed);
    memset(ep, 0, sizeof *ep);
    ep->world[0] = world_fingerprint(&env.world);
    arc_env_observe(&env, ep->obs[0]);
    int t = 0;
    while (t < MAX_STEPS && !arc_env_done(&env)) {
        int a = actions ? actions[arc_rng_int(&act, 0, num_actions)] : (int)arc_rng_int(&act, 0, 6);
        arc_env_step(&env, a);
        t++;
        ep->world[t] = world_fingerprint(&env.world);
        arc_env_observe(&env, ep->obs[t]);
    }
    ep->steps = t;
    free(state);
}

static size_t obs_bytes(const ArcGame *game) { return (size_t)game->channels * ARC_GRID * ARC_GRID; }

/* ------------------------------------------------------------ streams */

Test(levels, lazy_seeding_gives_the_eagerly_seeded_stream)
{
    for (uint32_t seed = 0; seed < 2000; seed += 97) {
        ArcRng eager, lazy;
        arc_rng_seed(&eager, seed);
        arc_rng_seed_lazy(&lazy, seed);
        for (int k = 0; k < 700; k++) { /* past one twist */
            cr_assert_eq(arc_rng_u32(&eager), arc_rng_u32(&lazy), "seed %u draw %d", seed, k);
        }
        cr_assert_eq(arc_rng_int(&eager, 0, 7), arc_rng_int(&lazy, 0, 7));
        cr_assert_eq(arc_rng_uniform(&eager), arc_rng_uniform(&lazy));
    }
}

Test(levels, world_seeds_depend_on_level_and_step)
{
    cr_assert_neq(arc_level_world_seed(0, 0), arc_level_world_seed(0, 1));
    cr_assert_neq(arc_level_world_seed(0, 0), arc_level_world_seed(1, 0));
    cr_assert_neq(arc_level_world_seed(1, 0), arc_level_world_seed(0, 1));
    cr_assert_eq(arc_level_world_seed(5, 17), arc_level_world_seed(5, 17));
}

/* ------------------------------------------------------------ same level, any actions */

Test(levels, same_level_gives_the_same_world_draws_whatever_the_actions)
{
    /* never up (but in Freeway): a Seaquest sub that surfaces without divers dies early */
    static const int no_up[] = {ARC_NOOP, ARC_LEFT, ARC_RIGHT, ARC_DOWN, ARC_FIRE};
    for (int g = 0; g < NUM_ALL; g++) {
        const ArcGame *game = all_games[g];
        const int *actions = game == &arc_game_freeway ? NULL : no_up;
        int common_draws = 0;
        for (uint32_t level = 0; level < 6; level++) {
            static Episode a, b;
            /* different actions and different sticky streams */
            play(game, level, 11, 100 + level, actions, 5, &a);
            play(game, level, 12, 200 + level, actions, 5, &b);
            cr_assert_arr_eq(a.obs[0], b.obs[0], obs_bytes(game), "%s level %u: first observations differ",
                             game->name, level);
            int steps = a.steps < b.steps ? a.steps : b.steps;
            for (int t = 0; t <= steps; t++) {
                if (!a.world[t] || !b.world[t]) continue;
                cr_assert_eq(a.world[t], b.world[t], "%s level %u step %d: the game drew other numbers",
                             game->name, level, t);
                common_draws++;
            }
        }
        bool draws = game != &arc_game_space_invaders;
        cr_log_info("%s: %d steps drew in both runs", game->name, common_draws);
        if (draws) cr_assert_gt(common_draws, 0, "%s: no step drew in both runs", game->name);
    }
}

Test(levels, in_level_mode_the_envs_own_stream_only_makes_the_sticky_draws)
{
    for (int g = 0; g < NUM_ALL; g++) {
        const ArcGame *game = all_games[g];
        ArcEnvConfig cfg = arc_env_config_default();
        void *state = calloc(1, game->state_bytes);
        ArcEnv env;
        arc_env_init(&env, game, &cfg, state, 77);
        arc_env_set_level(&env, 3);
        arc_env_reset(&env);
        ArcRng expected;
        arc_rng_seed(&expected, 77);
        for (int t = 0; t < 300 && !arc_env_done(&env); t++) {
            arc_env_step(&env, t % 6);
            arc_rng_uniform(&expected); /* the sticky draw */
            cr_assert_eq(env.rng.index, expected.index, "%s step %d", game->name, t);
            cr_assert_arr_eq(env.rng.state, expected.state, sizeof expected.state, "%s step %d",
                             game->name, t);
        }
        free(state);
    }
}

/* Asterix: each spawn's kind and side (not its lane, which depends on the free lanes). */
typedef struct Spawn {
    int8_t kind, dir;
} Spawn;

static void asterix_spawns(uint32_t level, uint32_t sticky_seed, uint32_t action_seed, Spawn *spawns,
                           int *steps)
{
    ArcEnvConfig cfg = arc_env_config_default();
    ArcAsterix s;
    ArcEnv env;
    arc_env_init(&env, &arc_game_asterix, &cfg, &s, sticky_seed);
    arc_env_set_level(&env, level);
    arc_env_reset(&env);
    ArcRng act;
    arc_rng_seed(&act, action_seed);
    memset(spawns, 0, sizeof(Spawn) * (MAX_STEPS + 1));
    int t = 0;
    while (t < MAX_STEPS && !arc_env_done(&env)) {
        ArcAsterix before = s;
        arc_env_step(&env, (int)arc_rng_int(&act, 0, 5));
        t++;
        for (int k = 0; k < ARC_ASTERIX_LANES; k++)
            if (before.kind[k] == ARC_ASTERIX_EMPTY && s.kind[k] != ARC_ASTERIX_EMPTY)
                spawns[t] = (Spawn){s.kind[k], s.dir[k]};
    }
    *steps = t;
}

Test(levels, asterix_spawn_kinds_and_sides_follow_the_level_not_the_actions)
{
    static Spawn a[MAX_STEPS + 1], b[MAX_STEPS + 1];
    int compared = 0;
    for (uint32_t level = 0; level < 10; level++) {
        int na, nb;
        asterix_spawns(level, 1, 10 + level, a, &na);
        asterix_spawns(level, 2, 20 + level, b, &nb);
        int steps = na < nb ? na : nb;
        for (int t = 1; t <= steps; t++) {
            if (!a[t].kind || !b[t].kind) continue;
            cr_assert_eq(a[t].kind, b[t].kind, "level %u step %d: spawn kind", level, t);
            cr_assert_eq(a[t].dir, b[t].dir, "level %u step %d: spawn side", level, t);
            compared++;
        }
    }
    cr_log_info("asterix: %d spawns compared", compared);
    cr_assert_gt(compared, 20);
}

Test(levels, freeway_traffic_at_reset_is_the_levels)
{
    int differ = 0;
    for (uint32_t level = 0; level < 10; level++) {
        ArcEnvConfig cfg = arc_env_config_default();
        ArcFreeway s[2];
        for (int k = 0; k < 2; k++) {
            ArcEnv env;
            arc_env_init(&env, &arc_game_freeway, &cfg, &s[k], 1000 + (uint32_t)k);
            arc_env_set_level(&env, level);
            arc_env_reset(&env);
        }
        cr_assert_arr_eq(s[0].speed, s[1].speed, sizeof s[0].speed, "level %u", level);
        cr_assert_arr_eq(s[0].dir, s[1].dir, sizeof s[0].dir, "level %u", level);
        ArcFreeway other;
        ArcEnv env;
        arc_env_init(&env, &arc_game_freeway, &cfg, &other, 1000);
        arc_env_set_level(&env, level + 1);
        arc_env_reset(&env);
        differ += memcmp(other.speed, s[0].speed, sizeof other.speed) != 0 ||
                  memcmp(other.dir, s[0].dir, sizeof other.dir) != 0;
    }
    cr_assert_eq(differ, 10, "%d of 10 neighbouring levels had other traffic", differ);
}

/* Seaquest at the surface: nothing the sub does reaches rows 1..8, so with any actions
 * that keep it there the whole enemy and diver schedule is the level's. */
Test(levels, seaquest_schedule_is_the_levels_while_the_sub_stays_up)
{
    static const int surface_actions[] = {ARC_NOOP, ARC_LEFT, ARC_RIGHT, ARC_FIRE};
    for (uint32_t level = 0; level < 4; level++) {
        ArcEnvConfig cfg = arc_env_config_default();
        ArcSeaquest s[2];
        ArcEnv env[2];
        ArcRng act[2];
        for (int k = 0; k < 2; k++) {
            arc_env_init(&env[k], &arc_game_seaquest, &cfg, &s[k], 50 + (uint32_t)k);
            arc_env_set_level(&env[k], level);
            arc_env_reset(&env[k]);
            arc_rng_seed(&act[k], 70 + (uint32_t)k);
        }
        int enemies = 0;
        for (int t = 1; t <= MAX_STEPS; t++) {
            for (int k = 0; k < 2; k++) arc_env_step(&env[k], surface_actions[arc_rng_int(&act[k], 0, 4)]);
            cr_assert(!arc_env_done(&env[0]) && !arc_env_done(&env[1]), "level %u step %d", level, t);
            cr_assert_eq(s[0].num_fish, s[1].num_fish, "level %u step %d", level, t);
            cr_assert_eq(s[0].num_subs, s[1].num_subs, "level %u step %d", level, t);
            cr_assert_eq(s[0].num_divers, s[1].num_divers, "level %u step %d", level, t);
            cr_assert_arr_eq(s[0].fish, s[1].fish, s[0].num_fish * sizeof s[0].fish[0]);
            cr_assert_arr_eq(s[0].subs, s[1].subs, s[0].num_subs * sizeof s[0].subs[0]);
            cr_assert_arr_eq(s[0].divers, s[1].divers, s[0].num_divers * sizeof s[0].divers[0]);
            enemies += s[0].num_fish + s[0].num_subs;
        }
        cr_assert_gt(enemies, 0, "level %u: no enemy in %d steps", level, MAX_STEPS);
    }
}

/* ------------------------------------------------------------ levels differ */

Test(levels, different_levels_differ_where_the_game_has_world_randomness)
{
    for (int g = 0; g < NUM_ALL; g++) {
        const ArcGame *game = all_games[g];
        /* never up: a Seaquest sub that surfaces without divers ends the episode before
         * the first spawn */
        static const int no_up[] = {ARC_NOOP, ARC_LEFT, ARC_RIGHT, ARC_DOWN, ARC_FIRE};
        int differ = 0, pairs = 0;
        for (uint32_t level = 0; level < 16; level += 2, pairs++) {
            static Episode a, b;
            /* the same actions and sticky stream on two levels */
            play(game, level, 5, 6, no_up, 5, &a);
            play(game, level + 1, 5, 6, no_up, 5, &b);
            bool same = a.steps == b.steps;
            for (int t = 0; same && t <= a.steps; t++)
                same = memcmp(a.obs[t], b.obs[t], obs_bytes(game)) == 0;
            differ += !same;
        }
        cr_log_info("%s: %d of %d level pairs played differently", game->name, differ, pairs);
        if (game == &arc_game_space_invaders)
            cr_assert_eq(differ, 0, "standard Space Invaders has no world randomness");
        else if (game == &arc_game_breakout)
            cr_assert_gt(differ, 0, "Breakout's start side never changed");
        else
            cr_assert_eq(differ, pairs, "%s: %d of %d level pairs the same", game->name,
                         pairs - differ, pairs);
    }
}

/* ------------------------------------------------------------ level sets */

Test(levels, train_validation_and_test_sets_are_disjoint)
{
    for (uint32_t i = 0; i < ARC_LEVEL_SET_SIZE; i++) {
        uint32_t val = arc_level_seed(ARC_LEVEL_VAL, i), test = arc_level_seed(ARC_LEVEL_TEST, i);
        cr_assert_eq(arc_level_family(val), ARC_LEVEL_VAL, "validation level %u", i);
        cr_assert_eq(arc_level_family(test), ARC_LEVEL_TEST, "test level %u", i);
        cr_assert_eq(arc_level_family(arc_level_seed(ARC_LEVEL_TRAIN, i)), ARC_LEVEL_TRAIN);
        cr_assert_neq(val, test);
        if (i > 0) {
            cr_assert_neq(val, arc_level_seed(ARC_LEVEL_VAL, i - 1)); /* one seed per level */
            cr_assert_neq(test, arc_level_seed(ARC_LEVEL_TEST, i - 1));
        }
    }
    /* every train index there is, up to the last, stays in the train family */
    cr_assert_eq(arc_level_family(arc_level_seed(ARC_LEVEL_TRAIN, ARC_LEVEL_TRAIN_MAX - 1)),
                 ARC_LEVEL_TRAIN);
    cr_assert_eq(arc_level_seed(ARC_LEVEL_TRAIN, 7), 7u, "train level i is seed i");
    ArcLevelFamily f;
    cr_assert(arc_level_family_parse("val", &f) && f == ARC_LEVEL_VAL);
    cr_assert(!arc_level_family_parse("validation", &f));
}

Test(levels, train_levels_values_parse_and_print)
{
    int64_t n;
    ArcErr err;
    cr_assert_eq(arc_levels_parse("off", &n, "", &err), ARC_OK);
    cr_assert_eq(n, ARC_LEVELS_OFF);
    cr_assert_eq(arc_levels_parse("inf", &n, "", &err), ARC_OK);
    cr_assert_eq(n, ARC_LEVELS_INF);
    cr_assert_eq(arc_levels_parse("256", &n, "", &err), ARC_OK);
    cr_assert_eq(n, 256);
    const char *bad[] = {"0", "-3", "+3", "3.5", "", "lots", "2147483649", "99999999999999999999"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        cr_assert_eq(arc_levels_parse(bad[i], &n, "x: --", &err), ARC_ERR_ARG, "'%s'", bad[i]);
        cr_assert(strstr(err.msg, "x: --train-levels expects off, inf or a level count"), "%s", err.msg);
    }
    char buf[32];
    arc_levels_format(ARC_LEVELS_INF, buf, sizeof buf);
    cr_assert_str_eq(buf, "inf");
    arc_levels_format(12, buf, sizeof buf);
    cr_assert_str_eq(buf, "12");
}

Test(levels, evaluation_levels_are_the_sets_in_order)
{
    uint32_t levels[ARC_LEVEL_SET_SIZE + 1];
    ArcErr err;
    cr_assert_eq(arc_eval_levels(ARC_LEVEL_TRAIN, 3, 7, levels, &err), ARC_OK);
    for (int i = 0; i < 7; i++) cr_assert_eq(levels[i], (uint32_t)(i % 3), "train episode %d", i);
    cr_assert_eq(arc_eval_levels(ARC_LEVEL_TRAIN, ARC_LEVELS_INF, 5, levels, &err), ARC_OK);
    for (int i = 0; i < 5; i++) cr_assert_eq(levels[i], (uint32_t)i);
    cr_assert_eq(arc_eval_levels(ARC_LEVEL_TEST, 16, ARC_LEVEL_SET_SIZE, levels, &err), ARC_OK);
    for (int i = 0; i < ARC_LEVEL_SET_SIZE; i++)
        cr_assert_eq(levels[i], arc_level_seed(ARC_LEVEL_TEST, (uint32_t)i));
    cr_assert_eq(arc_eval_levels(ARC_LEVEL_VAL, 16, ARC_LEVEL_SET_SIZE + 1, levels, &err), ARC_ERR_ARG);
    cr_assert(strstr(err.msg, "the val set has 1000 levels, not 1001"), "%s", err.msg);
    cr_assert_eq(arc_eval_levels(ARC_LEVEL_TRAIN, ARC_LEVELS_OFF, 3, levels, &err), ARC_ERR_ARG);
    cr_assert(strstr(err.msg, "no train levels"), "%s", err.msg);
}

/* ------------------------------------------------------------ batches */

#define NB 6

/* Runs a batch of breakout envs for `steps` random steps with the given train_levels and
 * collects the levels of the finished episodes. */
static int batch_levels(int64_t train_levels, uint64_t seed, int steps, int64_t *levels, int max)
{
    ArcEnvConfig cfg = arc_env_config_default();
    ArcVecEnv vec;
    cr_assert_eq(arc_vec_env_init(&vec, &arc_game_breakout, NB, &cfg, seed, NULL), ARC_OK);
    arc_vec_env_train_levels(&vec, train_levels);
    static uint8_t obs[NB * 400];
    arc_vec_env_reset(&vec, obs);
    ArcRng act;
    arc_rng_seed(&act, 3);
    int n = 0, actions[NB];
    for (int t = 0; t < steps; t++) {
        for (int i = 0; i < NB; i++) actions[i] = (int)arc_rng_int(&act, 0, 6);
        arc_vec_env_step(&vec, actions, obs, NULL, NULL, NULL, NULL);
        for (int k = 0; k < vec.num_finished && n < max; k++) levels[n++] = vec.finished[k].level;
    }
    arc_vec_env_free(&vec);
    return n;
}

Test(levels, batches_draw_train_levels_as_documented)
{
    static int64_t a[2000], b[2000];
    int n = batch_levels(4, 9, 3000, a, 2000);
    cr_assert_gt(n, 100);
    bool seen[4] = {0};
    for (int i = 0; i < n; i++) {
        cr_assert(a[i] >= 0 && a[i] < 4, "episode %d played level %lld", i, (long long)a[i]);
        seen[a[i]] = true;
    }
    cr_assert(seen[0] && seen[1] && seen[2] && seen[3], "not every one of 4 levels was played");
    cr_assert_eq(batch_levels(4, 9, 3000, b, 2000), n);
    cr_assert_arr_eq(a, b, (size_t)n * sizeof a[0], "the same seed gave other levels");

    n = batch_levels(1, 9, 1000, a, 2000);
    for (int i = 0; i < n; i++) cr_assert_eq(a[i], 0);

    n = batch_levels(ARC_LEVELS_INF, 9, 3000, a, 2000);
    cr_assert_gt(n, 100);
    for (int i = 0; i < n; i++) {
        cr_assert(a[i] >= 0 && arc_level_family((uint32_t)a[i]) == ARC_LEVEL_TRAIN);
        for (int j = 0; j < i; j++) cr_assert_neq(a[i], a[j], "inf repeated a level");
    }

    n = batch_levels(ARC_LEVELS_OFF, 9, 500, a, 2000);
    for (int i = 0; i < n; i++) cr_assert_eq(a[i], -1, "off mode reported a level");
}

Test(levels, fixed_levels_pin_each_env)
{
    ArcEnvConfig cfg = arc_env_config_default();
    ArcVecEnv vec;
    cr_assert_eq(arc_vec_env_init(&vec, &arc_game_asterix, NB, &cfg, 1, NULL), ARC_OK);
    uint32_t levels[NB];
    for (int i = 0; i < NB; i++) levels[i] = arc_level_seed(ARC_LEVEL_TEST, (uint32_t)i);
    arc_vec_env_fixed_levels(&vec, levels);
    static uint8_t obs[NB * 400];
    arc_vec_env_reset(&vec, obs);
    int actions[NB] = {0}, episodes = 0;
    for (int t = 0; t < 3000; t++) {
        for (int i = 0; i < NB; i++) actions[i] = (t + i) % 6;
        arc_vec_env_step(&vec, actions, obs, NULL, NULL, NULL, NULL);
        for (int k = 0; k < vec.num_finished; k++, episodes++)
            cr_assert_eq(vec.finished[k].level, levels[vec.finished[k].env]);
    }
    cr_assert_gt(episodes, NB);
    arc_vec_env_free(&vec);
}

/* A batch with levels saved mid-run and restored into a fresh one continues exactly. */
Test(levels, a_batch_with_levels_survives_a_snapshot)
{
    ArcEnvConfig cfg = arc_env_config_default();
    ArcVecEnv a, b, plain;
    cr_assert_eq(arc_vec_env_init(&a, &arc_game_freeway, NB, &cfg, 21, NULL), ARC_OK);
    cr_assert_eq(arc_vec_env_init(&b, &arc_game_freeway, NB, &cfg, 99, NULL), ARC_OK);
    cr_assert_eq(arc_vec_env_init(&plain, &arc_game_freeway, NB, &cfg, 99, NULL), ARC_OK);
    arc_vec_env_train_levels(&a, 3);
    arc_vec_env_train_levels(&b, 3);
    const size_t O = a.obs_size;
    static uint8_t oa[NB * 700], ob[NB * 700];
    arc_vec_env_reset(&a, oa);
    int actions[NB];
    for (int t = 0; t < 5000; t++) { /* two Freeway episodes and a half */
        for (int i = 0; i < NB; i++) actions[i] = (t * 7 + i) % 3 == 0 ? ARC_UP : ARC_NOOP;
        arc_vec_env_step(&a, actions, oa, NULL, NULL, NULL, NULL);
    }
    ArcEnvSnapshot snap;
    arc_env_snapshot_init(&snap, NB);
    ArcErr err = {{0}};
    ArcStWriter *w = arc_st_writer_init();
    arc_env_snapshot_add(&snap, w, "actor0.env", &a, oa, &err);
    uint8_t *bytes;
    size_t len;
    cr_assert_eq(arc_st_encode(w, &bytes, &len, &err), ARC_OK, "%s", err.msg);
    ArcStFile *f;
    cr_assert_eq(arc_st_load_memory(bytes, len, "snap", &f, &err), ARC_OK, "%s", err.msg);
    cr_assert_eq(arc_env_snapshot_restore(f, "actor0.env", &b, ob, &err), ARC_OK, "%s", err.msg);
    cr_assert_arr_eq(oa, ob, NB * O);
    cr_assert_eq(arc_env_snapshot_restore(f, "actor0.env", &plain, ob, &err), ARC_ERR_FORMAT);
    cr_assert(strstr(err.msg, "'actor0.env.levels' holds the envs of a run with levels"), "%s", err.msg);
    int episodes = 0;
    for (int t = 0; t < 3000; t++) {
        for (int i = 0; i < NB; i++) actions[i] = (t * 5 + i) % 4 == 0 ? ARC_UP : ARC_NOOP;
        arc_vec_env_step(&a, actions, oa, NULL, NULL, NULL, NULL);
        arc_vec_env_step(&b, actions, ob, NULL, NULL, NULL, NULL);
        cr_assert_arr_eq(oa, ob, NB * O, "step %d after the restore", t);
        cr_assert_eq(a.num_finished, b.num_finished);
        for (int k = 0; k < a.num_finished; k++, episodes++)
            cr_assert_eq(a.finished[k].level, b.finished[k].level);
    }
    cr_assert_gt(episodes, 0);
    arc_st_free(f);
    free(bytes);
    arc_st_writer_free(w);
    arc_env_snapshot_free(&snap);
    arc_vec_env_free(&a), arc_vec_env_free(&b), arc_vec_env_free(&plain);
}

/* ------------------------------------------------------------ procedural variants */

Test(levels, procedural_layouts_are_the_levels_and_differ_between_levels)
{
    enum { LEVELS = 24 };
    uint16_t walls[LEVELS][ARC_BREAKOUT_BRICK_ROWS], formations[LEVELS][ARC_SI_WAVE_ROWS];
    int8_t cannons[LEVELS];
    ArcEnvConfig cfg = arc_env_config_default();
    for (uint32_t level = 0; level < LEVELS; level++) {
        ArcBreakoutState b[2];
        ArcSpaceInvaders si[2];
        for (int k = 0; k < 2; k++) {
            ArcEnv env;
            arc_env_init(&env, &arc_game_breakout_procedural, &cfg, &b[k], 300 + (uint32_t)k);
            arc_env_set_level(&env, level);
            arc_env_reset(&env);
            arc_env_init(&env, &arc_game_space_invaders_procedural, &cfg, &si[k], 400 + (uint32_t)k);
            arc_env_set_level(&env, level);
            arc_env_reset(&env);
        }
        cr_assert_arr_eq(&b[0], &b[1], sizeof b[0], "breakout level %u", level);
        cr_assert_arr_eq(&si[0], &si[1], sizeof si[0], "space invaders level %u", level);
        cr_assert(b[0].procedural && si[0].procedural);
        memcpy(walls[level], b[0].layout, sizeof walls[level]);
        memcpy(formations[level], si[0].layout, sizeof formations[level]);
        cannons[level] = si[0].cannon;
        unsigned any = 0;
        for (int r = 0; r < ARC_BREAKOUT_BRICK_ROWS; r++) {
            cr_assert_eq(b[0].bricks[1 + r], b[0].layout[r], "the wall is the layout");
            any |= b[0].layout[r];
        }
        cr_assert(any, "an empty wall");
        for (int r = 0; r < ARC_SI_WAVE_ROWS; r++) {
            cr_assert_eq(si[0].aliens[r], si[0].layout[r], "the formation is the layout");
            cr_assert_eq(si[0].layout[r] & 0x201, 0, "aliens only in columns 1..8");
        }
    }
    int distinct_walls = 0, distinct_formations = 0, cannon_columns = 0;
    for (int i = 0; i < LEVELS; i++) {
        bool wall_new = true, formation_new = true, cannon_new = true;
        for (int j = 0; j < i; j++) {
            wall_new &= memcmp(walls[i], walls[j], sizeof walls[i]) != 0;
            formation_new &= memcmp(formations[i], formations[j], sizeof formations[i]) != 0;
            cannon_new &= cannons[i] != cannons[j];
        }
        distinct_walls += wall_new;
        distinct_formations += formation_new;
        cannon_columns += cannon_new;
    }
    cr_assert_eq(distinct_walls, LEVELS, "only %d distinct walls", distinct_walls);
    cr_assert_eq(distinct_formations, LEVELS, "only %d distinct formations", distinct_formations);
    cr_assert_gt(cannon_columns, 3, "the cannon started in %d columns", cannon_columns);
}

Test(levels, standard_games_ignore_the_variant_fields)
{
    ArcRng rng;
    arc_rng_seed(&rng, 1);
    ArcBreakoutState b;
    arc_game_breakout.reset(&b, &rng, true);
    cr_assert(!b.procedural);
    for (int r = 1; r <= 3; r++) cr_assert_eq(b.bricks[r], 0x3ff);
    ArcSpaceInvaders si;
    arc_game_space_invaders.reset(&si, &rng, true);
    cr_assert(!si.procedural);
    cr_assert_eq(si.cannon, 5);
    cr_assert_eq(arc_game_find_variant("breakout", "standard"), &arc_game_breakout);
    cr_assert_eq(arc_game_find_variant("breakout", "procedural"), &arc_game_breakout_procedural);
    cr_assert_eq(arc_game_find_variant("space_invaders", "procedural"), &arc_game_space_invaders_procedural);
    cr_assert_null(arc_game_find_variant("asterix", "procedural"));
    cr_assert_null(arc_game_find_variant("breakout", "wild"));
}

Test(levels, procedural_walls_and_waves_refill_with_the_levels_layout)
{
    ArcRng rng;
    arc_rng_seed(&rng, 8);
    ArcBreakoutState b;
    arc_game_breakout_procedural.reset(&b, &rng, true);
    for (int r = 1; r <= 3; r++) b.bricks[r] = 0;
    b.ball_row = 8, b.ball_col = 4, b.heading = ARC_BREAKOUT_DOWN_RIGHT, b.paddle = 4;
    bool terminal = false;
    arc_game_breakout_procedural.step(&b, &rng, ARC_NOOP, &terminal);
    for (int r = 0; r < ARC_BREAKOUT_BRICK_ROWS; r++)
        cr_assert_eq(b.bricks[1 + r], b.layout[r], "row %d refilled with another wall", 1 + r);

    ArcSpaceInvaders si;
    arc_game_space_invaders_procedural.reset(&si, &rng, true);
    memset(si.aliens, 0, sizeof si.aliens);
    si.aliens[0] = 1 << 4;
    si.f_bullets[1] = 1 << 4; /* moves up onto the last alien this step */
    arc_game_space_invaders_procedural.step(&si, &rng, ARC_NOOP, &terminal);
    for (int r = 0; r < ARC_SI_WAVE_ROWS; r++)
        cr_assert_eq(si.aliens[r], si.layout[r], "row %d of the new wave", r);
}

/* ------------------------------------------------------------ configuration */

Test(levels, train_config_takes_train_levels_and_variant)
{
    ArcTrainConfig cfg;
    arc_train_config_defaults(&cfg);
    cr_assert_eq(cfg.train_levels, ARC_LEVELS_OFF);
    cr_assert_str_eq(cfg.variant, "standard");
    char *argv[] = {"arcade train", "--train-levels", "64", "--variant", "procedural",
                    "--game", "space_invaders"};
    ArcErr err;
    cr_assert_eq(arc_train_config_parse_args(&cfg, 7, argv, stdout, &err), ARC_OK, "%s", err.msg);
    cr_assert_eq(arc_train_config_finish(&cfg, &err), ARC_OK, "%s", err.msg);
    cr_assert_eq(cfg.train_levels, 64);

    char text[4096];
    FILE *mem = fmemopen(text, sizeof text, "w");
    arc_train_config_write(&cfg, mem);
    fclose(mem);
    cr_assert(strstr(text, "train-levels = 64\n") && strstr(text, "variant = procedural\n"), "%s", text);
    ArcTrainConfig back;
    arc_train_config_defaults(&back);
    cr_assert_eq(arc_train_config_load_text(&back, text, "text", &err), ARC_OK, "%s", err.msg);
    cr_assert_eq(back.train_levels, 64);
    cr_assert_str_eq(back.variant, "procedural");

    cr_assert_eq(arc_train_config_load_text(&back, "train_levels = inf\n", "t.ini", &err), ARC_OK);
    cr_assert_eq(back.train_levels, ARC_LEVELS_INF);
    cr_assert_eq(arc_train_config_load_text(&back, "\ntrain_levels = none\n", "t.ini", &err), ARC_ERR_FORMAT);
    cr_assert(strstr(err.msg, "t.ini:2: train-levels expects off, inf or a level count"), "%s", err.msg);

    arc_train_config_defaults(&cfg);
    strcpy(cfg.game, "seaquest");
    strcpy(cfg.variant, "procedural");
    cr_assert_eq(arc_train_config_finish(&cfg, &err), ARC_ERR_ARG);
    cr_assert(strstr(err.msg, "game seaquest has no variant 'procedural'"), "%s", err.msg);
}

/* A Breakout checkpoint whose stored config is config_ini, saved to path. */
static void save_breakout_checkpoint(const char *path, const char *config_ini)
{
    ArcCheckpoint ck = {.frames = 10};
    arc_net_config_minatar(&ck.net, 4, ARC_HEAD_A3C, 0.25f);
    ArcNetPlan plan;
    cr_assert_eq(arc_net_plan(&plan, &ck.net, NULL), ARC_OK);
    ck.num_params = plan.num_params;
    ck.params = calloc(plan.num_params, sizeof(float));
    strcpy(ck.algo, "a3c");
    strcpy(ck.game, "breakout");
    ck.config_ini = (char *)config_ini;
    ArcErr err;
    cr_assert_eq(arc_checkpoint_save(path, &ck, &err), ARC_OK, "%s", err.msg);
    free(ck.params);
}

Test(levels, agents_take_variant_and_train_levels_from_the_checkpoint)
{
    char path[] = "/tmp/arcade-levels-ckpt-XXXXXX";
    int fd = mkstemp(path);
    cr_assert_geq(fd, 0);
    close(fd);
    ArcAgent agent;
    ArcErr err;
    save_breakout_checkpoint(path, "[train]\ngame = breakout\ntrain-levels = 16\nvariant = procedural\n");
    cr_assert_eq(arc_agent_load(&agent, path, 2, false, &err), ARC_OK, "%s", err.msg);
    cr_assert_eq(agent.game, &arc_game_breakout_procedural);
    cr_assert_eq(agent.train_levels, 16);
    arc_agent_free(&agent);

    /* in-process evaluation on validation levels is repeatable */
    cr_assert_eq(arc_agent_load(&agent, path, 8, false, &err), ARC_OK, "%s", err.msg);
    ArcEvalConfig eval = arc_eval_config_default();
    eval.episodes = 8;
    eval.max_steps = 500;
    uint32_t levels[8];
    cr_assert_eq(arc_eval_levels(ARC_LEVEL_VAL, agent.train_levels, 8, levels, &err), ARC_OK);
    double first[8], second[8];
    int truncated;
    arc_eval_run(&agent, &eval, levels, first, &truncated);
    arc_eval_run(&agent, &eval, levels, second, &truncated);
    cr_assert_arr_eq(first, second, sizeof first, "the same evaluation gave other returns");
    arc_agent_free(&agent);

    save_breakout_checkpoint(path, "[train]\ngame = breakout\n"); /* before levels existed */
    cr_assert_eq(arc_agent_load(&agent, path, 2, false, &err), ARC_OK, "%s", err.msg);
    cr_assert_eq(agent.game, &arc_game_breakout);
    cr_assert_eq(agent.train_levels, ARC_LEVELS_OFF);
    arc_agent_free(&agent);

    save_breakout_checkpoint(path, "[train]\nvariant = wild\n");
    cr_assert_neq(arc_agent_load(&agent, path, 2, false, &err), ARC_OK);
    cr_assert(strstr(err.msg, "metadata 'config':2: variant expects one of standard|procedural, got 'wild'"),
              "%s", err.msg);
    unlink(path);
}

/* ------------------------------------------------------------ training */

/* The final parameters of a sync A3C run with levels of `frames` frames, resumed from a
 * first run of `first` frames when first > 0. */
static float *sync_level_run(const char *dir, int64_t first, int64_t frames, size_t *count)
{
    ArcTrainConfig cfg;
    arc_train_config_defaults(&cfg);
    strcpy(cfg.game, "breakout");
    strcpy(cfg.variant, "procedural");
    cfg.train_levels = 4;
    snprintf(cfg.out, sizeof cfg.out, "%s", dir);
    cfg.threads = 2;
    cfg.envs_per_thread = 4;
    cfg.checkpoint_every = 0;
    cfg.sync = true;
    cfg.seed = 5;
    cfg.entropy_end = cfg.entropy; /* the short first run stands in for an interruption */
    ArcTrainOptions opt = {.quiet = true};
    ArcTrainResult res;
    ArcErr err;
    if (first > 0) {
        cfg.frames = first;
        cr_assert_eq(arc_a3c_train(&cfg, &opt, &res, &err), ARC_OK, "%s", err.msg);
        opt.resume = true;
    }
    cfg.frames = frames;
    cr_assert_eq(arc_a3c_train(&cfg, &opt, &res, &err), ARC_OK, "%s", err.msg);
    ArcCheckpoint ck;
    cr_assert_eq(arc_checkpoint_load(res.checkpoint, &ck, &err), ARC_OK, "%s", err.msg);
    cr_assert_not_null(arc_st_tensor(ck.file, "actor1.env.levels"), "no level state saved");
    *count = ck.num_params;
    float *params = ck.params;
    ck.params = NULL;
    arc_checkpoint_free(&ck);
    return params;
}

Test(levels, a_resumed_sync_run_with_levels_ends_where_an_uninterrupted_one_does, .timeout = 60)
{
    char dir[] = "/tmp/arcade-levels-XXXXXX", cmd[64];
    cr_assert_not_null(mkdtemp(dir));
    size_t n1, n2;
    float *whole = sync_level_run(dir, 0, 3200, &n1);
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    cr_assert_eq(system(cmd), 0);
    float *resumed = sync_level_run(dir, 1600, 3200, &n2);
    cr_assert_eq(n1, n2);
    cr_assert_eq(memcmp(whole, resumed, n1 * sizeof(float)), 0, "the resumed run's parameters differ");
    free(whole), free(resumed);
    cr_assert_eq(system(cmd), 0);
}

/* ------------------------------------------------------------ end to end */

static char out[1 << 14], errbuf[4096];

/* The value of "key": in a JSON line (as text, up to the next comma or brace). */
static void json_field(const char *json, const char *key, char *value, size_t size)
{
    char pattern[64];
    snprintf(pattern, sizeof pattern, "\"%s\": ", key);
    const char *p = strstr(json, pattern);
    cr_assert_not_null(p, "no %s in %s", key, json);
    p += strlen(pattern);
    size_t n = strcspn(p, ",}");
    cr_assert_lt(n, size);
    memcpy(value, p, n);
    value[n] = '\0';
}

Test(levels, eval_levels_end_to_end, .timeout = 120)
{
    char dir[] = "/tmp/arcade-levels-XXXXXX";
    cr_assert_not_null(mkdtemp(dir));
    char cmd[1024], value[64];
    snprintf(cmd, sizeof cmd,
             "bin/arcade train --game breakout --variant procedural --train-levels 3 --frames 3000 "
             "--threads 1 --envs-per-thread 4 --checkpoint-every 0 --out %s/a3c --force", dir);
    cr_assert_eq(run_cli(cmd, NULL, 0, errbuf, sizeof errbuf), 0, "%s", errbuf);
    snprintf(cmd, sizeof cmd,
             "bin/arcade train --algo dqn --game asterix --train-levels inf --frames 600 "
             "--learn-start 200 --out %s/dqn --force", dir);
    cr_assert_eq(run_cli(cmd, NULL, 0, errbuf, sizeof errbuf), 0, "%s", errbuf);

    const char *sets[] = {"train", "val", "test"};
    for (int s = 0; s < 3; s++) {
        char first[sizeof out];
        snprintf(cmd, sizeof cmd,
                 "bin/arcade eval --checkpoint %s/a3c/checkpoints/final.safetensors --levels %s "
                 "--episodes 12 --json", dir, sets[s]);
        cr_assert_eq(run_cli(cmd, first, sizeof first, errbuf, sizeof errbuf), 0, "%s", errbuf);
        char quoted[16];
        snprintf(quoted, sizeof quoted, "\"%s\"", sets[s]);
        json_field(first, "levels", value, sizeof value);
        cr_assert_str_eq(value, quoted);
        json_field(first, "variant", value, sizeof value);
        cr_assert_str_eq(value, "\"procedural\"");
        json_field(first, "train_levels", value, sizeof value);
        cr_assert_str_eq(value, "\"3\"");
        json_field(first, "episodes", value, sizeof value);
        cr_assert_str_eq(value, "12");
        cr_assert_eq(run_cli(cmd, out, sizeof out, errbuf, sizeof errbuf), 0, "%s", errbuf);
        cr_assert_str_eq(out, first, "eval --levels %s is not repeatable", sets[s]);
    }
    snprintf(cmd, sizeof cmd,
             "bin/arcade eval --checkpoint %s/dqn/checkpoints/final.safetensors --levels train "
             "--episodes 4 --json", dir);
    cr_assert_eq(run_cli(cmd, out, sizeof out, errbuf, sizeof errbuf), 0, "%s", errbuf);
    json_field(out, "train_levels", value, sizeof value);
    cr_assert_str_eq(value, "\"inf\"");

    /* without --levels: the old behaviour, and the JSON says levels off */
    snprintf(cmd, sizeof cmd,
             "bin/arcade eval --checkpoint %s/a3c/checkpoints/final.safetensors --episodes 3 --json", dir);
    cr_assert_eq(run_cli(cmd, out, sizeof out, errbuf, sizeof errbuf), 0, "%s", errbuf);
    json_field(out, "levels", value, sizeof value);
    cr_assert_str_eq(value, "\"off\"");

    /* errors: a bad set, too many episodes, train levels of a run without levels */
    snprintf(cmd, sizeof cmd,
             "bin/arcade eval --checkpoint %s/a3c/checkpoints/final.safetensors --levels dev", dir);
    cr_assert_eq(run_cli(cmd, NULL, 0, errbuf, sizeof errbuf), 2);
    cr_assert(strstr(errbuf, "--levels expects train, val or test, got 'dev'"), "%s", errbuf);
    snprintf(cmd, sizeof cmd,
             "bin/arcade eval --checkpoint %s/a3c/checkpoints/final.safetensors --levels test "
             "--episodes 1001", dir);
    cr_assert_eq(run_cli(cmd, NULL, 0, errbuf, sizeof errbuf), 2);
    cr_assert(strstr(errbuf, "--levels test with --episodes 1001: the test set has 1000 levels, not 1001"),
              "%s", errbuf);
    snprintf(cmd, sizeof cmd,
             "bin/arcade train --game freeway --frames 200 --threads 1 --envs-per-thread 2 "
             "--checkpoint-every 0 --out %s/off --force", dir);
    cr_assert_eq(run_cli(cmd, NULL, 0, errbuf, sizeof errbuf), 0, "%s", errbuf);
    snprintf(cmd, sizeof cmd,
             "bin/arcade eval --checkpoint %s/off/checkpoints/final.safetensors --levels train", dir);
    cr_assert_eq(run_cli(cmd, NULL, 0, errbuf, sizeof errbuf), 2);
    cr_assert(strstr(errbuf, "--levels train with --episodes 30: the run has no train levels "
                              "(train_levels = off)"), "%s", errbuf);

    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    cr_assert_eq(system(cmd), 0);
}
