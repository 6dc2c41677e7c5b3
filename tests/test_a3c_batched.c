/* test_a3c_batched.c — the batched learner (learner = batched; what --device gpu trains
 * with) on the CPU backend: it learns catch, one update on on-policy data equals the
 * synchronous A2C update, param_lag reaches the metrics, resume works, --device gpu
 * without a device says so in one line and trains, and bad combinations are refused. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../agent/a3c.h"
#include "../agent/a3c_batched.h"
#include "../learner/checkpoint.h"

#include "catch_game.h"
#include "run_cli.h"

static char dir[64];

static void make_dir(void)
{
    strcpy(dir, "/tmp/arcade-batched-XXXXXX");
    cr_assert_not_null(mkdtemp(dir));
}

static void remove_dir(void)
{
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    cr_assert_eq(system(cmd), 0);
}

static ArcTrainConfig batched_config(void)
{
    ArcTrainConfig cfg;
    arc_train_config_defaults(&cfg);
    snprintf(cfg.out, sizeof cfg.out, "%s", dir);
    strcpy(cfg.learner, "batched");
    cfg.threads = 2;
    cfg.envs_per_thread = 8;
    cfg.rollout = 5;
    cfg.checkpoint_every = 0;
    return cfg;
}

static float *final_params(const char *path, size_t *count)
{
    ArcCheckpoint ck;
    ArcErr err;
    cr_assert_eq(arc_checkpoint_load(path, &ck, &err), ARC_OK, "%s", err.msg);
    float *params = ck.params;
    *count = ck.num_params;
    ck.params = NULL;
    arc_checkpoint_free(&ck);
    return params;
}

/* The outcome depends on thread timing (the lag), so it is a sample of a distribution.
 * Scans of 60 seeds at these settings: without the lr warm-up 3 runs never learned (dead
 * ReLUs, 0.09-0.59); with it all learned, but 1 in 60 settled on a policy that misses two
 * columns (0.78-0.82, at 250 k and at 400 k frames alike), as policy-gradient runs on
 * catch sometimes do. So the test trains on a second seed when the first falls short: a
 * working learner fails both about once in 3,600 runs; a broken one (catch rate ~0.1-0.2
 * with any seed) fails both. */
Test(a3c_batched, learns_catch_to_near_optimal, .timeout = 240)
{
    double rate = 0;
    for (uint32_t seed = 1; seed <= 2 && rate < 0.9; seed++) {
        make_dir();
        ArcTrainConfig cfg = batched_config();
        cfg.frames = 250000;
        cfg.envs_per_thread = 4;
        cfg.sticky = 0;
        cfg.lr = 2e-3;
        cfg.entropy = 0.01;
        cfg.seed = seed;
        ArcTrainOptions opt = {.game = &catch_game, .quiet = true};
        ArcTrainResult res;
        ArcErr err;
        cr_assert_eq(arc_a3c_train(&cfg, &opt, &res, &err), ARC_OK, "%s", err.msg);
        cr_assert_geq(res.frames, cfg.frames);
        cr_assert_geq(res.updates, cfg.frames / 40, "one update per 2 rollouts of 20 frames");
        rate = catch_rate(res.checkpoint, 500);
        cr_log_info("batched learner, seed %u: greedy catch rate %.3f after %lld frames "
                    "(training mean %.2f)", seed, rate, (long long)res.frames, res.final_return_mean100);
        remove_dir();
    }
    cr_assert_geq(rate, 0.9, "greedy catch rate %.3f with seeds 1 and 2", rate);
}

/* Final parameters of a one-rollout, one-update run of the batched learner on device,
 * or (batched false) of the synchronous mode. */
