/* progress.h — progress reporting for long runs.
 *
 * On a terminal: one self-overwriting bar line (frames, frames/s, elapsed, ETA and any
 * caller text such as the recent mean return), redrawn at most every 0.2 s. Otherwise
 * (a pipe, a log file, CI): one plain line every `line_every` seconds. Single-threaded:
 * call it from the thread that owns the run's bookkeeping. */
#ifndef ARC_PROGRESS_H
#define ARC_PROGRESS_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

typedef struct ArcProgress {
    FILE *out;
    bool terminal;        /* out is a terminal: draw a bar */
    int64_t total;        /* frames to reach; 0 if unknown */
    double start, last_draw, line_every;
    const char *label;
} ArcProgress;

void arc_progress_init(ArcProgress *p, FILE *out, const char *label, int64_t total,
                       double line_every);
/* Reports `done` frames; extra (may be NULL) is appended, e.g. "return 12.3". */
void arc_progress_update(ArcProgress *p, int64_t done, const char *extra);
/* Draws the final state and ends the line. */
void arc_progress_finish(ArcProgress *p, int64_t done, const char *extra);

/* "1h02m", "3m05s", "12.3s" */
void arc_format_duration(double seconds, char *buf, size_t size);

#endif
