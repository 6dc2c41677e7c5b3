/* test_a3c.c — A3C learns, is reproducible in sync mode, survives many Hogwild threads,
 * and rejects checkpoints of another game on resume.
 *
 * The learning test uses "catch" (catch_game.h). */
#include <criterion/criterion.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../agent/a3c.h"
#include "../agent/run.h"
#include "../learner/checkpoint.h"

#include "catch_game.h"

static char dir[64];

static ArcTrainConfig small_config(const char *out)
{
    ArcTrainConfig cfg;
    arc_train_config_defaults(&cfg);
    strcpy(cfg.game, "breakout");
    snprintf(cfg.out, sizeof cfg.out, "%s", out);
    cfg.threads = 2;
    cfg.envs_per_thread = 8;
    cfg.rollout = 5;
    cfg.checkpoint_every = 0;
    return cfg;
}

static void make_dir(void)
{
    strcpy(dir, "/tmp/arcade-a3c-XXXXXX");
    cr_assert_not_null(mkdtemp(dir));
}

static void remove_dir(void)
{
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    cr_assert_eq(system(cmd), 0);
}

Test(a3c, learns_catch_to_near_optimal, .timeout = 120)
{
    make_dir();
    ArcTrainConfig cfg = small_config(dir);
    cfg.frames = 150000;
    cfg.sticky = 0;
    cfg.lr = 2e-3;
    cfg.entropy = 0.01;
    cfg.sync = true; /* deterministic: the outcome cannot depend on thread timing */
    ArcTrainOptions opt = {.game = &catch_game, .quiet = true};
    ArcTrainResult res;
    ArcErr err;
    cr_assert_eq(arc_a3c_train(&cfg, &opt, &res, &err), ARC_OK, "%s", err.msg);
    cr_assert_geq(res.frames, cfg.frames);
    double rate = catch_rate(res.checkpoint, 500);
    cr_assert_geq(rate, 0.9, "greedy catch rate %.3f after %lld frames (training mean %.2f)", rate,
                  (long long)res.frames, res.final_return_mean100);
    remove_dir();
}

/* Final parameters and RMSProp statistics of a sync run. */
static void sync_run(uint32_t seed, int threads, float **params, float **opt_v, size_t *count)
{
    make_dir();
    ArcTrainConfig cfg = small_config(dir);
    cfg.frames = 4000;
    cfg.threads = threads;
    cfg.sync = true;
    cfg.seed = seed;
    ArcTrainOptions opt = {.quiet = true};
    ArcTrainResult res;
    ArcErr err;
    cr_assert_eq(arc_a3c_train(&cfg, &opt, &res, &err), ARC_OK, "%s", err.msg);
    ArcCheckpoint ck;
    cr_assert_eq(arc_checkpoint_load(res.checkpoint, &ck, &err), ARC_OK, "%s", err.msg);
    cr_assert_eq(ck.updates, res.updates);
    *count = ck.num_params;
    *params = ck.params;
    *opt_v = ck.opt_v;
    ck.params = ck.opt_v = NULL;
    arc_checkpoint_free(&ck);
    remove_dir();
}

Test(a3c, sync_mode_is_bit_reproducible_and_seed_dependent, .timeout = 60)
{
    float *p1, *v1, *p2, *v2, *p3, *v3;
    size_t n1, n2, n3;
    sync_run(7, 3, &p1, &v1, &n1);
    sync_run(7, 3, &p2, &v2, &n2);
    sync_run(8, 3, &p3, &v3, &n3);
    cr_assert_eq(n1, n2);
    cr_assert_eq(memcmp(p1, p2, n1 * sizeof(float)), 0, "same seed, different parameters");
    cr_assert_eq(memcmp(v1, v2, n1 * sizeof(float)), 0, "same seed, different RMSProp state");
    cr_assert_neq(memcmp(p1, p3, n1 * sizeof(float)), 0, "seeds 7 and 8 gave the same parameters");
    free(p1), free(v1), free(p2), free(v2), free(p3), free(v3);
}

