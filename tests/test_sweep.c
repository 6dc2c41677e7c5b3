/* test_sweep.c — sweep files (grids, lists, ranges, setups, every error with its line),
 * run-directory names, and `bin/arcade sweep` end to end: results, skipping finished runs,
 * resuming unfinished ones, recording a failed run, refusing a changed sweep. */
#include <criterion/criterion.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../agent/sweep.h"
#include "run_cli.h"

#if defined(__SANITIZE_ADDRESS__)
#define SWEEP_TEST_ASAN 1
#endif
#ifdef SWEEP_TEST_ASAN
#include <sanitizer/lsan_interface.h>
#endif

extern char **environ;

static char err_text[1 << 14];

static void plan_ok(ArcSweepPlan *plan, const char *text)
{
    ArcErr err;
    int status = arc_sweep_plan_text(plan, text, strlen(text), "t/sweep.ini", NULL, &err);
    cr_assert_eq(status, ARC_OK, "%s", plan->errors ? plan->errors : err.msg);
}

/* The plan of text must fail with the first error containing message. */
static void expect_error(const char *text, const char *message)
{
    ArcSweepPlan plan;
    ArcErr err;
    int status = arc_sweep_plan_text(&plan, text, strlen(text), "t/sweep.ini", NULL, &err);
    cr_assert_neq(status, ARC_OK, "accepted:\n%s", text);
    cr_assert(strstr(err.msg, message), "'%s' lacks '%s'", err.msg, message);
    cr_assert(plan.errors && strstr(plan.errors, err.msg), "errors list lacks the first error");
    arc_sweep_plan_free(&plan);
}

Test(sweep, grid_of_setups_and_axes_is_the_full_product)
{
    ArcSweepPlan plan;
    plan_ok(&plan, "[base]\nframes = 5000\n[setup fast]\nlr = 0.004\n[setup slow]\nlr = 0.001\n"
                   "[grid]\ngame = breakout, freeway\nseed = 1..4\nentropy = 0.01, 0.02, 0.03\n");
    cr_assert_eq(plan.num_runs, 2 * 2 * 4 * 3);
    cr_assert_eq(plan.num_groups, 2 * 2 * 3);
    cr_assert_eq(plan.num_columns, 3);
    cr_assert_str_eq(plan.columns[0], "setup");
    cr_assert_str_eq(plan.columns[1], "game");
    cr_assert_str_eq(plan.columns[2], "entropy");
    const ArcSweepRun *first = &plan.runs[0], *last = &plan.runs[plan.num_runs - 1];
    cr_assert_str_eq(first->name, "fast,game=breakout,entropy=0.01,seed=1");
    cr_assert_str_eq(first->group, "fast,game=breakout,entropy=0.01");
    cr_assert_str_eq(plan.runs[1].name, "fast,game=breakout,entropy=0.01,seed=2", "seed is innermost");
    cr_assert_str_eq(last->name, "slow,game=freeway,entropy=0.03,seed=4");
    cr_assert_eq(first->cfg.lr, 0.004);
    cr_assert_eq(last->cfg.lr, 0.001);
    cr_assert_str_eq(last->cfg.game, "freeway");
    cr_assert_eq(last->cfg.seed, 4);
    cr_assert_eq(last->cfg.entropy, 0.03);
    cr_assert_eq(last->cfg.frames, 5000);
    cr_assert_str_eq(last->cfg.out, "sweeps/sweep/slow,game=freeway,entropy=0.03,seed=4");
    for (int r = 0; r < plan.num_runs; r++) {
        cr_assert_eq(plan.runs[r].group_index, r / 4);
        cr_assert(strstr(plan.runs[r].config_text, "seed = "), "run.ini text");
    }
    arc_sweep_plan_free(&plan);
}

