/* test_stats.c — summary statistics and bootstrap against hand-computed values. */
#include <criterion/criterion.h>
#include <math.h>

#include "../common/stats.h"

#define NEAR(a, b) (fabs((a) - (b)) < 1e-12)

Test(stats, summary_of_a_small_sample)
{
    const double v[] = {4, 1, 3, 2};
    ArcSummary s = arc_stats_summary(v, 4);
    cr_assert_eq(s.count, 4);
    cr_assert(NEAR(s.mean, 2.5));
    cr_assert(NEAR(s.std, sqrt(1.25)), "std %g", s.std);
    cr_assert(NEAR(s.median, 2.5));
    cr_assert(NEAR(s.iqm, 2.5), "iqm of 1..4 is the mean of 2 and 3, got %g", s.iqm);
    cr_assert_eq(s.min, 1);
    cr_assert_eq(s.max, 4);
}

Test(stats, iqm_drops_the_outer_quarters)
{
    const double v[] = {100, 1, 2, 3, 4, 5, 6, -50};
    /* sorted: -50 1 2 3 4 5 6 100 -> middle four: 2 3 4 5 */
    cr_assert(NEAR(arc_stats_iqm(v, 8), 3.5));
}

Test(stats, iqm_uses_fractional_weights)
{
    const double v[] = {0, 10, 20, 30, 40};
    /* n = 5: keep [1.25, 3.75): 10 * 0.75 + 20 + 30 * 0.75, over 2.5 */
    cr_assert(NEAR(arc_stats_iqm(v, 5), (7.5 + 20 + 22.5) / 2.5));
    const double one[] = {7};
    cr_assert(NEAR(arc_stats_iqm(one, 1), 7));
}

Test(stats, median_odd_and_even)
{
    const double odd[] = {5, 1, 3}, even[] = {8, 2, 6, 4};
    cr_assert(NEAR(arc_stats_median(odd, 3), 3));
    cr_assert(NEAR(arc_stats_median(even, 4), 5));
}

Test(stats, empty_input_is_zero)
{
    ArcSummary s = arc_stats_summary(NULL, 0);
    cr_assert_eq(s.count, 0);
    cr_assert_eq(s.mean, 0);
}

Test(stats, bootstrap_interval_brackets_the_mean_and_shrinks_with_n)
{
    ArcRng rng;
    arc_rng_seed(&rng, 3);
    double small[20], large[2000];
    for (int i = 0; i < 20; i++) small[i] = arc_rng_uniform(&rng);
    for (int i = 0; i < 2000; i++) large[i] = arc_rng_uniform(&rng);
    double lo_s, hi_s, lo_l, hi_l;
    arc_stats_bootstrap(small, 20, ARC_STAT_MEAN, 2000, 0.05, &rng, &lo_s, &hi_s);
    arc_stats_bootstrap(large, 2000, ARC_STAT_MEAN, 500, 0.05, &rng, &lo_l, &hi_l);
    double mean_s = arc_stats_summary(small, 20).mean, mean_l = arc_stats_summary(large, 2000).mean;
    cr_assert(lo_s < mean_s && mean_s < hi_s);
    cr_assert(lo_l < mean_l && mean_l < hi_l);
    cr_assert_lt(hi_l - lo_l, (hi_s - lo_s) / 4, "sqrt(100) narrower expected");
    /* uniform(0,1): sd 0.289; the 95% half-width at n = 2000 is ~0.0127 */
    cr_assert(hi_l - lo_l > 0.015 && hi_l - lo_l < 0.036, "width %g", hi_l - lo_l);
}

Test(stats, bootstrap_of_a_constant_is_that_constant)
{
    ArcRng rng;
    arc_rng_seed(&rng, 1);
    const double v[] = {3, 3, 3, 3, 3};
    double lo, hi;
    arc_stats_bootstrap(v, 5, ARC_STAT_IQM, 100, 0.05, &rng, &lo, &hi);
    cr_assert(NEAR(lo, 3) && NEAR(hi, 3));
}

