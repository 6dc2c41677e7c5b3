/* test_reliability.c — what a run does when the world goes wrong: a full disk or a
 * file-size limit (RLIMIT_FSIZE set in a forked child before it runs bin/arcade), NaN
 * parameters (fault injection: stop, or roll back and halve the learning rate), and
 * Ctrl-C / SIGTERM while training (latency, exit status, a final checkpoint that loads,
 * whole CSV files). The Makefile builds bin/arcade before running the tests. */
#include <criterion/criterion.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "../agent/a3c.h"
#include "../agent/dqn.h"
#include "../common/clock.h"
#include "catch_game.h"
#include "check_csv.h"

static char dir[64];

static void make_dir(void)
{
    strcpy(dir, "/tmp/arcade-rel-XXXXXX");
    cr_assert_not_null(mkdtemp(dir));
}

static void remove_dir(void)
{
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    cr_assert_eq(system(cmd), 0);
}

/* ------------------------------------------------------------------ child processes */

typedef struct Child {
    pid_t pid;
    int err_fd; /* read end of the child's stderr */
} Child;

/* Starts bin/arcade with args (NULL-terminated) and, when fsize > 0, RLIMIT_FSIZE fsize
 * bytes (set in the child before exec, so only it is limited). stdout goes to /dev/null,
 * stderr into a pipe (a pipe is not subject to the file-size limit). */
static Child start_arcade(const char *const *args, rlim_t fsize)
{
    int fds[2];
    cr_assert_eq(pipe(fds), 0);
    Child c = {.pid = fork(), .err_fd = fds[0]};
    cr_assert_geq(c.pid, 0);
    if (c.pid == 0) {
        int null = open("/dev/null", O_WRONLY);
        dup2(null, 1);
        dup2(fds[1], 2);
        close(fds[0]);
        if (fsize > 0) {
            struct rlimit lim = {fsize, fsize};
            if (setrlimit(RLIMIT_FSIZE, &lim) != 0) _exit(120);
        }
        setenv("OPENBLAS_NUM_THREADS", "1", 1);
        execv("bin/arcade", (char *const *)args);
        _exit(121);
    }
    close(fds[1]);
    return c;
}

/* Reads the child's stderr to the end into buf and waits; returns its exit status (-1 if
 * it did not exit normally). */