Test(sweep, lists_ranges_underscores_and_sweep_out)
{
    ArcSweepPlan plan;
    plan_ok(&plan, "  [sweep]\n  out = /tmp/x ; where\n[grid]\nseed = 1..3, 7\nenvs_per_thread = 8,16\n");
    cr_assert_str_eq(plan.out, "/tmp/x");
    cr_assert_eq(plan.num_runs, 8);
    cr_assert_eq(plan.num_groups, 2);
    cr_assert_str_eq(plan.columns[0], "envs-per-thread");
    int64_t seeds[4] = {1, 2, 3, 7};
    for (int r = 0; r < 4; r++) cr_assert_eq(plan.runs[r].cfg.seed, seeds[r]);
    cr_assert_str_eq(plan.runs[3].name, "envs-per-thread=8,seed=7");
    cr_assert_eq(plan.runs[7].cfg.envs_per_thread, 16);
    arc_sweep_plan_free(&plan);

    ArcErr err;
    const char *text = "[base]\nframes = 100\n";
    cr_assert_eq(arc_sweep_plan_text(&plan, text, strlen(text), "dir/my.ini", "elsewhere", &err), ARC_OK);
    cr_assert_eq(plan.num_runs, 1);
    cr_assert_str_eq(plan.runs[0].name, "run", "no axes: one run");
    cr_assert_str_eq(plan.runs[0].cfg.out, "elsewhere/run", "--out wins");
    arc_sweep_plan_free(&plan);
    cr_assert_eq(arc_sweep_plan_text(&plan, text, strlen(text), "dir/my.ini", NULL, &err), ARC_OK);
    cr_assert_str_eq(plan.out, "sweeps/my", "default out from the file name");
    arc_sweep_plan_free(&plan);
}

Test(sweep, setups_the_variant_key_and_per_algorithm_defaults)
{
    ArcSweepPlan plan;
    plan_ok(&plan, "[setup a]\n[setup b]\nsticky = 0\n[grid]\nvariant = standard, procedural\n");
    cr_assert_eq(plan.num_runs, 4);
    cr_assert_str_eq(plan.columns[0], "setup");
    cr_assert_str_eq(plan.columns[1], "variant", "the train key variant is an axis like any other");
    cr_assert_str_eq(plan.runs[3].name, "b,variant=procedural");
    cr_assert_eq(plan.runs[3].cfg.sticky, 0);
    arc_sweep_plan_free(&plan);
    plan_ok(&plan, "[grid]\nalgo = a3c, dqn\n");
    cr_assert_str_eq(plan.runs[0].name, "algo=a3c");
    cr_assert_eq(plan.runs[0].cfg.lr, 2e-3);
    cr_assert_eq(plan.runs[1].cfg.lr, 2.5e-4, "DQN's own lr when none is given");
    cr_assert_eq(plan.runs[1].cfg.threads, 1);
    arc_sweep_plan_free(&plan);
}

Test(sweep, run_ini_reproduces_the_run_configuration)
{
    ArcSweepPlan plan;
    plan_ok(&plan, "[base]\nsync = yes\nk = 0.5\n[grid]\nlr = 0.00123, 3e-3\n");
    char path[] = "/tmp/arcade-sweep-ini-XXXXXX";
    int fd = mkstemp(path);
    cr_assert(write(fd, plan.runs[1].config_text, strlen(plan.runs[1].config_text)) > 0);
    close(fd);
    ArcTrainConfig cfg;
    arc_train_config_defaults(&cfg);
    ArcErr err;
    cr_assert_eq(arc_train_config_load(&cfg, path, &err), ARC_OK, "%s", err.msg);
    cr_assert_eq(arc_train_config_finish(&cfg, &err), ARC_OK, "%s", err.msg);
    cfg.explicit_keys = plan.runs[1].cfg.explicit_keys;
    cr_assert_eq(memcmp(&cfg, &plan.runs[1].cfg, sizeof cfg), 0);
    cr_assert(cfg.sync);
    cr_assert_eq(cfg.lr, 3e-3);
    unlink(path);
    arc_sweep_plan_free(&plan);
}