Test(stats, iqm_of_six_by_hand)
{
    const double v[] = {6, 1, 5, 2, 4, 3};
    /* n = 6: keep [1.5, 4.5) of 1..6: 2 * 0.5 + 3 + 4 + 5 * 0.5 = 10.5, over 3 */
    cr_assert(NEAR(arc_stats_iqm(v, 6), 3.5));
}

Test(stats, bootstrap_of_two_values_spans_them)
{
    /* means of resamples of {1, 3}: 1 (p 1/4), 2 (1/2), 3 (1/4); the 2.5% and 97.5%
     * percentiles of 2000 resamples are 1 and 3 */
    ArcRng rng;
    arc_rng_seed(&rng, 5);
    const double v[] = {1, 3};
    double lo, hi;
    arc_stats_bootstrap(v, 2, ARC_STAT_MEAN, 2000, 0.05, &rng, &lo, &hi);
    cr_assert(NEAR(lo, 1) && NEAR(hi, 3), "[%g, %g]", lo, hi);
}

Test(stats, stratified_bootstrap_resamples_within_strata)
{
    /* strata {0, 0} and {10, 10}: every stratified resample is {0, 0, 10, 10} (IQM 5);
     * the pooled bootstrap mixes them and spreads */
    const double v[] = {0, 0, 10, 10};
    const int sizes[] = {2, 2};
    ArcRng rng;
    arc_rng_seed(&rng, 7);
    double lo, hi;
    arc_stats_bootstrap_stratified(v, sizes, 2, ARC_STAT_IQM, 500, 0.05, &rng, &lo, &hi);
    cr_assert(NEAR(lo, 5) && NEAR(hi, 5), "[%g, %g]", lo, hi);
    arc_stats_bootstrap(v, 4, ARC_STAT_IQM, 500, 0.05, &rng, &lo, &hi);
    cr_assert(lo < 5 && hi > 5, "[%g, %g]", lo, hi);
}

Test(stats, stratified_bootstrap_with_one_stratum_is_the_plain_one)
{
    const double v[] = {3, 9, 1, 4, 7, 2};
    const int sizes[] = {6};
    ArcRng a, b;
    arc_rng_seed(&a, 11), arc_rng_seed(&b, 11);
    double lo1, hi1, lo2, hi2;
    arc_stats_bootstrap(v, 6, ARC_STAT_IQM, 300, 0.05, &a, &lo1, &hi1);
    arc_stats_bootstrap_stratified(v, sizes, 1, ARC_STAT_IQM, 300, 0.05, &b, &lo2, &hi2);
    cr_assert(lo1 == lo2 && hi1 == hi2);
}

Test(stats, spearman_by_hand)
{
    const double x[] = {1, 2, 3, 4, 5}, y[] = {2, 1, 4, 3, 5};
    /* sum of squared rank differences 4: 1 - 6 * 4 / (5 * 24) = 0.8 */
    cr_assert(fabs(arc_stats_spearman(x, y, 5) - 0.8) < 1e-12);
    const double rev[] = {50, 40, 30, 20, 10};
    cr_assert(fabs(arc_stats_spearman(x, rev, 5) + 1) < 1e-12);
    /* ties: x ranks 1, 2.5, 2.5, 4 against 1..4: rho = 4.5 / sqrt(4.5 * 5) = sqrt(0.9) */
    const double tx[] = {1, 2, 2, 3}, ty[] = {1, 2, 3, 4};
    cr_assert(fabs(arc_stats_spearman(tx, ty, 4) - sqrt(0.9)) < 1e-12);
    const double flat[] = {2, 2, 2, 2};
    cr_assert(isnan(arc_stats_spearman(flat, ty, 4)));
    cr_assert(isnan(arc_stats_spearman(x, y, 1)));
}
