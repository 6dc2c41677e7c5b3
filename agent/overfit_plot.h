/* overfit_plot.h — the harness's pictures, drawn by gnuplot (PNG and SVG each) from data
 * files the summary is written to, in DIR/plots/:
 *   headline     train and test return (IQM, 95% band) against parameters (log axis),
 *                the gap between them shaded, one panel per N;
 *   gap_heatmap  the final gap's IQM over width x N;
 *   precision    kappa (log axis) and greedy-action agreement at fp16/bf16/int8 against
 *                width, pooled over N;
 *   curves       learning curves: test (solid) and train (dashed) return IQM against
 *                frames, one line per width, one panel per N.
 * Each figure's script stays beside it (NAME.gp, NAME.dat) so it can be redrawn. A figure
 * whose numbers were not measured says so in its middle instead of failing.
 */
#ifndef ARC_OVERFIT_PLOT_H
#define ARC_OVERFIT_PLOT_H

#include "overfit_stats.h"

/* Writes the data files and scripts into dir (created) and runs gnuplot on each for
 * NAME.png and NAME.svg. Returns the first failure (e.g. gnuplot missing). */
int arc_overfit_plot(const char *dir, const ArcOverfitPlan *plan, const ArcOverfitSummary *s,
                     ArcErr *err);

/* The figure names, for checks: headline, gap_heatmap, precision, curves. */
#define ARC_OVERFIT_NUM_FIGURES 4
extern const char *const arc_overfit_figures[ARC_OVERFIT_NUM_FIGURES];

#endif