Test(sweep, every_error_names_file_and_line)
{
    expect_error("[base]\nlrr = 1\n", "t/sweep.ini:2: unknown key 'lrr'");
    expect_error("[base]\n\nframes = lots\n", "t/sweep.ini:3: frames expects an integer, got 'lots'");
    expect_error("[base]\nlr = 0.1, 0.2\n", ":2: lr expects a number, got '0.1, 0.2' (lists of values belong in [grid])");
    expect_error("[grid]\ngamma = 0.9, 1.5\n", ":2: gamma must be in [0, 1], got 1.5");
    expect_error("[grid]\nupdate = hogwild, sometimes\n", ":2: update expects one of hogwild|locked, got 'sometimes'");
    expect_error("[grid]\nlr =\n", ":2: axis 'lr' is empty");
    expect_error("[grid]\nlr = 0.1,,0.2\n", ":2: empty value in the list of 'lr'");
    expect_error("[grid]\nlr = 0.1, 0.2\n\nlr = 0.3\n", ":4: duplicate axis 'lr' (first at line 2)");
    expect_error("[grid]\nlr = 0.1, 0.2\nenvs-per-thread = 4\nenvs_per_thread = 8\n",
                 ":4: duplicate axis 'envs-per-thread' (first at line 3)");
    expect_error("[base]\nk = 1\nk = 2\n", ":3: duplicate key 'k' in [base] (first at line 2)");
    expect_error("[grid]\nlr = 0.1, 0.1\n", ":2: value '0.1' is listed twice for 'lr'");
    expect_error("[grid]\nlr = 0.001, 1e-3\n", "have the same configuration");
    expect_error("[gird]\nlr = 1\n", ":1: unknown section [gird]");
    expect_error("lr = 0.1\n", ":1: 'lr' is outside a section");
    expect_error("[grid\n", ":1: expected ']'");
    expect_error("[grid]\njust words\n", ":2: expected 'key = value' or a [section], got 'just words'");
    expect_error("[sweep]\njobs = 3\n", ":2: unknown key 'jobs' in [sweep] (expected out)");
    expect_error("[base]\nout = somewhere\n", ":2: out is chosen by the sweep for each run");
    expect_error("[grid]\ngame = breakout, pong\n", ":2: unknown game 'pong' (expected one of: asterix");
    expect_error("[grid]\nseed = 5..1\n", ":2: range 5..1 of 'seed' runs backwards");
    expect_error("[grid]\nseed = a..3\n", ":2: 'a..3' in the list of 'seed' is not a range of integers");
    expect_error("[grid]\nseed = 0..9999\nthreads = 1..2\n", ":3: the sweep would make more than 10000 runs");
    expect_error("[grid]\nconfig = a.ini, b.ini\n", ":2: config cannot be an axis");
    expect_error("[base]\nlr = 0.1\n[grid]\nlr = 0.2, 0.3\n", ":4: 'lr' is an axis and also set in [base] (line 2)");
    expect_error("[setup a]\n[setup a]\n", ":2: duplicate [setup a] (first at line 1)");
    expect_error("[setup a/b]\n", ":1: setup name 'a/b' must be");
    expect_error("[base]\npreset = minatar\n", ":2: run run: preset minatar is MinAtar's DQN: it needs algo dqn");
    expect_error("[base]\nconfig = /nonexistent/base.ini\n", ":2: config = /nonexistent/base.ini: cannot open");
    expect_error("[base]\nconfig = /tmp\n", ":2: config = /tmp: /tmp is not a regular file");
    char line[400];
    snprintf(line, sizeof line, "[base]\n; %0300d\n", 0);
    expect_error(line, ":2: line is longer than");
    ArcSweepPlan plan;
    ArcErr err;
    cr_assert_neq(arc_sweep_plan_text(&plan, "[base]\nk = 1\0\n", 14, "t/sweep.ini", NULL, &err), ARC_OK);
    cr_assert(strstr(err.msg, "t/sweep.ini:2: holds a NUL byte"), "%s", err.msg);
    arc_sweep_plan_free(&plan);
}

Test(sweep, all_errors_are_listed_in_line_order)
{
    const char *text = "[base]\nlrr = 1\nframes = 0\n[grid]\nlr =\n";
    ArcSweepPlan plan;
    ArcErr err;
    cr_assert_neq(arc_sweep_plan_text(&plan, text, strlen(text), "s.ini", NULL, &err), ARC_OK);
    cr_assert_str_eq(plan.errors, "s.ini:2: unknown key 'lrr' (arcade train --help lists the keys)\n"
                                  "s.ini:3: frames must be in 1..1000000000000000, got 0\n"
                                  "s.ini:5: axis 'lr' is empty (expected values such as 1, 2, 3 or a range 1..5)\n");
    arc_sweep_plan_free(&plan);
}

