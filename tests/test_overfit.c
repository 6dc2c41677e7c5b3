/* test_overfit.c — the overfitting harness: the plan and its cells, the checkpoint
 * schedule, points and their CSV, the statistics and summary.json from synthetic points,
 * and a tiny real run through bin/arcade that writes every file and, run again, redoes
 * nothing. */
#include <cJSON.h>
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "../agent/overfit_plan.h"
#include "../agent/overfit_plot.h"
#include "../agent/overfit_results.h"
#include "../agent/overfit_stats.h"
#include "../agent/train_config.h"
#include "run_cli.h"

static ArcOverfitPlan small_plan(void)
{
    ArcOverfitPlan plan;
    arc_overfit_plan_defaults(&plan);
    ArcErr err;
    cr_assert_eq(arc_overfit_parse_widths(&plan, "0.125,1,2", "widths", &err), ARC_OK);
    cr_assert_eq(arc_overfit_parse_levels(&plan, "1,inf", "train-levels", &err), ARC_OK);
    plan.runs = 2;
    plan.seed = 7;
    snprintf(plan.out, sizeof plan.out, "/tmp/h");
    return plan;
}

Test(overfit, cells_enumerate_width_levels_run_with_unique_names)
{
    ArcOverfitPlan plan = small_plan();
    cr_assert_eq(arc_overfit_num_cells(&plan), 3 * 2 * 2);
    ArcOverfitCell c = arc_overfit_cell(&plan, 0);
    cr_assert_str_eq(c.name, "k0.125-n1-r1");
    cr_assert_eq(c.seed, 7);
    c = arc_overfit_cell(&plan, 3);
    cr_assert_str_eq(c.name, "k0.125-ninf-r2");
    cr_assert_eq(c.levels, ARC_OVERFIT_LEVELS_INF);
    cr_assert_eq(c.run, 2);
    cr_assert_eq(c.seed, 8, "run r trains with seed + r - 1");
    c = arc_overfit_cell(&plan, 11);
    cr_assert_str_eq(c.name, "k2-ninf-r2");
    char dir[600];
    arc_overfit_cell_dir(&plan, &c, dir, sizeof dir);
    cr_assert_str_eq(dir, "/tmp/h/cells/k2-ninf-r2");
    for (int i = 0; i < 12; i++)
        for (int j = i + 1; j < 12; j++)
            cr_assert_str_neq(arc_overfit_cell(&plan, i).name, arc_overfit_cell(&plan, j).name);
}

Test(overfit, list_flags_reject_bad_items_by_name)
{
    ArcOverfitPlan plan;
    arc_overfit_plan_defaults(&plan);
    ArcErr err;
    cr_assert_eq(arc_overfit_parse_widths(&plan, "0.5,0.01", "widths", &err), ARC_ERR_ARG);
    cr_assert(strstr(err.msg, "--widths") && strstr(err.msg, "0.01"), "%s", err.msg);
    cr_assert_eq(arc_overfit_parse_widths(&plan, "1,1", "widths", &err), ARC_ERR_ARG);
    cr_assert_eq(arc_overfit_parse_widths(&plan, "", "widths", &err), ARC_ERR_ARG);
    cr_assert_eq(arc_overfit_parse_levels(&plan, "4,0", "train-levels", &err), ARC_ERR_ARG);
    cr_assert(strstr(err.msg, "--train-levels"), "%s", err.msg);
    cr_assert_eq(arc_overfit_parse_levels(&plan, "4,x", "train-levels", &err), ARC_ERR_ARG);
    cr_assert_eq(arc_overfit_parse_levels(&plan, "off,16,inf", "train-levels", &err), ARC_OK);
    cr_assert_eq(plan.num_levels, 3);
    cr_assert_eq(plan.levels[0], ARC_OVERFIT_LEVELS_OFF);
    cr_assert_eq(plan.levels[1], 16);
    cr_assert_eq(arc_overfit_plan_preset(&plan, "huge", &err), ARC_ERR_ARG);
    cr_assert_eq(arc_overfit_plan_preset(&plan, "quick", &err), ARC_OK);
    cr_assert_eq(arc_overfit_num_cells(&plan), 5 * 3 * 3);
}

