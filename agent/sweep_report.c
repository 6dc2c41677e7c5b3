/* sweep_report.c — a sweep's tables and curves, read from its run directories (see
 * sweep.h). Reads only what the runs wrote (summary.json, error.txt, metrics.csv), so it
 * can run anywhere the directories are visible, after any subset of the runs. */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "../common/rng.h"
#include "../common/stats.h"
#include "sweep.h"

#define CURVE_POINTS 101
#define BOOTSTRAP_RESAMPLES 2000
#define BOOTSTRAP_SEED 20261128u

static const char *const colors[] = {"#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd",
                                     "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"};
#define NUM_COLORS (int)(sizeof colors / sizeof colors[0])

/* Opens path.tmp for writing; close_atomically renames it over path. */
static FILE *open_atomically(const char *path, ArcErr *err)
{
    char tmp[800];
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    FILE *f = fopen(tmp, "w");
    if (!f) arc_err_set(err, ARC_ERR_IO, "%s: cannot write: %s", tmp, strerror(errno));
    return f;
}

static int close_atomically(FILE *f, const char *path, ArcErr *err)
{
    char tmp[800];
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    bool ok = !ferror(f);
    if (fclose(f) != 0) ok = false;
    if (ok && rename(tmp, path) != 0) ok = false;
    if (!ok) return arc_err_set(err, ARC_ERR_IO, "%s: cannot write: %s", path, strerror(errno));
    return ARC_OK;
}

static void csv_field(FILE *f, const char *text)
{
    if (!strpbrk(text, ",\"\n")) {
        fputs(text, f);
        return;
    }
    fputc('"', f);
    for (const char *c = text; *c; c++) {
        if (*c == '"') fputc('"', f);
        fputc(*c == '\n' ? ' ' : *c, f);
    }
    fputc('"', f);
}

static int write_results_csv(const ArcSweepPlan *plan, const ArcSweepOutcome *outcomes, ArcErr *err)
{
    char path[400];
    snprintf(path, sizeof path, "%s/results.csv", plan->out);
    FILE *f = open_atomically(path, err);
    if (!f) return ARC_ERR_IO;
    fprintf(f, "run");
    for (int c = 0; c < plan->num_columns; c++) fprintf(f, ",%s", plan->columns[c]);
    fprintf(f, ",seed,final_return_mean100,frames,wall_s,status,error\n");
    for (int r = 0; r < plan->num_runs; r++) {
        const ArcSweepRun *run = &plan->runs[r];
        const ArcSweepOutcome *o = &outcomes[r];
        csv_field(f, run->name);
        for (int c = 0; c < plan->num_columns; c++) fprintf(f, ",%s", run->values[c]);
        fprintf(f, ",%lld,", (long long)run->cfg.seed);
        if (o->state == ARC_SWEEP_DONE)
            fprintf(f, "%.4f,%lld,%.1f", o->return_mean100, (long long)o->frames, o->wall_seconds);
        else fprintf(f, ",,");
        fprintf(f, ",%s,", arc_sweep_state_name(o->state));
        csv_field(f, o->error);
        fputc('\n', f);
    }
    return close_atomically(f, path, err);
}

static int write_results_md(const ArcSweepPlan *plan, const ArcSweepOutcome *outcomes,
                            const ArcSweepCounts *counts, bool curves, ArcErr *err)
{
    char path[400];
    snprintf(path, sizeof path, "%s/results.md", plan->out);
    FILE *f = open_atomically(path, err);
    if (!f) return ARC_ERR_IO;
    fprintf(f, "# Sweep `%s`\n\n%d runs in `%s`: %d done, %d failed, %d unfinished, %d pending.\n\n",
            plan->path, plan->num_runs, plan->out, counts->done, counts->failed, counts->unfinished,
            counts->pending);
    fprintf(f, "One row per configuration (its runs differ only by seed), over its finished runs: "
               "the final return (mean of the last 100 episodes of each run), its mean ± standard "
               "deviation over seeds, the interquartile mean (IQM) with a percentile-bootstrap 95%% "
               "confidence interval (%d resamples of the seeds), and the mean wall time per run.\n\n",
            BOOTSTRAP_RESAMPLES);
    if (plan->num_columns == 0) fprintf(f, "| configuration ");
    for (int c = 0; c < plan->num_columns; c++) fprintf(f, "| %s ", plan->columns[c]);
    fprintf(f, "| seeds done | final return mean ± std | IQM [95%% CI] | frames | wall s per run |\n");
    for (int c = 0; c < (plan->num_columns ? plan->num_columns : 1); c++) fprintf(f, "|---");
    fprintf(f, "|---|---|---|---|---|\n");
    double *values = arc_xmalloc((size_t)plan->num_runs * sizeof(double));
    ArcRng rng;
    for (int g = 0, r = 0; g < plan->num_groups; g++) {
        int count = 0, total = 0;
        double wall = 0;
        int64_t frames = 0;
        const ArcSweepRun *first = &plan->runs[r];
        for (; r < plan->num_runs && plan->runs[r].group_index == g; r++, total++) {
            if (outcomes[r].state != ARC_SWEEP_DONE) continue;
            values[count++] = outcomes[r].return_mean100;
            wall += outcomes[r].wall_seconds;
            frames = outcomes[r].frames;
        }
        if (plan->num_columns == 0) fprintf(f, "| %s ", first->group);
        for (int c = 0; c < plan->num_columns; c++) fprintf(f, "| %s ", first->values[c]);
        fprintf(f, "| %d of %d |", count, total);
        if (!count) {
            fprintf(f, " – | – | – | – |\n");
            continue;
        }
        ArcSummary s = arc_stats_summary(values, count);
        double low, high;
        arc_rng_seed(&rng, BOOTSTRAP_SEED);
        arc_stats_bootstrap(values, count, ARC_STAT_IQM, BOOTSTRAP_RESAMPLES, 0.05, &rng, &low, &high);
        fprintf(f, " %.2f ± %.2f | %.2f [%.2f, %.2f] | %lld | %.1f |\n", s.mean, s.std, s.iqm, low,
                high, (long long)frames, wall / count);
    }
    free(values);
    if (curves) fprintf(f, "\n![learning curves](curves.png)\n");
    return close_atomically(f, path, err);
}

