/* sweep_file.c — the sweep file: parsing it and planning the runs (see sweep.h).
 *
 * inih splits the lines into sections, keys and values (as for `train --config`); the
 * line reader given to it counts lines, so that every message names FILE:LINE, tracks
 * sections itself (so that a [setup NAME] without keys still counts) and reads an
 * indented line as a line of its own (inih would take it as a continuation). Every train
 * key and value goes through train_config.c's table, so a sweep accepts and rejects
 * exactly what `train --config` does. Planning crosses the setups and the axes, checks
 * each run's configuration as `train` would (arc_train_config_finish) and refuses two runs
 * with one directory or one configuration. */
#include <errno.h>
#include <ini.h>
#include <sched.h>
#include <unistd.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "../env/game.h"
#include "sweep.h"

#define MAX_ERRORS 20
#define MAX_SETUPS 256
#define MAX_FILE_BYTES (1 << 20)
#define SETUP_NAME_MAX 40
#define LINE_CHARS (INI_MAX_LINE - 2) /* longest line the reader accepts */

typedef enum { SEC_NONE, SEC_SWEEP, SEC_BASE, SEC_GRID, SEC_VARIANT, SEC_BAD } Section;

typedef struct Setting {
    const char *key; /* the table's spelling */
    char *value;
    int line;
} Setting;

typedef struct Layer { /* [base] or one [setup NAME] */
    const char *name;  /* NULL for [base]; else in the plan's pool */
    int line;
    char *include;
    int include_line;
    Setting *settings;
    int num_settings;
    ArcTrainConfig cfg; /* built after parsing */
    int last_line;      /* the last line that shaped cfg */
} Layer;

typedef struct Axis {
    const char *key;
    int line;
    const char **values; /* in the plan's pool */
    int num_values;
} Axis;

typedef struct Parser {
    ArcSweepPlan *plan;
    const char *text;
    size_t len, pos;
    int line;
    char dir[512]; /* the sweep file's folder, "" for the current one */
    Section section;
    char out[ARC_SWEEP_OUT_MAX + 1];
    int out_line;
    Layer base;
    Layer *setups;
    int num_setups;
    Axis axes[ARC_SWEEP_MAX_COLUMNS];
    int num_axes;
    char *errors;
    size_t errors_len;
    int num_errors;
    ArcErr first;
} Parser;

static void add_error_text(Parser *p, const char *msg)
{
    if (p->num_errors++ == 0) snprintf(p->first.msg, sizeof p->first.msg, "%.*s", (int)sizeof p->first.msg - 1, msg);
    if (p->num_errors > MAX_ERRORS) return;
    size_t n = strlen(msg);
    p->errors = realloc(p->errors, p->errors_len + n + 2);
    ARC_CHECK(p->errors != NULL, "out of memory");
    memcpy(p->errors + p->errors_len, msg, n);
    p->errors_len += n;
    p->errors[p->errors_len++] = '\n';
    p->errors[p->errors_len] = '\0';
}

/* Records "PATH:LINE: message". */
__attribute__((format(printf, 3, 4))) static void report(Parser *p, int line, const char *fmt, ...)
{
    char msg[sizeof(ArcErr)], full[sizeof(ArcErr) + 560];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    snprintf(full, sizeof full, "%s:%d: %s", p->plan->path, line, msg);
    add_error_text(p, full);
}

static const char *pool_add(ArcSweepPlan *plan, const char *text, size_t n)
{
    if (plan->pool_count == plan->pool_cap) {
        plan->pool_cap = plan->pool_cap ? 2 * plan->pool_cap : 64;
        plan->pool = realloc(plan->pool, (size_t)plan->pool_cap * sizeof *plan->pool);
        ARC_CHECK(plan->pool != NULL, "out of memory");
    }
    char *copy = arc_xmalloc(n + 1);
    memcpy(copy, text, n);
    copy[n] = '\0';
    plan->pool[plan->pool_count++] = copy;
    return copy;
}

