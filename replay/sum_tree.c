/* sum_tree.c — binary sum tree for prioritized sampling (see sum_tree.h). */
#include "sum_tree.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define ARC_SUM_TREE_MAX_LEAVES ((int64_t)1 << 40)

static int64_t next_pow2(int64_t n)
{
    int64_t p = 1;
    while (p < n) p <<= 1;
    return p;
}

size_t arc_sum_tree_bytes(int64_t capacity)
{
    return (size_t)(2 * next_pow2(capacity)) * sizeof(double);
}

int arc_sum_tree_init(ArcSumTree *tree, int64_t capacity, ArcErr *err)
{
    memset(tree, 0, sizeof *tree);
    if (capacity < 1 || capacity > ARC_SUM_TREE_MAX_LEAVES)
        return arc_err_set(err, ARC_ERR_ARG, "sum tree capacity must be in 1 .. 2^40, got %lld",
                           (long long)capacity);
    tree->capacity = capacity;
    tree->leaves = next_pow2(capacity);
    tree->nodes = arc_xcalloc((size_t)(2 * tree->leaves), sizeof *tree->nodes);
    return ARC_OK;
}

void arc_sum_tree_free(ArcSumTree *tree)
{
    free(tree->nodes);
    memset(tree, 0, sizeof *tree);
}

void arc_sum_tree_set(ArcSumTree *tree, int64_t i, double p)
{
    ARC_CHECK(i >= 0 && i < tree->capacity, "leaf %lld outside 0 .. %lld", (long long)i,
              (long long)tree->capacity - 1);
    ARC_CHECK(p >= 0 && isfinite(p), "priority of leaf %lld is %g", (long long)i, p);
    double *nodes = tree->nodes;
    int64_t k = tree->leaves + i;
    nodes[k] = p;
    for (k >>= 1; k >= 1; k >>= 1) nodes[k] = nodes[2 * k] + nodes[2 * k + 1];
}

int64_t arc_sum_tree_find(const ArcSumTree *tree, double u)
{
    const double *nodes = tree->nodes;
    ARC_CHECK(nodes[1] > 0, "search in an empty sum tree (total %g)", nodes[1]);
    if (u < 0) u = 0;
    /* Invariant: the current node's sum is > 0, so the leaf reached has p > 0. Go right
     * only when u is past the left sum and the right subtree holds mass; otherwise left,
     * which then must hold mass. */
    int64_t k = 1;
    while (k < tree->leaves) {
        double left = nodes[2 * k];
        if (u >= left && nodes[2 * k + 1] > 0) {
            u -= left;
            k = 2 * k + 1;
        } else {
            k = 2 * k;
        }
    }
    return k - tree->leaves;
}