static int finish_arcade(Child c, char *buf, size_t size)
{
    size_t n = 0;
    ssize_t got;
    char sink[4096];
    while ((got = read(c.err_fd, n + 1 < size ? buf + n : sink,
                       n + 1 < size ? size - 1 - n : sizeof sink)) > 0)
        if (n + 1 < size) n += (size_t)got;
    buf[n] = '\0';
    close(c.err_fd);
    int status;
    cr_assert_eq(waitpid(c.pid, &status, 0), c.pid);
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static int run_arcade(const char *const *args, rlim_t fsize, char *err, size_t size)
{
    return finish_arcade(start_arcade(args, fsize), err, size);
}

/* The lines of stderr that are messages (progress redraws with \r are not): their count,
 * and the last one into last. */
static int message_lines(const char *text, char *last, size_t size)
{
    int count = 0;
    last[0] = '\0';
    for (const char *p = text; *p;) {
        size_t len = strcspn(p, "\r\n");
        if (strncmp(p, "arcade ", 7) == 0 || strncmp(p, "note: ", 6) == 0) {
            count++;
            snprintf(last, size, "%.*s", (int)len, p);
        }
        p += len;
        while (*p == '\r' || *p == '\n') p++;
    }
    return count;
}

/* ------------------------------------------------------------------ run directories */

/* check_csv (check_csv.h) on dir/name. */
static int check_run_csv(const char *name, int fields)
{
    char path[256];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    return check_csv(path, fields);
}

/* The frame count of dir/checkpoints/NAME, which must load (every tensor finite). */
static int64_t checkpoint_frames(const char *name)
{
    char path[256];
    snprintf(path, sizeof path, "%s/checkpoints/%s", dir, name);
    ArcCheckpoint ck;
    ArcErr err;
    cr_assert_eq(arc_checkpoint_load(path, &ck, &err), ARC_OK, "%s", err.msg);
    int64_t frames = ck.frames;
    arc_checkpoint_free(&ck);
    return frames;
}

/* No temporary file ("*.tmp.*") is left in dir or dir/checkpoints. */
static void assert_no_temporaries(void)
{
    const char *subdirs[2] = {"", "/checkpoints"};
    for (int i = 0; i < 2; i++) {
        char path[256];
        snprintf(path, sizeof path, "%s%s", dir, subdirs[i]);
        DIR *d = opendir(path);
        cr_assert_not_null(d, "%s", path);
        struct dirent *e;
        while ((e = readdir(d)))
            cr_assert_null(strstr(e->d_name, ".tmp"), "%s/%s left behind", path, e->d_name);
        closedir(d);
    }
}

static off_t file_size(const char *name)
{
    char path[256];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    struct stat st;
    cr_assert_eq(stat(path, &st), 0, "%s", path);
    return st.st_size;
}

/* A short first run with a checkpoint: the good results a failing second run must keep. */
static int64_t good_first_run(void)
{
    char err[1 << 14];
    const char *args[] = {"bin/arcade", "train", "--game", "breakout", "--frames", "8000",
                          "--threads", "2", "--envs-per-thread", "4", "--out", dir, "--force", NULL};
    cr_assert_eq(run_arcade(args, 0, err, sizeof err), 0, "%s", err);
    return checkpoint_frames("latest.safetensors");
}

/* ------------------------------------------------------------------ full disk */

Test(reliability, a_file_size_limit_at_config_ini_is_one_line_and_exit_1, .timeout = 60)
{
    make_dir();
    char err[1 << 14], last[600];
    /* 512 bytes: the CSV headers fit, config.ini (about 800 bytes) does not */
    const char *args[] = {"bin/arcade", "train", "--frames", "4000", "--envs-per-thread", "4",
                          "--out", dir, NULL};
    cr_assert_eq(run_arcade(args, 512, err, sizeof err), 1, "%s", err);
    cr_assert_eq(message_lines(err, last, sizeof last), 1, "%s", err);
    cr_assert(strstr(last, "/config.ini") && strstr(last, "File too large"), "%s", last);
    char path[256];
    snprintf(path, sizeof path, "%s/config.ini", dir);
    cr_assert_neq(access(path, F_OK), 0, "a half-written config.ini was left");
    assert_no_temporaries();
    remove_dir();
}

Test(reliability, a_full_log_keeps_whole_rows_and_the_good_checkpoint, .timeout = 60)
{
    make_dir();
    int64_t good = good_first_run();
    int episodes_before = check_run_csv("episodes.csv", 4);
    /* resumed with room for a few more rows but not for a checkpoint (about 1 MB) */
    rlim_t limit = (rlim_t)file_size("episodes.csv") + 3000;
    char err[1 << 14], last[600];
    const char *args[] = {"bin/arcade", "train", "--resume", dir, "--frames", "100000000",
                          "--checkpoint-every", "0", NULL};
    cr_assert_eq(run_arcade(args, limit, err, sizeof err), 1, "%s", err);
    cr_assert_eq(message_lines(err, last, sizeof last), 1, "%s", err);
    cr_assert(strstr(last, "/episodes.csv: cannot append: File too large"), "%s", last);
    cr_assert_gt(check_run_csv("episodes.csv", 4), episodes_before, "rows before the limit were kept");
    check_run_csv("metrics.csv", 11);
    cr_assert_leq(file_size("episodes.csv"), (off_t)limit);
    cr_assert_eq(checkpoint_frames("latest.safetensors"), good, "the good checkpoint was replaced");
    assert_no_temporaries();
    remove_dir();
}

Test(reliability, a_checkpoint_that_does_not_fit_never_replaces_the_good_one, .timeout = 60)
{
    make_dir();
    int64_t good = good_first_run();
    char err[1 << 14], last[600];
    const char *args[] = {"bin/arcade", "train", "--resume", dir, "--frames", "100000000",
                          "--checkpoint-every", "4000", NULL};
    cr_assert_eq(run_arcade(args, 200 * 1024, err, sizeof err), 1, "%s", err);
    cr_assert_eq(message_lines(err, last, sizeof last), 1, "%s", err);
    cr_assert(strstr(last, "/checkpoints/frames-") && strstr(last, "File too large"), "%s", last);
    cr_assert_eq(checkpoint_frames("latest.safetensors"), good, "the good checkpoint was replaced");
    cr_assert_eq(checkpoint_frames("final.safetensors"), good);
    check_run_csv("episodes.csv", 4);
    check_run_csv("metrics.csv", 11);
    assert_no_temporaries();

    /* the same limit on `model --save`: one line naming the file; the file is not made */
    char path[256];
    snprintf(path, sizeof path, "%s/fresh.safetensors", dir);
    const char *save[] = {"bin/arcade", "model", "--game", "seaquest", "--save", path, NULL};
    cr_assert_eq(run_arcade(save, 64 * 1024, err, sizeof err), 1, "%s", err);
    cr_assert_eq(message_lines(err, last, sizeof last), 1, "%s", err);
    cr_assert(strstr(last, path) && strstr(last, "File too large"), "%s", last);
    cr_assert_neq(access(path, F_OK), 0);
    assert_no_temporaries();
    remove_dir();
}

/* A real full disk: a 3 MB tmpfs (root only; skipped with the reason elsewhere). The
 * first run's checkpoints take about 2.2 MB, so the next one does not fit. Nothing is
 * asserted before the tmpfs is unmounted, so a failure leaves no mount behind. */
Test(reliability, a_full_tmpfs_keeps_the_good_checkpoint, .timeout = 60)
{
    if (geteuid() != 0) cr_skip_test("mounting a tmpfs needs root; the RLIMIT_FSIZE tests cover the same paths");
    make_dir();
    if (mount("tmpfs", dir, "tmpfs", 0, "size=3m") != 0) {
        int e = errno;
        remove_dir();
        cr_skip_test("mount -t tmpfs is not permitted here (%s); the RLIMIT_FSIZE tests cover the same paths",
                     strerror(e));
    }
    char err[1 << 14], last[600];
    const char *first[] = {"bin/arcade", "train", "--frames", "8000", "--envs-per-thread", "4",
                           "--out", dir, NULL};
    int first_status = run_arcade(first, 0, err, sizeof err);
    char path[256];
    snprintf(path, sizeof path, "%s/checkpoints/latest.safetensors", dir);
    ArcCheckpoint ck;
    ArcErr load_err;
    int64_t good = arc_checkpoint_load(path, &ck, &load_err) ? -1 : ck.frames;
    if (good >= 0) arc_checkpoint_free(&ck);
    const char *second[] = {"bin/arcade", "train", "--resume", dir, "--frames", "100000000",
                            "--checkpoint-every", "4000", NULL};
    int second_status = run_arcade(second, 0, err, sizeof err);
    int lines = message_lines(err, last, sizeof last);
    int64_t after = arc_checkpoint_load(path, &ck, &load_err) ? -2 : ck.frames;
    if (after >= 0) arc_checkpoint_free(&ck);
    int unmounted = umount2(dir, MNT_DETACH);
    remove_dir();
    cr_assert_eq(unmounted, 0, "umount %s: %s", dir, strerror(errno));
    cr_assert_eq(first_status, 0, "the first run failed");
    cr_assert_gt(good, 0, "the first run left no checkpoint");
    cr_assert_eq(second_status, 1, "%s", err);
    cr_assert_eq(lines, 1, "%s", err);
    cr_assert(strstr(last, "No space left on device") && strstr(last, ".safetensors"), "%s", last);
    cr_assert_eq(after, good, "the good checkpoint was replaced or damaged: %s", load_err.msg);
}

Test(reliability, stdout_that_cannot_be_written_is_reported, .timeout = 30)
{
    make_dir();
    char cmd[512], path[128];
    snprintf(path, sizeof path, "%s/model.txt", dir);
    /* model prints about 2 KB; a 1-block limit on the redirected file cuts it */
    snprintf(cmd, sizeof cmd, "sh -c 'ulimit -f 1; bin/arcade model --game breakout --k 16 >%s' 2>&1",
             path);
    FILE *p = popen(cmd, "r");
    char err[1024] = "";
    size_t n = fread(err, 1, sizeof err - 1, p);
    err[n] = '\0';
    int status = pclose(p);
    cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 1, "status %d: %s", status, err);
    cr_assert(strstr(err, "writing to standard output failed: File too large"), "%s", err);
    remove_dir();
}