Test(overfit, log_checkpoint_schedule)
{
    ArcTrainConfig cfg;
    arc_train_config_defaults(&cfg);
    cfg.checkpoint_every = 0;
    cr_assert_eq(arc_train_config_next_checkpoint(&cfg, 0), 0, "no schedule, no checkpoint");
    cfg.checkpoint_log = 4; /* 10^(j/4) from 1000: 1000, 1778, 3162, 5623, 10000 */
    cr_assert_eq(arc_train_config_next_checkpoint(&cfg, 0), 1000);
    cr_assert_eq(arc_train_config_next_checkpoint(&cfg, 1000), 1778);
    cr_assert_eq(arc_train_config_next_checkpoint(&cfg, 1120), 1778);
    cr_assert_eq(arc_train_config_next_checkpoint(&cfg, 5623), 10000);
    cfg.checkpoint_log = 1;
    cfg.checkpoint_every = 1500; /* the earlier of the two schedules */
    cr_assert_eq(arc_train_config_next_checkpoint(&cfg, 0), 1000);
    cr_assert_eq(arc_train_config_next_checkpoint(&cfg, 1000), 1500);
    cr_assert_eq(arc_train_config_next_checkpoint(&cfg, 9000), 10000);
    cr_assert_eq(arc_train_config_next_checkpoint(&cfg, 10000), 10500);
}

static ArcOverfitPoint point(const char *cell, double width, int64_t levels, int run, int64_t frames,
                             bool final, double train, double test)
{
    ArcOverfitPoint p;
    arc_overfit_point_clear(&p);
    snprintf(p.cell, sizeof p.cell, "%s", cell);
    p.width = width, p.levels = levels, p.run = run, p.seed = run, p.frames = frames, p.final = final;
    p.params = (int64_t)(1000 * width);
    p.flops_per_forward = 2000 * width;
    p.wall_s = frames / 1000.0;
    p.train_return = train, p.test_return = test;
    arc_overfit_point_gap(&p);
    return p;
}

Test(overfit, gap_absolute_and_normalised)
{
    ArcOverfitPoint p = point("c", 1, 1, 1, 10, true, 10, 4);
    cr_assert_float_eq(p.gap, 6, 1e-12);
    cr_assert_float_eq(p.gap_norm, 0.6, 1e-12);
    p = point("c", 1, 1, 1, 10, true, 0.5, 1); /* |train| < 1: divided by 1 */
    cr_assert_float_eq(p.gap_norm, -0.5, 1e-12);
    p = point("c", 1, 1, 1, 10, true, -20, -25);
    cr_assert_float_eq(p.gap_norm, 0.25, 1e-12);
    p = point("c", 1, 1, 1, 10, true, 3, NAN);
    cr_assert(isnan(p.gap) && isnan(p.gap_norm));
}

Test(overfit, points_csv_round_trip_keeps_empty_fields_empty)
{
    ArcOverfitPoint in[2] = {point("k0.5-n16-r1", 0.5, 16, 1, 1120, false, 1.5, 0.25),
                             point("k0.5-ninf-r3", 0.5, ARC_OVERFIT_LEVELS_INF, 3, 20000, true, 7, 6.5)};
    in[1].kappa = 12.5;
    in[1].agreement[ARC_PREC_INT8] = 0.875;
    in[1].min_eps_median = 0.03125;
    char path[] = "/tmp/arcade-test-points-XXXXXX";
    close(mkstemp(path));
    ArcErr err;
    cr_assert_eq(arc_overfit_write_points(path, in, 2, &err), ARC_OK, "%s", err.msg);
    ArcOverfitPoint *out = NULL;
    int count = 0;
    cr_assert_eq(arc_overfit_read_points(path, &out, &count, &err), ARC_OK, "%s", err.msg);
    cr_assert_eq(count, 2);
    cr_assert_str_eq(out[1].cell, "k0.5-ninf-r3");
    cr_assert_eq(out[1].levels, ARC_OVERFIT_LEVELS_INF);
    cr_assert_eq(out[0].levels, 16);
    cr_assert_eq(out[1].frames, 20000);
    cr_assert_eq(out[1].final, 1);
    cr_assert_eq(out[1].kappa, 12.5);
    cr_assert_eq(out[1].agreement[ARC_PREC_INT8], 0.875);
    cr_assert(isnan(out[0].kappa) && isnan(out[1].agreement[ARC_PREC_FP16]));
    cr_assert_eq(out[0].gap, 1.25);
    FILE *f = fopen(path, "r");
    char header[1024], row[1024];
    cr_assert(fgets(header, sizeof header, f) && fgets(row, sizeof row, f));
    fclose(f);
    cr_assert(strstr(row, ",,,"), "unmeasured columns are empty: %s", row);
    /* a damaged row is reported with its line */
    f = fopen(path, "a");
    fprintf(f, "k1-n1-r1,1,1,1\n");
    fclose(f);
    count = 0;
    cr_assert_eq(arc_overfit_read_points(path, &out, &count, &err), ARC_ERR_FORMAT);
    cr_assert(strstr(err.msg, ":4:"), "%s", err.msg);
    free(out);
    unlink(path);
}

