/* stats.h — summary statistics for returns: mean, standard deviation, median,
 * interquartile mean (IQM) and percentile-bootstrap confidence intervals.
 *
 * IQM follows Agarwal et al. (2021): the mean of the middle 50% of the sorted values, with
 * fractional weights at the 25% and 75% cut points when n is not a multiple of 4. */
#ifndef ARC_STATS_H
#define ARC_STATS_H

#include "rng.h"

typedef struct ArcSummary {
    int count;
    double mean, std; /* std: population standard deviation (divides by n) */
    double median, iqm, min, max;
} ArcSummary;

/* Summarises values (not modified); count may be 0 (all fields then 0). */
ArcSummary arc_stats_summary(const double *values /* (count) */, int count);

/* Median and IQM of values; both sort a private copy. */
double arc_stats_median(const double *values, int count);
double arc_stats_iqm(const double *values, int count);

/* 95%-style percentile bootstrap of a statistic (ARC_STAT_MEAN or ARC_STAT_IQM):
 * resamples values with replacement `resamples` times from rng and returns the
 * (alpha/2, 1 - alpha/2) percentiles in *low and *high. */
typedef enum { ARC_STAT_MEAN, ARC_STAT_IQM } ArcStatistic;
void arc_stats_bootstrap(const double *values, int count, ArcStatistic statistic, int resamples,
                         double alpha, ArcRng *rng, double *low, double *high);

/* Stratified bootstrap (Agarwal et al. 2021): values holds num_strata groups one after
 * another, stratum s having sizes[s] values; each resample draws sizes[s] values with
 * replacement from stratum s alone, for every s, and the statistic is taken over the
 * pooled resample. With one stratum this is arc_stats_bootstrap (same draws, same result). */
void arc_stats_bootstrap_stratified(const double *values, const int *sizes, int num_strata,
                                    ArcStatistic statistic, int resamples, double alpha,
                                    ArcRng *rng, double *low, double *high);

/* Spearman's rank correlation of (x[i], y[i]): Pearson's correlation of the ranks, tied
 * values sharing their mean rank. NAN when count < 2 or either side is constant. */
double arc_stats_spearman(const double *x, const double *y, int count);

#endif
