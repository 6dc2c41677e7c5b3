/* overfit_exec.c — a cell's pipeline and the pool of cell workers (see overfit_exec.h). */
#include "overfit_exec.h"

#include <cJSON.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../common/clock.h"

#define PATH 1100
#define POLL_MICROSECONDS 50000 /* how often the harness looks at its workers */

bool arc_overfit_cell_done(const ArcOverfitPlan *plan, const ArcOverfitCell *cell)
{
    char dir[PATH], path[PATH + 16];
    arc_overfit_cell_dir(plan, cell, dir, sizeof dir);
    snprintf(path, sizeof path, "%s/points.csv", dir);
    return access(path, F_OK) == 0;
}

static bool exists(const char *path) { return access(path, F_OK) == 0; }

static int make_dir(const char *path, ArcErr *err)
{
    if (mkdir(path, 0777) == 0 || errno == EEXIST) return ARC_OK;
    return arc_err_set(err, ARC_ERR_IO, "%s: cannot create: %s", path, strerror(errno));
}

/* Runs argv (argv[0] = the program), stdout into out_path (through out_path.tmp, renamed
 * on success) or /dev/null, stderr appended to log_path. Returns the exit status, 128 +
 * signal when killed, or -1 when it could not start. */
static int run_child(char *const *argv, const char *out_path, const char *log_path)
{
    char tmp[PATH + 8];
    snprintf(tmp, sizeof tmp, "%s.tmp", out_path ? out_path : "/dev/null");
    FILE *log = fopen(log_path, "a");
    if (log) {
        fprintf(log, "$");
        for (int i = 0; argv[i]; i++) fprintf(log, " %s", argv[i]);
        fprintf(log, "\n");
        fclose(log);
    }
    pid_t pid = fork();
    if (pid < 0) return -1;
    if (pid == 0) {
        int out = open(out_path ? tmp : "/dev/null", O_WRONLY | O_CREAT | O_TRUNC, 0666);
        int errfd = open(log_path, O_WRONLY | O_CREAT | O_APPEND, 0666);
        if (out < 0 || errfd < 0) _exit(126);
        dup2(out, STDOUT_FILENO), dup2(errfd, STDERR_FILENO);
        close(out), close(errfd);
        setenv("OPENBLAS_NUM_THREADS", "1", 1);
        execv(argv[0], argv);
        fprintf(stderr, "cannot run %s: %s\n", argv[0], strerror(errno));
        _exit(127);
    }
    int status;
    while (waitpid(pid, &status, 0) < 0)
        if (errno != EINTR) return -1;
    /* a stop reaches the child directly: the harness signals the worker's process group */
    int code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    if (out_path && code == 0 && rename(tmp, out_path) != 0) return -1;
    if (out_path && code != 0) unlink(tmp);
    return code;
}

/* ---- the cell's outputs ------------------------------------------------------------- */

static cJSON *read_json(const char *path)
{
    FILE *f = fopen(path, "r");
    if (!f) return NULL;
    char buf[65536];
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = '\0';
    return cJSON_Parse(buf);
}

static double json_number(const cJSON *obj, const char *key)
{
    const cJSON *item = cJSON_GetObjectItemCaseSensitive(obj, key);
    return cJSON_IsNumber(item) ? item->valuedouble : NAN;
}

/* train finished when summary.json says so (an interrupted run says interrupted: true) */
static bool training_finished(const char *dir, int64_t *frames)
{
    char path[PATH + 32];
    snprintf(path, sizeof path, "%s/checkpoints/final.safetensors", dir);
    if (!exists(path)) return false;
    snprintf(path, sizeof path, "%s/summary.json", dir);
    cJSON *root = read_json(path);
    bool done = root && cJSON_IsFalse(cJSON_GetObjectItemCaseSensitive(root, "interrupted"));
    *frames = root ? (int64_t)json_number(root, "frames") : 0;
    cJSON_Delete(root);
    return done;
}

typedef struct Checkpoint {
    char stem[64];   /* frames-N or final */
    int64_t frames;
} Checkpoint;

static int compare_checkpoints(const void *a, const void *b)
{
    int64_t x = ((const Checkpoint *)a)->frames, y = ((const Checkpoint *)b)->frames;
    return (x > y) - (x < y);
}