static void write_text(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    cr_assert(f, "cannot write %s", path);
    fputs(text, f);
    fclose(f);
}

Test(sweep, includes_are_relative_to_the_sweep_file)
{
    char dir[] = "/tmp/arcade-sweep-inc-XXXXXX", path[128], inc[128];
    cr_assert(mkdtemp(dir));
    snprintf(inc, sizeof inc, "%s/base.ini", dir);
    snprintf(path, sizeof path, "%s/s.ini", dir);
    write_text(inc, "[train]\nframes = 777\nlr = 0.005\n");
    write_text(path, "[base]\nconfig = base.ini\nlr = 0.006\n");
    ArcSweepPlan plan;
    ArcErr err;
    cr_assert_eq(arc_sweep_plan(&plan, path, NULL, &err), ARC_OK, "%s", err.msg);
    cr_assert_eq(plan.runs[0].cfg.frames, 777);
    cr_assert_eq(plan.runs[0].cfg.lr, 0.006, "inline keys win over the include");
    arc_sweep_plan_free(&plan);
    write_text(inc, "frames = 5\nlrr = 1\n");
    cr_assert_neq(arc_sweep_plan(&plan, path, NULL, &err), ARC_OK);
    char expected[300];
    snprintf(expected, sizeof expected, "%s:2: unknown key 'lrr' (included at %s:2)", inc, path);
    cr_assert_str_eq(err.msg, expected);
    arc_sweep_plan_free(&plan);
    unlink(inc), unlink(path), rmdir(dir);
}

Test(sweep, a_run_directory_of_another_configuration_is_a_conflict)
{
    char dir[] = "/tmp/arcade-sweep-conf-XXXXXX", text[256], run_dir[300], ini[400];
    cr_assert(mkdtemp(dir));
    snprintf(text, sizeof text, "[sweep]\nout = %s\n[grid]\nseed = 1, 2\n", dir);
    ArcSweepPlan plan;
    plan_ok(&plan, text);
    char *messages = NULL;
    cr_assert_eq(arc_sweep_conflicts(&plan, &messages), 0);
    snprintf(run_dir, sizeof run_dir, "%s/seed=2", dir);
    mkdir(run_dir, 0755);
    snprintf(ini, sizeof ini, "%s/config.ini", run_dir);
    char *other = strdup(plan.runs[1].config_text);
    char *lr = strstr(other, "lr = 0.002");
    cr_assert(lr);
    lr[9] = '3';
    write_text(ini, other);
    cr_assert_eq(arc_sweep_conflicts(&plan, &messages), 1);
    cr_assert(strstr(messages, "seed=2/config.ini: holds a run configured otherwise ('lr = 0.003' there, "
                               "'lr = 0.002' in t/sweep.ini)"), "%s", messages);
    free(messages);
    write_text(ini, plan.runs[1].config_text); /* the same text with another out line is fine */
    cr_assert_eq(arc_sweep_conflicts(&plan, &messages), 0);
    free(other);
    unlink(ini), rmdir(run_dir), rmdir(dir);
    arc_sweep_plan_free(&plan);
}

/* ---- bin/arcade sweep -------------------------------------------------------------- */

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    static char buf[1 << 16];
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    buf[n] = '\0';
    fclose(f);
    return buf;
}

static int count(const char *text, const char *needle)
{
    int n = 0;
    for (const char *p = text; (p = strstr(p, needle)); p++) n++;
    return n;
}

static bool exists(const char *dir, const char *name)
{
    char path[600];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    return access(path, F_OK) == 0;
}

static const char tiny[] = "[base]\nframes = 2000\nthreads = 1\nenvs-per-thread = 4\ncheckpoint-every = 1000\n";