static char *trim(char *s)
{
    while (*s == ' ' || *s == '\t') s++;
    char *end = s + strlen(s);
    while (end > s && (end[-1] == ' ' || end[-1] == '\t' || end[-1] == '\r' || end[-1] == '\n'))
        *--end = '\0';
    return s;
}

static bool name_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           c == '.' || c == '_' || c == '+' || c == '-';
}

/* ---- sections and line syntax (seen by the reader, before inih) ---------------------- */

static void enter_setup(Parser *p, char *name)
{
    name = trim(name);
    size_t n = strlen(name);
    bool ok = n > 0 && n <= SETUP_NAME_MAX;
    for (size_t i = 0; ok && i < n; i++) ok = name_char(name[i]);
    if (!ok) {
        report(p, p->line, "setup name '%s' must be 1 to %d of the characters A-Z a-z 0-9 . _ + -",
               name, SETUP_NAME_MAX);
        p->section = SEC_BAD;
        return;
    }
    for (int v = 0; v < p->num_setups; v++) {
        if (strcmp(p->setups[v].name, name) != 0) continue;
        report(p, p->line, "duplicate [setup %s] (first at line %d)", name, p->setups[v].line);
        p->section = SEC_BAD;
        return;
    }
    if (p->num_setups == MAX_SETUPS) {
        report(p, p->line, "more than %d setups", MAX_SETUPS);
        p->section = SEC_BAD;
        return;
    }
    p->setups = realloc(p->setups, (size_t)(p->num_setups + 1) * sizeof *p->setups);
    ARC_CHECK(p->setups != NULL, "out of memory");
    Layer *layer = &p->setups[p->num_setups++];
    memset(layer, 0, sizeof *layer);
    layer->name = pool_add(p->plan, name, n);
    layer->line = p->line;
    p->section = SEC_VARIANT;
}

static void enter_section(Parser *p, char *text)
{
    char *name = trim(text);
    if (strcmp(name, "sweep") == 0) p->section = SEC_SWEEP;
    else if (strcmp(name, "base") == 0) p->section = SEC_BASE;
    else if (strcmp(name, "grid") == 0) p->section = SEC_GRID;
    else if (strncmp(name, "setup", 5) == 0 && (name[5] == ' ' || name[5] == '\t' || !name[5]))
        enter_setup(p, name + 5);
    else {
        report(p, p->line, "unknown section [%s] (expected [sweep], [base], [grid] or [setup NAME])",
               name);
        p->section = SEC_BAD;
    }
}

/* Looks at one line as inih will: a comment, a [section], or `key = value` / `key: value`. */
static void classify(Parser *p, const char *line)
{
    char copy[INI_MAX_LINE];
    snprintf(copy, sizeof copy, "%s", line);
    char *s = trim(copy);
    if (!*s || *s == ';' || *s == '#') return;
    if (*s == '[') {
        char *close = strchr(s, ']');
        if (!close) {
            report(p, p->line, "expected ']' to close the section name");
            p->section = SEC_BAD;
            return;
        }
        *close = '\0';
        enter_section(p, s + 1);
        return;
    }
    for (const char *c = s; *c; c++) {
        if (*c == '=' || *c == ':') return;
        if (*c == ';' && c > s && (c[-1] == ' ' || c[-1] == '\t')) break; /* inline comment */
    }
    report(p, p->line, "expected 'key = value' or a [section], got '%s'", s);
}

/* inih's line reader: one line per call, counted; leading blanks removed. */
static char *read_line(char *str, int num, void *stream)
{
    Parser *p = stream;
    if (p->pos >= p->len) return NULL;
    const char *start = p->text + p->pos;
    size_t left = p->len - p->pos;
    const char *newline = memchr(start, '\n', left);
    size_t n = newline ? (size_t)(newline - start) : left;
    p->pos += newline ? n + 1 : n;
    p->line++;
    str[0] = '\0';
    if (p->line == 1 && n >= 3 && memcmp(start, "\xEF\xBB\xBF", 3) == 0) start += 3, n -= 3;
    if (memchr(start, '\0', n)) {
        report(p, p->line, "holds a NUL byte (expected text)");
        return str;
    }
    if (n > (size_t)num - 2 || n > LINE_CHARS) {
        report(p, p->line, "line is longer than %d characters", LINE_CHARS);
        return str;
    }
    while (n > 0 && (*start == ' ' || *start == '\t')) start++, n--;
    memcpy(str, start, n);
    str[n] = '\0';
    classify(p, str);
    return str;
}

