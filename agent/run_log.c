/* run_log.c — run-directory outputs (see run_log.h). */
#include "run_log.h"

#include <cJSON.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../common/file.h"


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

/* Removes the temporary files ("NAME.tmp.PID", common/file.h) that a process killed
 * while writing (kill -9, power loss) left in dir: the files they were to replace are
 * whole, and the directory belongs to this run now. */
static void remove_stale_temporaries(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d) return;
    struct dirent *e;
    while ((e = readdir(d))) {
        const char *tmp = strstr(e->d_name, ".tmp.");
        if (!tmp || tmp == e->d_name || !tmp[5] || strspn(tmp + 5, "0123456789") != strlen(tmp + 5))
            continue;
        char path[1200];
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        unlink(path);
    }
    closedir(d);
}

/* Opens path for appending whole records; *size is its current size. */
static int open_append(const char *path, int *fd, off_t *size, ArcErr *err)
{
    *fd = open(path, O_WRONLY | O_APPEND | O_CLOEXEC);
    struct stat st;
    if (*fd < 0 || fstat(*fd, &st) != 0) {
        int saved = errno;
        if (*fd >= 0) close(*fd);
        *fd = -1;
        return arc_err_set(err, ARC_ERR_IO, "%s: cannot append: %s", path, strerror(saved));
    }
    *size = st.st_size;
    return ARC_OK;
}

/* Keeps the header and the complete rows whose first field (frames) is <= max_frames,
 * rewriting the file atomically; then opens it for appending. */
static int open_for_resume(const char *path, int64_t max_frames, int *fd, off_t *size, ArcErr *err)
{
    FILE *in = fopen(path, "r");
    if (!in) return arc_err_set(err, ARC_ERR_IO, "%s: cannot open for resuming: %s", path, strerror(errno));
    char tmp[700];
    FILE *out = arc_file_create_temp(path, tmp, sizeof tmp, err);
    if (!out) {
        fclose(in);
        return ARC_ERR_IO;
    }
    char *line = NULL;
    size_t cap = 0;
    ssize_t len;
    bool ok = true;
    errno = 0;
    for (int n = 0; ok && (len = getline(&line, &cap, in)) > 0; n++) {
        if (line[len - 1] != '\n') break; /* a torn last line */
        if (n > 0 && strtoll(line, NULL, 10) > max_frames) continue;
        ok = fputs(line, out) >= 0;
    }
    free(line);
    fclose(in);
    int status = arc_file_commit(out, tmp, path, ok, err);
    return status ? status : open_append(path, fd, size, err);
}

/* A new file holding the header line (written atomically), opened for appending. */
static int open_fresh(const char *path, const char *header, int *fd, off_t *size, ArcErr *err)
{
    int status = arc_file_write_atomic(path, header, strlen(header), err);
    return status ? status : open_append(path, fd, size, err);
}

int arc_run_log_open(ArcRunLog *log, const char *dir, const atomic_llong *frames,
                     const char *const *stat_names, int num_stats, int64_t resume_frames,
                     ArcErr *err)
{
    ARC_CHECK(num_stats <= ARC_RUN_LOG_MAX_STATS, "%d stats", num_stats);
    memset(log, 0, sizeof *log);
    log->frames = frames;
    log->metrics_fd = log->episodes_fd = -1;
    atomic_init(&log->failed, false);
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
    remove_stale_temporaries(dir);
    remove_stale_temporaries(path);

    char header[256];
    int n = snprintf(header, sizeof header, "%s", metrics_header);
    for (int i = 0; i < num_stats; i++)
        n += snprintf(header + n, sizeof header - (size_t)n, ",%s", stat_names[i]);
    snprintf(header + n, sizeof header - (size_t)n, "\n");
    arc_run_log_path(log, "metrics.csv", log->metrics_path, sizeof log->metrics_path);
    arc_run_log_path(log, "episodes.csv", log->episodes_path, sizeof log->episodes_path);
    status = resume_frames >= 0
                 ? open_for_resume(log->metrics_path, resume_frames, &log->metrics_fd,
                                   &log->metrics_size, err)
                 : open_fresh(log->metrics_path, header, &log->metrics_fd, &log->metrics_size, err);
    if (!status)
        status = resume_frames >= 0
                     ? open_for_resume(log->episodes_path, resume_frames, &log->episodes_fd,
                                       &log->episodes_size, err)
                     : open_fresh(log->episodes_path, episodes_header, &log->episodes_fd,
                                  &log->episodes_size, err);
    if (status) {
        if (log->metrics_fd >= 0) close(log->metrics_fd);
        log->metrics_fd = -1;
        return status;
    }
    pthread_mutex_init(&log->lock, NULL);
    log->open = true;
    return ARC_OK;
}

void arc_run_log_close(ArcRunLog *log)
{
    if (!log->open) return;
    if (log->metrics_fd >= 0) close(log->metrics_fd);
    if (log->episodes_fd >= 0) close(log->episodes_fd);
    pthread_mutex_destroy(&log->lock);
    log->metrics_fd = log->episodes_fd = -1;
    log->open = false;
}

/* Appends one row under the lock; the first failure is kept and stops further rows. */
static void append_row(ArcRunLog *log, int fd, const char *path, off_t *size, const char *row,
                       size_t len)
{
    if (log->status || fd < 0) return;
    ArcErr err;
    log->status = arc_file_append(fd, path, row, len, size, &err);
    if (!log->status) return;
    log->err = err;
    atomic_store(&log->failed, true);
}