Test(sweep, end_to_end_writes_results_and_skips_finished_runs_when_rerun)
{
    char dir[] = "/tmp/arcade-sweep-e2e-XXXXXX", path[128], cmd[256], text[512];
    cr_assert(mkdtemp(dir));
    snprintf(path, sizeof path, "%s/tiny.ini", dir);
    snprintf(text, sizeof text, "[sweep]\nout = %s/out\n%s[grid]\nlr = 0.001, 0.002\nseed = 1..2\n", dir, tiny);
    write_text(path, text);
    snprintf(cmd, sizeof cmd, "bin/arcade sweep %s --jobs 2", path);
    cr_assert_eq(run_cli(cmd, NULL, 0, err_text, sizeof err_text), 0, "%s", err_text);
    cr_assert_eq(count(err_text, "] start "), 4, "%s", err_text);
    cr_assert_eq(count(err_text, "] done "), 4, "%s", err_text);
    char out[200], run[300];
    snprintf(out, sizeof out, "%s/out", dir);
    const char *names[] = {"lr=0.001,seed=1", "lr=0.001,seed=2", "lr=0.002,seed=1", "lr=0.002,seed=2"};
    for (int i = 0; i < 4; i++) {
        snprintf(run, sizeof run, "%s/%s", out, names[i]);
        const char *files[] = {"config.ini", "run.ini", "metrics.csv", "episodes.csv", "summary.json",
                               "curve.png", "train.log", "checkpoints/final.safetensors"};
        for (int f = 0; f < 8; f++) cr_assert(exists(run, files[f]), "%s/%s missing", run, files[f]);
        cr_assert(!exists(run, "error.txt"));
    }
    snprintf(run, sizeof run, "%s/results.csv", out);
    char *csv = slurp(run);
    cr_assert(csv);
    cr_assert(strncmp(csv, "run,lr,seed,final_return_mean100,frames,wall_s,status,error\n", 59) == 0, "%s", csv);
    cr_assert_eq(count(csv, ",done,"), 4, "%s", csv);
    cr_assert(strstr(csv, "\"lr=0.002,seed=1\",0.002,1,"), "%s", csv);
    snprintf(run, sizeof run, "%s/results.md", out);
    char *md = slurp(run);
    cr_assert(md);
    cr_assert(strstr(md, "| lr | seeds done | final return mean ± std | IQM [95% CI] |"), "%s", md);
    cr_assert(strstr(md, "| 0.001 | 2 of 2 |"), "%s", md);
    cr_assert(strstr(md, "| 0.002 | 2 of 2 |"), "%s", md);
    cr_assert(strstr(md, "4 done, 0 failed"), "%s", md);
    snprintf(run, sizeof run, "%s/curves.png", out);
    char *png = slurp(run);
    cr_assert(png && memcmp(png, "\x89PNG", 4) == 0, "curves.png is not a PNG");

    cr_assert_eq(run_cli(cmd, NULL, 0, err_text, sizeof err_text), 0, "%s", err_text);
    cr_assert_eq(count(err_text, "] skip "), 4, "%s", err_text);
    cr_assert_eq(count(err_text, "] start "), 0, "%s", err_text);
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    cr_assert_eq(system(cmd), 0);
}