static cJSON *load_json(const char *path)
{
    FILE *f = fopen(path, "r");
    cr_assert(f, "%s", path);
    static char buf[1 << 20];
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = '\0';
    cJSON *root = cJSON_Parse(buf);
    cr_assert(root, "%s parses", path);
    return root;
}

static double at(const cJSON *obj, const char *a, const char *b)
{
    const cJSON *x = cJSON_GetObjectItemCaseSensitive(obj, a);
    if (b) x = cJSON_GetObjectItemCaseSensitive(x, b);
    cr_assert(cJSON_IsNumber(x), "%s.%s is a number", a, b ? b : "");
    return x->valuedouble;
}

Test(overfit, summary_from_synthetic_points)
{
    /* widths 1 and 2, N = 1 and inf, 4 runs, two checkpoints per cell; final train returns
     * 10w + run (IQM over runs 1..4: 10w + 2.5), test 5w; kappa grows with the width and so
     * does the int8 disagreement: rank correlation 1 */
    ArcOverfitPlan plan;
    arc_overfit_plan_defaults(&plan);
    ArcErr err;
    arc_overfit_parse_widths(&plan, "1,2", "widths", &err);
    arc_overfit_parse_levels(&plan, "1,inf", "train-levels", &err);
    plan.runs = 4;
    ArcOverfitPoint points[64];
    int n = 0;
    for (int w = 1; w <= 2; w++)
        for (int l = 0; l < 2; l++)
            for (int r = 1; r <= 4; r++) {
                int64_t levels = l ? ARC_OVERFIT_LEVELS_INF : 1;
                char name[64];
                arc_overfit_cell_name(w, levels, r, name, sizeof name);
                points[n++] = point(name, w, levels, r, 1000, false, r, 0);
                ArcOverfitPoint *p = &points[n++];
                *p = point(name, w, levels, r, 5000, true, 10 * w + r, 5 * w);
                p->kappa = 10 * w + r;
                p->agreement[ARC_PREC_INT8] = 1 - 0.01 * (10 * w + r);
                p->agreement[ARC_PREC_FP16] = 1;
            }
    points[n++] = point("k4-n1-r1", 4, 1, 1, 5000, true, 99, 0); /* not in the plan: ignored */
    ArcOverfitSummary s;
    arc_overfit_summarise(&plan, points, n, &s);
    cr_assert_eq(s.networks, 16);
    cr_assert_eq(s.probed, 16);
    const ArcOverfitGroup *g = &s.groups[1 * 2 + 0]; /* k 2, N 1 */
    cr_assert_eq(g->width, 2);
    cr_assert_eq(g->runs, 4);
    cr_assert_float_eq(g->final[ARC_OF_TRAIN].iqm, 22.5, 1e-12);
    cr_assert(g->final[ARC_OF_TRAIN].low <= 22.5 && g->final[ARC_OF_TRAIN].high >= 22.5);
    cr_assert(g->final[ARC_OF_TRAIN].low >= 21 && g->final[ARC_OF_TRAIN].high <= 24);
    cr_assert_float_eq(g->final[ARC_OF_GAP].iqm, 12.5, 1e-12);
    cr_assert_eq(g->num_curve, 2);
    cr_assert_float_eq(g->curve[0].frames, 1000, 1e-12);
    cr_assert_float_eq(g->curve[0].train.iqm, 2.5, 1e-12);
    cr_assert_float_eq(s.rho_kappa_disagreement[ARC_PREC_INT8], 1, 1e-12);
    cr_assert(isnan(s.rho_kappa_disagreement[ARC_PREC_FP16]), "constant agreement: undefined");
    cr_assert(isnan(s.rho_params_min_eps), "no FGSM numbers: undefined");
    /* per width over both N (strata): k 1's final train returns 11..14 twice: IQM 12.5 */
    cr_assert_float_eq(s.by_width[0 * ARC_OF_NUM_METRICS + ARC_OF_TRAIN].iqm, 12.5, 1e-12);
    cr_assert_eq(s.by_width[0 * ARC_OF_NUM_METRICS + ARC_OF_TRAIN].n, 8);

    char dir[] = "/tmp/arcade-test-summary-XXXXXX", path[128];
    cr_assert(mkdtemp(dir));
    snprintf(path, sizeof path, "%s/summary.json", dir);
    cr_assert_eq(arc_overfit_write_summary(path, &plan, &s, &err), ARC_OK, "%s", err.msg);
    cJSON *root = load_json(path);
    const cJSON *groups = cJSON_GetObjectItemCaseSensitive(root, "groups");
    cr_assert_eq(cJSON_GetArraySize(groups), 4);
    const cJSON *g2 = cJSON_GetArrayItem(groups, 2);
    cr_assert_str_eq(cJSON_GetObjectItemCaseSensitive(g2, "train_levels")->valuestring, "1");
    const cJSON *fin = cJSON_GetObjectItemCaseSensitive(g2, "final");
    cr_assert_float_eq(at(fin, "train_return", "iqm"), 22.5, 1e-9);
    cr_assert_eq(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(
                     cJSON_GetObjectItemCaseSensitive(fin, "train_return"), "ci95")), 2);
    const cJSON *prec = cJSON_GetObjectItemCaseSensitive(root, "precision");
    cr_assert_float_eq(at(prec, "spearman_kappa_vs_disagreement", "int8"), 1, 1e-9);
    cr_assert(cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(
        cJSON_GetObjectItemCaseSensitive(prec, "spearman_kappa_vs_disagreement"), "fp16")));
    cJSON_Delete(root);

    /* the figures from the same summary: every PNG and SVG */
    snprintf(path, sizeof path, "%s/plots", dir);
    cr_assert_eq(arc_overfit_plot(path, &plan, &s, &err), ARC_OK, "%s", err.msg);
    for (int i = 0; i < ARC_OVERFIT_NUM_FIGURES; i++)
        for (int t = 0; t < 2; t++) {
            char file[256];
            struct stat st;
            snprintf(file, sizeof file, "%s/%s.%s", path, arc_overfit_figures[i], t ? "svg" : "png");
            cr_assert(stat(file, &st) == 0 && st.st_size > 1000, "%s drawn", file);
        }
    arc_overfit_summary_free(&s);
    char cmd[256];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    cr_assert_eq(system(cmd), 0);
}