/* frames-N checkpoints below the final frame count, in order, then final. */
static int list_checkpoints(const char *dir, int64_t final_frames, Checkpoint **out)
{
    char path[PATH + 16];
    snprintf(path, sizeof path, "%s/checkpoints", dir);
    DIR *d = opendir(path);
    int count = 0;
    Checkpoint *list = NULL;
    for (struct dirent *e; d && (e = readdir(d));) {
        long long frames;
        char tail[32];
        if (sscanf(e->d_name, "frames-%lld%31s", &frames, tail) != 2 ||
            strcmp(tail, ".safetensors") != 0 || frames >= final_frames)
            continue;
        list = realloc(list, sizeof *list * (size_t)(count + 1));
        ARC_CHECK(list, "out of memory");
        snprintf(list[count].stem, sizeof list[count].stem, "frames-%lld", frames);
        list[count++].frames = frames;
    }
    if (d) closedir(d);
    qsort(list, (size_t)count, sizeof *list, compare_checkpoints);
    list = realloc(list, sizeof *list * (size_t)(count + 1));
    ARC_CHECK(list, "out of memory");
    snprintf(list[count].stem, sizeof list[count].stem, "final");
    list[count++].frames = final_frames;
    *out = list;
    return count;
}

/* Training seconds up to `frames` (interpolated linearly between metrics.csv's rows,
 * from 0 s at 0 frames) and return_mean100 of the first row at or past it (the last row
 * if none). A resumed process's wall clock restarts at 0, so its rows add to the last. */
static void metrics_at(const char *dir, int64_t frames, double *wall_s, double *online)
{
    char path[PATH + 16], line[1024];
    snprintf(path, sizeof path, "%s/metrics.csv", dir);
    *wall_s = *online = NAN;
    FILE *f = fopen(path, "r");
    if (!f) return;
    double offset = 0, last_wall = 0, prev_frames = 0, prev_total = 0;
    bool header = true;
    while (fgets(line, sizeof line, f)) {
        if (header) {
            header = false;
            continue;
        }
        long long row_frames, episodes, updates;
        double wall, fps, ret;
        if (sscanf(line, "%lld,%lf,%lf,%lld,%lld,%lf", &row_frames, &wall, &fps, &episodes,
                   &updates, &ret) != 6)
            continue;
        if (wall < last_wall) offset += last_wall;
        last_wall = wall;
        double total = offset + wall;
        *online = ret;
        *wall_s = total;
        if (row_frames >= frames) {
            double span = (double)row_frames - prev_frames;
            if (span > 0) *wall_s = prev_total + (total - prev_total) * ((double)frames - prev_frames) / span;
            break;
        }
        prev_frames = (double)row_frames, prev_total = total;
    }
    fclose(f);
}

static int read_probe(const char *path, ArcOverfitPoint *p, ArcErr *err)
{
    cJSON *root = read_json(path);
    if (!cJSON_IsObject(root)) { /* removed, so that a rerun probes again */
        cJSON_Delete(root);
        unlink(path);
        return arc_err_set(err, ARC_ERR_FORMAT, "%s: not a JSON object (removed)", path);
    }
    p->kappa = json_number(root, "kappa");
    p->spectral_product = json_number(root, "spectral_product");
    const char *prec[ARC_NUM_PREC] = {"fp16", "bf16", "int8"};
    const cJSON *agree = cJSON_GetObjectItemCaseSensitive(root, "agreement");
    const cJSON *ret = cJSON_GetObjectItemCaseSensitive(root, "return");
    const cJSON *fgsm = cJSON_GetObjectItemCaseSensitive(root, "fgsm");
    for (int i = 0; i < ARC_NUM_PREC; i++) {
        p->agreement[i] = json_number(agree, prec[i]);
        p->return_prec[i] = json_number(ret, prec[i]);
    }
    p->return_fp32 = json_number(ret, "fp32");
    p->return_fgsm = json_number(ret, "fgsm");
    p->fgsm_epsilon = json_number(fgsm, "epsilon");
    p->min_eps_median = json_number(fgsm, "min_epsilon_median");
    p->min_eps_q25 = json_number(fgsm, "min_epsilon_q25");
    p->min_eps_q75 = json_number(fgsm, "min_epsilon_q75");
    p->never_flipped = json_number(fgsm, "never_flipped");
    cJSON_Delete(root);
    return ARC_OK;
}