Test(sweep, a_failed_run_is_recorded_the_others_go_on_and_a_rerun_retries_it)
{
    char dir[] = "/tmp/arcade-sweep-fail-XXXXXX", path[128], cmd[256], text[512], blocker[300];
    cr_assert(mkdtemp(dir));
    snprintf(path, sizeof path, "%s/s.ini", dir);
    snprintf(text, sizeof text, "[sweep]\nout = %s/out\n%s[grid]\nseed = 1, 2\n", dir, tiny);
    write_text(path, text);
    /* run seed=1 cannot make its checkpoints folder: train fails at run time */
    snprintf(blocker, sizeof blocker, "%s/out", dir);
    cr_assert_eq(mkdir(blocker, 0755), 0);
    snprintf(blocker, sizeof blocker, "%s/out/seed=1", dir);
    cr_assert_eq(mkdir(blocker, 0755), 0);
    snprintf(blocker, sizeof blocker, "%s/out/seed=1/checkpoints", dir);
    write_text(blocker, "not a folder");
    snprintf(cmd, sizeof cmd, "bin/arcade sweep %s --jobs 1", path);
    cr_assert_eq(run_cli(cmd, NULL, 0, err_text, sizeof err_text), 1, "%s", err_text);
    cr_assert(strstr(err_text, "FAILED  seed=1: exit status 1: arcade train: "), "%s", err_text);
    cr_assert(strstr(err_text, "done    seed=2"), "the sweep goes on: %s", err_text);
    char file[400];
    snprintf(file, sizeof file, "%s/out/seed=1/error.txt", dir);
    char *error = slurp(file);
    cr_assert(error && strstr(error, "checkpoints: exists and is not a directory"), "%s", error);
    snprintf(file, sizeof file, "%s/out/results.csv", dir);
    char *csv = slurp(file);
    cr_assert(strstr(csv, "seed=1,1,,,,failed,exit status 1: arcade train: "), "%s", csv);
    cr_assert(strstr(csv, "seed=2,2,"), "%s", csv);
    cr_assert(strstr(csv, ",done,"), "%s", csv);

    unlink(blocker);
    cr_assert_eq(run_cli(cmd, NULL, 0, err_text, sizeof err_text), 0, "%s", err_text);
    cr_assert(strstr(err_text, "start   seed=1"), "%s", err_text);
    cr_assert(strstr(err_text, "skip    seed=2"), "%s", err_text);
    snprintf(file, sizeof file, "%s/out/seed=1/error.txt", dir);
    cr_assert(access(file, F_OK) != 0, "error.txt of the failed attempt is gone");

    /* a changed sweep file is refused before anything runs */
    snprintf(text, sizeof text, "[sweep]\nout = %s/out\n%sentropy = 0.5\n[grid]\nseed = 1, 2\n", dir, tiny);
    write_text(path, text);
    cr_assert_eq(run_cli(cmd, NULL, 0, err_text, sizeof err_text), 2, "%s", err_text);
    cr_assert(strstr(err_text, "seed=1/config.ini: holds a run configured otherwise ('entropy = "
                               "0.02' there, 'entropy = 0.5' in"), "%s", err_text);
    cr_assert(strstr(err_text, "nothing was run"), "%s", err_text);
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    cr_assert_eq(system(cmd), 0);
}

Test(sweep, cli_reports_sweep_file_errors_before_running_anything)
{
    char dir[] = "/tmp/arcade-sweep-cli-XXXXXX", path[128], cmd[256], text[256];
    cr_assert(mkdtemp(dir));
    snprintf(path, sizeof path, "%s/bad.ini", dir);
    snprintf(text, sizeof text, "[sweep]\nout = %s/out\n[grid]\nseed = 1..3\nlr = \ngame = pong\n", dir);
    write_text(path, text);
    snprintf(cmd, sizeof cmd, "bin/arcade sweep %s", path);
    cr_assert_eq(run_cli(cmd, NULL, 0, err_text, sizeof err_text), 2);
    char expected[256];
    snprintf(expected, sizeof expected, "%s:5: axis 'lr' is empty", path);
    cr_assert(strstr(err_text, expected), "%s", err_text);
    snprintf(expected, sizeof expected, "%s:6: unknown game 'pong'", path);
    cr_assert(strstr(err_text, expected), "%s", err_text);
    cr_assert(!exists(dir, "out"), "nothing ran");
    cr_assert_eq(run_cli("bin/arcade sweep /nonexistent.ini", NULL, 0, err_text, sizeof err_text), 2);
    cr_assert(strstr(err_text, "/nonexistent.ini: cannot open"), "%s", err_text);
    cr_assert_eq(run_cli("bin/arcade sweep", NULL, 0, err_text, sizeof err_text), 2);
    cr_assert(strstr(err_text, "expected a sweep file"), "%s", err_text);
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    cr_assert_eq(system(cmd), 0);
}