/* ---- a tiny real run ------------------------------------------------------------------ */

#define TINY "bin/arcade overfit --game asterix --widths 0.25,0.5 --train-levels 1,inf --runs 1 " \
             "--frames 2000 --eval-episodes 2 --probe-episodes 1 --jobs 2 --out "

static void stat_or_fail(const char *path, struct stat *st)
{
    cr_assert(stat(path, st) == 0, "%s exists", path);
}

Test(overfit, tiny_harness_writes_every_file_and_a_rerun_redoes_nothing, .timeout = 60)
{
    char dir[] = "/tmp/arcade-test-overfit-XXXXXX", cmd[512], err[8192], path[512];
    cr_assert(mkdtemp(dir));
    snprintf(cmd, sizeof cmd, TINY "%s/h", dir);
    int code = run_cli(cmd, NULL, 0, err, sizeof err);
    cr_assert_eq(code, 0, "exit %d: %s", code, err);
    const char *cells[] = {"k0.25-n1-r1", "k0.25-ninf-r1", "k0.5-n1-r1", "k0.5-ninf-r1"};
    struct stat st, before[4][2];
    for (int c = 0; c < 4; c++) {
        snprintf(path, sizeof path, "%s/h/cells/%s", dir, cells[c]);
        stat_or_fail(path, &before[c][0]);
        snprintf(path, sizeof path, "%s/h/cells/%s/points.csv", dir, cells[c]);
        stat_or_fail(path, &before[c][1]);
        snprintf(path, sizeof path, "%s/h/cells/%s/probe.json", dir, cells[c]);
        stat_or_fail(path, &st);
    }
    snprintf(path, sizeof path, "%s/h/summary.json", dir);
    stat_or_fail(path, &st);
    for (int i = 0; i < ARC_OVERFIT_NUM_FIGURES; i++)
        for (int t = 0; t < 2; t++) {
            snprintf(path, sizeof path, "%s/h/plots/%s.%s", dir, arc_overfit_figures[i], t ? "svg" : "png");
            stat_or_fail(path, &st);
            cr_assert_gt(st.st_size, 1000, "%s", path);
        }
    ArcOverfitPoint *points = NULL;
    int count = 0;
    ArcErr e;
    snprintf(path, sizeof path, "%s/h/results.csv", dir);
    cr_assert_eq(arc_overfit_read_points(path, &points, &count, &e), ARC_OK, "%s", e.msg);
    int finals = 0;
    for (int i = 0; i < count; i++) {
        cr_assert(isfinite(points[i].train_return) && isfinite(points[i].test_return));
        cr_assert_gt(points[i].params, 0);
        if (!points[i].final) continue;
        finals++;
        cr_assert_geq(points[i].frames, 2000, "the final point is the whole run");
        cr_assert(isfinite(points[i].kappa) && isfinite(points[i].agreement[ARC_PREC_INT8]),
                  "the final network is probed");
    }
    cr_assert_eq(finals, 4);
    cr_assert_gt(count, 4, "log-spaced checkpoints before the final one");
    free(points);

    /* the same command again: every cell is done, nothing is touched */
    snprintf(cmd, sizeof cmd, TINY "%s/h", dir);
    code = run_cli(cmd, NULL, 0, err, sizeof err);
    cr_assert_eq(code, 0, "exit %d: %s", code, err);
    cr_assert(strstr(err, "4 done before, 0 to run"), "%s", err);
    for (int c = 0; c < 4; c++) {
        snprintf(path, sizeof path, "%s/h/cells/%s", dir, cells[c]);
        stat_or_fail(path, &st);
        cr_assert(st.st_mtim.tv_sec == before[c][0].st_mtim.tv_sec &&
                  st.st_mtim.tv_nsec == before[c][0].st_mtim.tv_nsec, "%s untouched", path);
        snprintf(path, sizeof path, "%s/h/cells/%s/points.csv", dir, cells[c]);
        stat_or_fail(path, &st);
        cr_assert(st.st_mtim.tv_nsec == before[c][1].st_mtim.tv_nsec, "%s untouched", path);
    }

    /* an unfinished cell (no points.csv, its final evaluation lost) is finished alone */
    snprintf(path, sizeof path, "%s/h/cells/k0.5-n1-r1/points.csv", dir);
    unlink(path);
    snprintf(path, sizeof path, "%s/h/cells/k0.5-n1-r1/eval/final.test.json", dir);
    unlink(path);
    code = run_cli(cmd, NULL, 0, err, sizeof err);
    cr_assert_eq(code, 0, "exit %d: %s", code, err);
    cr_assert(strstr(err, "3 done before, 1 to run"), "%s", err);
    stat_or_fail(path, &st);
    snprintf(path, sizeof path, "%s/h/cells/k0.25-n1-r1/points.csv", dir);
    stat_or_fail(path, &st);
    cr_assert(st.st_mtim.tv_nsec == before[0][1].st_mtim.tv_nsec, "other cells untouched");

    /* a cell that fails (its final checkpoint damaged) is reported with its log; the other
     * cells are still summarised and the exit status says something failed */
    snprintf(path, sizeof path, "%s/h/cells/k0.5-n1-r1/points.csv", dir);
    unlink(path);
    snprintf(path, sizeof path, "%s/h/cells/k0.5-n1-r1/eval/final.test.json", dir);
    unlink(path);
    snprintf(path, sizeof path, "%s/h/cells/k0.5-n1-r1/checkpoints/final.safetensors", dir);
    FILE *junk = fopen(path, "w");
    fputs("not a checkpoint", junk);
    fclose(junk);
    code = run_cli(cmd, NULL, 0, err, sizeof err);
    cr_assert_eq(code, 1, "exit %d: %s", code, err);
    cr_assert(strstr(err, "k0.5-n1-r1: eval of") && strstr(err, "log.txt") && strstr(err, "1 of 4 cells failed"),
              "%s", err);
    snprintf(path, sizeof path, "%s/h/results.csv", dir);
    points = NULL, count = 0;
    cr_assert_eq(arc_overfit_read_points(path, &points, &count, &e), ARC_OK, "%s", e.msg);
    for (int i = 0; i < count; i++) cr_assert_str_neq(points[i].cell, "k0.5-n1-r1");
    cr_assert_gt(count, 3, "the other three cells are in results.csv");
    free(points);

    /* the same directory with another plan is refused */
    snprintf(cmd, sizeof cmd, TINY "%s/h --frames 3000", dir);
    cr_assert_eq(run_cli(cmd, NULL, 0, err, sizeof err), 2);
    cr_assert(strstr(err, "holds a harness run"), "%s", err);
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    cr_assert_eq(system(cmd), 0);
}

