/* overfit_plot.c — data files, gnuplot scripts and the figures (see overfit_plot.h). */
#include "overfit_plot.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>

const char *const arc_overfit_figures[ARC_OVERFIT_NUM_FIGURES] = {"headline", "gap_heatmap",
                                                                  "precision", "curves"};

#define PATH 1100

static void value(FILE *f, double v) { isfinite(v) ? fprintf(f, " %.9g", v) : fprintf(f, " ?"); }

static void stat3(FILE *f, ArcOverfitStat st)
{
    value(f, st.iqm), value(f, st.low), value(f, st.high);
}

static FILE *open_in(const char *dir, const char *name, char *path, ArcErr *err)
{
    snprintf(path, PATH, "%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    if (!f) arc_err_set(err, ARC_ERR_IO, "%s: cannot write: %s", path, strerror(errno));
    return f;
}

static void panel_layout(int panels, int *cols, int *rows)
{
    *cols = panels < 3 ? panels : 3;
    *rows = (panels + *cols - 1) / *cols;
}

/* "N = 16" */
static void panel_title(int64_t levels, char *buf, size_t size)
{
    char label[32];
    arc_overfit_levels_label(levels, label, sizeof label);
    snprintf(buf, size, "%s", levels == ARC_OVERFIT_LEVELS_OFF ? "no level mode" : "");
    if (levels != ARC_OVERFIT_LEVELS_OFF) snprintf(buf, size, "N = %s training levels", label);
}

static bool any_measured(const ArcOverfitSummary *s, int metric)
{
    for (int w = 0; w < s->num_widths; w++)
        if (s->by_width[w * ARC_OF_NUM_METRICS + metric].n) return true;
    return false;
}

static const char *const EMPTY_PLOT =
    "unset border\nunset tics\nunset key\nplot [0:1][0:1] 2 notitle\n";

/* an empty panel saying why, leaving the settings of the next panel as they were */
static void empty_panel(FILE *gp, const char *why)
{
    fprintf(gp, "set label 1 '%s' at graph 0.5,0.5 center\nplot [1:10][0:1] 2 notitle\nunset label 1\n", why);
}

/* does the panel of levels index l have a finished cell (a measured final return)? */
static bool panel_has_data(const ArcOverfitSummary *s, int l)
{
    for (int w = 0; w < s->num_widths; w++)
        if (s->groups[w * s->num_levels + l].final[ARC_OF_TRAIN].n) return true;
    return false;
}

static void headline(FILE *gp, FILE *dat, const char *dat_path, const ArcOverfitPlan *plan,
                     const ArcOverfitSummary *s)
{
    for (int l = 0; l < s->num_levels; l++) {
        fprintf(dat, "# N index %d: params train_iqm low high test_iqm low high\n", l);
        for (int w = 0; w < s->num_widths; w++) {
            const ArcOverfitGroup *g = &s->groups[w * s->num_levels + l];
            fprintf(dat, "%lld", (long long)g->params);
            stat3(dat, g->final[ARC_OF_TRAIN]), stat3(dat, g->final[ARC_OF_TEST]);
            fputc('\n', dat);
        }
        fprintf(dat, "\n\n");
    }
    int cols, rows;
    panel_layout(s->num_levels, &cols, &rows);
    fprintf(gp, "set multiplot layout %d,%d title '%s %s: return against parameters (IQM over runs, 95%% bands)'\n",
            rows, cols, plan->algo, plan->game);
    fprintf(gp, "set logscale x\nset format x '10^{%%L}'\nset xlabel 'parameters'\nset ylabel 'return'\n"
                "set grid\nset key top left\nset style fill transparent solid 0.25 noborder\n");
    for (int l = 0; l < s->num_levels; l++) {
        char title[64];
        panel_title(s->groups[l].levels, title, sizeof title);
        fprintf(gp, "set title '%s'\n", title);
        if (!panel_has_data(s, l)) {
            empty_panel(gp, "no finished cell yet");
            continue;
        }
        fprintf(gp,
                "plot '%s' index %d using 1:2:5 with filledcurves fs transparent pattern 4 lc rgb '#b07010' title 'gap (train - test)', \\\n"
                "  '' index %d using 1:3:4 with filledcurves lc rgb '#3060c0' notitle, \\\n"
                "  '' index %d using 1:6:7 with filledcurves lc rgb '#c03030' notitle, \\\n"
                "  '' index %d using 1:2 with linespoints lw 2 pt 7 lc rgb '#3060c0' title 'train levels', \\\n"
                "  '' index %d using 1:5 with linespoints lw 2 pt 7 lc rgb '#c03030' title 'test levels'\n",
                dat_path, l, l, l, l, l);
    }
    fprintf(gp, "unset multiplot\n");
}

static void heatmap(FILE *gp, FILE *dat, const char *dat_path, const ArcOverfitPlan *plan,
                    const ArcOverfitSummary *s)
{
    bool measured = false;
    double extent = 0;
    for (int w = 0; w < s->num_widths; w++)
        for (int l = 0; l < s->num_levels; l++) {
            double gap = s->groups[w * s->num_levels + l].final[ARC_OF_GAP].iqm;
            measured |= isfinite(gap);
            if (isfinite(gap)) extent = fmax(extent, fabs(gap));
            fprintf(dat, "%d %d", w, l);
            value(dat, gap);
            fputc('\n', dat);
        }
    fprintf(gp, "set title '%s %s: generalisation gap, train - test return (IQM over runs)'\n",
            plan->algo, plan->game);
    if (!measured) {
        fprintf(gp, "set label 'no gap measured yet' at graph 0.5,0.5 center\n%s", EMPTY_PLOT);
        return;
    }
    fprintf(gp, "set xlabel 'width multiplier k'\nset ylabel 'training levels N'\nset xtics (");
    for (int w = 0; w < s->num_widths; w++) fprintf(gp, "%s'%g' %d", w ? ", " : "", plan->widths[w], w);
    fprintf(gp, ")\nset ytics (");
    for (int l = 0; l < s->num_levels; l++) {
        char label[32];
        arc_overfit_levels_label(plan->levels[l], label, sizeof label);
        fprintf(gp, "%s'%s' %d", l ? ", " : "", label, l);
    }
    fprintf(gp, ")\nset xrange [-0.5:%d.5]\nset yrange [-0.5:%d.5]\n", s->num_widths - 1, s->num_levels - 1);
    fprintf(gp, "set palette defined (-1 '#3060c0', 0 'white', 1 '#c03030')\nset cblabel 'gap'\n"
                "set cbrange [%.9g:%.9g]\n"
                "plot '%s' using 1:2:(0.5):(0.5):3 with boxxyerror fs solid 1.0 noborder fc palette notitle, \\\n"
                "  '' using 1:2:(sprintf('%%.2f', $3)) with labels notitle\n",
            -(extent > 0 ? extent : 1), extent > 0 ? extent : 1, dat_path);
}

static void precision(FILE *gp, FILE *dat, const char *dat_path, const ArcOverfitPlan *plan,
                      const ArcOverfitSummary *s)
{
    fprintf(dat, "# width kappa(iqm low high) agree_fp16 agree_bf16 agree_int8 (iqm low high each)\n");
    for (int w = 0; w < s->num_widths; w++) {
        const ArcOverfitStat *st = &s->by_width[w * ARC_OF_NUM_METRICS];
        fprintf(dat, "%.9g", plan->widths[w]);
        stat3(dat, st[ARC_OF_KAPPA]), stat3(dat, st[ARC_OF_AGREE_FP16]);
        stat3(dat, st[ARC_OF_AGREE_BF16]), stat3(dat, st[ARC_OF_AGREE_INT8]);
        fputc('\n', dat);
    }
    fprintf(gp, "set title '%s %s: condition number and precision agreement (IQM over every N)'\n",
            plan->algo, plan->game);
    if (!any_measured(s, ARC_OF_KAPPA) && !any_measured(s, ARC_OF_AGREE_FP16)) {
        fprintf(gp, "set label 'no probed network yet' at graph 0.5,0.5 center\n%s",
                EMPTY_PLOT);
        return;
    }
    fprintf(gp, "set logscale x 2\nset xlabel 'width multiplier k'\nset logscale y\nset ylabel 'kappa'\n"
                "set y2label 'greedy-action agreement'\nset y2range [*:1.002]\nset y2tics\nset ytics nomirror\n"
                "set grid\nset key bottom left\n"
                "plot '%s' using 1:2:3:4 with yerrorlines lw 2 pt 7 lc rgb 'black' title 'kappa', \\\n"
                "  '' using 1:5:6:7 axes x1y2 with yerrorlines lw 2 pt 5 title 'fp16', \\\n"
                "  '' using 1:8:9:10 axes x1y2 with yerrorlines lw 2 pt 9 title 'bf16', \\\n"
                "  '' using 1:11:12:13 axes x1y2 with yerrorlines lw 2 pt 11 title 'int8'\n",
            dat_path);
}

static void curves(FILE *gp, FILE *dat, const char *dat_path, const ArcOverfitPlan *plan,
                   const ArcOverfitSummary *s)
{
    for (int l = 0; l < s->num_levels; l++)
        for (int w = 0; w < s->num_widths; w++) {
            const ArcOverfitGroup *g = &s->groups[w * s->num_levels + l];
            fprintf(dat, "# index %d: N index %d, k %g: frames train_iqm test_iqm\n",
                    l * s->num_widths + w, l, g->width);
            for (int k = 0; k < g->num_curve; k++) {
                fprintf(dat, "%.9g", g->curve[k].frames);
                value(dat, g->curve[k].train.iqm), value(dat, g->curve[k].test.iqm);
                fputc('\n', dat);
            }
            if (g->num_curve == 0) fprintf(dat, "? ? ?\n");
            fprintf(dat, "\n\n");
        }
    int cols, rows;
    panel_layout(s->num_levels, &cols, &rows);
    fprintf(gp, "set multiplot layout %d,%d title '%s %s: learning curves (IQM over runs; test solid, train dashed)'\n",
            rows, cols, plan->algo, plan->game);
    fprintf(gp, "set logscale x\nset format x '10^{%%L}'\nset xlabel 'frames'\nset ylabel 'return'\n"
                "set grid\nset key top left\n");
    for (int l = 0; l < s->num_levels; l++) {
        char title[64];
        panel_title(s->groups[l].levels, title, sizeof title);
        fprintf(gp, "set title '%s'\n", title);
        if (!panel_has_data(s, l)) {
            empty_panel(gp, "no finished cell yet");
            continue;
        }
        fprintf(gp, "plot ");
        for (int w = 0; w < s->num_widths; w++) {
            int index = l * s->num_widths + w;
            fprintf(gp, "%s'%s' index %d using 1:3 with linespoints lw 2 pt 7 lc %d title 'k = %g', \\\n"
                        "  '' index %d using 1:2 with lines dt 2 lw 1 lc %d notitle",
                    w ? ", \\\n  " : "", dat_path, index, w + 1, plan->widths[w], index, w + 1);
        }
        fprintf(gp, "\n");
    }
    fprintf(gp, "unset multiplot\n");
}

static int draw(const char *dir, const char *name, int panels, ArcErr *err)
{
    const char *terms[2][2] = {{"png", "pngcairo"}, {"svg", "svg dynamic"}};
    int cols, rows;
    panel_layout(panels, &cols, &rows);
    for (int t = 0; t < 2; t++) {
        char out[PATH];
        snprintf(out, sizeof out, "%s/%s.%s", dir, name, terms[t][0]);
        FILE *gp = popen("gnuplot 2>/dev/null", "w");
        if (!gp) return arc_err_set(err, ARC_ERR_IO, "cannot run gnuplot for %s", out);
        fprintf(gp, "set terminal %s size %d,%d font 'DejaVu Sans,10' enhanced\n"
                    "set output '%s'\nset datafile separator whitespace\nset datafile missing '?'\n"
                    "load '%s/%s.gp'\nunset output\n",
                terms[t][1], cols > 1 ? 460 * cols + 60 : 680, 380 * rows + 40, out, dir, name);
        int status = pclose(gp);
        if (status == -1 || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
            return arc_err_set(err, ARC_ERR_IO, "gnuplot failed to draw %s (is gnuplot-nox installed? "
                               "the script is %s/%s.gp)", out, dir, name);
    }
    return ARC_OK;
}

int arc_overfit_plot(const char *dir, const ArcOverfitPlan *plan, const ArcOverfitSummary *s,
                     ArcErr *err)
{
    if (mkdir(dir, 0777) != 0 && errno != EEXIST)
        return arc_err_set(err, ARC_ERR_IO, "%s: cannot create: %s", dir, strerror(errno));
    typedef void (*Figure)(FILE *, FILE *, const char *, const ArcOverfitPlan *, const ArcOverfitSummary *);
    const Figure figures[ARC_OVERFIT_NUM_FIGURES] = {headline, heatmap, precision, curves};
    const int panels[ARC_OVERFIT_NUM_FIGURES] = {s->num_levels, 1, 1, s->num_levels};
    for (int i = 0; i < ARC_OVERFIT_NUM_FIGURES; i++) {
        char gp_path[PATH], dat_path[PATH], name[64];
        snprintf(name, sizeof name, "%s.dat", arc_overfit_figures[i]);
        FILE *dat = open_in(dir, name, dat_path, err);
        if (!dat) return ARC_ERR_IO;
        snprintf(name, sizeof name, "%s.gp", arc_overfit_figures[i]);
        FILE *gp = open_in(dir, name, gp_path, err);
        if (!gp) {
            fclose(dat);
            return ARC_ERR_IO;
        }
        figures[i](gp, dat, dat_path, plan, s);
        bool ok = fclose(dat) == 0;
        ok = fclose(gp) == 0 && ok;
        if (!ok) return arc_err_set(err, ARC_ERR_IO, "%s: cannot write", gp_path);
        int status = draw(dir, arc_overfit_figures[i], panels[i], err);
        if (status) return status;
    }
    return ARC_OK;
}