/* ---- keys and values -------------------------------------------------------------- */

/* Checks value for key as `train --config` would, plus that a game exists. */
static bool check_value(Parser *p, int line, const char *key, const char *value)
{
    ArcTrainConfig scratch;
    arc_train_config_defaults(&scratch);
    ArcErr e;
    if (arc_train_config_set(&scratch, key, value, &e)) {
        report(p, line, "%s%s", e.msg, strchr(value, ',') ? " (lists of values belong in [grid])" : "");
        return false;
    }
    if (strcmp(key, "game") == 0 && !arc_game_find(value)) {
        report(p, line, "unknown game '%s' (expected one of: %s)", value, arc_game_names());
        return false;
    }
    return true;
}

/* The table's spelling of a train key that may be set here, or NULL after a report. */
static const char *train_key(Parser *p, const char *name)
{
    const char *key = arc_train_config_key_name(name);
    if (!key) {
        report(p, p->line, "unknown key '%s' (arcade train --help lists the keys)", name);
        return NULL;
    }
    if (strcmp(key, "out") == 0) {
        report(p, p->line, "out is chosen by the sweep for each run (the sweep's own directory is "
                           "out = DIR under [sweep])");
        return NULL;
    }
    return key;
}

static void add_setting(Parser *p, Layer *layer, const char *name, const char *value)
{
    const char *where = layer->name ? "this [setup]" : "[base]";
    if (strcmp(name, "config") == 0) {
        if (layer->include)
            report(p, p->line, "config is given twice in %s (first at line %d)", where,
                   layer->include_line);
        else if (!*value) report(p, p->line, "config needs a file name");
        else {
            layer->include = strdup(value);
            layer->include_line = p->line;
        }
        return;
    }
    const char *key = train_key(p, name);
    if (!key) return;
    for (int i = 0; i < layer->num_settings; i++) {
        if (layer->settings[i].key != key) continue;
        report(p, p->line, "duplicate key '%s' in %s (first at line %d)", key, where,
               layer->settings[i].line);
        return;
    }
    if (!check_value(p, p->line, key, value)) return;
    layer->settings = realloc(layer->settings, (size_t)(layer->num_settings + 1) * sizeof(Setting));
    ARC_CHECK(layer->settings != NULL, "out of memory");
    layer->settings[layer->num_settings++] = (Setting){key, strdup(value), p->line};
}

