/* test_dqn.c — DQN learns catch, is reproducible with one actor, runs its options and
 * several actor threads, and anneals epsilon as documented. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "../agent/dqn.h"
#include "catch_game.h"

static char dir[64];

static ArcTrainConfig dqn_config(void)
{
    strcpy(dir, "/tmp/arcade-dqn-XXXXXX");
    cr_assert_not_null(mkdtemp(dir));
    ArcTrainConfig cfg;
    arc_train_config_defaults(&cfg);
    strcpy(cfg.algo, "dqn");
    ArcErr err;
    cr_assert_eq(arc_train_config_finish(&cfg, &err), ARC_OK, "%s", err.msg);
    snprintf(cfg.out, sizeof cfg.out, "%s", dir);
    cfg.checkpoint_every = 0;
    return cfg;
}

static void remove_dir(void)
{
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    cr_assert_eq(system(cmd), 0);
}

static float *final_params(const ArcTrainResult *res, size_t *count)
{
    ArcCheckpoint ck;
    ArcErr err;
    cr_assert_eq(arc_checkpoint_load(res->checkpoint, &ck, &err), ARC_OK, "%s", err.msg);
    float *p = ck.params;
    *count = ck.num_params;
    ck.params = NULL;
    arc_checkpoint_free(&ck);
    return p;
}

Test(dqn, epsilon_schedule)
{
    ArcTrainConfig cfg;
    arc_train_config_defaults(&cfg);
    cfg.learn_start = 100;
    cfg.eps_start = 1.0;
    cfg.eps_end = 0.1;
    cfg.eps_frames = 1000;
    cr_assert_eq(arc_dqn_epsilon(&cfg, 0, 0, 1), 1.0);
    cr_assert_eq(arc_dqn_epsilon(&cfg, 99, 0, 1), 1.0, "uniform play before learning starts");
    cr_assert(fabs(arc_dqn_epsilon(&cfg, 600, 0, 1) - 0.55) < 1e-12);
    cr_assert(fabs(arc_dqn_epsilon(&cfg, 1100, 0, 1) - 0.1) < 1e-12);
    cr_assert(fabs(arc_dqn_epsilon(&cfg, 1e9, 0, 1) - 0.1) < 1e-12);
    /* four actors: 0.1^(1 + 2i/3) */
    cr_assert(fabs(arc_dqn_epsilon(&cfg, 5000, 0, 4) - 0.1) < 1e-12);
    cr_assert(fabs(arc_dqn_epsilon(&cfg, 5000, 3, 4) - 0.001) < 1e-12);
    cr_assert_eq(arc_dqn_epsilon(&cfg, 50, 3, 4), 1.0);
}

static void learn_catch(bool dueling)
{
    ArcTrainConfig cfg = dqn_config();
    cfg.dueling = dueling;
    cfg.frames = 40000;
    cfg.envs_per_thread = 8;
    cfg.replay_ratio = 0.25;
    cfg.learn_start = 1000;
    cfg.eps_frames = 10000;
    cfg.eps_end = 0.05;
    cfg.target_every = 250;
    cfg.lr = 1e-3;
    cfg.rms_eps = 1e-5; /* MinAtar's 0.01 learns too slowly for a test's 10k updates */
    cfg.sticky = 0;
    ArcTrainOptions opt = {.game = &catch_game, .quiet = true};
    ArcTrainResult res;
    ArcErr err;
    cr_assert_eq(arc_dqn_train(&cfg, &opt, &res, &err), ARC_OK, "%s", err.msg);
    cr_assert_eq(res.updates, (int64_t)((40000 - 1000) * 0.25), "one update per 4 frames");
    double rate = catch_rate(res.checkpoint, 500);
    cr_assert_geq(rate, 0.9, "greedy catch rate %.3f after %lld frames (training mean %.2f)", rate,
                  (long long)res.frames, res.final_return_mean100);
    ArcCheckpoint ck;
    cr_assert_eq(arc_checkpoint_load(res.checkpoint, &ck, &err), ARC_OK, "%s", err.msg);
    cr_assert_eq(ck.net.dueling, dueling, "the checkpoint records the head");
    arc_checkpoint_free(&ck);
    remove_dir();
}

Test(dqn, learns_catch_to_near_optimal, .timeout = 120) { learn_catch(false); }
Test(dqn, dueling_head_learns_catch_to_near_optimal, .timeout = 120) { learn_catch(true); }

/* A dueling run resumes as a dueling run (config.ini carries the key) and refuses a
 * config without it. */
Test(dqn, a_dueling_run_resumes_with_its_head, .timeout = 60)
{
    ArcTrainConfig cfg = dqn_config();
    cfg.frames = 600;
    cfg.learn_start = 100;
    cfg.dueling = true;
    cfg.checkpoint_every = 300;
    ArcTrainOptions opt = {.quiet = true};
    ArcTrainResult res;
    ArcErr err;
    cr_assert_eq(arc_dqn_train(&cfg, &opt, &res, &err), ARC_OK, "%s", err.msg);
    cfg.frames = 900;
    opt.resume = true;
    cr_assert_eq(arc_dqn_train(&cfg, &opt, &res, &err), ARC_OK, "%s", err.msg);
    cr_assert_eq(res.frames, 900);
    ArcCheckpoint ck;
    cr_assert_eq(arc_checkpoint_load(res.checkpoint, &ck, &err), ARC_OK, "%s", err.msg);
    cr_assert(ck.net.dueling);
    arc_checkpoint_free(&ck);
    cfg.dueling = false;
    cr_assert_neq(arc_dqn_train(&cfg, &opt, &res, &err), ARC_OK, "a plain head resumed a dueling run");
    cr_assert(strstr(err.msg, "holds a dqn breakout network (dueling head) of 132695 parameters; this run "
                              "trains dqn on breakout with 132566"), "%s", err.msg);
    remove_dir();
}

