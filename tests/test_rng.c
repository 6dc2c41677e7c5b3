/* test_rng.c — MT19937 and the numpy-legacy draws against values numpy 1.24 prints. */
#include <criterion/criterion.h>

#include "../common/rng.h"

Test(rng, mt19937_reference_outputs)
{
    ArcRng rng;
    arc_rng_seed(&rng, 5489); /* the reference implementation's default seed */
    cr_assert_eq(arc_rng_u32(&rng), 3499211612u);
    arc_rng_seed(&rng, 0);
    cr_assert_eq(arc_rng_u32(&rng), 2357136044u);
    cr_assert_eq(arc_rng_u32(&rng), 2546248239u);
    cr_assert_eq(arc_rng_u32(&rng), 3071714933u);
}

Test(rng, mt19937_ten_thousandth_output)
{
    /* the classic check value: the 10000th output of init_genrand(5489) */
    ArcRng rng;
    arc_rng_seed(&rng, 5489);
    uint32_t x = 0;
    for (int i = 0; i < 10000; i++) x = arc_rng_u32(&rng);
    cr_assert_eq(x, 4123659995u);
}

Test(rng, uniform_matches_numpy_random_sample)
{
    /* np.random.RandomState(s).rand() */
    ArcRng rng;
    arc_rng_seed(&rng, 0);
    cr_assert_eq(arc_rng_uniform(&rng), 0.5488135039273248);
    arc_rng_seed(&rng, 42);
    cr_assert_eq(arc_rng_uniform(&rng), 0.3745401188473625);
    arc_rng_seed(&rng, 1);
    cr_assert_eq(arc_rng_uniform(&rng), 0.417022004702574);
}

Test(rng, int_matches_numpy_randint)
{
    /* np.random.RandomState(0).randint(0, 10, 5) == [5, 0, 3, 3, 7] */
    ArcRng rng;
    arc_rng_seed(&rng, 0);
    const int64_t expect[5] = {5, 0, 3, 3, 7};
    for (int i = 0; i < 5; i++) cr_assert_eq(arc_rng_int(&rng, 0, 10), expect[i], "draw %d", i);
}

Test(rng, int_with_single_value_consumes_nothing)
{
    ArcRng a, b;
    arc_rng_seed(&a, 7);
    arc_rng_seed(&b, 7);
    cr_assert_eq(arc_rng_int(&a, 3, 4), 3);
    cr_assert_eq(arc_rng_u32(&a), arc_rng_u32(&b));
}
