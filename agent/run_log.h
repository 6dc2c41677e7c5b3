/* run_log.h — what a training run leaves in its directory, written as it goes.
 *
 *   DIR/metrics.csv    frames,wall_s,fps,episodes,updates,return_mean100,<stat columns...>
 *                      one row per reporting interval; stats are means over the updates
 *                      since the previous row (the algorithm names the columns)
 *   DIR/episodes.csv   frames,actor,return,length: one row per finished episode
 *   DIR/summary.json   frames, wall_seconds, frames_per_second, final_return_mean100, ...
 *   DIR/curve.png      return_mean100 against frames, drawn by gnuplot from metrics.csv
 * Every row is flushed as written, so a killed run leaves whole lines. Resuming keeps the
 * rows at or before the checkpoint's frame count and drops the rest, so nothing after
 * the resume point is duplicated.
 *
 * Threads: actors call arc_run_log_episode and arc_run_log_stats concurrently (one mutex);
 * the run's main thread calls everything else.
 */
#ifndef ARC_RUN_LOG_H
#define ARC_RUN_LOG_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "../common/check.h"

#define ARC_RUN_LOG_MAX_STATS 8
#define ARC_RUN_LOG_WINDOW 100 /* episodes in the recent-return mean */

typedef struct ArcRunLog {
    char dir[512];
    const atomic_llong *frames; /* the run's frame counter, read when an episode is logged */
    FILE *metrics, *episodes;
    pthread_mutex_t lock;
    int num_stats;
    const char *const *stat_names;
    double stat_sums[ARC_RUN_LOG_MAX_STATS];
    int64_t stat_count;
    double recent[ARC_RUN_LOG_WINDOW]; /* ring of the last returns */
    int recent_count, recent_next;
    int64_t episodes_total;
    bool open;
} ArcRunLog;

/* Creates dir (and dir/checkpoints) if needed and opens the CSV files. frames is the
 * run's frame counter (episodes are stamped with it under the log's lock, so the column
 * never goes back). A NULL dir keeps the counts (episodes, recent returns, stats) and
 * writes no file (MPI ranks other than 0). With resume_frames >= 0 the existing files are kept up to that frame
 * count and appended to; otherwise they are started afresh. Returns a status with a
 * message naming the path. */
int arc_run_log_open(ArcRunLog *log, const char *dir, const atomic_llong *frames,
                     const char *const *stat_names, int num_stats, int64_t resume_frames,
                     ArcErr *err);
void arc_run_log_close(ArcRunLog *log);

/* Thread-safe: one finished episode, stamped with the frame counter's current value. */
void arc_run_log_episode(ArcRunLog *log, int actor, int64_t ret, int64_t length);
/* Thread-safe: one update's statistics (num_stats values). */
void arc_run_log_stats(ArcRunLog *log, const double *values);

/* Mean return of the last ARC_RUN_LOG_WINDOW episodes (0 before the first). */
double arc_run_log_recent_mean(ArcRunLog *log);
int64_t arc_run_log_episodes(ArcRunLog *log);

/* Appends a metrics row and restarts the stat means. */
void arc_run_log_metrics_row(ArcRunLog *log, int64_t frames, int64_t updates, double wall_s,
                             double fps);

/* summary.json: the given numbers plus the game and algorithm. */
int arc_run_log_summary(ArcRunLog *log, const char *game, const char *algo, int64_t frames,
                        double wall_s, bool interrupted, ArcErr *err);

/* curve.png from metrics.csv with gnuplot; returns ARC_ERR_IO (message) when gnuplot is
 * missing or fails; the run's other outputs do not depend on it. */
int arc_run_log_plot(const ArcRunLog *log, const char *title, ArcErr *err);

/* "DIR/name" into buf. */
void arc_run_log_path(const ArcRunLog *log, const char *name, char *buf, size_t size);

#endif