Test(sweep, a_stopped_sweep_resumes_its_runs_from_their_checkpoints)
{
    char dir[] = "/tmp/arcade-sweep-resume-XXXXXX", path[128], text[512], latest[300], cmd[256];
    cr_assert(mkdtemp(dir));
    snprintf(path, sizeof path, "%s/s.ini", dir);
    snprintf(text, sizeof text, "[sweep]\nout = %s/out\n[base]\nframes = 20000\nthreads = 1\n"
             "envs-per-thread = 4\ncheckpoint-every = 1000\n", dir);
    write_text(path, text);
    char *argv[] = {"bin/arcade", "sweep", path, NULL};
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
    posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0);
    pid_t pid;
    cr_assert_eq(posix_spawn(&pid, "bin/arcade", &actions, NULL, argv, environ), 0);
    posix_spawn_file_actions_destroy(&actions);
    snprintf(latest, sizeof latest, "%s/out/run/checkpoints/latest.safetensors", dir);
    for (int i = 0; i < 3000 && access(latest, F_OK) != 0; i++) usleep(10000);
    kill(pid, SIGTERM);
    int status;
    waitpid(pid, &status, 0);
    cr_assert(WIFEXITED(status), "the sweep stops cleanly on SIGTERM");
    if (WEXITSTATUS(status) == 0) {
        cr_log_info("the run finished before it could be stopped; resume not exercised");
    } else {
        cr_assert_eq(WEXITSTATUS(status), 1);
        snprintf(cmd, sizeof cmd, "bin/arcade sweep %s", path);
        cr_assert_eq(run_cli(cmd, NULL, 0, err_text, sizeof err_text), 0, "%s", err_text);
        cr_assert(strstr(err_text, "start   run (resuming from its last checkpoint)"), "%s", err_text);
        char log[300];
        snprintf(log, sizeof log, "%s/out/run/train.log", dir);
        cr_assert(strstr(slurp(log), "(resumed at "), "train.log: %s", slurp(log));
    }
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    cr_assert_eq(system(cmd), 0);
}

Test(sweep, a_run_locked_by_another_sweep_process_is_left_alone)
{
    char dir[] = "/tmp/arcade-sweep-lock-XXXXXX", path[128], text[512], lock[300], cmd[256];
    cr_assert(mkdtemp(dir));
    snprintf(path, sizeof path, "%s/s.ini", dir);
    snprintf(text, sizeof text, "[sweep]\nout = %s/out\n%s", dir, tiny);
    write_text(path, text);
    snprintf(lock, sizeof lock, "%s/out", dir);
    cr_assert_eq(mkdir(lock, 0755), 0);
    snprintf(lock, sizeof lock, "%s/out/run", dir);
    cr_assert_eq(mkdir(lock, 0755), 0);
    snprintf(lock, sizeof lock, "%s/out/run/sweep.lock", dir);
    int fd = open(lock, O_RDWR | O_CREAT, 0644);
    cr_assert(fd >= 0 && flock(fd, LOCK_EX) == 0);
    snprintf(cmd, sizeof cmd, "bin/arcade sweep %s", path);
    cr_assert_eq(run_cli(cmd, NULL, 0, err_text, sizeof err_text), 1, "%s", err_text);
    cr_assert(strstr(err_text, "busy    run: another sweep process is running it"), "%s", err_text);
    snprintf(lock, sizeof lock, "%s/out/run/config.ini", dir);
    cr_assert(access(lock, F_OK) != 0, "the locked run was not started");
    close(fd);
    cr_assert_eq(run_cli(cmd, NULL, 0, err_text, sizeof err_text), 0, "%s", err_text);
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    cr_assert_eq(system(cmd), 0);
}

Test(sweep, dry_run_lists_the_runs_and_runs_nothing)
{
    char dir[] = "/tmp/arcade-sweep-dry-XXXXXX", path[128], text[256], cmd[256];
    static char out_text[1 << 14];
    cr_assert(mkdtemp(dir));
    snprintf(path, sizeof path, "%s/s.ini", dir);
    snprintf(text, sizeof text, "[sweep]\nout = %s/out\n[grid]\ngame = breakout, asterix\nseed = 1..3\n", dir);
    write_text(path, text);
    snprintf(cmd, sizeof cmd, "bin/arcade sweep %s --dry-run", path);
    cr_assert_eq(run_cli(cmd, out_text, sizeof out_text, err_text, sizeof err_text), 0, "%s", err_text);
    cr_assert_eq(count(out_text, " pending "), 6, "%s", out_text);
    cr_assert(strstr(out_text, "/out/game=asterix,seed=3  (a3c asterix, 5000000 frames, 2 threads)"), "%s", out_text);
    cr_assert(strstr(out_text, "6 runs in 2 configurations"), "%s", out_text);
    cr_assert(!exists(dir, "out"), "a dry run creates nothing");
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    cr_assert_eq(system(cmd), 0);
}