static float *one_update(bool batched, const char *device, size_t *count)
{
    make_dir();
    ArcTrainConfig cfg = batched_config();
    cfg.threads = 1;
    cfg.frames = cfg.envs_per_thread * cfg.rollout; /* one rollout, one update */
    cfg.seed = 5;
    /* the sync mode reads the entropy schedule when it rolls out, the batched learner when
     * it learns (after the actor counted the rollout's frames): compare the update math
     * with a constant bonus */
    cfg.entropy_end = cfg.entropy;
    cfg.lr_warmup = 0; /* a full-size step, well above float rounding */
    strcpy(cfg.device, device);
    if (!batched) {
        strcpy(cfg.learner, "async");
        cfg.sync = true;
    }
    ArcTrainOptions opt = {.quiet = true};
    ArcTrainResult res;
    ArcErr err;
    cr_assert_eq(arc_a3c_train(&cfg, &opt, &res, &err), ARC_OK, "%s", err.msg);
    cr_assert_eq(res.updates, 1, "%s learner made %lld updates", cfg.learner, (long long)res.updates);
    float *params = final_params(res.checkpoint, count);
    remove_dir();
    return params;
}

/* With one actor and one rollout the batched learner sees exactly the data the
 * synchronous mode trains on, acted by the parameters it trains (rho = 1): V-trace gives
 * the n-step targets, so the update must match A2C's up to float rounding (the learner's
 * forward runs at another batch size than the actor's, or on the GPU). */
static void expect_the_sync_update(const char *device, double tolerance)
{
    size_t n[2], n_init;
    float *p[2] = {one_update(true, device, &n[0]), one_update(false, "cpu", &n[1])};
    /* the parameters both started from */
    ArcNetConfig net_cfg;
    arc_net_config_minatar(&net_cfg, 4, ARC_HEAD_A3C, 1);
    ArcErr err;
    ArcNet *net = arc_net_init(&net_cfg, arc_backend_cpu(), 1, 5, &err);
    cr_assert_not_null(net, "%s", err.msg);
    n_init = net->num_params;
    float *init = malloc(n_init * sizeof *init);
    arc_net_get_params(net, init);
    arc_net_free(net);
    cr_assert_eq(n[0], n[1]);
    cr_assert_eq(n[0], n_init);
    double max_diff = 0, max_step = 0;
    for (size_t i = 0; i < n[0]; i++) {
        max_diff = fmax(max_diff, fabs((double)p[0][i] - p[1][i]));
        max_step = fmax(max_step, fabs((double)p[1][i] - init[i]));
    }
    cr_assert_gt(max_step, 1e-3, "the sync update moved no parameter (%g)", max_step);
    cr_assert_lt(max_diff, tolerance * max_step, "batched (%s) and sync updates differ by %g (step %g)",
                 device, max_diff, max_step);
    free(p[0]), free(p[1]), free(init);
}

Test(a3c_batched, one_on_policy_update_equals_the_sync_update, .timeout = 60)
{
    expect_the_sync_update("cpu", 1e-4);
}

/* The same on the GPU learner (scripts/gpu-check.sh runs it on a device; skipped here). */
Test(a3c_batched_gpu, one_on_policy_update_equals_the_sync_update, .timeout = 60)
{
    ArcErr err;
    if (!arc_backend_gpu(0, &err)) cr_skip_test("GPU test skipped: %s", err.msg);
    expect_the_sync_update("gpu", 1e-3);
}

