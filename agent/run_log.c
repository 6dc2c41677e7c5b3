/* run_log.c — run-directory outputs (see run_log.h). */
#include "run_log.h"

#include <cJSON.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>


static const char metrics_header[] = "frames,wall_s,fps,episodes,updates,return_mean100";
static const char episodes_header[] = "frames,actor,return,length\n";

void arc_run_log_path(const ArcRunLog *log, const char *name, char *buf, size_t size)
{
    snprintf(buf, size, "%s/%s", log->dir, name);
}

static int make_dir(const char *path, ArcErr *err)
{
    if (mkdir(path, 0755) == 0 || errno == EEXIST) {
        struct stat st;
        if (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) return ARC_OK;
        return arc_err_set(err, ARC_ERR_IO, "%s: exists and is not a directory", path);
    }
    return arc_err_set(err, ARC_ERR_IO, "%s: cannot create directory: %s", path, strerror(errno));
}

/* mkdir -p */
static int make_dirs(const char *path, ArcErr *err)
{
    char buf[512];
    snprintf(buf, sizeof buf, "%s", path);
    for (char *p = buf + 1; *p; p++) {
        if (*p != '/') continue;
        *p = '\0';
        int status = make_dir(buf, err);
        *p = '/';
        if (status) return status;
    }
    return make_dir(buf, err);
}

/* Keeps the header and the complete rows whose first field (frames) is <= max_frames,
 * rewriting the file atomically; then opens it for appending. */
static FILE *open_for_resume(const char *path, int64_t max_frames, ArcErr *err)
{
    FILE *in = fopen(path, "r");
    if (!in) {
        arc_err_set(err, ARC_ERR_IO, "%s: cannot open for resuming: %s", path, strerror(errno));
        return NULL;
    }
    char tmp[600];
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    FILE *out = fopen(tmp, "w");
    if (!out) {
        fclose(in);
        arc_err_set(err, ARC_ERR_IO, "%s: cannot write: %s", tmp, strerror(errno));
        return NULL;
    }
    char *line = NULL;
    size_t cap = 0;
    ssize_t len;
    for (int n = 0; (len = getline(&line, &cap, in)) > 0; n++) {
        if (line[len - 1] != '\n') break; /* a torn last line */
        if (n > 0 && strtoll(line, NULL, 10) > max_frames) continue;
        fputs(line, out);
    }
    free(line);
    fclose(in);
    if (fflush(out) || fsync(fileno(out)) || fclose(out) || rename(tmp, path)) {
        arc_err_set(err, ARC_ERR_IO, "%s: cannot rewrite: %s", path, strerror(errno));
        return NULL;
    }
    FILE *f = fopen(path, "a");
    if (!f) arc_err_set(err, ARC_ERR_IO, "%s: cannot append: %s", path, strerror(errno));
    return f;
}

static FILE *open_fresh(const char *path, const char *header, const ArcRunLog *log, ArcErr *err)
{
    FILE *f = fopen(path, "w");
    if (!f) {
        arc_err_set(err, ARC_ERR_IO, "%s: cannot write: %s", path, strerror(errno));
        return NULL;
    }
    fputs(header, f);
    if (log) {
        for (int i = 0; i < log->num_stats; i++) fprintf(f, ",%s", log->stat_names[i]);
        fputc('\n', f);
    }
    fflush(f);
    return f;
}

int arc_run_log_open(ArcRunLog *log, const char *dir, const atomic_llong *frames,
                     const char *const *stat_names, int num_stats, int64_t resume_frames,
                     ArcErr *err)
{
    ARC_CHECK(num_stats <= ARC_RUN_LOG_MAX_STATS, "%d stats", num_stats);
    memset(log, 0, sizeof *log);
    log->frames = frames;
    if (!dir) { /* counts only, no files */
        log->stat_names = stat_names;
        log->num_stats = num_stats;
        pthread_mutex_init(&log->lock, NULL);
        log->open = true;
        return ARC_OK;
    }
    if (strlen(dir) >= sizeof log->dir - 32)
        return arc_err_set(err, ARC_ERR_ARG, "%s: run directory path too long", dir);
    snprintf(log->dir, sizeof log->dir, "%s", dir);
    log->stat_names = stat_names;
    log->num_stats = num_stats;
    char path[600];
    int status = make_dirs(dir, err);
    arc_run_log_path(log, "checkpoints", path, sizeof path);
    if (!status) status = make_dir(path, err);
    if (status) return status;

    arc_run_log_path(log, "metrics.csv", path, sizeof path);
    log->metrics = resume_frames >= 0 ? open_for_resume(path, resume_frames, err)
                                      : open_fresh(path, metrics_header, log, err);
    if (!log->metrics) return ARC_ERR_IO;
    arc_run_log_path(log, "episodes.csv", path, sizeof path);
    log->episodes = resume_frames >= 0 ? open_for_resume(path, resume_frames, err)
                                       : open_fresh(path, episodes_header, NULL, err);
    if (!log->episodes) {
        fclose(log->metrics);
        return ARC_ERR_IO;
    }
    pthread_mutex_init(&log->lock, NULL);
    log->open = true;
    return ARC_OK;
}