Test(a3c, hogwild_stress_many_threads_stay_finite, .timeout = 60)
{
    make_dir();
    ArcTrainConfig cfg = small_config(dir);
    cfg.frames = 60000;
    cfg.threads = 8;
    cfg.envs_per_thread = 4;
    ArcTrainOptions opt = {.quiet = true};
    ArcTrainResult res;
    ArcErr err;
    cr_assert_eq(arc_a3c_train(&cfg, &opt, &res, &err), ARC_OK, "%s", err.msg);
    cr_assert_geq(res.updates, 60000 / 20);
    ArcCheckpoint ck;
    cr_assert_eq(arc_checkpoint_load(res.checkpoint, &ck, &err), ARC_OK, "%s", err.msg);
    for (size_t i = 0; i < ck.num_params; i++)
        cr_assert(isfinite(ck.params[i]) && isfinite(ck.opt_v[i]), "param %zu not finite", i);
    arc_checkpoint_free(&ck);
    remove_dir();
}

Test(a3c, run_directory_has_every_output, .timeout = 60)
{
    make_dir();
    ArcTrainConfig cfg = small_config(dir);
    cfg.frames = 3000;
    cfg.checkpoint_every = 1000;
    ArcTrainOptions opt = {.quiet = true, .metrics_every = 0.001};
    ArcTrainResult res;
    ArcErr err;
    cr_assert_eq(arc_a3c_train(&cfg, &opt, &res, &err), ARC_OK, "%s", err.msg);
    const char *files[] = {"config.ini", "metrics.csv", "episodes.csv", "summary.json",
                           "checkpoints/final.safetensors", "checkpoints/latest.safetensors"};
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        char path[256];
        snprintf(path, sizeof path, "%s/%s", dir, files[i]);
        cr_assert_eq(access(path, R_OK), 0, "missing %s", files[i]);
    }
    char path[256], line[512];
    snprintf(path, sizeof path, "%s/metrics.csv", dir);
    FILE *f = fopen(path, "r");
    cr_assert(fgets(line, sizeof line, f));
    cr_assert_str_eq(line, "frames,wall_s,fps,episodes,updates,return_mean100,policy_loss,value_loss,"
                           "entropy,grad_norm,param_lag\n");
    fclose(f);
    /* the written config reproduces the run's configuration */
    ArcTrainConfig reread;
    arc_train_config_defaults(&reread);
    snprintf(path, sizeof path, "%s/config.ini", dir);
    cr_assert_eq(arc_train_config_load(&reread, path, &err), ARC_OK, "%s", err.msg);
    reread.explicit_keys = cfg.explicit_keys;
    cr_assert_eq(memcmp(&reread, &cfg, sizeof cfg), 0);
    remove_dir();
}

Test(a3c, resume_rejects_a_checkpoint_of_another_game, .timeout = 60)
{
    make_dir();
    ArcTrainConfig cfg = small_config(dir);
    cfg.frames = 1000;
    ArcTrainOptions opt = {.quiet = true};
    ArcTrainResult res;
    ArcErr err;
    cr_assert_eq(arc_a3c_train(&cfg, &opt, &res, &err), ARC_OK, "%s", err.msg);
    strcpy(cfg.game, "seaquest");
    cfg.frames = 2000;
    opt.resume = true;
    cr_assert_neq(arc_a3c_train(&cfg, &opt, &res, &err), ARC_OK);
    cr_assert(strstr(err.msg, "holds a a3c breakout network"), "%s", err.msg);
    cr_assert(strstr(err.msg, "latest.safetensors"), "%s", err.msg);
    remove_dir();
}

Test(a3c, resume_continues_from_the_latest_checkpoint, .timeout = 60)
{
    make_dir();
    ArcTrainConfig cfg = small_config(dir);
    cfg.frames = 2000;
    ArcTrainOptions opt = {.quiet = true};
    ArcTrainResult first, second;
    ArcErr err;
    cr_assert_eq(arc_a3c_train(&cfg, &opt, &first, &err), ARC_OK, "%s", err.msg);
    cfg.frames = 4000;
    opt.resume = true;
    cr_assert_eq(arc_a3c_train(&cfg, &opt, &second, &err), ARC_OK, "%s", err.msg);
    cr_assert_geq(second.frames, 4000);
    cr_assert_gt(second.updates, first.updates, "updates continue from the checkpoint's count");
    cr_assert_geq(second.episodes, first.episodes);
    remove_dir();
}

/* Final parameters, RMSProp statistics and counters of a sync run of `frames`, resumed
 * from a first run of `first` frames when first > 0. */