Test(a3c_batched, metrics_carry_param_lag_and_checkpoints_hold_actor_state, .timeout = 60)
{
    make_dir();
    ArcTrainConfig cfg = batched_config();
    cfg.frames = 6000;
    cfg.checkpoint_every = 2000;
    ArcTrainOptions opt = {.quiet = true, .metrics_every = 0.001};
    ArcTrainResult res;
    ArcErr err;
    cr_assert_eq(arc_a3c_train(&cfg, &opt, &res, &err), ARC_OK, "%s", err.msg);
    char path[256], line[512];
    snprintf(path, sizeof path, "%s/metrics.csv", dir);
    FILE *f = fopen(path, "r");
    cr_assert_not_null(f);
    cr_assert(fgets(line, sizeof line, f));
    cr_assert_str_eq(line, "frames,wall_s,fps,episodes,updates,return_mean100,policy_loss,value_loss,"
                           "entropy,grad_norm,param_lag\n");
    int rows = 0;
    while (fgets(line, sizeof line, f)) {
        const char *last = strrchr(line, ',');
        cr_assert_not_null(last);
        double lag = atof(last + 1);
        cr_assert(isfinite(lag) && lag >= 0, "param_lag %g in row %s", lag, line);
        rows++;
    }
    fclose(f);
    cr_assert_gt(rows, 0, "no metrics rows");
    char cmd[300];
    snprintf(cmd, sizeof cmd, "ls %s/checkpoints/frames-*.safetensors >/dev/null 2>&1", dir);
    cr_assert_eq(system(cmd), 0, "no periodic checkpoint");
    ArcCheckpoint ck;
    cr_assert_eq(arc_checkpoint_load(res.checkpoint, &ck, &err), ARC_OK, "%s", err.msg);
    cr_assert_not_null(arc_st_tensor(ck.file, "actor1.env.states"), "final checkpoint without actor state");
    cr_assert_eq(ck.updates, res.updates);
    for (size_t i = 0; i < ck.num_params; i++) cr_assert(isfinite(ck.params[i]), "param %zu", i);
    arc_checkpoint_free(&ck);
    remove_dir();
}

Test(a3c_batched, resume_continues_from_the_latest_checkpoint, .timeout = 60)
{
    make_dir();
    ArcTrainConfig cfg = batched_config();
    cfg.frames = 2000;
    ArcTrainOptions opt = {.quiet = true};
    ArcTrainResult first, second;
    ArcErr err;
    cr_assert_eq(arc_a3c_train(&cfg, &opt, &first, &err), ARC_OK, "%s", err.msg);
    cfg.frames = 4000;
    opt.resume = true;
    cr_assert_eq(arc_a3c_train(&cfg, &opt, &second, &err), ARC_OK, "%s", err.msg);
    cr_assert_eq(second.start_frames, first.frames);
    cr_assert_geq(second.frames, 4000);
    cr_assert_gt(second.updates, first.updates, "updates continue from the checkpoint's count");
    /* the async learner continues a batched run (the actor state has the same names) */
    ArcTrainResult third;
    strcpy(cfg.learner, "async");
    cfg.frames = 6000;
    cr_assert_eq(arc_a3c_train(&cfg, &opt, &third, &err), ARC_OK, "%s", err.msg);
    cr_assert_eq(third.start_frames, second.frames);
    cr_assert_gt(third.updates, second.updates);
    remove_dir();
}

Test(a3c_batched, a_stop_request_ends_the_run_with_a_final_checkpoint, .timeout = 60)
{
    make_dir();
    ArcTrainConfig cfg = batched_config();
    cfg.frames = 100000000;
    atomic_bool stop = true; /* Ctrl-C before the first rollout */
    ArcTrainOptions opt = {.quiet = true, .stop = &stop};
    ArcTrainResult res;
    ArcErr err;
    cr_assert_eq(arc_a3c_train(&cfg, &opt, &res, &err), ARC_OK, "%s", err.msg);
    cr_assert(res.interrupted);
    cr_assert_lt(res.frames, cfg.frames);
    cr_assert_eq(access(res.checkpoint, R_OK), 0, "no final checkpoint after a stop");
    ArcCheckpoint ck;
    cr_assert_eq(arc_checkpoint_load(res.checkpoint, &ck, &err), ARC_OK, "%s", err.msg);
    cr_assert_eq(ck.frames, res.frames);
    cr_assert_not_null(arc_st_tensor(ck.file, "actor0.env.states"));
    arc_checkpoint_free(&ck);
    remove_dir();
}

