/* sweep_run.c — running a sweep's runs as child processes (see sweep.h).
 *
 * Each run is `EXE train ...` in its own process (fork + exec), so a crash or a bad
 * value stays in its run; the parent only starts children, polls them with waitpid
 * (WNOHANG) every 0.1 s, and writes what happened. What a run directory holds decides
 * what to do with it (arc_sweep_outcome): a complete summary.json is a finished run, a
 * checkpoint an unfinished one to resume, error.txt the failure of the last attempt.
 * A child holds its run's lock (DIR/sweep.lock) with the parent and gets SIGTERM if the
 * parent dies, so a killed sweep leaves no run training unseen.
 * Single-threaded; the only state shared with a signal handler is opt->stop. */
#include <cJSON.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "../common/clock.h"
#include "../common/dist.h"
#include "../common/progress.h"
#include "sweep.h"

#define POLL_MICROSECONDS 100000
#define ERROR_TAIL_LINES 20

static void run_path(const ArcSweepRun *run, const char *name, char *buf, size_t size)
{
    snprintf(buf, size, "%s/%s", run->cfg.out, name);
}

/* The whole of a small file (NUL-terminated, malloc'd), or NULL. */
static char *read_small_file(const char *path, size_t max_bytes)
{
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    char *text = arc_xmalloc(max_bytes + 1);
    size_t n = fread(text, 1, max_bytes, f);
    fclose(f);
    text[n] = '\0';
    return text;
}

static int make_dirs(const char *path, ArcErr *err)
{
    char buf[1024];
    snprintf(buf, sizeof buf, "%s", path);
    for (char *p = buf + 1;; p++) {
        if (*p && *p != '/') continue;
        char saved = *p;
        *p = '\0';
        struct stat st;
        if (mkdir(buf, 0755) != 0 && errno != EEXIST)
            return arc_err_set(err, ARC_ERR_IO, "%s: cannot create directory: %s", buf, strerror(errno));
        if (stat(buf, &st) != 0 || !S_ISDIR(st.st_mode))
            return arc_err_set(err, ARC_ERR_IO, "%s: exists and is not a directory", buf);
        *p = saved;
        if (!saved) return ARC_OK;
    }
}

const char *arc_sweep_state_name(ArcSweepState state)
{
    switch (state) {
    case ARC_SWEEP_PENDING: return "pending";
    case ARC_SWEEP_UNFINISHED: return "unfinished";
    case ARC_SWEEP_FAILED: return "failed";
    case ARC_SWEEP_DONE: return "done";
    }
    return "?";
}

/* The wall time of all the sessions of a run: metrics.csv's wall_s column (second) counts
 * from each session's start, so every drop in it ends a session. 0 without rows. */
static double training_seconds(const ArcSweepRun *run)
{
    char path[700], line[512];
    run_path(run, "metrics.csv", path, sizeof path);
    FILE *f = fopen(path, "r");
    if (!f) return 0;
    double total = 0, previous = 0;
    bool header = true;
    while (fgets(line, sizeof line, f)) {
        const char *comma = strchr(line, ',');
        if (header || !comma || !strchr(line, '\n')) {
            header = false;
            continue;
        }
        double wall = strtod(comma + 1, NULL);
        if (wall < previous) total += previous;
        previous = wall;
    }
    fclose(f);
    return total + previous;
}