/* ---- the pipeline --------------------------------------------------------------------- */

typedef struct Args {
    char *argv[48];
    char text[48][600];
    int argc;
} Args;

static void arg(Args *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void arg(Args *a, const char *fmt, ...)
{
    ARC_CHECK(a->argc < 47, "too many arguments");
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(a->text[a->argc], sizeof a->text[0], fmt, ap);
    va_end(ap);
    a->argv[a->argc] = a->text[a->argc];
    a->argv[++a->argc] = NULL;
}

static int train_cell(const ArcOverfitExec *ex, const ArcOverfitCell *cell, const char *dir,
                      const char *log, ArcErr *err)
{
    const ArcOverfitPlan *plan = ex->plan;
    char latest[PATH + 40];
    snprintf(latest, sizeof latest, "%s/checkpoints/latest.safetensors", dir);
    Args a = {.argc = 0};
    arg(&a, "%s", ex->exe);
    arg(&a, "train");
    if (exists(latest)) {
        arg(&a, "--resume"), arg(&a, "%s", dir);
        arg(&a, "--frames"), arg(&a, "%lld", (long long)plan->frames);
    } else {
        arg(&a, "--algo"), arg(&a, "%s", plan->algo);
        arg(&a, "--game"), arg(&a, "%s", plan->game);
        arg(&a, "--variant"), arg(&a, "%s", plan->variant);
        arg(&a, "--k"), arg(&a, "%g", cell->width);
        arg(&a, "--seed"), arg(&a, "%lld", (long long)cell->seed);
        arg(&a, "--frames"), arg(&a, "%lld", (long long)plan->frames);
        arg(&a, "--threads"), arg(&a, "1");
        bool gpu = ex->gpu && cell->width >= plan->gpu_min_width;
        /* A3C on the GPU is the batched learner, which has no --sync */
        if (strcmp(plan->algo, "a3c") == 0 && !gpu) arg(&a, "--sync");
        arg(&a, "--checkpoint-every"), arg(&a, "0");
        arg(&a, "--checkpoint-log"), arg(&a, "%lld", (long long)plan->checkpoints_per_decade);
        if (cell->levels != ARC_OVERFIT_LEVELS_OFF) {
            char label[32];
            arc_overfit_levels_label(cell->levels, label, sizeof label);
            arg(&a, "--train-levels"), arg(&a, "%s", label);
        }
        if (gpu) arg(&a, "--device"), arg(&a, "gpu");
        arg(&a, "--out"), arg(&a, "%s", dir);
        arg(&a, "--force"); /* a run killed before its first checkpoint starts over */
    }
    if (*ex->stop) return ARC_OVERFIT_INTERRUPTED;
    int code = run_child(a.argv, NULL, log);
    if (*ex->stop) return ARC_OVERFIT_INTERRUPTED;
    if (code != 0)
        return arc_err_set(err, ARC_ERR_IO, "%s: train failed (exit %d; see %s)", cell->name, code, log);
    return ARC_OK;
}

static int evaluate(const ArcOverfitExec *ex, const ArcOverfitCell *cell, const char *checkpoint,
                    const char *which, const char *out, const char *log, double *mean, ArcErr *err)
{
    const ArcOverfitPlan *plan = ex->plan;
    if (!exists(out)) {
        Args a = {.argc = 0};
        arg(&a, "%s", ex->exe);
        arg(&a, "eval");
        arg(&a, "--checkpoint"), arg(&a, "%s", checkpoint);
        arg(&a, "--episodes"), arg(&a, "%lld", (long long)plan->eval_episodes);
        arg(&a, "--max-steps"), arg(&a, "%lld", (long long)plan->eval_max_steps);
        if (cell->levels != ARC_OVERFIT_LEVELS_OFF) arg(&a, "--levels"), arg(&a, "%s", which);
        else if (strcmp(which, "train") == 0) arg(&a, "--seed"), arg(&a, "%lld", (long long)cell->seed);
        arg(&a, "--json");
        if (*ex->stop) return ARC_OVERFIT_INTERRUPTED;
        int code = run_child(a.argv, out, log);
        if (*ex->stop) return ARC_OVERFIT_INTERRUPTED;
        if (code != 0)
            return arc_err_set(err, ARC_ERR_IO, "%s: eval of %s on the %s levels failed (exit %d; see %s)",
                               cell->name, checkpoint, which, code, log);
    }
    cJSON *root = read_json(out);
    *mean = json_number(root, "mean");
    cJSON_Delete(root);
    if (isnan(*mean)) { /* removed, so that a rerun evaluates again */
        unlink(out);
        return arc_err_set(err, ARC_ERR_FORMAT, "%s: no \"mean\" in the evaluation (removed)", out);
    }
    return ARC_OK;
}

static int probe(const ArcOverfitExec *ex, const ArcOverfitCell *cell, const char *checkpoint,
                 const char *out, const char *log, ArcErr *err)
{
    if (exists(out)) return ARC_OK;
    Args a = {.argc = 0};
    arg(&a, "%s", ex->exe);
    arg(&a, "probe");
    arg(&a, "--checkpoint"), arg(&a, "%s", checkpoint);
    arg(&a, "--episodes"), arg(&a, "%lld", (long long)ex->plan->probe_episodes);
    if (cell->levels != ARC_OVERFIT_LEVELS_OFF) arg(&a, "--levels"), arg(&a, "test");
    arg(&a, "--json");
    if (*ex->stop) return ARC_OVERFIT_INTERRUPTED;
    int code = run_child(a.argv, out, log);
    if (*ex->stop) return ARC_OVERFIT_INTERRUPTED;
    if (code != 0)
        return arc_err_set(err, ARC_ERR_IO, "%s: probe of %s failed (exit %d; see %s)", cell->name,
                           checkpoint, code, log);
    return ARC_OK;
}

int arc_overfit_run_cell(const ArcOverfitExec *ex, const ArcOverfitCell *cell, ArcErr *err)
{
    const ArcOverfitPlan *plan = ex->plan;
    char dir[PATH], log[PATH + 16], path[PATH + 64];
    arc_overfit_cell_dir(plan, cell, dir, sizeof dir);
    snprintf(log, sizeof log, "%s/log.txt", dir);
    snprintf(path, sizeof path, "%s/cells", plan->out);
    int status = make_dir(path, err);
    if (!status) status = make_dir(dir, err);
    snprintf(path, sizeof path, "%s/eval", dir);
    if (!status) status = make_dir(path, err);
    if (status) return status;

    int64_t final_frames = 0;
    if (!training_finished(dir, &final_frames)) {
        status = train_cell(ex, cell, dir, log, err);
        if (status) return status;
        if (!training_finished(dir, &final_frames))
            return arc_err_set(err, ARC_ERR_FORMAT, "%s: train ended without a finished summary.json (see %s)",
                               cell->name, log);
    }
    Checkpoint *list;
    int count = list_checkpoints(dir, final_frames, &list);
    ArcOverfitPoint *points = arc_xcalloc((size_t)count, sizeof *points);
    int64_t params;
    double flops;
    arc_overfit_network_size(plan, cell->width, &params, &flops);
    for (int i = 0; i < count && !status; i++) {
        ArcOverfitPoint *p = &points[i];
        arc_overfit_point_clear(p);
        snprintf(p->cell, sizeof p->cell, "%s", cell->name);
        p->width = cell->width;
        p->levels = cell->levels;
        p->run = cell->run;
        p->seed = cell->seed;
        p->params = params;
        p->flops_per_forward = flops;
        p->frames = list[i].frames;
        p->final = i == count - 1;
        metrics_at(dir, p->frames, &p->wall_s, &p->online_return);
        char checkpoint[PATH + 96], out[PATH + 96];
        snprintf(checkpoint, sizeof checkpoint, "%s/checkpoints/%s.safetensors", dir, list[i].stem);
        snprintf(out, sizeof out, "%s/eval/%s.train.json", dir, list[i].stem);
        status = evaluate(ex, cell, checkpoint, "train", out, log, &p->train_return, err);
        snprintf(out, sizeof out, "%s/eval/%s.test.json", dir, list[i].stem);
        if (!status) status = evaluate(ex, cell, checkpoint, "test", out, log, &p->test_return, err);
        arc_overfit_point_gap(p);
        if (!status && p->final && ex->probe) {
            snprintf(out, sizeof out, "%s/probe.json", dir);
            status = probe(ex, cell, checkpoint, out, log, err);
            if (!status) status = read_probe(out, p, err);
        }
    }
    snprintf(path, sizeof path, "%s/points.csv", dir);
    if (!status) status = arc_overfit_write_points(path, points, count, err);
    free(points);
    free(list);
    return status;
}

/* ---- the pool ------------------------------------------------------------------------- */

static int widest_first(const void *a, const void *b)
{
    const ArcOverfitCell *x = a, *y = b;
    if (x->width != y->width) return x->width < y->width ? 1 : -1;
    return x->index - y->index;
}

static void run_worker(const ArcOverfitExec *parent, const ArcOverfitCell *cell)
{
    setpgid(0, 0);
    /* the caller's handler, inherited, raises this process's copy of *stop */
    ArcErr err;
    int status = arc_overfit_run_cell(parent, cell, &err);
    if (status == ARC_OVERFIT_INTERRUPTED) _exit(3);
    if (status) {
        fprintf(stderr, "arcade overfit: %s\n", err.msg);
        _exit(1);
    }
    _exit(0);
}

void arc_overfit_run_all(const ArcOverfitExec *ex, ArcOverfitTally *tally)
{
    const ArcOverfitPlan *plan = ex->plan;
    int n = arc_overfit_num_cells(plan);
    memset(tally, 0, sizeof *tally);
    tally->cells = n;
    ArcOverfitCell *todo = arc_xcalloc((size_t)n, sizeof *todo);
    int count = 0;
    for (int i = 0; i < n; i++) {
        ArcOverfitCell cell = arc_overfit_cell(plan, i);
        if (arc_overfit_cell_done(plan, &cell)) tally->done_before++;
        else todo[count++] = cell;
    }
    qsort(todo, (size_t)count, sizeof *todo, widest_first);
    if (!ex->quiet)
        fprintf(stderr, "arcade overfit: %d cells, %d done before, %d to run, %d at a time\n", n,
                tally->done_before, count, plan->jobs);
    pid_t *pids = arc_xcalloc((size_t)plan->jobs, sizeof *pids);
    int *slot_cell = arc_xcalloc((size_t)plan->jobs, sizeof *slot_cell);
    double *started = arc_xcalloc((size_t)plan->jobs, sizeof *started);
    int next = 0, running = 0;
    bool signalled = false;
    fflush(NULL); /* nothing buffered is written twice by the workers */
    while (running > 0 || (next < count && !*ex->stop)) {
        for (int s = 0; s < plan->jobs && next < count && !*ex->stop; s++) {
            if (pids[s]) continue;
            pid_t pid = fork();
            ARC_CHECK(pid >= 0, "fork: %s", strerror(errno));
            if (pid == 0) run_worker(ex, &todo[next]);
            setpgid(pid, pid); /* also here: no race with a signal before the child's call */
            pids[s] = pid, slot_cell[s] = next++, started[s] = arc_seconds();
            running++;
        }
        if (*ex->stop && !signalled) {
            for (int s = 0; s < plan->jobs; s++)
                if (pids[s]) kill(-pids[s], SIGTERM);
            signalled = true;
        }
        /* polled, not a blocking wait(): a stop request that lands between the check above
         * and the wait would otherwise go unnoticed until a whole cell finished */
        int wstatus;
        pid_t pid = waitpid(-1, &wstatus, WNOHANG);
        if (pid == 0 || (pid < 0 && errno == EINTR)) {
            usleep(POLL_MICROSECONDS);
            continue;
        }
        ARC_CHECK(pid > 0, "waitpid: %s", strerror(errno));
        for (int s = 0; s < plan->jobs; s++) {
            if (pids[s] != pid) continue;
            int code = WIFEXITED(wstatus) ? WEXITSTATUS(wstatus) : 128 + WTERMSIG(wstatus);
            const ArcOverfitCell *cell = &todo[slot_cell[s]];
            const char *what = code == 0 ? "done" : code == 3 ? "interrupted" : "FAILED";
            if (code == 0) tally->done_now++;
            else if (code == 3) tally->interrupted++;
            else tally->failed++;
            if (!ex->quiet)
                fprintf(stderr, "[%d/%d] %s %s in %.1f s\n",
                        tally->done_before + tally->done_now + tally->failed, n, cell->name, what,
                        arc_seconds() - started[s]);
            pids[s] = 0;
            running--;
        }
    }
    tally->interrupted += count - next;
    free(pids), free(slot_cell), free(started), free(todo);
}
