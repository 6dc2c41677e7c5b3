/* test_vec_env.c — batches: documented seeding, auto-reset, episode records. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "../env/vec_env.h"

#define N 8
#define OBS (4 * 100)

static void random_actions(ArcRng *rng, int *actions)
{
    for (int i = 0; i < N; i++) actions[i] = (int)(arc_rng_u32(rng) % 6);
}

Test(vec_env, same_seed_same_streams_other_seed_differs)
{
    ArcEnvConfig cfg = arc_env_config_default();
    ArcVecEnv a, b, c;
    ArcErr err;
    cr_assert_eq(arc_vec_env_init(&a, &arc_game_breakout, N, &cfg, 42, &err), ARC_OK);
    cr_assert_eq(arc_vec_env_init(&b, &arc_game_breakout, N, &cfg, 42, &err), ARC_OK);
    cr_assert_eq(arc_vec_env_init(&c, &arc_game_breakout, N, &cfg, 43, &err), ARC_OK);
    static uint8_t oa[N * OBS], ob[N * OBS], oc[N * OBS];
    arc_vec_env_reset(&a, oa);
    arc_vec_env_reset(&b, ob);
    arc_vec_env_reset(&c, oc);
    ArcRng rng;
    arc_rng_seed(&rng, 1);
    int actions[N];
    bool differs = false;
    for (int t = 0; t < 500; t++) {
        random_actions(&rng, actions);
        arc_vec_env_step(&a, actions, oa, NULL, NULL, NULL, NULL);
        arc_vec_env_step(&b, actions, ob, NULL, NULL, NULL, NULL);
        arc_vec_env_step(&c, actions, oc, NULL, NULL, NULL, NULL);
        cr_assert_arr_eq(oa, ob, sizeof oa, "step %d", t);
        differs |= memcmp(oa, oc, sizeof oa) != 0;
    }
    cr_assert(differs, "seed 43 produced the same 500 steps as seed 42");
    arc_vec_env_free(&a), arc_vec_env_free(&b), arc_vec_env_free(&c);
}

Test(vec_env, env_i_matches_a_single_env_with_the_documented_seed)
{
    ArcEnvConfig cfg = arc_env_config_default();
    ArcVecEnv vec;
    cr_assert_eq(arc_vec_env_init(&vec, &arc_game_breakout, N, &cfg, 7, NULL), ARC_OK);
    static uint8_t obs[N * OBS];
    uint8_t single_obs[OBS];
    arc_vec_env_reset(&vec, obs);

    const int i = 5;
    void *state = calloc(1, arc_game_breakout.state_bytes);
    ArcEnv env;
    arc_env_init(&env, &arc_game_breakout, &cfg, state, arc_vec_env_seed(7, i));
    arc_env_reset(&env);
    ArcRng rng;
    arc_rng_seed(&rng, 2);
    int actions[N], episodes = 0;
    for (int t = 0; t < 2000; t++) {
        random_actions(&rng, actions);
        arc_vec_env_step(&vec, actions, obs, NULL, NULL, NULL, NULL);
        arc_env_step(&env, actions[i]);
        if (arc_env_done(&env)) arc_env_reset(&env), episodes++;
        arc_env_observe(&env, single_obs);
        cr_assert_arr_eq(obs + i * OBS, single_obs, OBS, "step %d", t);
    }
    cr_assert_gt(episodes, 10, "auto-reset was exercised");
    free(state);
    arc_vec_env_free(&vec);
}

Test(vec_env, episode_records_add_up)
{
    ArcEnvConfig cfg = arc_env_config_default();
    ArcVecEnv vec;
    cr_assert_eq(arc_vec_env_init(&vec, &arc_game_breakout, N, &cfg, 3, NULL), ARC_OK);
    static uint8_t obs[N * OBS];
    float rewards[N];
    uint8_t terminals[N], truncations[N];
    int64_t running_return[N] = {0}, running_length[N] = {0}, recorded_return = 0,
            ended_return = 0, episodes = 0;
    arc_vec_env_reset(&vec, obs);
    ArcRng rng;
    arc_rng_seed(&rng, 4);
    int actions[N];
    for (int t = 0; t < 3000; t++) {
        random_actions(&rng, actions);
        arc_vec_env_step(&vec, actions, obs, rewards, terminals, truncations, NULL);
        int done_now = 0;
        for (int e = 0; e < N; e++) {
            running_return[e] += (int64_t)rewards[e];
            running_length[e]++;
            if (terminals[e] || truncations[e]) {
                done_now++;
                ended_return += running_return[e];
                bool found = false;
                for (int k = 0; k < vec.num_finished; k++)
                    if (vec.finished[k].env == e) {
                        found = true;
                        cr_assert_eq(vec.finished[k].ret, running_return[e]);
                        cr_assert_eq(vec.finished[k].length, running_length[e]);
                        cr_assert(!vec.finished[k].truncated);
                    }
                cr_assert(found, "env %d ended without a record", e);
                running_return[e] = running_length[e] = 0;
            }
        }
        cr_assert_eq(done_now, vec.num_finished);
        for (int k = 0; k < vec.num_finished; k++) recorded_return += vec.finished[k].ret;
        episodes += vec.num_finished;
    }
    cr_assert_eq(recorded_return, ended_return);
    cr_assert_eq(vec.total_episodes, episodes);
    cr_assert_eq(vec.total_steps, 3000 * N);
    cr_assert_gt(episodes, 100);
    arc_vec_env_free(&vec);
}

Test(vec_env, step_cap_is_reported_as_truncation_with_the_final_observation)
{
    ArcEnvConfig cfg = arc_env_config_default();
    cfg.step_cap = 5;
    ArcVecEnv vec;
    cr_assert_eq(arc_vec_env_init(&vec, &arc_game_breakout, N, &cfg, 3, NULL), ARC_OK);
    static uint8_t obs[N * OBS], final_obs[N * OBS], expected[N * OBS];
    uint8_t terminals[N], truncations[N];
    int actions[N] = {0}, truncated = 0;
    arc_vec_env_reset(&vec, obs);
    for (int t = 0; t < 50; t++) {
        /* what each env's state will show after this step, had it not been reset: step a
         * copy of the env on a copy of its state */
        for (int e = 0; e < N; e++) {
            ArcEnv copy = vec.envs[e];
            unsigned char state[256];
            cr_assert_leq(arc_game_breakout.state_bytes, sizeof state);
            memcpy(state, vec.envs[e].state, arc_game_breakout.state_bytes);
            copy.state = state;
            arc_env_step(&copy, actions[e]);
            arc_env_observe(&copy, expected + e * OBS);
        }
        memset(final_obs, 0xee, sizeof final_obs);
        arc_vec_env_step(&vec, actions, obs, NULL, terminals, truncations, final_obs);
        for (int e = 0; e < N; e++) {
            if (terminals[e] || truncations[e])
                cr_assert_arr_eq(final_obs + e * OBS, expected + e * OBS, OBS, "env %d", e);
            else
                cr_assert_eq(final_obs[e * OBS], 0xee, "row %d of a running env was written", e);
        }
        for (int k = 0; k < vec.num_finished; k++) {
            cr_assert_leq(vec.finished[k].length, 5);
            if (vec.finished[k].truncated) {
                cr_assert_eq(vec.finished[k].length, 5);
                cr_assert(truncations[vec.finished[k].env] && !terminals[vec.finished[k].env]);
                truncated++;
            }
        }
    }
    cr_assert_gt(truncated, 0);
    arc_vec_env_free(&vec);
}

Test(vec_env, rejects_an_empty_batch)
{
    ArcEnvConfig cfg = arc_env_config_default();
    ArcVecEnv vec;
    ArcErr err;
    cr_assert_eq(arc_vec_env_init(&vec, &arc_game_breakout, 0, &cfg, 1, &err), ARC_ERR_ARG);
    cr_assert(strstr(err.msg, "at least 1 env"), "%s", err.msg);
}
