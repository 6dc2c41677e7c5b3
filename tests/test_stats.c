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
