/* trace.c — reading, replaying and comparing conformance traces (see trace.h). */
#include "trace.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

enum { COL_SEED, COL_STEP, COL_ACTION, NUM_NEEDED };
static const char *const needed_names[NUM_NEEDED] = {"seed", "step", "action"};
#define MAX_COLUMNS 16

/* Splits line (modified in place) at commas; returns the number of fields. */
static int split_fields(char *line, char **fields, int max_fields)
{
    int n = 0;
    char *p = line;
    for (;;) {
        if (n == max_fields) return max_fields + 1;
        fields[n++] = p;
        char *comma = strchr(p, ',');
        if (!comma) break;
        *comma = '\0';
        p = comma + 1;
    }
    return n;
}

static void strip_newline(char *line)
{
    size_t len = strlen(line);
    while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r')) line[--len] = '\0';
}

static int parse_int(const char *text, int64_t *value)
{
    if (*text == '\0') return -1;
    char *end;
    errno = 0;
    long long v = strtoll(text, &end, 10);
    if (errno || *end != '\0') return -1;
    *value = v;
    return 0;
}

static int parse_header(char *line, const char *path, int *column_of, ArcErr *err)
{
    char *fields[MAX_COLUMNS + 1];
    int n = split_fields(line, fields, MAX_COLUMNS);
    for (int need = 0; need < NUM_NEEDED; need++) {
        column_of[need] = -1;
        for (int i = 0; i < n && i < MAX_COLUMNS; i++)
            if (strcmp(fields[i], needed_names[need]) == 0) column_of[need] = i;
        if (column_of[need] < 0)
            return arc_err_set(err, ARC_ERR_FORMAT,
                               "%s:1: missing column '%s' (expected a header like "
                               "seed,step,action,reward,terminal,obs)",
                               path, needed_names[need]);
    }
    return ARC_OK;
}

/* Checks one data row against the previous one: episodes start at step 0 with action -1,
 * steps then count up by one within a seed, actions are 0..5. */
static int check_row(const ArcTraceRow *row, const ArcTraceRow *prev, const char *path,
                     ArcErr *err)
{
    if (row->step == 0) {
        if (row->action != -1)
            return arc_err_set(err, ARC_ERR_FORMAT, "%s:%d: step 0 must have action -1, got %d",
                               path, row->line, row->action);
        return ARC_OK;
    }
    if (!prev || prev->seed != row->seed || row->step != prev->step + 1)
        return arc_err_set(err, ARC_ERR_FORMAT,
                           "%s:%d: step %lld of seed %lld is out of order (expected %s)", path,
                           row->line, (long long)row->step, (long long)row->seed,
                           prev && prev->seed == row->seed ? "the next step" : "step 0 first");
    if (row->action < 0 || row->action >= ARC_NUM_ACTIONS)
        return arc_err_set(err, ARC_ERR_FORMAT, "%s:%d: action %d is outside 0..5", path,
                           row->line, row->action);
    return ARC_OK;
}

int arc_trace_read(const char *path, ArcTrace *trace, ArcErr *err)
{
    memset(trace, 0, sizeof *trace);
    FILE *f = fopen(path, "r");
    if (!f) return arc_err_set(err, ARC_ERR_IO, "%s: cannot open: %s", path, strerror(errno));

    int status = ARC_OK, capacity = 0, line_no = 0, column_of[NUM_NEEDED];
    char *line = NULL;
    size_t line_cap = 0;
    if (getline(&line, &line_cap, f) < 0) {
        status = arc_err_set(err, ARC_ERR_FORMAT, "%s: empty file (expected a CSV header)", path);
        goto done;
    }
    line_no = 1;
    strip_newline(line);
    status = parse_header(line, path, column_of, err);
    if (status) goto done;

    while (getline(&line, &line_cap, f) >= 0) {
        line_no++;
        strip_newline(line);
        if (line[0] == '\0') continue;
        char *fields[MAX_COLUMNS + 1];
        int n = split_fields(line, fields, MAX_COLUMNS);
        ArcTraceRow row = {.line = line_no};
        int64_t values[NUM_NEEDED];
        for (int need = 0; need < NUM_NEEDED; need++) {
            if (column_of[need] >= n) {
                status = arc_err_set(err, ARC_ERR_FORMAT, "%s:%d: missing field '%s'", path,
                                     line_no, needed_names[need]);
                goto done;
            }
            const char *text = fields[column_of[need]];
            if (parse_int(text, &values[need])) {
                status = arc_err_set(err, ARC_ERR_FORMAT,
                                     "%s:%d: field '%s' is '%s', expected an integer", path,
                                     line_no, needed_names[need], text);
                goto done;
            }
        }
        if (values[COL_SEED] < 0 || values[COL_SEED] > UINT32_MAX) {
            status = arc_err_set(err, ARC_ERR_FORMAT, "%s:%d: seed %lld is outside 0..2^32-1",
                                 path, line_no, (long long)values[COL_SEED]);
            goto done;
        }
        if (values[COL_ACTION] < -1 || values[COL_ACTION] >= ARC_NUM_ACTIONS) {
            status = arc_err_set(err, ARC_ERR_FORMAT, "%s:%d: action %lld is outside 0..5",
                                 path, line_no, (long long)values[COL_ACTION]);
            goto done;
        }
        row.seed = values[COL_SEED];
        row.step = values[COL_STEP];
        row.action = (int)values[COL_ACTION];
        status = check_row(&row, trace->num_rows ? &trace->rows[trace->num_rows - 1] : NULL,
                           path, err);
        if (status) goto done;
        if (trace->num_rows == capacity) {
            capacity = capacity ? 2 * capacity : 1024;
            ArcTraceRow *grown = realloc(trace->rows, (size_t)capacity * sizeof *grown);
            if (!grown) {
                status = arc_err_set(err, ARC_ERR_NOMEM, "%s: out of memory", path);
                goto done;
            }
            trace->rows = grown;
        }
        trace->rows[trace->num_rows++] = row;
    }
    if (ferror(f))
        status = arc_err_set(err, ARC_ERR_IO, "%s: read error: %s", path, strerror(errno));
    else if (trace->num_rows == 0)
        status = arc_err_set(err, ARC_ERR_FORMAT, "%s: no rows after the header", path);
done:
    free(line);
    fclose(f);
    if (status) arc_trace_free(trace);
    return status;
}