/* Found by the config fuzzer: values that config.ini could not give back unchanged (inih
 * takes " ;" as a comment, strips spaces and reads lines of at most 199 characters), so a
 * resumed run would have used another directory; they are refused with one line. */
Test(reliability, config_values_that_would_not_read_back_are_refused)
{
    ArcTrainConfig cfg;
    arc_train_config_defaults(&cfg);
    char long_out[300];
    memset(long_out, 'a', sizeof long_out - 1);
    long_out[sizeof long_out - 1] = '\0';
    const char *values[] = {"runs/a ;b", " runs/x", "runs/x ", "runs/\nx", long_out};
    for (size_t i = 0; i < sizeof values / sizeof values[0]; i++) {
        char *argv[] = {"arcade train", "--out", (char *)values[i], NULL};
        ArcErr err;
        cr_assert_eq(arc_train_config_parse_args(&cfg, 3, argv, stdout, &err), ARC_ERR_ARG, "%s",
                     values[i]);
        cr_assert(strstr(err.msg, "arcade train: --out "), "%s", err.msg);
        cr_assert_null(strchr(err.msg, '\n'), "%s", err.msg);
    }
    char *argv[] = {"arcade train", "--out", "runs/a;b c", NULL};
    ArcErr err;
    cr_assert_eq(arc_train_config_parse_args(&cfg, 3, argv, stdout, &err), ARC_OK, "%s", err.msg);
}