void arc_sweep_outcome(const ArcSweepRun *run, ArcSweepOutcome *out)
{
    memset(out, 0, sizeof *out);
    char path[700];
    run_path(run, "checkpoints/latest.safetensors", path, sizeof path);
    out->has_checkpoint = access(path, F_OK) == 0;
    run_path(run, "summary.json", path, sizeof path);
    char *text = read_small_file(path, 1 << 16);
    bool started = text != NULL;
    cJSON *root = text ? cJSON_Parse(text) : NULL;
    free(text);
    const cJSON *frames = cJSON_GetObjectItem(root, "frames");
    const cJSON *wall = cJSON_GetObjectItem(root, "wall_seconds");
    const cJSON *ret = cJSON_GetObjectItem(root, "final_return_mean100");
    const cJSON *stopped = cJSON_GetObjectItem(root, "interrupted");
    if (cJSON_IsNumber(frames) && cJSON_IsNumber(wall) && cJSON_IsNumber(ret) && cJSON_IsFalse(stopped)
        && frames->valuedouble >= (double)run->cfg.frames) {
        out->state = ARC_SWEEP_DONE;
        out->frames = (int64_t)frames->valuedouble;
        out->wall_seconds = wall->valuedouble;
        out->return_mean100 = ret->valuedouble;
    }
    cJSON_Delete(root);
    if (out->state == ARC_SWEEP_DONE) {
        double wall = training_seconds(run);
        if (wall > 0) out->wall_seconds = wall;
        return;
    }
    run_path(run, "error.txt", path, sizeof path);
    char *error = read_small_file(path, sizeof out->error - 1);
    if (error) {
        out->state = ARC_SWEEP_FAILED;
        error[strcspn(error, "\n")] = '\0';
        snprintf(out->error, sizeof out->error, "%s", error);
        free(error);
        return;
    }
    run_path(run, "config.ini", path, sizeof path);
    started = started || out->has_checkpoint || access(path, F_OK) == 0;
    out->state = started ? ARC_SWEEP_UNFINISHED : ARC_SWEEP_PENDING;
}

int arc_sweep_conflicts(const ArcSweepPlan *plan, char **messages)
{
    *messages = NULL;
    size_t size = 0;
    FILE *out = open_memstream(messages, &size);
    ARC_CHECK(out != NULL, "open_memstream failed");
    int found = 0;
    for (int r = 0; r < plan->num_runs; r++) {
        const ArcSweepRun *run = &plan->runs[r];
        static const char *const files[] = {"config.ini", "run.ini"};
        for (int f = 0; f < 2; f++) {
            char path[700], there[256], now[256];
            run_path(run, files[f], path, sizeof path);
            char *text = read_small_file(path, 1 << 16);
            bool differs = text && arc_sweep_config_differs(text, run->config_text, there,
                                                            sizeof there, now, sizeof now);
            free(text);
            if (!differs) continue;
            fprintf(out, "%s: holds a run configured otherwise ('%s' there, '%s' in %s); move it "
                    "away (or choose another --out) to run this configuration\n", path, there, now,
                    plan->path);
            found++;
            break;
        }
    }
    fclose(out);
    if (!found) {
        free(*messages);
        *messages = NULL;
    }
    return found;
}

/* ---- one child --------------------------------------------------------------------- */

typedef struct Slot {
    pid_t pid;
    int run;
    double start;
    int lock_fd; /* DIR/sweep.lock, held (flock) while the run's child runs */
} Slot;

/* Takes DIR/sweep.lock so that two sweep processes (or, later, ranks) never run one run
 * at once: returns its descriptor, -1 when another process holds it (*busy) or on error. */
static int lock_run(const ArcSweepRun *run, bool *busy, ArcErr *err)
{
    *busy = false;
    char path[700];
    if (make_dirs(run->cfg.out, err)) return -1;
    run_path(run, "sweep.lock", path, sizeof path);
    int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0) {
        arc_err_set(err, ARC_ERR_IO, "%s: cannot open: %s", path, strerror(errno));
        return -1;
    }
    if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
        *busy = errno == EWOULDBLOCK;
        if (!*busy) arc_err_set(err, ARC_ERR_IO, "%s: cannot lock: %s", path, strerror(errno));
        close(fd);
        return -1;
    }
    return fd;
}

static int write_file_atomically(const char *path, const char *text, ArcErr *err)
{
    char tmp[800];
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    FILE *f = fopen(tmp, "w");
    bool ok = f && fputs(text, f) >= 0;
    if (f && fclose(f) != 0) ok = false;
    if (ok && rename(tmp, path) != 0) ok = false;
    if (!ok) return arc_err_set(err, ARC_ERR_IO, "%s: cannot write: %s", path, strerror(errno));
    return ARC_OK;
}

