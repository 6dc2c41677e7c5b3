/* overfit_stats.c — IQMs, intervals, curves, rank correlations, summary.json (see
 * overfit_stats.h). */
#include "overfit_stats.h"

#include <cJSON.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "../common/stats.h"

#define RESAMPLES 2000
#define ALPHA 0.05
#define STREAM 20240917u

static const char *const metric_names[ARC_OF_NUM_METRICS] = {
    "train_return", "test_return", "gap", "gap_norm", "wall_s", "kappa", "agree_fp16",
    "agree_bf16", "agree_int8", "return_fp32", "return_fgsm", "min_eps_median",
};

const char *arc_overfit_metric_name(int metric) { return metric_names[metric]; }

static double metric_value(const ArcOverfitPoint *p, int metric)
{
    switch (metric) {
    case ARC_OF_TRAIN: return p->train_return;
    case ARC_OF_TEST: return p->test_return;
    case ARC_OF_GAP: return p->gap;
    case ARC_OF_GAP_NORM: return p->gap_norm;
    case ARC_OF_WALL: return p->wall_s;
    case ARC_OF_KAPPA: return p->kappa;
    case ARC_OF_AGREE_FP16: return p->agreement[ARC_PREC_FP16];
    case ARC_OF_AGREE_BF16: return p->agreement[ARC_PREC_BF16];
    case ARC_OF_AGREE_INT8: return p->agreement[ARC_PREC_INT8];
    case ARC_OF_RETURN_FP32: return p->return_fp32;
    case ARC_OF_RETURN_FGSM: return p->return_fgsm;
    case ARC_OF_MIN_EPS: return p->min_eps_median;
    }
    return NAN;
}

/* IQM and interval of values grouped in strata (sizes[s] values each, NANs removed). */
static ArcOverfitStat stat_of(const double *values, const int *sizes, int num_strata, ArcRng *rng)
{
    ArcOverfitStat st = {0, NAN, NAN, NAN};
    for (int s = 0; s < num_strata; s++) st.n += sizes[s];
    if (st.n == 0) return st;
    st.iqm = arc_stats_iqm(values, st.n);
    st.low = st.high = st.iqm;
    if (st.n >= 2)
        arc_stats_bootstrap_stratified(values, sizes, num_strata, ARC_STAT_IQM, RESAMPLES, ALPHA,
                                       rng, &st.low, &st.high);
    return st;
}

static bool in_group(const ArcOverfitPoint *p, double width, int64_t levels)
{
    return p->width == width && p->levels == levels;
}

static bool in_plan(const ArcOverfitPlan *plan, const ArcOverfitPoint *p)
{
    bool w = false, l = false;
    for (int i = 0; i < plan->num_widths; i++) w |= plan->widths[i] == p->width;
    for (int i = 0; i < plan->num_levels; i++) l |= plan->levels[i] == p->levels;
    return w && l && p->run >= 1 && p->run <= plan->runs;
}

/* position of point i among its cell's points ordered by frames */
static int ordinal(const ArcOverfitPoint *points, int count, int i)
{
    int k = 0;
    for (int j = 0; j < count; j++)
        if (strcmp(points[j].cell, points[i].cell) == 0 && points[j].frames < points[i].frames) k++;
    return k;
}