/* ------------------------------------------------------------------ numerical faults */

static ArcTrainConfig catch_config(const char *algo)
{
    make_dir();
    ArcTrainConfig cfg;
    arc_train_config_defaults(&cfg);
    strcpy(cfg.algo, algo);
    ArcErr err;
    cr_assert_eq(arc_train_config_finish(&cfg, &err), ARC_OK, "%s", err.msg);
    snprintf(cfg.out, sizeof cfg.out, "%s", dir);
    cfg.sticky = 0;
    cfg.checkpoint_every = 2000;
    if (!strcmp(algo, "a3c")) {
        cfg.frames = 12000;
        cfg.envs_per_thread = 8;
    } else {
        cfg.frames = 3000;
        cfg.batch = 16;
        cfg.learn_start = 300;
        cfg.replay = 5000;
        cfg.checkpoint_every = 1000;
    }
    return cfg;
}

static int train(const ArcTrainConfig *cfg, int64_t poison_at, int times, ArcTrainResult *res,
                 ArcErr *err)
{
    ArcTrainOptions opt = {.game = &catch_game, .quiet = true, .poison_at_frames = poison_at,
                           .poison_times = times};
    return strcmp(cfg->algo, "a3c") ? arc_dqn_train(cfg, &opt, res, err)
                                    : arc_a3c_train(cfg, &opt, res, err);
}

static void fault_stops(const char *algo, bool sync)
{
    ArcTrainConfig cfg = catch_config(algo);
    cfg.sync = sync;
    ArcTrainResult res;
    ArcErr err;
    cr_assert_eq(train(&cfg, 1200, 1, &res, &err), ARC_ERR_NUMERIC, "%s", err.msg);
    cr_log_info("%s%s stop: %s", algo, sync ? " sync" : "", err.msg);
    cr_assert(strstr(err.msg, "a non-finite gradient (norm nan) at frame") ||
              strstr(err.msg, "a non-finite loss (nan) at frame"), "%s", err.msg);
    cr_assert(strstr(err.msg, "final.safetensors"), "%s", err.msg);
    cr_assert_eq(res.rollbacks, 0);
    cr_assert_lt(res.frames, cfg.frames, "the run stopped early");
    checkpoint_frames("final.safetensors"); /* loads: every parameter finite */
    remove_dir();
}