void arc_run_log_episode(ArcRunLog *log, int actor, int64_t ret, int64_t length)
{
    pthread_mutex_lock(&log->lock);
    long long frames = atomic_load(log->frames);
    char row[128];
    int len = snprintf(row, sizeof row, "%lld,%d,%lld,%lld\n", frames, actor, (long long)ret,
                       (long long)length);
    append_row(log, log->episodes_fd, log->episodes_path, &log->episodes_size, row, (size_t)len);
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
    char row[1024];
    int len = snprintf(row, sizeof row, "%lld,%.3f,%.1f,%lld,%lld,%.4f", (long long)frames, wall_s,
                       fps, (long long)log->episodes_total, (long long)updates, mean);
    for (int i = 0; i < log->num_stats; i++)
        len += snprintf(row + len, sizeof row - (size_t)len, ",%.6g",
                        log->stat_count ? log->stat_sums[i] / log->stat_count : 0.0);
    len += snprintf(row + len, sizeof row - (size_t)len, "\n");
    append_row(log, log->metrics_fd, log->metrics_path, &log->metrics_size, row, (size_t)len);
    memset(log->stat_sums, 0, sizeof log->stat_sums);
    log->stat_count = 0;
    pthread_mutex_unlock(&log->lock);
}

int arc_run_log_status(ArcRunLog *log, ArcErr *err)
{
    if (!atomic_load(&log->failed)) return ARC_OK;
    pthread_mutex_lock(&log->lock);
    int status = log->status;
    if (err) *err = log->err;
    pthread_mutex_unlock(&log->lock);
    return status;
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
    size_t len = strlen(text);
    text[len] = '\n'; /* replaces the terminator: the file ends with a newline */
    char path[600];
    arc_run_log_path(log, "summary.json", path, sizeof path);
    int status = arc_file_write_atomic(path, text, len + 1, err);
    free(text);
    return status;
}

/* text into dst as the inside of a gnuplot single-quoted string ('' stands for '). */
static void gnuplot_quote(char *dst, size_t size, const char *text)
{
    size_t n = 0;
    for (; *text && n + 3 < size; text++) {
        if (*text == '\'') dst[n++] = '\'';
        dst[n++] = *text;
    }
    dst[n] = '\0';
}

/* Runs gnuplot with script (stdin /dev/null, stderr discarded) and reads what it writes
 * to stdout into *out. Returns gnuplot's exit status, 127 when it cannot be run, -1 when
 * the pipe fails. */
static int run_gnuplot(const char *script, char **out, size_t *out_len)
{
    *out = NULL;
    *out_len = 0;
    int pipefd[2];
    if (pipe2(pipefd, O_CLOEXEC) != 0) return -1;
    pid_t pid = fork();
    if (pid < 0) {
        close(pipefd[0]), close(pipefd[1]);
        return -1;
    }
    if (pid == 0) { /* only async-signal-safe calls until exec */
        int null = open("/dev/null", O_RDWR);
        if (null < 0 || dup2(null, 0) < 0 || dup2(null, 2) < 0 || dup2(pipefd[1], 1) < 0) _exit(126);
        execlp("gnuplot", "gnuplot", "-e", script, (char *)NULL);
        _exit(127);
    }
    close(pipefd[1]);
    size_t cap = 0;
    for (;;) {
        if (*out_len == cap) {
            cap = cap ? 2 * cap : 1 << 16;
            *out = realloc(*out, cap);
            ARC_CHECK(*out != NULL, "realloc of %zu bytes for gnuplot's output", cap);
        }
        ssize_t n = read(pipefd[0], *out + *out_len, cap - *out_len);
        if (n > 0) *out_len += (size_t)n;
        else if (n < 0 && errno == EINTR) continue;
        else break;
    }
    close(pipefd[0]);
    int status;
    while (waitpid(pid, &status, 0) < 0)
        if (errno != EINTR) return -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/* A whole PNG ends with the IEND chunk. */
static bool png_complete(const char *data, size_t len)
{
    static const unsigned char iend[12] = {0, 0, 0, 0, 'I', 'E', 'N', 'D', 0xae, 0x42, 0x60, 0x82};
    return len > 20 && memcmp(data, "\x89PNG", 4) == 0 && memcmp(data + len - 12, iend, 12) == 0;
}

int arc_run_log_plot(const ArcRunLog *log, const char *title, char *note, size_t note_size,
                     ArcErr *err)
{
    note[0] = '\0';
    char metrics[600], png[600], quoted_metrics[1200], quoted_title[200], script[2048];
    arc_run_log_path(log, "metrics.csv", metrics, sizeof metrics);
    arc_run_log_path(log, "curve.png", png, sizeof png);
    gnuplot_quote(quoted_metrics, sizeof quoted_metrics, metrics);
    gnuplot_quote(quoted_title, sizeof quoted_title, title);
    snprintf(script, sizeof script,
             "set terminal pngcairo size 900,520 font 'DejaVu Sans,11' noenhanced; "
             "set datafile separator ','; set title '%s'; "
             "set xlabel 'frames (millions)'; set ylabel 'return, mean of the last 100 episodes'; "
             "set grid; set key top left; "
             "plot '%s' using ($1/1e6):6 every ::1 with lines linewidth 2 title 'return_mean100'",
             quoted_title, quoted_metrics);
    char *image;
    size_t len;
    int status = run_gnuplot(script, &image, &len);
    if (status == 127 || status == 126) {
        free(image);
        snprintf(note, note_size, "%s not drawn: cannot run gnuplot (is gnuplot-nox installed?)", png);
        return ARC_OK;
    }
    if (status != 0 || !png_complete(image, len)) {
        free(image);
        snprintf(note, note_size, "%s not drawn: gnuplot failed (exit status %d)", png, status);
        return ARC_OK;
    }
    status = arc_file_write_atomic(png, image, len, err);
    free(image);
    return status;
}