static float *single_actor_run(uint32_t seed, size_t *count)
{
    ArcTrainConfig cfg = dqn_config();
    cfg.frames = 1500;
    cfg.learn_start = 500;
    cfg.target_every = 100;
    cfg.seed = seed;
    cfg.double_dqn = true;
    cfg.prioritized = true;
    cfg.n_step = 3;
    ArcTrainOptions opt = {.quiet = true};
    ArcTrainResult res;
    ArcErr err;
    cr_assert_eq(arc_dqn_train(&cfg, &opt, &res, &err), ARC_OK, "%s", err.msg);
    cr_assert_eq(res.updates, 1000);
    float *p = final_params(&res, count);
    remove_dir();
    return p;
}

Test(dqn, one_actor_runs_are_reproducible_with_every_option, .timeout = 60)
{
    size_t n1, n2, n3;
    float *a = single_actor_run(5, &n1), *b = single_actor_run(5, &n2), *c = single_actor_run(6, &n3);
    cr_assert_eq(n1, n2);
    cr_assert_eq(memcmp(a, b, n1 * sizeof(float)), 0, "same seed, different parameters");
    cr_assert_neq(memcmp(a, c, n1 * sizeof(float)), 0, "seeds 5 and 6 gave the same parameters");
    for (size_t i = 0; i < n1; i++) cr_assert(isfinite(a[i]));
    free(a), free(b), free(c);
}

Test(dqn, learning_from_the_first_frame_waits_for_a_complete_transition, .timeout = 30)
{
    ArcTrainConfig cfg = dqn_config();
    cfg.frames = 300;
    cfg.learn_start = 0;
    cfg.n_step = 3;
    ArcTrainOptions opt = {.quiet = true};
    ArcTrainResult res;
    ArcErr err;
    cr_assert_eq(arc_dqn_train(&cfg, &opt, &res, &err), ARC_OK, "%s", err.msg);
    cr_assert_eq(res.frames, 300);
    cr_assert_geq(res.updates, 290, "the owed updates are made once transitions exist");
    cr_assert_leq(res.updates, 300);
    remove_dir();
}

Test(dqn, several_actor_threads_feed_one_learner, .timeout = 60)
{
    ArcTrainConfig cfg = dqn_config();
    cfg.frames = 6000;
    cfg.threads = 3;
    cfg.envs_per_thread = 4;
    cfg.learn_start = 1000;
    cfg.replay_ratio = 0.1;
    cfg.actor_sync = 10;
    ArcTrainOptions opt = {.quiet = true};
    ArcTrainResult res;
    ArcErr err;
    cr_assert_eq(arc_dqn_train(&cfg, &opt, &res, &err), ARC_OK, "%s", err.msg);
    cr_assert_geq(res.frames, 6000);
    cr_assert_gt(res.updates, 0);
    int64_t due = (int64_t)((res.frames - 1000) * 0.1);
    cr_assert_leq(res.updates, due + 1, "the learner kept to the ratio");
    cr_assert_geq(res.updates, due - 64 - 12, "the actors waited for the learner (%lld of %lld)",
                  (long long)res.updates, (long long)due);
    size_t n;
    float *p = final_params(&res, &n);
    for (size_t i = 0; i < n; i++) cr_assert(isfinite(p[i]));
    free(p);
    remove_dir();
}

Test(dqn, actor_threads_wait_for_a_learner_that_owes_updates, .timeout = 60)
{
    ArcTrainConfig cfg = dqn_config();
    cfg.frames = 3000;
    cfg.threads = 2;
    cfg.envs_per_thread = 4;
    cfg.learn_start = 200;
    cfg.replay_ratio = 1; /* one update per frame: far more work than stepping the envs */
    ArcTrainOptions opt = {.quiet = true};
    ArcTrainResult res;
    ArcErr err;
    cr_assert_eq(arc_dqn_train(&cfg, &opt, &res, &err), ARC_OK, "%s", err.msg);
    int64_t due = res.frames - 200;
    cr_assert_geq(res.updates, due - 64 - 8, "updates %lld for %lld frames: the actors ran ahead",
                  (long long)res.updates, (long long)res.frames);
    cr_assert_leq(res.updates, due);
    remove_dir();
}

Test(dqn, adam_is_an_option_and_a3c_refuses_it, .timeout = 60)
{
    float *p[2];
    size_t n[2];
    const char *optimizers[2] = {"rmsprop", "adam"};
    for (int i = 0; i < 2; i++) {
        ArcTrainConfig cfg = dqn_config();
        cfg.frames = 600;
        cfg.learn_start = 100;
        strcpy(cfg.optimizer, optimizers[i]);
        ArcTrainOptions opt = {.quiet = true};
        ArcTrainResult res;
        ArcErr err;
        cr_assert_eq(arc_dqn_train(&cfg, &opt, &res, &err), ARC_OK, "%s", err.msg);
        cr_assert_eq(res.updates, 500);
        p[i] = final_params(&res, &n[i]);
        for (size_t j = 0; j < n[i]; j++) cr_assert(isfinite(p[i][j]));
        remove_dir();
    }
    cr_assert_eq(n[0], n[1]);
    cr_assert_neq(memcmp(p[0], p[1], n[0] * sizeof(float)), 0, "adam trained like rmsprop");
    free(p[0]), free(p[1]);

    ArcTrainConfig cfg;
    arc_train_config_defaults(&cfg);
    strcpy(cfg.optimizer, "adam");
    ArcErr err;
    cr_assert_neq(arc_train_config_finish(&cfg, &err), ARC_OK);
    cr_assert(strstr(err.msg, "optimizer adam is a DQN option"), "%s", err.msg);
}