static void fault_rolls_back(const char *algo, bool sync)
{
    ArcTrainConfig cfg = catch_config(algo);
    cfg.sync = sync;
    strcpy(cfg.on_nonfinite, "rollback");
    ArcTrainResult res;
    ArcErr err;
    cr_assert_eq(train(&cfg, 1200, 1, &res, &err), ARC_OK, "%s", err.msg);
    cr_assert_eq(res.rollbacks, 1);
    cr_assert_geq(res.frames, cfg.frames, "the run went on to the end");
    checkpoint_frames("final.safetensors");
    check_run_csv("metrics.csv", strcmp(algo, "a3c") ? 10 : 11);
    /* the rollback (and so the halved learning rate) is part of the checkpoint: a resumed
     * run goes on with it, and counts it against max-rollbacks */
    char path[256];
    snprintf(path, sizeof path, "%s/checkpoints/final.safetensors", dir);
    ArcCheckpoint ck;
    cr_assert_eq(arc_checkpoint_load(path, &ck, &err), ARC_OK, "%s", err.msg);
    cr_assert_eq(ck.rollbacks, 1);
    arc_checkpoint_free(&ck);
    cfg.frames += 2000;
    ArcTrainOptions resume = {.game = &catch_game, .quiet = true, .resume = true};
    cr_assert_eq(strcmp(algo, "a3c") ? arc_dqn_train(&cfg, &resume, &res, &err)
                                     : arc_a3c_train(&cfg, &resume, &res, &err), ARC_OK, "%s", err.msg);
    cr_assert_eq(res.rollbacks, 1, "the resumed run lost its rollback");
    remove_dir();

    /* a fault that keeps coming back stops the run after max-rollbacks */
    cfg = catch_config(algo);
    cfg.sync = sync;
    strcpy(cfg.on_nonfinite, "rollback");
    cfg.max_rollbacks = 2;
    cr_assert_eq(train(&cfg, 1200, 100, &res, &err), ARC_ERR_NUMERIC, "%s", err.msg);
    cr_log_info("%s%s rollbacks exhausted: %s", algo, sync ? " sync" : "", err.msg);
    cr_assert(strstr(err.msg, "after 2 rollbacks (learning rate down to"), "%s", err.msg);
    cr_assert_eq(res.rollbacks, 2);
    checkpoint_frames("final.safetensors");
    remove_dir();
}

Test(reliability, a3c_nan_parameters_stop_the_run, .timeout = 60) { fault_stops("a3c", false); }
Test(reliability, a3c_sync_nan_parameters_stop_the_run, .timeout = 60) { fault_stops("a3c", true); }
Test(reliability, dqn_nan_parameters_stop_the_run, .timeout = 60) { fault_stops("dqn", false); }
Test(reliability, a3c_nan_parameters_roll_back, .timeout = 60) { fault_rolls_back("a3c", false); }
Test(reliability, a3c_sync_nan_parameters_roll_back, .timeout = 60) { fault_rolls_back("a3c", true); }
Test(reliability, dqn_nan_parameters_roll_back, .timeout = 60) { fault_rolls_back("dqn", false); }

/* ------------------------------------------------------------------ signals */

/* Rows of dir/metrics.csv so far (0 while it does not exist). */
static int metrics_rows(void)
{
    char path[256];
    snprintf(path, sizeof path, "%s/metrics.csv", dir);
    FILE *f = fopen(path, "r");
    if (!f) return 0;
    int lines = 0, ch;
    while ((ch = fgetc(f)) != EOF) lines += ch == '\n';
    fclose(f);
    return lines > 0 ? lines - 1 : 0;
}

