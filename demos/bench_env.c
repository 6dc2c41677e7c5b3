/* bench_env.c — `arcade bench env`: single-core env throughput per game.
 *
 * Random actions over the full 6-action set, the observation written every step, resets
 * included, default wrapper (sticky 0.1, ramping on). Two figures per game: one env
 * stepped in a loop, and a batch of N envs stepped through arc_vec_env_step into one
 * (N, C, 10, 10) buffer. Runs on the calling thread only. --train-levels N|inf measures
 * the level mode instead (env/level.h): the single env plays level k in its k-th episode,
 * the batch draws train levels as training does. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../common/args.h"
#include "../common/clock.h"
#include "../env/level.h"
#include "../env/vec_env.h"
#include "commands.h"

#define CHECK_EVERY 4096 /* steps between clock reads */

typedef struct GameResult {
    const ArcGame *game;
    double single_rate, batch_rate; /* steps per second */
} GameResult;

static double measure_single(const ArcGame *game, double seconds, uint64_t seed, int64_t levels)
{
    ArcEnvConfig cfg = arc_env_config_default();
    void *state = arc_xcalloc(1, game->state_bytes);
    uint8_t obs[ARC_OBS_MAX];
    ArcEnv env;
    ArcRng actions;
    arc_env_init(&env, game, &cfg, state, (uint32_t)seed);
    arc_rng_seed(&actions, (uint32_t)seed + 1);
    uint32_t episode = 0;
    if (levels != ARC_LEVELS_OFF) arc_env_set_level(&env, episode);
    arc_env_reset(&env);
    int64_t steps = 0;
    double start = arc_seconds(), elapsed;
    do {
        for (int i = 0; i < CHECK_EVERY; i++) {
            arc_env_step(&env, (int)(arc_rng_u32(&actions) % ARC_NUM_ACTIONS));
            if (arc_env_done(&env)) {
                if (levels != ARC_LEVELS_OFF) arc_env_set_level(&env, ++episode & (ARC_LEVEL_TRAIN_MAX - 1));
                arc_env_reset(&env);
            }
            arc_env_observe(&env, obs);
        }
        steps += CHECK_EVERY;
        elapsed = arc_seconds() - start;
    } while (elapsed < seconds);
    free(state);
    return (double)steps / elapsed;
}

static double measure_batch(const ArcGame *game, int num_envs, double seconds, uint64_t seed,
                            int64_t levels)
{
    ArcEnvConfig cfg = arc_env_config_default();
    ArcVecEnv vec;
    ArcErr err;
    ARC_CHECK(arc_vec_env_init(&vec, game, num_envs, &cfg, seed, &err) == ARC_OK, "%s", err.msg);
    arc_vec_env_train_levels(&vec, levels);
    uint8_t *obs = arc_xmalloc(vec.obs_size * (size_t)num_envs);
    int *action = arc_xmalloc(sizeof(int) * (size_t)num_envs);
    float *rewards = arc_xmalloc(sizeof(float) * (size_t)num_envs);
    uint8_t *terminals = arc_xmalloc((size_t)num_envs), *truncations = arc_xmalloc((size_t)num_envs);
    ArcRng actions;
    arc_rng_seed(&actions, (uint32_t)seed + 1);
    arc_vec_env_reset(&vec, obs);
    int rounds = CHECK_EVERY / num_envs + 1;
    double start = arc_seconds(), elapsed;
    do {
        for (int r = 0; r < rounds; r++) {
            for (int i = 0; i < num_envs; i++)
                action[i] = (int)(arc_rng_u32(&actions) % ARC_NUM_ACTIONS);
            arc_vec_env_step(&vec, action, obs, rewards, terminals, truncations, NULL);
        }
        elapsed = arc_seconds() - start;
    } while (elapsed < seconds);
    double rate = (double)vec.total_steps / elapsed;
    free(obs), free(action), free(rewards), free(terminals), free(truncations);
    arc_vec_env_free(&vec);
    return rate;
}