static void sync_params(int64_t first, int64_t frames, float **params, float **opt_v, size_t *count)
{
    make_dir();
    ArcTrainConfig cfg = small_config(dir);
    cfg.threads = 2;
    cfg.envs_per_thread = 4; /* 40 frames per round */
    cfg.sync = true;
    cfg.seed = 11;
    /* the first call stands in for an interrupted run by asking for fewer frames, so the
     * schedules must not depend on the frame total: a constant entropy bonus */
    cfg.entropy_end = cfg.entropy;
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
    cr_assert_eq(res.frames, frames);
    cr_assert_eq(res.start_frames, first > 0 ? first : 0, "the second run resumed");
    ArcCheckpoint ck;
    cr_assert_eq(arc_checkpoint_load(res.checkpoint, &ck, &err), ARC_OK, "%s", err.msg);
    cr_assert_not_null(arc_st_tensor(ck.file, "actor1.env.states"), "the final checkpoint holds actor state");
    *count = ck.num_params;
    *params = ck.params;
    *opt_v = ck.opt_v;
    ck.params = ck.opt_v = NULL;
    arc_checkpoint_free(&ck);
    remove_dir();
}

Test(a3c, a_resumed_sync_run_ends_with_the_parameters_of_an_uninterrupted_one, .timeout = 60)
{
    float *p1, *v1, *p2, *v2;
    size_t n1, n2;
    sync_params(0, 4000, &p1, &v1, &n1);
    sync_params(2000, 4000, &p2, &v2, &n2);
    cr_assert_eq(n1, n2);
    cr_assert_eq(memcmp(p1, p2, n1 * sizeof(float)), 0, "resumed parameters differ");
    cr_assert_eq(memcmp(v1, v2, n1 * sizeof(float)), 0, "resumed RMSProp statistics differ");
    free(p1), free(v1), free(p2), free(v2);
}

Test(a3c, entropy_coefficient_is_linear_from_entropy_to_entropy_end)
{
    ArcTrainConfig cfg;
    arc_train_config_defaults(&cfg);
    cfg.entropy = 0.02;
    cfg.entropy_end = 0.0;
    ArcRun run = {.cfg = &cfg, .frame_target = 1000};
    cr_assert_float_eq(arc_run_entropy(&run, 0), 0.02f, 1e-9);
    cr_assert_float_eq(arc_run_entropy(&run, 250), 0.015f, 1e-9);
    cr_assert_float_eq(arc_run_entropy(&run, 1000), 0.0f, 1e-9);
    cr_assert_float_eq(arc_run_entropy(&run, 1200), 0.0f, 1e-9, "past the target it stays at the end value");
}

/* RMSProp's squared-gradient average starts at 0, so its first steps are ~lr/sqrt(1 -
 * alpha) = 10 lr per weight in the sign of the gradient; at lr 2e-3 the first two or three
 * updates killed most of the dense layer's ReLUs in ~5% of catch runs (they never
 * learned). The warm-up ramps lr over the first lr_warmup updates. */
Test(a3c, lr_warms_up_linearly_over_the_first_updates)
{
    ArcTrainConfig cfg;
    arc_train_config_defaults(&cfg);
    cr_assert_eq(cfg.lr_warmup, 100, "A3C warms up by default");
    cfg.lr = 0.002;
    cfg.lr_warmup = 4;
    ArcRun run = {.cfg = &cfg, .frame_target = 1000};
    const float expect[] = {0.0005f, 0.001f, 0.0015f, 0.002f, 0.002f, 0.002f};
    for (long long updates = 0; updates < 6; updates++) {
        atomic_store(&run.learner.version, updates);
        cr_assert_float_eq(arc_run_lr(&run, 0), expect[updates], 1e-9, "after %lld updates", updates);
    }
    strcpy(cfg.lr_schedule, "linear"); /* the ramp multiplies the schedule */
    atomic_store(&run.learner.version, 1);
    cr_assert_float_eq(arc_run_lr(&run, 500), 0.0005f, 1e-9);
    cfg.lr_warmup = 0;
    atomic_store(&run.learner.version, 0);
    cr_assert_float_eq(arc_run_lr(&run, 0), 0.002f, 1e-9, "0: no warm-up");
}