/* Starts a long training run, waits until it has logged a metrics row, sends sig, and
 * checks that it stops cleanly: exit 0 within 10 s, "stopped" and an interrupted
 * summary, a final checkpoint that loads and whole CSV files. */
static void stops_cleanly(int sig, const char *const *args, int metric_fields)
{
    Child c = start_arcade(args, 0);
    double start = arc_seconds();
    while (metrics_rows() < 1 && arc_seconds() - start < 30) {
        struct timespec pause = {0, 20 * 1000 * 1000};
        nanosleep(&pause, NULL);
    }
    cr_assert_geq(metrics_rows(), 1, "the run logged nothing in 30 s");
    double sent = arc_seconds();
    cr_assert_eq(kill(c.pid, sig), 0);
    int status = 0;
    pid_t done = 0;
    while ((done = waitpid(c.pid, &status, WNOHANG)) == 0 && arc_seconds() - sent < 10) {
        struct timespec pause = {0, 2 * 1000 * 1000};
        nanosleep(&pause, NULL);
    }
    double latency = arc_seconds() - sent;
    if (done == 0) {
        kill(c.pid, SIGKILL);
        waitpid(c.pid, &status, 0);
        cr_assert_fail("%s: still running %.1f s after the signal", strsignal(sig), latency);
    }
    cr_log_info("%s %s: stopped %.3f s after the signal", args[3], strsignal(sig), latency);
    char err[1 << 14];
    ssize_t n = read(c.err_fd, err, sizeof err - 1);
    err[n > 0 ? n : 0] = '\0';
    close(c.err_fd);
    cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0, "status %d: %s", status, err);
    checkpoint_frames("final.safetensors");
    cr_assert_eq(checkpoint_frames("latest.safetensors"), checkpoint_frames("final.safetensors"));
    cr_assert_gt(check_run_csv("metrics.csv", metric_fields), 0);
    check_run_csv("episodes.csv", 4);
    char path[256], summary[1024] = "";
    snprintf(path, sizeof path, "%s/summary.json", dir);
    FILE *f = fopen(path, "r");
    cr_assert_not_null(f, "no summary.json");
    summary[fread(summary, 1, sizeof summary - 1, f)] = '\0';
    fclose(f);
    cr_assert(strstr(summary, "\"interrupted\":\ttrue"), "%s", summary);
    assert_no_temporaries();
}

Test(reliability, sigint_stops_a3c_cleanly_and_quickly, .timeout = 60)
{
    make_dir();
    const char *args[] = {"bin/arcade", "train", "--algo", "a3c", "--game", "breakout",
                          "--frames", "100000000", "--threads", "2", "--envs-per-thread", "8",
                          "--checkpoint-every", "20000", "--out", dir, NULL};
    stops_cleanly(SIGINT, args, 11);
    remove_dir();
}

Test(reliability, sigterm_stops_dqn_cleanly_and_quickly, .timeout = 60)
{
    make_dir();
    const char *args[] = {"bin/arcade", "train", "--algo", "dqn", "--game", "breakout",
                          "--frames", "100000000", "--threads", "2", "--envs-per-thread", "4",
                          "--learn-start", "1000", "--checkpoint-every", "20000", "--out", dir,
                          NULL};
    stops_cleanly(SIGTERM, args, 10);
    remove_dir();
}

/* ------------------------------------------------------------------ sweeps killed */

/* Lines of path, each checked to end with a newline; -1 when the file does not exist. */
static int whole_lines(const char *path)
{
    FILE *f = fopen(path, "r");
    if (!f) return -1;
    char line[4096];
    int n = 0;
    while (fgets(line, sizeof line, f)) {
        cr_assert_eq(line[strlen(line) - 1], '\n', "%s:%d: torn line", path, n + 1);
        n++;
    }
    fclose(f);
    return n;
}

/* A sweep of 4 runs (2 at a time) whose whole process group is killed with SIGKILL at a
 * moment between 0.5 and 2 s, then run again: every run ends done with a final checkpoint
 * that loads, no CSV line is torn or out of order, results.csv lists the 4 runs. */