/* ---- curves ------------------------------------------------------------------------ */

typedef struct Curve {
    double *frames, *values;
    int count;
} Curve;

/* frames and return_mean100 of each row of DIR/metrics.csv. */
static Curve read_curve(const ArcSweepRun *run)
{
    Curve curve = {0};
    char path[700], line[512];
    snprintf(path, sizeof path, "%s/metrics.csv", run->cfg.out);
    FILE *f = fopen(path, "r");
    if (!f) return curve;
    int cap = 0;
    bool header = true;
    while (fgets(line, sizeof line, f)) {
        if (header) {
            header = false;
            continue;
        }
        char *end;
        double frames = strtod(line, &end), value = 0;
        const char *field = line;
        for (int i = 0; i < 5 && field; i++) field = strchr(field, ','), field = field ? field + 1 : NULL;
        if (end == line || !field || !strchr(line, '\n')) continue; /* a partial last line */
        value = strtod(field, NULL);
        if (!isfinite(frames) || !isfinite(value)) continue;
        if (curve.count == cap) {
            cap = cap ? 2 * cap : 256;
            curve.frames = realloc(curve.frames, (size_t)cap * sizeof(double));
            curve.values = realloc(curve.values, (size_t)cap * sizeof(double));
            ARC_CHECK(curve.frames && curve.values, "out of memory");
        }
        curve.frames[curve.count] = frames;
        curve.values[curve.count++] = value;
    }
    fclose(f);
    return curve;
}

/* The curve's value at x by linear interpolation; false outside its frames. */
static bool curve_at(const Curve *c, double x, double *value)
{
    if (c->count == 0 || x < c->frames[0] || x > c->frames[c->count - 1]) return false;
    int lo = 0, hi = c->count - 1;
    while (hi - lo > 1) {
        int mid = (lo + hi) / 2;
        if (c->frames[mid] <= x) lo = mid;
        else hi = mid;
    }
    double span = c->frames[hi] - c->frames[lo];
    double t = span > 0 ? (x - c->frames[lo]) / span : 0;
    if (t < 0) t = 0;
    if (t > 1) t = 1;
    *value = c->values[lo] + t * (c->values[hi] - c->values[lo]);
    return true;
}

/* Writes OUT/curves.csv (configuration,frames,mean,min,max,runs) and, per group, a gnuplot
 * datablock into gp; returns the number of groups with data. */
static int write_curves_data(const ArcSweepPlan *plan, FILE *csv, FILE *gp, int *points)
{
    int with_data = 0;
    fprintf(csv, "configuration,frames,mean,min,max,runs\n");
    for (int g = 0, r = 0; g < plan->num_groups; g++) {
        int first = r;
        while (r < plan->num_runs && plan->runs[r].group_index == g) r++;
        int n = r - first;
        Curve *curves = arc_xcalloc((size_t)n, sizeof *curves);
        double last = 0;
        for (int i = 0; i < n; i++) {
            curves[i] = read_curve(&plan->runs[first + i]);
            if (curves[i].count && curves[i].frames[curves[i].count - 1] > last)
                last = curves[i].frames[curves[i].count - 1];
        }
        points[g] = 0;
        for (int k = 0; k < CURVE_POINTS && last > 0; k++) {
            double x = last * k / (CURVE_POINTS - 1), sum = 0, lo = INFINITY, hi = -INFINITY, v;
            int covered = 0;
            for (int i = 0; i < n; i++) {
                if (!curve_at(&curves[i], x, &v)) continue;
                sum += v, covered++;
                lo = v < lo ? v : lo, hi = v > hi ? v : hi;
            }
            if (!covered) continue;
            if (!points[g]) fprintf(gp, "$g%d << EOD\n", g);
            points[g]++;
            fprintf(gp, "%.1f %.6g %.6g %.6g\n", x, sum / covered, lo, hi);
            csv_field(csv, plan->runs[first].group);
            fprintf(csv, ",%.1f,%.6g,%.6g,%.6g,%d\n", x, sum / covered, lo, hi, covered);
        }
        if (points[g]) fprintf(gp, "EOD\n"), with_data++;
        for (int i = 0; i < n; i++) free(curves[i].frames), free(curves[i].values);
        free(curves);
    }
    return with_data;
}

