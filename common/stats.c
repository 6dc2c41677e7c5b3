/* stats.c — summary statistics and the bootstrap (see stats.h). */
#include "stats.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"

static int compare_doubles(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double *sorted_copy(const double *values, int count)
{
    double *copy = arc_xmalloc(sizeof(double) * (size_t)count);
    memcpy(copy, values, sizeof(double) * (size_t)count);
    qsort(copy, (size_t)count, sizeof(double), compare_doubles);
    return copy;
}

static double median_sorted(const double *s, int n)
{
    return n % 2 ? s[n / 2] : 0.5 * (s[n / 2 - 1] + s[n / 2]);
}

/* Mean over the sorted range [n/4, 3n/4) in continuous terms: value i covers [i, i+1). */
static double iqm_sorted(const double *s, int n)
{
    double lo = 0.25 * n, hi = 0.75 * n, sum = 0;
    for (int i = (int)floor(lo); i < n && i < (int)ceil(hi); i++) {
        double left = i < lo ? lo : i, right = i + 1 > hi ? hi : i + 1;
        sum += s[i] * (right - left);
    }
    return sum / (hi - lo);
}

double arc_stats_median(const double *values, int count)
{
    if (count <= 0) return 0;
    double *s = sorted_copy(values, count);
    double m = median_sorted(s, count);
    free(s);
    return m;
}

double arc_stats_iqm(const double *values, int count)
{
    if (count <= 0) return 0;
    double *s = sorted_copy(values, count);
    double m = iqm_sorted(s, count);
    free(s);
    return m;
}

ArcSummary arc_stats_summary(const double *values, int count)
{
    ArcSummary out = {.count = count > 0 ? count : 0};
    if (count <= 0) return out;
    double *s = sorted_copy(values, count);
    double sum = 0, sq = 0;
    for (int i = 0; i < count; i++) sum += s[i];
    out.mean = sum / count;
    for (int i = 0; i < count; i++) sq += (s[i] - out.mean) * (s[i] - out.mean);
    out.std = sqrt(sq / count);
    out.median = median_sorted(s, count);
    out.iqm = iqm_sorted(s, count);
    out.min = s[0];
    out.max = s[count - 1];
    free(s);
    return out;
}

void arc_stats_bootstrap(const double *values, int count, ArcStatistic statistic, int resamples,
                         double alpha, ArcRng *rng, double *low, double *high)
{
    arc_stats_bootstrap_stratified(values, &count, 1, statistic, resamples, alpha, rng, low, high);
}

void arc_stats_bootstrap_stratified(const double *values, const int *sizes, int num_strata,
                                    ArcStatistic statistic, int resamples, double alpha,
                                    ArcRng *rng, double *low, double *high)
{
    *low = *high = 0;
    int count = 0;
    for (int s = 0; s < num_strata; s++) count += sizes[s];
    if (count <= 0 || resamples <= 0) return;
    double *sample = arc_xmalloc(sizeof(double) * (size_t)count);
    double *stats = arc_xmalloc(sizeof(double) * (size_t)resamples);
    for (int r = 0; r < resamples; r++) {
        int at = 0, start = 0;
        for (int s = 0; s < num_strata; s++) {
            for (int i = 0; i < sizes[s]; i++) sample[at++] = values[start + arc_rng_int(rng, 0, sizes[s])];
            start += sizes[s];
        }
        qsort(sample, (size_t)count, sizeof(double), compare_doubles);
        double sum = 0;
        if (statistic == ARC_STAT_MEAN)
            for (int i = 0; i < count; i++) sum += sample[i];
        stats[r] = statistic == ARC_STAT_MEAN ? sum / count : iqm_sorted(sample, count);
    }
    qsort(stats, (size_t)resamples, sizeof(double), compare_doubles);
    int lo = (int)floor(alpha / 2 * (resamples - 1)), hi = (int)ceil((1 - alpha / 2) * (resamples - 1));
    *low = stats[lo];
    *high = stats[hi];
    free(sample);
    free(stats);
}

/* ranks (1-based) of values into rank, ties given their mean rank */
static void mean_ranks(const double *values, int n, double *rank)
{
    int *order = arc_xmalloc(sizeof(int) * (size_t)n);
    for (int i = 0; i < n; i++) order[i] = i;
    for (int i = 1; i < n; i++) /* insertion sort of indices by value: n is small */
        for (int j = i; j > 0 && values[order[j - 1]] > values[order[j]]; j--) {
            int t = order[j];
            order[j] = order[j - 1];
            order[j - 1] = t;
        }
    for (int i = 0; i < n;) {
        int j = i;
        while (j + 1 < n && values[order[j + 1]] == values[order[i]]) j++;
        for (int t = i; t <= j; t++) rank[order[t]] = 0.5 * (i + j) + 1;
        i = j + 1;
    }
    free(order);
}

double arc_stats_spearman(const double *x, const double *y, int count)
{
    if (count < 2) return NAN;
    double *rx = arc_xmalloc(sizeof(double) * (size_t)count), *ry = arc_xmalloc(sizeof(double) * (size_t)count);
    mean_ranks(x, count, rx);
    mean_ranks(y, count, ry);
    double mx = 0, my = 0, sxy = 0, sxx = 0, syy = 0;
    for (int i = 0; i < count; i++) mx += rx[i], my += ry[i];
    mx /= count, my /= count;
    for (int i = 0; i < count; i++) {
        sxy += (rx[i] - mx) * (ry[i] - my);
        sxx += (rx[i] - mx) * (rx[i] - mx);
        syy += (ry[i] - my) * (ry[i] - my);
    }
    free(rx), free(ry);
    return sxx > 0 && syy > 0 ? sxy / sqrt(sxx * syy) : NAN;
}
