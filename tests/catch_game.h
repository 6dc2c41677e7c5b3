/* catch_game.h — "catch", a tiny deterministic game for learning tests, and a scorer.
 *
 * A ball falls from a random column of row 0 to row 9 in nine steps; the paddle in row 9
 * moves left/right; catching the ball pays 1 and ends the episode. Random play catches
 * about 20% of balls; the optimal policy catches all. Channels: 0 ball, 1 paddle. */
#ifndef ARC_TEST_CATCH_GAME_H
#define ARC_TEST_CATCH_GAME_H

#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "../env/vec_env.h"
#include "../learner/checkpoint.h"

typedef struct Catch {
    int8_t ball_row, ball_col, paddle;
} Catch;

static inline void catch_reset(void *state, ArcRng *rng, bool ramping)
{
    (void)ramping;
    Catch *s = state;
    s->ball_row = 0;
    s->ball_col = (int8_t)arc_rng_int(rng, 0, 10);
    s->paddle = 5;
}

static inline int catch_step(void *state, ArcRng *rng, int action, bool *terminal)
{
    (void)rng;
    Catch *s = state;
    if (action == ARC_LEFT && s->paddle > 0) s->paddle--;
    if (action == ARC_RIGHT && s->paddle < 9) s->paddle++;
    if (++s->ball_row < 9) return 0;
    *terminal = true;
    return s->paddle == s->ball_col;
}

static inline void catch_observe(const void *state, uint8_t *obs)
{
    const Catch *s = state;
    memset(obs, 0, 2 * 100);
    arc_obs_set(obs, 0, s->ball_row, s->ball_col);
    arc_obs_set(obs, 1, 9, s->paddle);
}

static const int catch_minimal[] = {ARC_NOOP, ARC_LEFT, ARC_RIGHT};
static const char *const catch_channels[] = {"ball", "paddle"};
static const uint32_t catch_palette[] = {0xffffff, 0x00ff00};
static const ArcGame catch_game = {
    .name = "catch", .channels = 2, .state_bytes = sizeof(Catch), .num_minimal_actions = 3,
    .minimal_actions = catch_minimal, .channel_names = catch_channels, .palette = catch_palette,
    .reset = catch_reset, .step = catch_step, .observe = catch_observe,
};

/* Greedy catch rate of a checkpoint's network over n fresh episodes. */
static inline double catch_rate(const char *path, int n)
{
    ArcCheckpoint ck;
    ArcErr err;
    cr_assert_eq(arc_checkpoint_load(path, &ck, &err), ARC_OK, "%s", err.msg);
    ArcNet *net = arc_net_init(&ck.net, arc_backend_cpu(), n, 0, &err);
    cr_assert_not_null(net, "%s", err.msg);
    arc_net_set_params(net, ck.params);
    ArcEnvConfig env_cfg = arc_env_config_default();
    env_cfg.sticky_prob = 0;
    ArcVecEnv vec;
    cr_assert_eq(arc_vec_env_init(&vec, &catch_game, n, &env_cfg, 99, NULL), ARC_OK);
    uint8_t *obs = malloc((size_t)n * 200);
    const int dim = net->plan.out_dim; /* A3C: 6 logits and V; DQN: 6 Q-values */
    float *out = malloc((size_t)n * dim * sizeof(float)), *rewards = malloc((size_t)n * sizeof(float));
    int *actions = malloc((size_t)n * sizeof(int));
    double caught = 0;
    arc_vec_env_reset(&vec, obs);
    for (int t = 0; t < 9; t++) { /* every episode lasts exactly 9 steps */
        arc_net_forward_host(net, out, obs, n);
        for (int i = 0; i < n; i++) {
            int best = 0;
            for (int a = 1; a < 6; a++) best = out[i * dim + a] > out[i * dim + best] ? a : best;
            actions[i] = best;
        }
        arc_vec_env_step(&vec, actions, obs, rewards, NULL, NULL, NULL);
        for (int i = 0; i < n; i++) caught += rewards[i];
    }
    cr_assert_eq(vec.total_episodes, n);
    free(obs), free(out), free(rewards), free(actions);
    arc_vec_env_free(&vec);
    arc_net_free(net);
    arc_checkpoint_free(&ck);
    return caught / n;
}

#endif
