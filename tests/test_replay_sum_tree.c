/* test_replay_sum_tree.c — the sum tree: sampling proportions, totals under updates,
 * interval boundaries and zero-priority leaves. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "../common/rng.h"
#include "../replay/sum_tree.h"

/* Leaves 0..19 with priorities 0 (every 4th leaf) or i + 1; 200,000 draws u ~ U[0, total).
 * Pearson's chi-square over the 15 positive leaves (14 degrees of freedom) must stay
 * below 36.12, the 99.9th percentile of chi2(14): a correct tree fails that for only
 * 0.1% of seeds, and the seed is fixed, so the test is deterministic; a tree that
 * mis-weights any leaf by a few percent lands far above it (each expected count is
 * >= 2,600, so a 5% bias on one leaf alone adds ~ 6.5). Zero leaves must never be drawn. */
Test(sum_tree, sampling_proportions_match_priorities)
{
    enum { LEAVES = 20, DRAWS = 200000 };
    ArcSumTree tree;
    cr_assert_eq(arc_sum_tree_init(&tree, LEAVES, NULL), ARC_OK);
    double p[LEAVES], total = 0;
    for (int i = 0; i < LEAVES; i++) {
        p[i] = i % 4 == 0 ? 0.0 : i + 1.0;
        arc_sum_tree_set(&tree, i, p[i]);
        total += p[i];
    }
    cr_assert_float_eq(arc_sum_tree_total(&tree), total, 1e-12);
    ArcRng rng;
    arc_rng_seed(&rng, 12345);
    static int counts[LEAVES];
    for (int d = 0; d < DRAWS; d++) {
        int64_t i = arc_sum_tree_find(&tree, arc_rng_uniform(&rng) * total);
        cr_assert(i >= 0 && i < LEAVES, "leaf %lld", (long long)i);
        counts[i]++;
    }
    double chi2 = 0;
    for (int i = 0; i < LEAVES; i++) {
        if (p[i] == 0) {
            cr_assert_eq(counts[i], 0, "zero-priority leaf %d drawn %d times", i, counts[i]);
            continue;
        }
        double expect = DRAWS * p[i] / total;
        chi2 += (counts[i] - expect) * (counts[i] - expect) / expect;
    }
    cr_assert_lt(chi2, 36.12, "chi-square %g over 14 degrees of freedom", chi2);
    arc_sum_tree_free(&tree);
}

/* 100,000 random updates (a fifth of them to 0) on 1,000 leaves: the root equals the sum
 * of the leaves, and every inner node equals the sum of its children exactly. */
Test(sum_tree, totals_stay_right_after_many_updates)
{
    enum { LEAVES = 1000 };
    ArcSumTree tree;
    cr_assert_eq(arc_sum_tree_init(&tree, LEAVES, NULL), ARC_OK);
    cr_assert_eq(tree.leaves, 1024);
    ArcRng rng;
    arc_rng_seed(&rng, 7);
    static double p[LEAVES];
    for (int u = 0; u < 100000; u++) {
        int64_t i = arc_rng_int(&rng, 0, LEAVES);
        p[i] = arc_rng_u32(&rng) % 5 == 0 ? 0.0 : arc_rng_uniform(&rng) * 100.0;
        arc_sum_tree_set(&tree, i, p[i]);
    }
    double sum = 0;
    for (int i = 0; i < LEAVES; i++) {
        cr_assert_eq(arc_sum_tree_get(&tree, i), p[i]);
        sum += p[i];
    }
    cr_assert_float_eq(arc_sum_tree_total(&tree), sum, 1e-9 * sum, "root %.17g, leaves %.17g",
                       arc_sum_tree_total(&tree), sum);
    for (int64_t k = 1; k < tree.leaves; k++)
        cr_assert_eq(tree.nodes[k], tree.nodes[2 * k] + tree.nodes[2 * k + 1], "node %lld",
                     (long long)k);
    for (int64_t k = tree.leaves + LEAVES; k < 2 * tree.leaves; k++)
        cr_assert_eq(tree.nodes[k], 0.0, "padding leaf %lld", (long long)(k - tree.leaves));
    arc_sum_tree_free(&tree);
}

/* Leaf i owns [prefix(i), prefix(i) + p_i); zero leaves own nothing; values at or past
 * the total (rounding) land on the last positive leaf, never on a zero one. */
Test(sum_tree, find_respects_interval_boundaries)
{
    ArcSumTree tree;
    cr_assert_eq(arc_sum_tree_init(&tree, 6, NULL), ARC_OK);
    const double p[6] = {0, 2, 0, 3, 0, 0};
    for (int i = 0; i < 6; i++) arc_sum_tree_set(&tree, i, p[i]);
    cr_assert_eq(arc_sum_tree_total(&tree), 5.0);
    cr_assert_eq(arc_sum_tree_find(&tree, -1.0), 1);
    cr_assert_eq(arc_sum_tree_find(&tree, 0.0), 1);
    cr_assert_eq(arc_sum_tree_find(&tree, nextafter(2.0, 0)), 1);
    cr_assert_eq(arc_sum_tree_find(&tree, 2.0), 3);
    cr_assert_eq(arc_sum_tree_find(&tree, 4.999), 3);
    cr_assert_eq(arc_sum_tree_find(&tree, 5.0), 3);
    cr_assert_eq(arc_sum_tree_find(&tree, 7.5), 3);
    arc_sum_tree_set(&tree, 3, 0);
    cr_assert_eq(arc_sum_tree_find(&tree, 4.0), 1, "all mass on leaf 1 now");
    arc_sum_tree_free(&tree);
}

Test(sum_tree, rejects_bad_capacity)
{
    ArcSumTree tree;
    ArcErr err;
    cr_assert_eq(arc_sum_tree_init(&tree, 0, &err), ARC_ERR_ARG);
    cr_assert(strstr(err.msg, "capacity") != NULL, "%s", err.msg);
    cr_assert_eq(arc_sum_tree_init(&tree, 1, &err), ARC_OK);
    cr_assert_eq(tree.leaves, 1);
    arc_sum_tree_set(&tree, 0, 4.0);
    cr_assert_eq(arc_sum_tree_find(&tree, 3.9), 0);
    arc_sum_tree_free(&tree);
}