static void summarise_group(const ArcOverfitPlan *plan, const ArcOverfitPoint *points,
                            const int *order, int count, ArcOverfitGroup *g, ArcRng *rng)
{
    double *values = arc_xcalloc((size_t)count + 1, sizeof *values);
    double *train = arc_xcalloc((size_t)count + 1, sizeof *train);
    double *test = arc_xcalloc((size_t)count + 1, sizeof *test);
    double *frames = arc_xcalloc((size_t)count + 1, sizeof *frames);
    arc_overfit_network_size(plan, g->width, &g->params, &g->flops_per_forward);
    for (int m = 0; m < ARC_OF_NUM_METRICS; m++) {
        int n = 0;
        for (int i = 0; i < count; i++) {
            if (!in_group(&points[i], g->width, g->levels) || !points[i].final) continue;
            if (m == 0) g->runs++;
            double v = metric_value(&points[i], m);
            if (isfinite(v)) values[n++] = v;
        }
        g->final[m] = stat_of(values, &n, 1, rng);
    }
    g->num_curve = 0;
    for (int i = 0; i < count; i++)
        if (in_group(&points[i], g->width, g->levels) && order[i] + 1 > g->num_curve)
            g->num_curve = order[i] + 1;
    g->curve = arc_xcalloc((size_t)g->num_curve + 1, sizeof *g->curve);
    for (int k = 0; k < g->num_curve; k++) {
        int n = 0, nt = 0, ns = 0;
        for (int i = 0; i < count; i++) {
            if (!in_group(&points[i], g->width, g->levels) || order[i] != k) continue;
            frames[n++] = (double)points[i].frames;
            if (isfinite(points[i].train_return)) train[nt++] = points[i].train_return;
            if (isfinite(points[i].test_return)) test[ns++] = points[i].test_return;
        }
        g->curve[k].frames = arc_stats_median(frames, n);
        g->curve[k].train = stat_of(train, &nt, 1, rng);
        g->curve[k].test = stat_of(test, &ns, 1, rng);
    }
    free(values), free(train), free(test), free(frames);
}

/* metric m over the final points of width w at every N, each N a stratum */
static ArcOverfitStat width_stat(const ArcOverfitPlan *plan, const ArcOverfitPoint *points,
                                 int count, double width, int m, ArcRng *rng)
{
    double *values = arc_xcalloc((size_t)count + 1, sizeof *values);
    int sizes[ARC_OVERFIT_MAX_LEVELS] = {0}, n = 0;
    for (int l = 0; l < plan->num_levels; l++)
        for (int i = 0; i < count; i++) {
            if (!in_group(&points[i], width, plan->levels[l]) || !points[i].final) continue;
            double v = metric_value(&points[i], m);
            if (isfinite(v)) values[n++] = v, sizes[l]++;
        }
    ArcOverfitStat st = stat_of(values, sizes, plan->num_levels, rng);
    free(values);
    return st;
}

void arc_overfit_summarise(const ArcOverfitPlan *plan, const ArcOverfitPoint *all, int all_count,
                           ArcOverfitSummary *out)
{
    memset(out, 0, sizeof *out);
    ArcRng rng;
    arc_rng_seed(&rng, STREAM);
    ArcOverfitPoint *points = arc_xcalloc((size_t)all_count + 1, sizeof *points);
    int count = 0;
    for (int i = 0; i < all_count; i++)
        if (in_plan(plan, &all[i])) points[count++] = all[i];
    int *order = arc_xcalloc((size_t)count + 1, sizeof *order);
    for (int i = 0; i < count; i++) order[i] = ordinal(points, count, i);
    out->num_widths = plan->num_widths;
    out->num_levels = plan->num_levels;
    out->groups = arc_xcalloc((size_t)(plan->num_widths * plan->num_levels), sizeof *out->groups);
    out->by_width = arc_xcalloc((size_t)plan->num_widths * ARC_OF_NUM_METRICS, sizeof *out->by_width);
    for (int w = 0; w < plan->num_widths; w++) {
        for (int l = 0; l < plan->num_levels; l++) {
            ArcOverfitGroup *g = &out->groups[w * plan->num_levels + l];
            g->width = plan->widths[w];
            g->levels = plan->levels[l];
            summarise_group(plan, points, order, count, g, &rng);
        }
        for (int m = 0; m < ARC_OF_NUM_METRICS; m++)
            out->by_width[w * ARC_OF_NUM_METRICS + m] = width_stat(plan, points, count, plan->widths[w], m, &rng);
    }
    /* rank correlations over the final networks that were probed */
    double *kappa = arc_xcalloc((size_t)count + 1, sizeof(double));
    double *dis = arc_xcalloc((size_t)count + 1, sizeof(double));
    double *params = arc_xcalloc((size_t)count + 1, sizeof(double));
    double *other = arc_xcalloc((size_t)count + 1, sizeof(double));
    for (int i = 0; i < count; i++) out->networks += points[i].final != 0;
    for (int q = 0; q < ARC_NUM_PREC; q++) {
        int n = 0;
        for (int i = 0; i < count; i++)
            if (points[i].final && isfinite(points[i].kappa) && isfinite(points[i].agreement[q]))
                kappa[n] = points[i].kappa, dis[n++] = 1 - points[i].agreement[q];
        out->rho_kappa_disagreement[q] = arc_stats_spearman(kappa, dis, n);
        if (q == 0) out->probed = n;
    }
    int n = 0;
    for (int i = 0; i < count; i++)
        if (points[i].final && isfinite(points[i].min_eps_median))
            params[n] = (double)points[i].params, other[n++] = points[i].min_eps_median;
    out->rho_params_min_eps = arc_stats_spearman(params, other, n);
    out->robust_n = n;
    n = 0;
    for (int i = 0; i < count; i++)
        if (points[i].final && isfinite(points[i].return_fp32) && isfinite(points[i].return_fgsm))
            params[n] = (double)points[i].params, other[n++] = points[i].return_fp32 - points[i].return_fgsm;
    out->rho_params_fgsm_loss = arc_stats_spearman(params, other, n);
    free(kappa), free(dis), free(params), free(other), free(points), free(order);
}

