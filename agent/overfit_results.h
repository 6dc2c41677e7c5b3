/* overfit_results.h — one measured point of the overfitting harness and its CSV form.
 *
 * A point is one checkpoint of one cell (overfit_plan.h): the network's size, when the
 * checkpoint was taken, its return on the training levels and on the test levels, the
 * generalisation gap, and — on probed checkpoints — the stability, precision and
 * robustness numbers of `arcade probe`. Each cell writes its points to
 * DIR/cells/<name>/points.csv (the cell is done when that file exists: it is written
 * last, atomically); DIR/results.csv is every cell's points under one header. A value
 * that was not measured is NAN in memory and an empty field in the file.
 *
 * gap = train - test; gap_norm = gap / max(|train|, 1): relative to the training return,
 * with a floor of one point so that near-zero training returns do not blow it up.
 */
#ifndef ARC_OVERFIT_RESULTS_H
#define ARC_OVERFIT_RESULTS_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "../common/check.h"

enum { ARC_PREC_FP16, ARC_PREC_BF16, ARC_PREC_INT8, ARC_NUM_PREC }; /* agreement[] */

typedef struct ArcOverfitPoint {
    char cell[64];
    double width;
    int64_t levels;            /* as in ArcOverfitPlan.levels */
    int64_t run, seed;
    int64_t params;
    double flops_per_forward;
    int64_t frames;            /* of the checkpoint */
    int64_t final;             /* 1 on the final checkpoint */
    double wall_s;             /* training seconds up to this checkpoint */
    double train_return, test_return, gap, gap_norm; /* mean returns of the evaluations */
    double online_return;      /* training episodes' mean of the last 100 (metrics.csv) */
    /* arcade probe (NAN where not probed) */
    double kappa, spectral_product;
    double agreement[ARC_NUM_PREC];
    double return_fp32, return_prec[ARC_NUM_PREC], return_fgsm;
    double fgsm_epsilon, min_eps_median, min_eps_q25, min_eps_q75, never_flipped;
} ArcOverfitPoint;

/* A point with every measured field NAN. */
void arc_overfit_point_clear(ArcOverfitPoint *p);
/* Fills gap and gap_norm from train_return and test_return (NAN if either is). */
void arc_overfit_point_gap(ArcOverfitPoint *p);

/* The CSV header line (no newline) and the row of one point. */
const char *arc_overfit_csv_header(void);
void arc_overfit_csv_row(const ArcOverfitPoint *p, FILE *out);

/* Writes points to path atomically (path.tmp, then rename). */
int arc_overfit_write_points(const char *path, const ArcOverfitPoint *points, int count, ArcErr *err);

/* Appends the points of a CSV written by arc_overfit_write_points to *points (grown with
 * realloc; *count updated). Rows must match the header; errors name path:line. */
int arc_overfit_read_points(const char *path, ArcOverfitPoint **points, int *count, ArcErr *err);

#endif