static int compare_text(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static bool add_value(Parser *p, Axis *axis, const char *text, size_t n)
{
    if (axis->num_values >= ARC_SWEEP_MAX_RUNS) {
        report(p, p->line, "axis '%s' has more than %d values", axis->key, ARC_SWEEP_MAX_RUNS);
        return false;
    }
    const char *value = pool_add(p->plan, text, n);
    if (!check_value(p, p->line, axis->key, value)) return false;
    if (axis->num_values % 64 == 0) {
        axis->values = realloc(axis->values, (size_t)(axis->num_values + 64) * sizeof(char *));
        ARC_CHECK(axis->values != NULL, "out of memory");
    }
    axis->values[axis->num_values++] = value;
    return true;
}

/* "A..B": the integers A to B. */
static bool add_range(Parser *p, Axis *axis, const char *item)
{
    const char *dots = strstr(item, "..");
    char left[64], *end1, *end2;
    snprintf(left, sizeof left, "%.*s", (int)(dots - item), item);
    errno = 0;
    long long a = strtoll(trim(left), &end1, 10);
    long long b = strtoll(dots + 2, &end2, 10);
    while (*end2 == ' ' || *end2 == '\t') end2++;
    if (errno || !*trim(left) || *end1 || end2 == dots + 2 || *end2) {
        report(p, p->line, "'%s' in the list of '%s' is not a range of integers (expected A..B)",
               item, axis->key);
        return false;
    }
    if (b < a) {
        report(p, p->line, "range %s of '%s' runs backwards", item, axis->key);
        return false;
    }
    if (b - a >= ARC_SWEEP_MAX_RUNS) {
        report(p, p->line, "range %s of '%s' has more than %d values", item, axis->key,
               ARC_SWEEP_MAX_RUNS);
        return false;
    }
    for (long long v = a; v <= b; v++) {
        char text[32];
        int n = snprintf(text, sizeof text, "%lld", v);
        if (!add_value(p, axis, text, (size_t)n)) return false;
    }
    return true;
}

static void add_axis(Parser *p, const char *name, const char *value)
{
    if (strcmp(name, "config") == 0) {
        report(p, p->line, "config cannot be an axis (give each configuration a [setup NAME] "
                           "section with its own config = FILE)");
        return;
    }
    const char *key = train_key(p, name);
    if (!key) return;
    for (int i = 0; i < p->num_axes; i++) {
        if (p->axes[i].key != key) continue;
        report(p, p->line, "duplicate axis '%s' (first at line %d)", key, p->axes[i].line);
        return;
    }
    if (p->num_axes == ARC_SWEEP_MAX_COLUMNS) {
        report(p, p->line, "more than %d axes", ARC_SWEEP_MAX_COLUMNS);
        return;
    }
    Axis *axis = &p->axes[p->num_axes++];
    *axis = (Axis){.key = key, .line = p->line};
    char *list = strdup(value), *save = NULL;
    if (!*trim(list)) {
        report(p, p->line, "axis '%s' is empty (expected values such as 1, 2, 3 or a range 1..5)", key);
        free(list);
        return;
    }
    /* strtok_r would skip empty items: walk the commas by hand */
    bool ok = true;
    for (char *item = list; ok && item; item = save) {
        char *comma = strchr(item, ',');
        save = comma ? comma + 1 : NULL;
        if (comma) *comma = '\0';
        char *text = trim(item);
        if (!*text) {
            report(p, p->line, "empty value in the list of '%s'", key);
            ok = false;
        } else if (strstr(text, "..")) ok = add_range(p, axis, text);
        else ok = add_value(p, axis, text, strlen(text));
    }
    free(list);
    if (!ok || axis->num_values < 2) return;
    const char **sorted = arc_xmalloc((size_t)axis->num_values * sizeof *sorted);
    memcpy(sorted, axis->values, (size_t)axis->num_values * sizeof *sorted);
    qsort(sorted, (size_t)axis->num_values, sizeof *sorted, compare_text);
    for (int i = 1; i < axis->num_values; i++) {
        if (strcmp(sorted[i - 1], sorted[i]) != 0) continue;
        report(p, p->line, "value '%s' is listed twice for '%s'", sorted[i], key);
        break;
    }
    free(sorted);
}

static int on_pair(void *user, const char *section, const char *name, const char *value)
{
    (void)section; /* the reader tracks sections (inih truncates long names) */
    Parser *p = user;
    if (!*name) {
        report(p, p->line, "expected a key name before '='");
        return 1;
    }
    switch (p->section) {
    case SEC_NONE:
        report(p, p->line, "'%s' is outside a section (expected [sweep], [base], [grid] or "
                           "[setup NAME] above it)", name);
        break;
    case SEC_BAD: break; /* the section line has been reported */
    case SEC_SWEEP:
        if (strcmp(name, "out") != 0)
            report(p, p->line, "unknown key '%s' in [sweep] (expected out)", name);
        else if (p->out_line)
            report(p, p->line, "out is given twice in [sweep] (first at line %d)", p->out_line);
        else if (!*value || strlen(value) > ARC_SWEEP_OUT_MAX)
            report(p, p->line, "out must be a directory path of 1 to %d characters", ARC_SWEEP_OUT_MAX);
        else {
            snprintf(p->out, sizeof p->out, "%s", value);
            p->out_line = p->line;
        }
        break;
    case SEC_BASE: add_setting(p, &p->base, name, value); break;
    case SEC_VARIANT: add_setting(p, &p->setups[p->num_setups - 1], name, value); break;
    case SEC_GRID: add_axis(p, name, value); break;
    }
    return 1;
}

/* ---- planning --------------------------------------------------------------------- */

/* Applies a layer's include and settings on top of cfg. */
static bool build_layer(Parser *p, Layer *layer, const ArcTrainConfig *below, int below_line)
{
    layer->cfg = *below;
    layer->last_line = below_line > layer->line ? below_line : layer->line;
    if (layer->include) {
        char path[1200];
        if (layer->include[0] == '/' || !p->dir[0]) snprintf(path, sizeof path, "%s", layer->include);
        else snprintf(path, sizeof path, "%s/%s", p->dir, layer->include);
        struct stat st;
        if (stat(path, &st) != 0) {
            report(p, layer->include_line, "config = %s: cannot open %s: %s", layer->include, path,
                   strerror(errno));
            return false;
        }
        if (!S_ISREG(st.st_mode)) {
            report(p, layer->include_line, "config = %s: %s is not a regular file", layer->include, path);
            return false;
        }
        ArcErr e;
        if (arc_train_config_load(&layer->cfg, path, &e)) {
            char msg[sizeof(ArcErr) + 600];
            snprintf(msg, sizeof msg, "%s (included at %s:%d)", e.msg, p->plan->path, layer->include_line);
            add_error_text(p, msg);
            return false;
        }
        if (layer->include_line > layer->last_line) layer->last_line = layer->include_line;
    }
    for (int i = 0; i < layer->num_settings; i++) {
        const Setting *s = &layer->settings[i];
        ArcErr e;
        ARC_CHECK(arc_train_config_set(&layer->cfg, s->key, s->value, &e) == ARC_OK, "%s", e.msg);
        if (s->line > layer->last_line) layer->last_line = s->line;
    }
    return true;
}

/* An axis may not also be fixed by a key of [base] or a setup (includes may set it). */
static bool check_axes_not_fixed(Parser *p)
{
    for (int a = 0; a < p->num_axes; a++) {
        for (int v = -1; v < p->num_setups; v++) {
            const Layer *layer = v < 0 ? &p->base : &p->setups[v];
            for (int i = 0; i < layer->num_settings; i++) {
                if (layer->settings[i].key != p->axes[a].key) continue;
                report(p, p->axes[a].line, "'%s' is an axis and also set in %s%s%s (line %d); a key "
                       "is either fixed or varied", p->axes[a].key, layer->name ? "[setup " : "[base",
                       layer->name ? layer->name : "", "]", layer->settings[i].line);
                return false;
            }
        }
    }
    return true;
}

static void append_part(char *buf, size_t size, const char *key, const char *value)
{
    size_t n = strlen(buf);
    if (n + 2 >= size) return;
    if (n) buf[n++] = ',';
    int w = key ? snprintf(buf + n, size - n, "%s=", key) : 0;
    n = w < 0 || (size_t)w >= size - n ? size - 1 : n + (size_t)w;
    for (const char *c = value; *c && n + 1 < size; c++) buf[n++] = name_char(*c) ? *c : '_';
    buf[n] = '\0';
}

/* Compares two config texts line by line, skipping the `out = ` line. */
static int compare_configs(const char *a, const char *b)
{
    for (;;) {
        if (strncmp(a, "out = ", 6) == 0) a = strchr(a, '\n') ? strchr(a, '\n') + 1 : a + strlen(a);
        if (strncmp(b, "out = ", 6) == 0) b = strchr(b, '\n') ? strchr(b, '\n') + 1 : b + strlen(b);
        if (*a != *b) return (unsigned char)*a - (unsigned char)*b;
        if (!*a) return 0;
        a++, b++;
        if (a[-1] != '\n') {
            while (*a == *b && *a && *a != '\n') a++, b++;
            if (*a != *b) return (unsigned char)*a - (unsigned char)*b;
            if (!*a) return 0;
            a++, b++;
        }
    }
}

/* The next line of a config text that is not its `out = ` line: sets *len (without the
 * newline) and returns the line, or NULL at the end; *text moves past it. */
static const char *next_config_line(const char **text, size_t *len)
{
    for (;;) {
        const char *line = *text;
        if (!*line) return NULL;
        const char *newline = strchr(line, '\n');
        *len = newline ? (size_t)(newline - line) : strlen(line);
        *text = newline ? newline + 1 : line + *len;
        if (strncmp(line, "out = ", 6) != 0) return line;
    }
}

bool arc_sweep_config_differs(const char *x, const char *y, char *a, size_t a_size, char *b,
                              size_t b_size)
{
    for (;;) {
        size_t nx = 0, ny = 0;
        const char *lx = next_config_line(&x, &nx), *ly = next_config_line(&y, &ny);
        if (!lx && !ly) return false;
        if (lx && ly && nx == ny && memcmp(lx, ly, nx) == 0) continue;
        snprintf(a, a_size, "%.*s", lx ? (int)nx : 5, lx ? lx : "(end)");
        snprintf(b, b_size, "%.*s", ly ? (int)ny : 5, ly ? ly : "(end)");
        return true;
    }
}

static int compare_run_names(const void *x, const void *y)
{
    return strcmp((*(const ArcSweepRun *const *)x)->name, (*(const ArcSweepRun *const *)y)->name);
}

static int compare_run_configs(const void *x, const void *y)
{
    return compare_configs((*(const ArcSweepRun *const *)x)->config_text,
                           (*(const ArcSweepRun *const *)y)->config_text);
}

static bool check_distinct(Parser *p)
{
    ArcSweepPlan *plan = p->plan;
    ArcSweepRun **order = arc_xmalloc((size_t)plan->num_runs * sizeof *order);
    for (int i = 0; i < plan->num_runs; i++) order[i] = &plan->runs[i];
    bool ok = true;
    qsort(order, (size_t)plan->num_runs, sizeof *order, compare_run_names);
    for (int i = 1; ok && i < plan->num_runs; i++) {
        if (strcmp(order[i - 1]->name, order[i]->name) != 0) continue;
        report(p, order[i]->line, "two runs would share the directory '%s' (values that differ "
               "only in characters other than A-Z a-z 0-9 . _ + -?)", order[i]->name);
        ok = false;
    }
    qsort(order, (size_t)plan->num_runs, sizeof *order, compare_run_configs);
    for (int i = 1; ok && i < plan->num_runs; i++) {
        if (compare_configs(order[i - 1]->config_text, order[i]->config_text) != 0) continue;
        report(p, order[i]->line, "runs '%s' and '%s' have the same configuration (one value "
               "written two ways?)", order[i - 1]->name, order[i]->name);
        ok = false;
    }
    free(order);
    return ok;
}

static char *config_text(const ArcTrainConfig *cfg)
{
    char *text = NULL;
    size_t size = 0;
    FILE *mem = open_memstream(&text, &size);
    ARC_CHECK(mem != NULL, "open_memstream failed");
    arc_train_config_write(cfg, mem);
    fclose(mem);
    return text;
}

/* Crosses the setups with the axes (seed last, innermost) into plan->runs. */
static bool make_runs(Parser *p)
{
    ArcSweepPlan *plan = p->plan;
    int order[ARC_SWEEP_MAX_COLUMNS], n = 0, seed_axis = -1;
    for (int a = 0; a < p->num_axes; a++) {
        if (strcmp(p->axes[a].key, "seed") == 0) seed_axis = a;
        else order[n++] = a;
    }
    if (p->num_setups) snprintf(plan->columns[plan->num_columns++], sizeof plan->columns[0], "setup");
    for (int i = 0; i < n; i++)
        snprintf(plan->columns[plan->num_columns++], sizeof plan->columns[0], "%s", p->axes[order[i]].key);
    if (seed_axis >= 0) order[n++] = seed_axis;
    int layers = p->num_setups ? p->num_setups : 1;
    long long total = layers;
    for (int i = 0, line = 0; i < n; i++) {
        total *= p->axes[order[i]].num_values;
        if (p->axes[order[i]].line > line) line = p->axes[order[i]].line;
        if (total <= ARC_SWEEP_MAX_RUNS) continue;
        report(p, line, "the sweep would make more than %d runs", ARC_SWEEP_MAX_RUNS);
        return false;
    }
    plan->num_runs = (int)total;
    plan->runs = arc_xcalloc((size_t)total, sizeof *plan->runs);
    int index[ARC_SWEEP_MAX_COLUMNS + 1] = {0}; /* mixed-radix counter: layer, then axes */
    for (int r = 0; r < plan->num_runs; r++) {
        ArcSweepRun *run = &plan->runs[r];
        const Layer *layer = p->num_setups ? &p->setups[index[0]] : &p->base;
        run->cfg = layer->cfg;
        run->line = layer->last_line;
        int column = 0;
        if (p->num_setups) {
            run->values[column++] = layer->name;
            append_part(run->name, sizeof run->name, NULL, layer->name);
        }
        for (int i = 0; i < n; i++) {
            const Axis *axis = &p->axes[order[i]];
            const char *value = axis->values[index[i + 1]];
            ArcErr e;
            ARC_CHECK(arc_train_config_set(&run->cfg, axis->key, value, &e) == ARC_OK, "%s", e.msg);
            if (axis->line > run->line) run->line = axis->line;
            if (order[i] == seed_axis) continue;
            run->values[column++] = value;
            append_part(run->name, sizeof run->name, axis->key, value);
        }
        snprintf(run->group, sizeof run->group, "%s", run->name[0] ? run->name : "base");
        if (seed_axis >= 0) append_part(run->name, sizeof run->name, "seed", p->axes[seed_axis].values[index[n]]);
        if (!run->name[0]) snprintf(run->name, sizeof run->name, "run");
        if (strlen(run->name) >= ARC_SWEEP_NAME_MAX) {
            report(p, run->line, "the run directory name '%.60s...' is longer than %d characters",
                   run->name, ARC_SWEEP_NAME_MAX - 1);
            return false;
        }
        snprintf(run->cfg.out, sizeof run->cfg.out, "%s/%s", plan->out, run->name);
        ArcErr e;
        if (arc_train_config_finish(&run->cfg, &e)) {
            report(p, run->line, "run %s: %s", run->name, e.msg);
            return false;
        }
        run->config_text = config_text(&run->cfg);
        run->group_index = r == 0 ? 0 : run[-1].group_index + (strcmp(run->group, run[-1].group) != 0);
        for (int i = n; i >= 0; i--) { /* next combination */
            int radix = i == 0 ? layers : p->axes[order[i - 1]].num_values;
            if (++index[i] < radix) break;
            index[i] = 0;
        }
    }
    plan->num_groups = plan->runs[plan->num_runs - 1].group_index + 1;
    return check_distinct(p);
}

static void default_out(ArcSweepPlan *plan, char *out, size_t size)
{
    const char *base = strrchr(plan->path, '/');
    base = base ? base + 1 : plan->path;
    size_t n = strlen(base);
    if (n > 4 && strcmp(base + n - 4, ".ini") == 0) n -= 4;
    if (n == 0) base = "sweep", n = 5;
    snprintf(out, size, "sweeps/%.*s", (int)(n > 200 ? 200 : n), base);
}

static void free_layer(Layer *layer)
{
    for (int i = 0; i < layer->num_settings; i++) free(layer->settings[i].value);
    free(layer->settings);
    free(layer->include);
}

int arc_sweep_plan_text(ArcSweepPlan *plan, const char *text, size_t len, const char *path,
                        const char *out_override, ArcErr *err)
{
    memset(plan, 0, sizeof *plan);
    snprintf(plan->path, sizeof plan->path, "%s", path);
    Parser p = {.plan = plan, .text = text, .len = len};
    const char *slash = strrchr(path, '/');
    if (slash) snprintf(p.dir, sizeof p.dir, "%.*s", (int)(slash - path > 500 ? 500 : slash - path), path);
    if (slash == path) snprintf(p.dir, sizeof p.dir, "/");
    int status = ini_parse_stream(read_line, &p, on_pair, &p);
    if (status == -2) add_error_text(&p, "out of memory");
    if (!p.num_errors) {
        if (out_override && (!*out_override || strlen(out_override) > ARC_SWEEP_OUT_MAX))
            add_error_text(&p, "--out must be a directory path of 1 to 300 characters");
        else if (out_override) snprintf(plan->out, sizeof plan->out, "%s", out_override);
        else if (p.out_line) snprintf(plan->out, sizeof plan->out, "%s", p.out);
        else default_out(plan, plan->out, sizeof plan->out);
    }
    if (!p.num_errors && check_axes_not_fixed(&p)) {
        ArcTrainConfig defaults;
        arc_train_config_defaults(&defaults);
        bool ok = build_layer(&p, &p.base, &defaults, 0);
        for (int v = 0; ok && v < p.num_setups; v++)
            ok = build_layer(&p, &p.setups[v], &p.base.cfg, p.base.last_line);
        if (ok) make_runs(&p);
    }
    free_layer(&p.base);
    for (int v = 0; v < p.num_setups; v++) free_layer(&p.setups[v]);
    free(p.setups);
    for (int a = 0; a < p.num_axes; a++) free(p.axes[a].values);
    if (!p.num_errors) return ARC_OK;
    if (p.num_errors > MAX_ERRORS) {
        char more[64];
        snprintf(more, sizeof more, "(%d more errors not shown)", p.num_errors - MAX_ERRORS);
        p.num_errors = 1; /* append past the cap */
        add_error_text(&p, more);
    }
    plan->errors = p.errors;
    return arc_err_set(err, ARC_ERR_FORMAT, "%s", p.first.msg);
}

int arc_sweep_plan(ArcSweepPlan *plan, const char *path, const char *out_override, ArcErr *err)
{
    memset(plan, 0, sizeof *plan);
    struct stat st;
    FILE *f = NULL;
    if (stat(path, &st) != 0 || !(f = fopen(path, "rb")))
        return arc_err_set(err, ARC_ERR_IO, "%s: cannot open: %s", path, strerror(errno));
    if (!S_ISREG(st.st_mode) || st.st_size > MAX_FILE_BYTES) {
        fclose(f);
        return arc_err_set(err, ARC_ERR_IO, "%s: expected a sweep file (a regular file of at most %d bytes)",
                           path, MAX_FILE_BYTES);
    }
    char *text = arc_xmalloc((size_t)st.st_size + 1);
    size_t n = fread(text, 1, (size_t)st.st_size, f);
    fclose(f);
    int status = arc_sweep_plan_text(plan, text, n, path, out_override, err);
    free(text);
    return status;
}

void arc_sweep_plan_free(ArcSweepPlan *plan)
{
    for (int r = 0; r < plan->num_runs; r++) free(plan->runs[r].config_text);
    free(plan->runs);
    for (int i = 0; i < plan->pool_count; i++) free(plan->pool[i]);
    free(plan->pool);
    free(plan->errors);
    memset(plan, 0, sizeof *plan);
}

int arc_sweep_default_jobs(const ArcSweepPlan *plan)
{
    cpu_set_t set;
    long cores = sched_getaffinity(0, sizeof set, &set) == 0 ? CPU_COUNT(&set) : 1;
    int64_t threads = 1;
    for (int r = 0; r < plan->num_runs; r++)
        if (plan->runs[r].cfg.threads > threads) threads = plan->runs[r].cfg.threads;
    long jobs = cores / threads;
    return jobs < 1 ? 1 : (int)jobs;
}