Test(sweep, default_jobs_keep_threads_within_the_cores)
{
    ArcSweepPlan plan;
    plan_ok(&plan, "[base]\nthreads = 256\n");
    cr_assert_eq(arc_sweep_default_jobs(&plan), 1, "one run at a time when a run wants every core");
    arc_sweep_plan_free(&plan);
    plan_ok(&plan, "[grid]\nthreads = 1, 2\n");
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    int jobs = arc_sweep_default_jobs(&plan);
    cr_assert(jobs >= 1 && jobs * 2 <= (cores > 2 ? cores : 2), "%d jobs of 2 threads on %ld cores", jobs, cores);
    arc_sweep_plan_free(&plan);
}

Test(sweep, a_crashing_run_is_recorded_with_its_signal)
{
    char dir[] = "/tmp/arcade-sweep-crash-XXXXXX", exe[128], text[256], cmd[256];
    cr_assert(mkdtemp(dir));
    snprintf(exe, sizeof exe, "%s/crashing-arcade", dir);
    write_text(exe, "#!/bin/sh\necho \"about to crash: $*\" >&2\nkill -SEGV $$\n");
    cr_assert_eq(chmod(exe, 0755), 0);
    snprintf(text, sizeof text, "[sweep]\nout = %s/out\n[grid]\nseed = 1, 2\n", dir);
    ArcSweepPlan plan;
    plan_ok(&plan, text);
    ArcSweepExecOptions opt = {.exe = exe, .jobs = 2, .first = 1, .stride = 2};
    ArcSweepCounts counts;
    ArcErr err;
    cr_assert_eq(arc_sweep_execute(&plan, &opt, &counts, &err), ARC_OK, "%s", err.msg);
    cr_assert_eq(counts.ran, 1, "only run 1 of stride 2");
    cr_assert_eq(counts.failed, 1);
    ArcSweepOutcome outcome;
    arc_sweep_outcome(&plan.runs[1], &outcome);
    cr_assert_eq(outcome.state, ARC_SWEEP_FAILED);
    cr_assert(strstr(outcome.error, "killed by signal 11 (Segmentation fault): about to crash: train --config "),
              "%s", outcome.error);
    arc_sweep_outcome(&plan.runs[0], &outcome);
    cr_assert_eq(outcome.state, ARC_SWEEP_PENDING, "run 0 belongs to another stride");
    char note[256];
    cr_assert_eq(arc_sweep_report(&plan, &counts, note, sizeof note, &err), ARC_OK, "%s", err.msg);
    cr_assert_eq(counts.failed, 1);
    cr_assert_eq(counts.pending, 1);
    cr_assert(strstr(note, "no run has logged metrics yet"), "%s", note);
    arc_sweep_plan_free(&plan);
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    cr_assert_eq(system(cmd), 0);
}

Test(sweep, no_leaks_on_success_and_failure_paths)
{
#ifndef SWEEP_TEST_ASAN
    cr_skip_test("built without AddressSanitizer: leak check not available");
#else
    const char *texts[] = {
        "[base]\nframes = 5\nconfig = /nonexistent.ini\n[setup a]\nk = 2\n[grid]\nseed = 1..3\n",
        "[setup a]\nlr = 0.1\n[setup b]\n[grid]\ngame = breakout, freeway\nlr = 0.1\n",
        "[setup a]\nlr = 0.1\n[setup b]\n[grid]\ngame = breakout, freeway\nseed = 1, 2\n",
        "[grid]\nlr = 0.001, 1e-3\n", "[grid]\nseed = 0..9999\nthreads = 1..2\n",
        "[base]\npreset = minatar\n[grid]\nseed = 1, 2\n", "[gird]\nx\n[grid]\nlr =\nk = 1,,2\n",
    };
    for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++) {
        ArcSweepPlan plan;
        ArcErr err;
        arc_sweep_plan_text(&plan, texts[i], strlen(texts[i]), "leak.ini", NULL, &err);
        char *messages = NULL;
        if (plan.num_runs && !plan.errors) arc_sweep_conflicts(&plan, &messages);
        free(messages);
        arc_sweep_plan_free(&plan);
    }
    cr_assert_eq(__lsan_do_recoverable_leak_check(), 0);
#endif
}