Test(reliability, a_sweep_killed_at_random_completes_when_run_again, .timeout = 120)
{
    make_dir();
    char path[128], text[512];
    snprintf(path, sizeof path, "%s/s.ini", dir);
    snprintf(text, sizeof text,
             "[sweep]\nout = %s/out\n[base]\nframes = 12000\nthreads = 1\nenvs-per-thread = 4\n"
             "checkpoint-every = 2000\n[grid]\nlr = 0.001, 0.002\nseed = 1..2\n", dir);
    FILE *f = fopen(path, "w");
    cr_assert_not_null(f);
    fputs(text, f);
    fclose(f);

    unsigned delay_ms = 500 + (unsigned)(getpid() * 7919u % 1500u);
    pid_t pid = fork();
    cr_assert_geq(pid, 0);
    if (pid == 0) {
        setpgid(0, 0); /* its own group: the runs it starts join it */
        int null = open("/dev/null", O_WRONLY);
        dup2(null, 1), dup2(null, 2);
        setenv("OPENBLAS_NUM_THREADS", "1", 1);
        execl("bin/arcade", "bin/arcade", "sweep", path, "--jobs", "2", (char *)NULL);
        _exit(121);
    }
    setpgid(pid, pid);
    struct timespec pause = {delay_ms / 1000, (long)(delay_ms % 1000) * 1000000L};
    nanosleep(&pause, NULL);
    cr_assert_eq(kill(-pid, SIGKILL), 0);
    int status;
    waitpid(pid, &status, 0);
    cr_log_info("sweep process group killed after %u ms", delay_ms);
    for (int i = 0; i < 200 && kill(-pid, 0) == 0; i++) nanosleep(&(struct timespec){0, 10000000}, NULL);

    char err[1 << 14];
    const char *args[] = {"bin/arcade", "sweep", path, "--jobs", "2", NULL};
    cr_assert_eq(run_arcade(args, 0, err, sizeof err), 0, "%s", err);
    const char *names[] = {"lr=0.001,seed=1", "lr=0.001,seed=2", "lr=0.002,seed=1", "lr=0.002,seed=2"};
    char base[64];
    snprintf(base, sizeof base, "%s", dir);
    for (int i = 0; i < 4; i++) {
        snprintf(dir, sizeof dir, "%.23s/out/%.30s", base, names[i]);
        cr_assert_geq(checkpoint_frames("final.safetensors"), 12000, "%s", names[i]);
        cr_assert_gt(check_run_csv("metrics.csv", 11), 0, "%s", names[i]);
        check_run_csv("episodes.csv", 4);
        assert_no_temporaries();
    }
    snprintf(dir, sizeof dir, "%s", base);
    char results[256];
    snprintf(results, sizeof results, "%s/out/results.csv", dir);
    cr_assert_eq(whole_lines(results), 5, "results.csv: a header and 4 runs");
    FILE *r = fopen(results, "r");
    char line[1024];
    int done = 0;
    while (fgets(line, sizeof line, r)) done += strstr(line, ",done,") != NULL;
    fclose(r);
    cr_assert_eq(done, 4);
    remove_dir();
}

/* The batched learner cannot roll back: with on-nonfinite rollback it stops and says so. */
Test(reliability, a3c_batched_nan_parameters_stop_even_with_rollback, .timeout = 60)
{
    ArcTrainConfig cfg = catch_config("a3c");
    strcpy(cfg.learner, "batched");
    strcpy(cfg.on_nonfinite, "rollback");
    ArcTrainResult res;
    ArcErr err;
    cr_assert_eq(train(&cfg, 3000, 1, &res, &err), ARC_ERR_NUMERIC, "%s", err.msg);
    cr_assert(strstr(err.msg, "(this learner cannot roll back)"), "%s", err.msg);
    cr_assert_eq(res.rollbacks, 0);
    checkpoint_frames("final.safetensors");
    remove_dir();
}
