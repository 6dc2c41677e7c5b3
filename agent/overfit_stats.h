/* overfit_stats.h — the statistics of an overfitting harness: per group (k, N) the
 * interquartile mean over runs with a 95% stratified-bootstrap interval, learning curves,
 * per-width aggregates over every N, and rank correlations across all trained networks.
 *
 * Intervals: 2,000 bootstrap resamples, alpha 0.05, a fixed stream (the summary is a pure
 * function of the points). Within a group the only stratum is the group's runs, so the
 * stratified bootstrap is the ordinary one over runs; the per-width aggregates pool the
 * groups of every N with each N a stratum (resampled within itself), as Agarwal et al.
 * (2021) do with tasks. With fewer than two runs an interval is the point itself.
 *
 * Rank correlations (Spearman, ties at mean ranks) over the final networks that were
 * probed: kappa against measured disagreement (1 - agreement) per precision — how well
 * the bound ranks the networks — and, for robustness, parameters against the median
 * smallest action-flipping FGSM epsilon and against the return lost under FGSM at the
 * fixed epsilon. summary.json reads the sign of the latter in words only from 5 networks
 * on and when |rho| >= 0.3.
 */
#ifndef ARC_OVERFIT_STATS_H
#define ARC_OVERFIT_STATS_H

#include "overfit_plan.h"
#include "overfit_results.h"

typedef struct ArcOverfitStat {
    int n;                 /* values aggregated; 0: nothing measured (others NAN) */
    double iqm, low, high; /* IQM and its 95% interval */
} ArcOverfitStat;

typedef struct ArcOverfitCurvePoint {
    double frames;         /* median over runs of the checkpoint's frames */
    ArcOverfitStat train, test;
} ArcOverfitCurvePoint;

enum { ARC_OF_TRAIN, ARC_OF_TEST, ARC_OF_GAP, ARC_OF_GAP_NORM, ARC_OF_WALL, ARC_OF_KAPPA,
       ARC_OF_AGREE_FP16, ARC_OF_AGREE_BF16, ARC_OF_AGREE_INT8, ARC_OF_RETURN_FP32,
       ARC_OF_RETURN_FGSM, ARC_OF_MIN_EPS, ARC_OF_NUM_METRICS };

typedef struct ArcOverfitGroup {
    double width;
    int64_t levels;
    int64_t params;
    double flops_per_forward;
    int runs;                                /* cells with results */
    ArcOverfitStat final[ARC_OF_NUM_METRICS]; /* over the runs' final points */
    int num_curve;
    ArcOverfitCurvePoint *curve;             /* by checkpoint order */
} ArcOverfitGroup;

typedef struct ArcOverfitSummary {
    int num_widths, num_levels;
    ArcOverfitGroup *groups;                 /* [w * num_levels + l], plan order */
    ArcOverfitStat *by_width;                /* [w * ARC_OF_NUM_METRICS + m], over every N */
    int networks, probed;                    /* final points; of which probed */
    double rho_kappa_disagreement[ARC_NUM_PREC];
    double rho_params_min_eps, rho_params_fgsm_loss;
    int robust_n;                            /* networks with an FGSM min-epsilon median */
} ArcOverfitSummary;

/* The metric's name in summary.json ("train_return", ...). */
const char *arc_overfit_metric_name(int metric);

/* Summarises points (any order; points of cells outside the plan are ignored). */
void arc_overfit_summarise(const ArcOverfitPlan *plan, const ArcOverfitPoint *points, int count,
                           ArcOverfitSummary *out);
void arc_overfit_summary_free(ArcOverfitSummary *s);

/* Writes summary.json (atomically): the plan, per group and per width the statistics,
 * the rank correlations, and which instruments contributed. */
int arc_overfit_write_summary(const char *path, const ArcOverfitPlan *plan,
                              const ArcOverfitSummary *s, ArcErr *err);

#endif