/* Starts `EXE train ...` for run; returns its pid, or -1 with err. */
static pid_t launch(const ArcSweepRun *run, const char *exe, bool resume, int lock_fd, ArcErr *err)
{
    const char *dir = run->cfg.out;
    char ini[700], log[700], error[700];
    if (make_dirs(dir, err)) return -1;
    run_path(run, "run.ini", ini, sizeof ini);
    run_path(run, "train.log", log, sizeof log);
    run_path(run, "error.txt", error, sizeof error);
    if (write_file_atomically(ini, run->config_text, err)) return -1;
    unlink(error); /* a stale failure of an earlier attempt */
    int fd = open(log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (fd < 0) {
        arc_err_set(err, ARC_ERR_IO, "%s: cannot open: %s", log, strerror(errno));
        return -1;
    }
    char *argv[10] = {(char *)exe, "train", "--config", ini, "--out", (char *)dir, "--force", NULL};
    if (resume) argv[6] = "--resume", argv[7] = (char *)dir, argv[8] = NULL;
    time_t now = time(NULL);
    char stamp[64];
    strftime(stamp, sizeof stamp, "%Y-%m-%d %H:%M:%S UTC", gmtime(&now));
    dprintf(fd, "==== %s: %s train --config %s --out %s %s%s\n", stamp, exe, ini, dir,
            resume ? "--resume " : "--force", resume ? dir : "");
    fflush(NULL);
    pid_t parent = getpid(), pid = fork();
    if (pid < 0) {
        close(fd);
        arc_err_set(err, ARC_ERR_IO, "cannot start a process: %s", strerror(errno));
        return -1;
    }
    if (pid == 0) {
        /* the run stops (and checkpoints) if the sweep dies, and holds the run's lock too */
        prctl(PR_SET_PDEATHSIG, SIGTERM);
        if (getppid() != parent) _exit(128 + SIGTERM);
        if (dup(lock_fd) < 0) _exit(127); /* a copy without close-on-exec */
        int null = open("/dev/null", O_RDONLY);
        if (null >= 0) dup2(null, 0);
        dup2(fd, 1);
        dup2(fd, 2);
        setenv("OPENBLAS_NUM_THREADS", "1", 1);
        arc_dist_forget_launcher(); /* under mpirun: the run is not a rank of the sweep's job */
        execv(exe, argv);
        dprintf(2, "arcade sweep: cannot run %s: %s\n", exe, strerror(errno));
        _exit(127);
    }
    close(fd);
    return pid;
}

/* The last non-empty line of text before end (into buf). */
static void last_line(const char *text, char *buf, size_t size)
{
    const char *end = text + strlen(text);
    while (end > text && (end[-1] == '\n' || end[-1] == '\r' || end[-1] == ' ')) end--;
    const char *start = end;
    while (start > text && start[-1] != '\n') start--;
    snprintf(buf, size, "%.*s", (int)(end - start), start);
}

/* Writes DIR/error.txt: reason and the last line of train.log, then its tail. */
static void record_failure(const ArcSweepRun *run, const char *reason, char *summary, size_t size)
{
    char log[700], error[700];
    run_path(run, "train.log", log, sizeof log);
    run_path(run, "error.txt", error, sizeof error);
    char *tail = NULL;
    FILE *f = fopen(log, "rb");
    if (f) {
        fseek(f, 0, SEEK_END);
        long length = ftell(f), from = length > 8192 ? length - 8192 : 0;
        fseek(f, from, SEEK_SET);
        tail = arc_xmalloc(8193);
        size_t n = fread(tail, 1, 8192, f);
        tail[n] = '\0';
        fclose(f);
    }
    const char *lines = tail ? tail : "";
    for (int count = 0, i = (int)strlen(lines) - 2; i >= 0; i--) /* the last lines */
        if (lines[i] == '\n' && ++count == ERROR_TAIL_LINES) {
            lines += i + 1;
            break;
        }
    char last[200];
    last_line(lines, last, sizeof last);
    snprintf(summary, size, "%s%s%s", reason, last[0] ? ": " : "", last);
    FILE *out = fopen(error, "w");
    if (out) {
        fprintf(out, "%s\n--- the last lines of %s ---\n%s", summary, log, lines);
        fclose(out);
    }
    free(tail);
}

/* The frames of the last row of a run's metrics.csv (0 if none). */
static int64_t logged_frames(const ArcSweepRun *run)
{
    char path[700];
    run_path(run, "metrics.csv", path, sizeof path);
    FILE *f = fopen(path, "rb");
    if (!f) return 0;
    fseek(f, 0, SEEK_END);
    long length = ftell(f);
    char buf[1024];
    fseek(f, length > (long)sizeof buf - 1 ? length - (long)sizeof buf + 1 : 0, SEEK_SET);
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = '\0';
    char line[256];
    last_line(buf, line, sizeof line);
    return strtoll(line, NULL, 10);
}

/* ---- the loop ---------------------------------------------------------------------- */

typedef struct Exec {
    const ArcSweepPlan *plan;
    const ArcSweepExecOptions *opt;
    ArcSweepCounts *counts;
    ArcProgress bar;
    bool drawing;
    int64_t total_frames, finished_frames;
    int mine;
} Exec;

__attribute__((format(printf, 3, 4))) static void say(Exec *x, int run, const char *fmt, ...)
{
    FILE *log = x->opt->log;
    if (!log) return;
    if (x->drawing) fprintf(log, "\r\033[K");
    int width = snprintf(NULL, 0, "%d", x->plan->num_runs);
    fprintf(log, "[%*d/%d] ", width, run + 1, x->plan->num_runs);
    va_list ap;
    va_start(ap, fmt);
    vfprintf(log, fmt, ap);
    va_end(ap);
    fputc('\n', log);
    fflush(log);
    x->bar.last_draw = -1e9; /* redraw the bar below the line */
}

static void draw_bar(Exec *x, Slot *slots, int jobs, bool final)
{
    if (!x->drawing) return;
    int64_t frames = x->finished_frames;
    int running = 0;
    for (int j = 0; j < jobs; j++)
        if (slots[j].pid > 0) frames += logged_frames(&x->plan->runs[slots[j].run]), running++;
    const ArcSweepCounts *c = x->counts;
    char extra[128];
    snprintf(extra, sizeof extra, "runs: %d/%d done, %d running, %d failed", c->done + c->skipped,
             x->mine, running, c->failed);
    if (final) arc_progress_finish(&x->bar, frames, extra);
    else arc_progress_update(&x->bar, frames, extra);
}

static void finish_child(Exec *x, Slot *slot, int status)
{
    const ArcSweepRun *run = &x->plan->runs[slot->run];
    double seconds = arc_seconds() - slot->start;
    ArcSweepOutcome outcome;
    arc_sweep_outcome(run, &outcome);
    bool stopping = x->opt->stop && atomic_load(x->opt->stop);
    bool signalled = WIFSIGNALED(status);
    int sig = signalled ? WTERMSIG(status) : 0;
    if (WIFEXITED(status) && WEXITSTATUS(status) == 0 && outcome.state == ARC_SWEEP_DONE) {
        x->counts->done++;
        x->finished_frames += run->cfg.frames;
        say(x, slot->run, "done    %s: return %.2f after %lld frames (%.1f s)", run->name,
            outcome.return_mean100, (long long)outcome.frames, seconds);
    } else if ((WIFEXITED(status) && WEXITSTATUS(status) == 0) || (stopping && (sig == SIGINT || sig == SIGTERM))) {
        /* stopped by a signal before its last frame: its checkpoint is where it resumes */
        x->counts->unfinished++;
        say(x, slot->run, "stopped %s after %.1f s (the next sweep resumes it)", run->name, seconds);
    } else {
        char reason[64], summary[300];
        if (signalled) snprintf(reason, sizeof reason, "killed by signal %d (%s)", sig, strsignal(sig));
        else snprintf(reason, sizeof reason, "exit status %d", WEXITSTATUS(status));
        record_failure(run, reason, summary, sizeof summary);
        x->counts->failed++;
        x->finished_frames += run->cfg.frames;
        say(x, slot->run, "FAILED  %s: %s (see %s/error.txt)", run->name, summary, run->cfg.out);
    }
    slot->pid = 0;
    close(slot->lock_fd);
}

/* Run r, unless it is done or busy: its child starts in slot (true), or it is skipped or
 * fails to start, which is said and counted (false). */
static bool try_start(Exec *x, int r, Slot *slot)
{
    const ArcSweepRun *run = &x->plan->runs[r];
    ArcSweepCounts *counts = x->counts;
    ArcSweepOutcome outcome;
    arc_sweep_outcome(run, &outcome);
    if (outcome.state == ARC_SWEEP_DONE) {
        counts->skipped++;
        x->finished_frames += run->cfg.frames;
        say(x, r, "skip    %s: finished earlier (return %.2f)", run->name, outcome.return_mean100);
        return false;
    }
    ArcErr err;
    bool busy;
    int lock_fd = lock_run(run, &busy, &err);
    if (busy) {
        counts->unfinished++;
        x->finished_frames += run->cfg.frames;
        say(x, r, "busy    %s: another sweep process is running it", run->name);
        return false;
    }
    if (lock_fd >= 0) {
        arc_sweep_outcome(run, &outcome); /* it may have finished before the lock was ours */
        if (outcome.state == ARC_SWEEP_DONE) {
            close(lock_fd);
            counts->skipped++;
            x->finished_frames += run->cfg.frames;
            say(x, r, "skip    %s: finished by another sweep process", run->name);
            return false;
        }
    }
    bool resume = outcome.has_checkpoint;
    pid_t pid = lock_fd < 0 ? -1 : launch(run, x->opt->exe, resume, lock_fd, &err);
    if (pid < 0) {
        if (lock_fd >= 0) close(lock_fd);
        counts->failed++;
        x->finished_frames += run->cfg.frames;
        char path[700];
        run_path(run, "error.txt", path, sizeof path);
        FILE *f = fopen(path, "w");
        if (f) fprintf(f, "%s\n", err.msg), fclose(f);
        say(x, r, "FAILED  %s: %s", run->name, err.msg);
        return false;
    }
    *slot = (Slot){pid, r, arc_seconds(), lock_fd};
    counts->ran++;
    say(x, r, "start   %s%s", run->name, resume ? " (resuming from its last checkpoint)" : "");
    return true;
}

int arc_sweep_execute(const ArcSweepPlan *plan, const ArcSweepExecOptions *opt,
                      ArcSweepCounts *counts, ArcErr *err)
{
    memset(counts, 0, sizeof *counts);
    int status = make_dirs(plan->out, err);
    if (status) return status;
    int jobs = opt->jobs > 0 ? opt->jobs : 1, stride = opt->stride > 0 ? opt->stride : 1;
    Exec x = {.plan = plan, .opt = opt, .counts = counts};
    for (int r = opt->first; r < plan->num_runs; r += stride) x.total_frames += plan->runs[r].cfg.frames, x.mine++;
    x.drawing = opt->bar && opt->log && isatty(fileno(opt->log));
    arc_progress_init(&x.bar, opt->log ? opt->log : stderr, "sweep", x.total_frames, 1e9);
    Slot *slots = arc_xcalloc((size_t)jobs, sizeof *slots);
    int next = opt->first, active = 0;
    bool signalled = false;
    for (;;) {
        bool stopping = opt->stop && atomic_load(opt->stop);
        for (int j = 0; j < jobs && !stopping; j++) {
            while (slots[j].pid <= 0 && next < plan->num_runs) {
                int r = next;
                next += stride;
                active += try_start(&x, r, &slots[j]);
            }
        }
        if (active == 0) break;
        if (stopping && !signalled) {
            for (int j = 0; j < jobs; j++)
                if (slots[j].pid > 0) kill(slots[j].pid, SIGTERM);
            signalled = true;
        }
        usleep(POLL_MICROSECONDS);
        for (int j = 0; j < jobs; j++) {
            int child_status;
            if (slots[j].pid <= 0 || waitpid(slots[j].pid, &child_status, WNOHANG) != slots[j].pid) continue;
            finish_child(&x, &slots[j], child_status);
            active--;
        }
        draw_bar(&x, slots, jobs, false);
    }
    draw_bar(&x, slots, jobs, true);
    for (int r = next; r < plan->num_runs; r += stride) counts->pending++; /* stopped before them */
    free(slots);
    return ARC_OK;
}