void arc_overfit_summary_free(ArcOverfitSummary *s)
{
    for (int i = 0; s->groups && i < s->num_widths * s->num_levels; i++) free(s->groups[i].curve);
    free(s->groups), free(s->by_width);
    memset(s, 0, sizeof *s);
}

/* ---- summary.json --------------------------------------------------------------------- */

static void add_number(cJSON *obj, const char *key, double v)
{
    if (isfinite(v)) cJSON_AddNumberToObject(obj, key, v);
    else cJSON_AddNullToObject(obj, key);
}

static void add_stat(cJSON *obj, const char *key, ArcOverfitStat st)
{
    cJSON *o = cJSON_AddObjectToObject(obj, key);
    cJSON_AddNumberToObject(o, "n", st.n);
    add_number(o, "iqm", st.iqm);
    cJSON *ci = cJSON_AddArrayToObject(o, "ci95");
    if (st.n) {
        cJSON_AddItemToArray(ci, cJSON_CreateNumber(st.low));
        cJSON_AddItemToArray(ci, cJSON_CreateNumber(st.high));
    }
}

#define MIN_NETWORKS_FOR_A_READING 5

static const char *reading(double rho, int n)
{
    if (n < MIN_NETWORKS_FOR_A_READING) return "too few probed networks for a reading (fewer than 5)";
    if (!isfinite(rho)) return "undefined (a constant side)";
    if (rho >= 0.3) return "larger networks need larger perturbations: capacity buys robustness";
    if (rho <= -0.3) return "larger networks flip at smaller perturbations: capacity buys fragility";
    return "no clear trend (|rho| < 0.3)";
}