Test(a3c_batched, device_gpu_without_a_device_says_so_once_and_trains, .timeout = 60)
{
    make_dir();
    char cmd[512], err[8192];
    snprintf(cmd, sizeof cmd,
             "bin/arcade train --device gpu --frames 2000 --threads 2 --envs-per-thread 4 "
             "--checkpoint-every 0 --out %s", dir);
    cr_assert_eq(run_cli(cmd, NULL, 0, err, sizeof err), 0, "%s", err);
    int notes = 0;
    for (const char *s = err; (s = strstr(s, "note: --device gpu:")); s++) notes++;
    cr_assert_eq(notes, 1, "expected one notice, stderr:\n%s", err);
    const char *note = strstr(err, "note: --device gpu:");
    const char *eol = strchr(note, '\n');
    cr_assert(eol && strstr(note, "using the cpu backend") < eol, "not one line: %s", note);
    char path[256];
    snprintf(path, sizeof path, "%s/checkpoints/final.safetensors", dir);
    cr_assert_eq(access(path, R_OK), 0, "no final checkpoint: %s", err);
    ArcTrainConfig written;
    arc_train_config_defaults(&written);
    snprintf(path, sizeof path, "%s/config.ini", dir);
    ArcErr e;
    cr_assert_eq(arc_train_config_load(&written, path, &e), ARC_OK, "%s", e.msg);
    cr_assert_str_eq(written.learner, "batched", "--device gpu trains with the batched learner");
    remove_dir();
}

static void expect_finish_error(const char *learner, bool sync, const char *device, const char *what)
{
    ArcTrainConfig cfg;
    arc_train_config_defaults(&cfg);
    char *argv[8] = {"arcade train", "--device", (char *)device};
    int argc = 3;
    if (learner) argv[argc++] = "--learner", argv[argc++] = (char *)learner;
    if (sync) argv[argc++] = "--sync";
    ArcErr err;
    cr_assert_eq(arc_train_config_parse_args(&cfg, argc, argv, stdout, &err), ARC_OK, "%s", err.msg);
    cr_assert_eq(arc_train_config_finish(&cfg, &err), ARC_ERR_ARG, "accepted %s", what);
    cr_assert_eq(strchr(err.msg, '\n'), NULL);
    cr_assert(strstr(err.msg, what), "%s", err.msg);
}

Test(a3c_batched, conflicting_flags_are_refused)
{
    expect_finish_error("async", false, "gpu", "--device gpu trains on the batched learner");
    expect_finish_error("batched", true, "cpu", "--sync is a mode of the async learner");
    expect_finish_error(NULL, true, "gpu", "(implied by --device gpu)");
    ArcTrainConfig cfg;
    arc_train_config_defaults(&cfg);
    char *argv[] = {"arcade train", "--learner", "gpu"};
    ArcErr err;
    cr_assert_eq(arc_train_config_parse_args(&cfg, 3, argv, stdout, &err), ARC_ERR_ARG);
    cr_assert(strstr(err.msg, "--learner expects one of async|batched, got 'gpu'"), "%s", err.msg);
    char msg[4096];
    cr_assert_eq(run_cli("bin/arcade train --device gpu --learner async --out /nonexistent/x", NULL, 0,
                         msg, sizeof msg), 2);
    cr_assert(strstr(msg, "cannot be combined with --learner async"), "%s", msg);
    cr_assert_eq(run_cli("bin/arcade bench train --learner foo", NULL, 0, msg, sizeof msg), 2);
    cr_assert(strstr(msg, "--learner foo is unknown (expected async or batched)"), "%s", msg);
    cr_assert_eq(run_cli("bin/arcade bench train --device tpu", NULL, 0, msg, sizeof msg), 2);
    cr_assert(strstr(msg, "--device tpu is unknown (expected cpu or gpu)"), "%s", msg);
    cr_assert_eq(run_cli("bin/arcade bench train --sync-less", NULL, 0, msg, sizeof msg), 2);
}

Test(a3c_batched, a_rollout_larger_than_the_learner_batch_is_refused)
{
    make_dir();
    ArcTrainConfig cfg = batched_config();
    cfg.envs_per_thread = 4096;
    cfg.rollout = 5;
    ArcTrainOptions opt = {.quiet = true};
    ArcTrainResult res;
    ArcErr err;
    cr_assert_eq(arc_a3c_train(&cfg, &opt, &res, &err), ARC_ERR_ARG);
    cr_assert(strstr(err.msg, "20480 rows per rollout; expected at most 16384"), "%s", err.msg);
    remove_dir();
}
