/* trace.h — conformance traces: the CSV format of ../shared/conformance/minatar/README.md.
 *
 * A trace is `seed,step,action,reward,terminal,obs` rows, one episode per seed. Reading
 * keeps the columns that drive a replay (seed, step, action) and validates them; replaying
 * runs each seed's actions through a fresh env (seed, reset, step) and writes the same CSV
 * as computed by our games, so `arcade trace ... | cmp - X.csv` checks conformance.
 *
 * Observation encoding: the (row, col, channel) grid flattened in that order, 8 bits per
 * byte with the first bit in the most significant position, lowercase hex; the last byte
 * is zero-padded when 100*C is not a multiple of 8.
 */
#ifndef ARC_TRACE_H
#define ARC_TRACE_H

#include <stdio.h>

#include "../common/check.h"
#include "env.h"

typedef struct ArcTraceRow {
    int64_t seed;
    int64_t step;
    int action; /* -1 on step 0, else 0..5 */
    int line;   /* 1-based line in the file, for messages */
} ArcTraceRow;

typedef struct ArcTrace {
    ArcTraceRow *rows; /* (num_rows) */
    int num_rows;
} ArcTrace;

/* Reads and validates path. On error returns a negative status and a one-line message
 * naming path:line and what was expected; *trace is then empty. The caller frees with
 * arc_trace_free. */
int arc_trace_read(const char *path, ArcTrace *trace, ArcErr *err);
void arc_trace_free(ArcTrace *trace);

/* Replays every episode of trace on game (a fresh env per seed, the reference's default
 * wrapper: sticky 0.1, ramping on) and writes the CSV, header included, to out. */
int arc_trace_replay(const ArcGame *game, const ArcTrace *trace, FILE *out, ArcErr *err);

/* Hex encoding of a (C, 10, 10) observation; hex needs 2*ceil(100*C/8)+1 chars. */
void arc_trace_obs_hex(int channels, const uint8_t *obs, char *hex);

/* Compares one expected and one actual CSV row of a game with `channels` channels.
 * Returns 0 when equal, else 1 and a description of the first difference in desc
 * (field, and for obs the channel, row and column). */
int arc_trace_diff_row(int channels, const char *expected, const char *actual, char *desc,
                       size_t desc_size);

#endif