int arc_overfit_write_summary(const char *path, const ArcOverfitPlan *plan,
                              const ArcOverfitSummary *s, ArcErr *err)
{
    cJSON *root = cJSON_CreateObject();
    cJSON *p = cJSON_AddObjectToObject(root, "plan");
    cJSON_AddStringToObject(p, "game", plan->game);
    cJSON_AddStringToObject(p, "variant", plan->variant);
    cJSON_AddStringToObject(p, "algo", plan->algo);
    cJSON_AddNumberToObject(p, "seed", (double)plan->seed);
    cJSON_AddNumberToObject(p, "frames", (double)plan->frames);
    cJSON_AddNumberToObject(p, "runs", plan->runs);
    cJSON_AddNumberToObject(p, "eval_episodes", (double)plan->eval_episodes);
    cJSON *ws = cJSON_AddArrayToObject(p, "widths"), *ls = cJSON_AddArrayToObject(p, "train_levels");
    char label[32];
    for (int w = 0; w < plan->num_widths; w++) cJSON_AddItemToArray(ws, cJSON_CreateNumber(plan->widths[w]));
    for (int l = 0; l < plan->num_levels; l++) {
        arc_overfit_levels_label(plan->levels[l], label, sizeof label);
        cJSON_AddItemToArray(ls, cJSON_CreateString(label));
    }
    cJSON *groups = cJSON_AddArrayToObject(root, "groups");
    for (int i = 0; i < s->num_widths * s->num_levels; i++) {
        const ArcOverfitGroup *g = &s->groups[i];
        cJSON *o = cJSON_CreateObject();
        cJSON_AddNumberToObject(o, "width", g->width);
        arc_overfit_levels_label(g->levels, label, sizeof label);
        cJSON_AddStringToObject(o, "train_levels", label);
        cJSON_AddNumberToObject(o, "params", (double)g->params);
        cJSON_AddNumberToObject(o, "flops_per_forward", g->flops_per_forward);
        cJSON_AddNumberToObject(o, "runs", g->runs);
        cJSON *fin = cJSON_AddObjectToObject(o, "final");
        for (int m = 0; m < ARC_OF_NUM_METRICS; m++) add_stat(fin, metric_names[m], g->final[m]);
        cJSON *curve = cJSON_AddArrayToObject(o, "curve");
        for (int k = 0; k < g->num_curve; k++) {
            cJSON *c = cJSON_CreateObject();
            cJSON_AddNumberToObject(c, "frames", g->curve[k].frames);
            add_stat(c, "train_return", g->curve[k].train);
            add_stat(c, "test_return", g->curve[k].test);
            cJSON_AddItemToArray(curve, c);
        }
        cJSON_AddItemToArray(groups, o);
    }
    cJSON *widths = cJSON_AddArrayToObject(root, "by_width");
    for (int w = 0; w < s->num_widths; w++) {
        cJSON *o = cJSON_CreateObject();
        cJSON_AddNumberToObject(o, "width", plan->widths[w]);
        cJSON_AddNumberToObject(o, "params", (double)s->groups[w * s->num_levels].params);
        for (int m = 0; m < ARC_OF_NUM_METRICS; m++)
            add_stat(o, metric_names[m], s->by_width[w * ARC_OF_NUM_METRICS + m]);
        cJSON_AddItemToArray(widths, o);
    }
    cJSON *prec = cJSON_AddObjectToObject(root, "precision");
    cJSON_AddNumberToObject(prec, "networks", s->probed);
    cJSON *rho = cJSON_AddObjectToObject(prec, "spearman_kappa_vs_disagreement");
    const char *names[ARC_NUM_PREC] = {"fp16", "bf16", "int8"};
    for (int q = 0; q < ARC_NUM_PREC; q++) add_number(rho, names[q], s->rho_kappa_disagreement[q]);
    cJSON *rob = cJSON_AddObjectToObject(root, "robustness");
    add_number(rob, "spearman_params_vs_min_eps_median", s->rho_params_min_eps);
    add_number(rob, "spearman_params_vs_fgsm_return_loss", s->rho_params_fgsm_loss);
    cJSON_AddNumberToObject(rob, "networks", s->robust_n);
    cJSON_AddStringToObject(rob, "reading", reading(s->rho_params_min_eps, s->robust_n));
    cJSON *inst = cJSON_AddObjectToObject(root, "instruments");
    cJSON_AddNumberToObject(inst, "networks", s->networks);
    cJSON_AddNumberToObject(inst, "probed", s->probed);
    bool levels = false;
    for (int l = 0; l < plan->num_levels; l++) levels |= plan->levels[l] != ARC_OVERFIT_LEVELS_OFF;
    cJSON_AddBoolToObject(inst, "levels", levels);
    char *text = cJSON_Print(root);
    cJSON_Delete(root);
    char tmp[1100];
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    FILE *f = fopen(tmp, "w");
    bool ok = f && fputs(text, f) >= 0 && fputc('\n', f) != EOF;
    ok = f && fclose(f) == 0 && ok && rename(tmp, path) == 0;
    free(text);
    if (!ok) return arc_err_set(err, ARC_ERR_IO, "%s: cannot write: %s", path, strerror(errno));
    return ARC_OK;
}