void arc_run_log_close(ArcRunLog *log)
{
    if (!log->open) return;
    if (log->metrics) fclose(log->metrics);
    if (log->episodes) fclose(log->episodes);
    pthread_mutex_destroy(&log->lock);
    log->metrics = log->episodes = NULL;
    log->open = false;
}

void arc_run_log_episode(ArcRunLog *log, int actor, int64_t ret, int64_t length)
{
    pthread_mutex_lock(&log->lock);
    long long frames = atomic_load(log->frames);
    if (log->episodes) {
        fprintf(log->episodes, "%lld,%d,%lld,%lld\n", frames, actor, (long long)ret,
                (long long)length);
        fflush(log->episodes);
    }
    log->recent[log->recent_next] = (double)ret;
    log->recent_next = (log->recent_next + 1) % ARC_RUN_LOG_WINDOW;
    if (log->recent_count < ARC_RUN_LOG_WINDOW) log->recent_count++;
    log->episodes_total++;
    pthread_mutex_unlock(&log->lock);
}

void arc_run_log_stats(ArcRunLog *log, const double *values)
{
    pthread_mutex_lock(&log->lock);
    for (int i = 0; i < log->num_stats; i++) log->stat_sums[i] += values[i];
    log->stat_count++;
    pthread_mutex_unlock(&log->lock);
}

double arc_run_log_recent_mean(ArcRunLog *log)
{
    pthread_mutex_lock(&log->lock);
    double sum = 0;
    for (int i = 0; i < log->recent_count; i++) sum += log->recent[i];
    double mean = log->recent_count ? sum / log->recent_count : 0;
    pthread_mutex_unlock(&log->lock);
    return mean;
}

int64_t arc_run_log_episodes(ArcRunLog *log)
{
    pthread_mutex_lock(&log->lock);
    int64_t n = log->episodes_total;
    pthread_mutex_unlock(&log->lock);
    return n;
}

void arc_run_log_metrics_row(ArcRunLog *log, int64_t frames, int64_t updates, double wall_s,
                             double fps)
{
    double mean = arc_run_log_recent_mean(log);
    pthread_mutex_lock(&log->lock);
    if (log->metrics) {
        fprintf(log->metrics, "%lld,%.3f,%.1f,%lld,%lld,%.4f", (long long)frames, wall_s, fps,
                (long long)log->episodes_total, (long long)updates, mean);
        for (int i = 0; i < log->num_stats; i++)
            fprintf(log->metrics, ",%.6g", log->stat_count ? log->stat_sums[i] / log->stat_count : 0.0);
        fputc('\n', log->metrics);
        fflush(log->metrics);
    }
    memset(log->stat_sums, 0, sizeof log->stat_sums);
    log->stat_count = 0;
    pthread_mutex_unlock(&log->lock);
}

int arc_run_log_summary(ArcRunLog *log, const char *game, const char *algo, int64_t frames,
                        double wall_s, bool interrupted, ArcErr *err)
{
    cJSON *root = cJSON_CreateObject();
    cJSON_AddStringToObject(root, "game", game);
    cJSON_AddStringToObject(root, "algo", algo);
    cJSON_AddNumberToObject(root, "frames", (double)frames);
    cJSON_AddNumberToObject(root, "wall_seconds", wall_s);
    cJSON_AddNumberToObject(root, "frames_per_second", wall_s > 0 ? frames / wall_s : 0);
    cJSON_AddNumberToObject(root, "final_return_mean100", arc_run_log_recent_mean(log));
    cJSON_AddNumberToObject(root, "episodes", (double)arc_run_log_episodes(log));
    cJSON_AddBoolToObject(root, "interrupted", interrupted);
    char *text = cJSON_Print(root);
    cJSON_Delete(root);
    char path[600], tmp[640];
    arc_run_log_path(log, "summary.json", path, sizeof path);
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    FILE *f = fopen(tmp, "w");
    int ok = f && fputs(text, f) >= 0 && fputc('\n', f) != EOF;
    ok = f && fclose(f) == 0 && ok && rename(tmp, path) == 0;
    free(text);
    if (!ok) return arc_err_set(err, ARC_ERR_IO, "%s: cannot write: %s", path, strerror(errno));
    return ARC_OK;
}

int arc_run_log_plot(const ArcRunLog *log, const char *title, ArcErr *err)
{
    char metrics[600], png[600];
    arc_run_log_path(log, "metrics.csv", metrics, sizeof metrics);
    arc_run_log_path(log, "curve.png", png, sizeof png);
    FILE *gp = popen("gnuplot 2>/dev/null", "w");
    if (!gp) return arc_err_set(err, ARC_ERR_IO, "cannot run gnuplot for %s", png);
    fprintf(gp,
            "set terminal pngcairo size 900,520 font 'DejaVu Sans,11' noenhanced\n"
            "set output '%s'\n"
            "set datafile separator ','\n"
            "set title '%s'\n"
            "set xlabel 'frames (millions)'\nset ylabel 'return, mean of the last 100 episodes'\n"
            "set grid\nset key top left\n"
            "plot '%s' using ($1/1e6):6 every ::1 with lines linewidth 2 title 'return_mean100'\n",
            png, title, metrics);
    int status = pclose(gp);
    if (status == -1 || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
        return arc_err_set(err, ARC_ERR_IO, "gnuplot failed to draw %s (is gnuplot-nox installed?)", png);
    return ARC_OK;
}