/* curves.csv and curves.png; returns false with note when the picture cannot be drawn. */
static bool draw_curves(const ArcSweepPlan *plan, char *note, size_t note_size, ArcErr *err, int *status)
{
    char csv_path[400], png[400];
    snprintf(csv_path, sizeof csv_path, "%s/curves.csv", plan->out);
    snprintf(png, sizeof png, "%s/curves.png", plan->out);
    FILE *csv = open_atomically(csv_path, err);
    if (!csv) {
        *status = ARC_ERR_IO;
        return false;
    }
    char *script = NULL;
    size_t script_size = 0;
    FILE *gp = open_memstream(&script, &script_size);
    ARC_CHECK(gp != NULL, "open_memstream failed");
    int *points = arc_xcalloc((size_t)plan->num_groups, sizeof *points);
    int groups = write_curves_data(plan, csv, gp, points);
    *status = close_atomically(csv, csv_path, err);
    char title[200];
    snprintf(title, sizeof title, "%.150s", plan->path);
    for (char *c = title; *c; c++)
        if (*c == '\'' || *c == '\\') *c = '_';
    fprintf(gp, "set terminal pngcairo size 1000,600 font 'DejaVu Sans,10' noenhanced\n"
                "set output '%s'\nset title 'sweep %s: mean over seeds, band from the lowest to the highest seed'\n"
                "set xlabel 'frames'\nset ylabel 'return, mean of the last 100 episodes'\n"
                "set format x '%%.1s%%c'\nset grid\nset key %s\nplot ",
            png, title, groups > 3 ? "outside right top" : "top left");
    for (int g = 0, k = 0; g < plan->num_groups; g++) {
        if (!points[g]) continue;
        const char *color = colors[k % NUM_COLORS];
        const ArcSweepRun *run = plan->runs;
        while (run->group_index != g) run++;
        fprintf(gp, "%s$g%d using 1:3:4 with filledcurves fillcolor rgb '%s' fillstyle transparent "
                    "solid 0.2 noborder notitle, $g%d using 1:2 with %s linecolor rgb '%s' title '%s'",
                k ? ", " : "", g, color, g, points[g] > 1 ? "lines linewidth 2" : "points pointtype 7",
                color, run->group);
        k++;
    }
    fputc('\n', gp);
    fclose(gp);
    free(points);
    bool drawn = false;
    if (!groups) snprintf(note, note_size, "no run has logged metrics yet: %s not drawn", png);
    else if (strchr(png, '\'')) snprintf(note, note_size, "%s: a path with a quote cannot be given to gnuplot", png);
    else {
        FILE *pipe = popen("gnuplot 2>/dev/null", "w");
        if (pipe) fputs(script, pipe);
        int exit = pipe ? pclose(pipe) : -1;
        drawn = exit != -1 && WIFEXITED(exit) && WEXITSTATUS(exit) == 0;
        if (!drawn) snprintf(note, note_size, "gnuplot failed to draw %s (is gnuplot-nox installed?)", png);
    }
    free(script);
    return drawn;
}

int arc_sweep_report(const ArcSweepPlan *plan, ArcSweepCounts *counts, char *note,
                     size_t note_size, ArcErr *err)
{
    note[0] = '\0';
    ArcSweepOutcome *outcomes = arc_xcalloc((size_t)plan->num_runs, sizeof *outcomes);
    int done = 0, failed = 0, unfinished = 0, pending = 0;
    for (int r = 0; r < plan->num_runs; r++) {
        arc_sweep_outcome(&plan->runs[r], &outcomes[r]);
        switch (outcomes[r].state) {
        case ARC_SWEEP_DONE: done++; break;
        case ARC_SWEEP_FAILED: failed++; break;
        case ARC_SWEEP_UNFINISHED: unfinished++; break;
        case ARC_SWEEP_PENDING: pending++; break;
        }
    }
    counts->done = done, counts->failed = failed, counts->unfinished = unfinished, counts->pending = pending;
    int status = write_results_csv(plan, outcomes, err);
    int curves_status = ARC_OK;
    bool curves = !status && draw_curves(plan, note, note_size, err, &curves_status);
    if (!status) status = curves_status;
    if (!status) status = write_results_md(plan, outcomes, counts, curves, err);
    free(outcomes);
    return status;
}