static void print_table(const GameResult *results, int count, int num_envs, double seconds,
                        const char *levels)
{
    printf("env throughput, one core, random actions, obs written every step, resets included\n");
    printf("(%.2f s per figure; sticky 0.1, ramping on; batch = %d envs; train levels %s)\n\n",
           seconds, num_envs, levels);
    printf("%-16s %16s %9s   %16s %9s\n", "", "single env", "", "batch", "");
    printf("%-16s %16s %9s   %16s %9s\n", "game", "steps/s", "ns/step", "steps/s", "ns/step");
    for (int i = 0; i < count; i++)
        printf("%-16s %16.0f %9.1f   %16.0f %9.1f\n", results[i].game->name,
               results[i].single_rate, 1e9 / results[i].single_rate, results[i].batch_rate,
               1e9 / results[i].batch_rate);
}

static void print_json(const GameResult *results, int count, int num_envs, double seconds,
                       const char *levels)
{
    printf("{\"seconds\": %.3f, \"envs\": %d, \"train_levels\": \"%s\", \"games\": {", seconds,
           num_envs, levels);
    for (int i = 0; i < count; i++)
        printf("%s\"%s\": {\"steps_per_second\": %.0f, \"ns_per_step\": %.2f, "
               "\"batch_steps_per_second\": %.0f, \"batch_ns_per_step\": %.2f}",
               i ? ", " : "", results[i].game->name, results[i].single_rate,
               1e9 / results[i].single_rate, results[i].batch_rate, 1e9 / results[i].batch_rate);
    printf("}}\n");
}

int arc_bench_env(int argc, char **argv)
{
    const char *game_name = NULL, *levels_text = "off";
    int64_t num_envs = 64, seed = 1;
    double seconds = 1.0;
    bool json = false;
    ArcFlag flags[] = {
        {"game", ARC_FLAG_STRING, &game_name, 1, 0, "one game (default: all five)", false},
        {"envs", ARC_FLAG_INT, &num_envs, 1, 65536, "envs in the batched measurement (64)", false},
        {"seconds", ARC_FLAG_DOUBLE, &seconds, 0.01, 3600, "seconds per figure (1)", false},
        {"seed", ARC_FLAG_INT, &seed, 0, 4294967295.0, "base seed (1)", false},
        {"train-levels", ARC_FLAG_STRING, &levels_text, 1, 0, "level mode: off, N or inf (off)", false},
        {"json", ARC_FLAG_BOOL, &json, 1, 0, "print one JSON object instead of a table", false},
    };
    int parsed = arc_args_parse(argc, argv, flags, (int)(sizeof flags / sizeof flags[0]),
                                "arcade bench env [--game G] [--envs N] [--seconds S] "
                                "[--train-levels off|N|inf] [--json]");
    if (parsed) return parsed == ARC_ARGS_HELP ? 0 : 2;
    int64_t levels;
    char where[64];
    ArcErr err;
    snprintf(where, sizeof where, "%s: --", argv[0]);
    if (arc_levels_parse(levels_text, &levels, where, &err)) {
        fprintf(stderr, "%s\n", err.msg);
        return 2;
    }

    if (game_name && !arc_cli_game(argv[0], game_name)) return 2;
    GameResult results[ARC_NUM_GAMES];
    int count = 0;
    for (int i = 0; i < ARC_NUM_GAMES; i++) {
        const ArcGame *game = arc_games[i];
        if (game_name && strcmp(game_name, game->name) != 0) continue;
        results[count].game = game;
        results[count].single_rate = measure_single(game, seconds, (uint64_t)seed, levels);
        results[count].batch_rate = measure_batch(game, (int)num_envs, seconds, (uint64_t)seed, levels);
        count++;
    }
    if (json) print_json(results, count, (int)num_envs, seconds, levels_text);
    else print_table(results, count, (int)num_envs, seconds, levels_text);
    return 0;
}