void arc_trace_free(ArcTrace *trace)
{
    free(trace->rows);
    trace->rows = NULL;
    trace->num_rows = 0;
}

void arc_trace_obs_hex(int channels, const uint8_t *obs, char *hex)
{
    static const char digits[] = "0123456789abcdef";
    int bits = ARC_GRID * ARC_GRID * channels, nbytes = (bits + 7) / 8;
    for (int byte = 0; byte < nbytes; byte++) {
        unsigned value = 0;
        for (int b = 0; b < 8; b++) {
            int k = byte * 8 + b, bit = 0;
            if (k < bits) {
                int cell = k / channels, c = k % channels;
                bit = obs[c * ARC_GRID * ARC_GRID + cell] != 0;
            }
            value = (value << 1) | (unsigned)bit;
        }
        hex[2 * byte] = digits[value >> 4];
        hex[2 * byte + 1] = digits[value & 15];
    }
    hex[2 * nbytes] = '\0';
}

static void write_row(FILE *out, const ArcEnv *env, const ArcTraceRow *row, int reward,
                      uint8_t *obs, char *hex)
{
    arc_env_observe(env, obs);
    arc_trace_obs_hex(env->game->channels, obs, hex);
    fprintf(out, "%lld,%lld,%d,%d,%d,%s\n", (long long)row->seed, (long long)row->step,
            row->action, reward, env->terminal ? 1 : 0, hex);
}

int arc_trace_replay(const ArcGame *game, const ArcTrace *trace, FILE *out, ArcErr *err)
{
    void *state = arc_xcalloc(1, game->state_bytes);
    uint8_t obs[ARC_OBS_MAX];
    char hex[2 * ARC_OBS_MAX / 8 + 2];
    ArcEnvConfig cfg = arc_env_config_default();
    ArcEnv env;

    fputs("seed,step,action,reward,terminal,obs\n", out);
    for (int i = 0; i < trace->num_rows; i++) {
        const ArcTraceRow *row = &trace->rows[i];
        int reward = 0;
        if (row->step == 0) {
            arc_env_init(&env, game, &cfg, state, (uint32_t)row->seed);
            arc_env_reset(&env);
        } else {
            reward = arc_env_step(&env, row->action);
        }
        write_row(out, &env, row, reward, obs, hex);
    }
    free(state);
    if (fflush(out) || ferror(out))
        return arc_err_set(err, ARC_ERR_IO, "writing the replayed trace failed: %s",
                           strerror(errno));
    return ARC_OK;
}

static const char *const row_field_names[] = {"seed", "step", "action", "reward", "terminal",
                                              "obs"};

/* Copies field i of a CSV row into buf. */
static void row_field(const char *row, int index, char *buf, size_t size)
{
    for (int i = 0; i < index && row; i++) {
        row = strchr(row, ',');
        if (row) row++;
    }
    size_t n = 0;
    if (row)
        while (row[n] && row[n] != ',' && row[n] != '\n' && n + 1 < size) n++;
    if (row) memcpy(buf, row, n);
    buf[n] = '\0';
}

static int hex_bit(const char *hex, int k)
{
    size_t len = strlen(hex);
    if ((size_t)(k / 4) >= len) return -1;
    char ch = hex[k / 4];
    int nibble = ch >= 'a' ? ch - 'a' + 10 : ch - '0';
    return (nibble >> (3 - k % 4)) & 1;
}

int arc_trace_diff_row(int channels, const char *expected, const char *actual, char *desc,
                       size_t desc_size)
{
    char a[512], b[512];
    for (int f = 0; f < 6; f++) {
        row_field(expected, f, a, sizeof a);
        row_field(actual, f, b, sizeof b);
        if (strcmp(a, b) == 0) continue;
        if (f < 5) {
            snprintf(desc, desc_size, "%s: expected %s, got %s", row_field_names[f], a, b);
            return 1;
        }
        for (int k = 0; k < ARC_GRID * ARC_GRID * channels; k++) {
            int x = hex_bit(a, k), y = hex_bit(b, k);
            if (x == y) continue;
            int cell = k / channels;
            snprintf(desc, desc_size, "obs: channel %d, row %d, column %d: expected %d, got %d",
                     k % channels, cell / ARC_GRID, cell % ARC_GRID, x, y);
            return 1;
        }
        snprintf(desc, desc_size, "obs: expected %s, got %s", a, b);
        return 1;
    }
    return 0;
}