Test(overfit, bad_flags_get_one_line)
{
    char err[4096];
    cr_assert_eq(run_cli("bin/arcade overfit --widths 1", NULL, 0, err, sizeof err), 2);
    cr_assert(strstr(err, "--out"), "%s", err);
    cr_assert_eq(run_cli("bin/arcade overfit --out /tmp/x --widths 1,99", NULL, 0, err, sizeof err), 2);
    cr_assert(strstr(err, "--widths") && strstr(err, "99"), "%s", err);
    cr_assert_eq(run_cli("bin/arcade overfit --out /tmp/x --preset huge", NULL, 0, err, sizeof err), 2);
    cr_assert(strstr(err, "--preset"), "%s", err);
    cr_assert_eq(run_cli("bin/arcade overfit --out /tmp/x --algo ppo", NULL, 0, err, sizeof err), 2);
    cr_assert(strstr(err, "--algo"), "%s", err);
    cr_assert_eq(run_cli("bin/arcade overfit --out /tmp/x --game pong", NULL, 0, err, sizeof err), 2);
    cr_assert(strstr(err, "--game"), "%s", err);
}

Test(overfit, a_stopped_harness_continues_where_it_stopped, .timeout = 90)
{
    /* SIGTERM shortly after the harness has started its cells (it waits for the start line:
     * a loaded machine can take longer than a fixed sleep just to load the program): the
     * harness exits 130 (or 0 had it finished; a stop while the tables are written lets them
     * be finished),
     * every cell it reports is whole, and the same command then finishes the rest */
    char dir[] = "/tmp/arcade-test-overfit-stop-XXXXXX", cmd[768], err[8192], path[600];
    cr_assert(mkdtemp(dir));
    const char *args = "--game asterix --widths 0.25 --train-levels inf --runs 2 --frames 60000 "
                       "--eval-episodes 2 --probe-episodes 1 --jobs 2";
    snprintf(cmd, sizeof cmd,
             "OPENBLAS_NUM_THREADS=1 bin/arcade overfit %s --out %s/h >/dev/null 2>%s/first.txt & pid=$!; "
             "for i in $(seq 200); do grep -q 'to run' %s/first.txt && break; sleep 0.05; done; "
             "sleep 0.2; kill -TERM $pid; wait $pid", args, dir, dir, dir);
    int code = run_cli(cmd, NULL, 0, err, sizeof err);
    cr_assert(code == 130 || code == 0, "exit %d", code);
    snprintf(cmd, sizeof cmd, "bin/arcade overfit %s --out %s/h", args, dir);
    code = run_cli(cmd, NULL, 0, err, sizeof err);
    cr_assert_eq(code, 0, "exit %d: %s", code, err);
    cr_log_info("after the stop (exit %d): %s", code, err);
    snprintf(cmd, sizeof cmd, "grep -h -e interrupted -e '--resume' %s/first.txt %s/h/cells/*/log.txt", dir, dir);
    char seen[2048] = "";
    run_cli(cmd, seen, sizeof seen, err, sizeof err);
    cr_log_info("the stop and the resumption: %s", seen);
    for (int r = 1; r <= 2; r++) {
        snprintf(path, sizeof path, "%s/h/cells/k0.25-ninf-r%d/points.csv", dir, r);
        ArcOverfitPoint *points = NULL;
        int count = 0;
        ArcErr e;
        cr_assert_eq(arc_overfit_read_points(path, &points, &count, &e), ARC_OK, "%s", e.msg);
        cr_assert_eq(points[count - 1].frames, 60000, "the final point is the full run");
        free(points);
    }
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    cr_assert_eq(system(cmd), 0);
}
