/* sum_tree.h — a binary sum tree over non-negative leaf priorities, for prioritized replay.
 *
 * Leaves 0 .. capacity-1 hold priorities; every inner node holds the sum of its two
 * children, so the total is the root and a prefix-sum search finds the leaf in which a
 * value u in [0, total) falls in O(log capacity). Layout: one array of 2P doubles (P is
 * the next power of two >= capacity), node 1 the root, node k's children 2k and 2k+1,
 * leaf i at node P + i (node 0 unused). Each inner node is always recomputed as
 * left + right of the current children (never adjusted by a delta), so after any sequence
 * of updates every node equals the floating-point sum of its children exactly and no
 * rounding drift accumulates.
 *
 * Threads: none inside. A tree is plain data; its owner serialises access (the replay
 * buffer guards it with its mutex).
 */
#ifndef ARC_SUM_TREE_H
#define ARC_SUM_TREE_H

#include <stddef.h>
#include <stdint.h>

#include "../common/check.h"

typedef struct ArcSumTree {
    int64_t capacity;  /* number of usable leaves */
    int64_t leaves;    /* P: power of two >= capacity */
    double *nodes;     /* (2P) node 1 = root, leaf i at P + i */
} ArcSumTree;

/* Bytes arc_sum_tree_init allocates for a tree of capacity leaves. */
size_t arc_sum_tree_bytes(int64_t capacity);

/* Allocates a tree with all priorities 0. Returns ARC_ERR_ARG (with a message) for
 * capacity < 1 or too large. Free with arc_sum_tree_free. */
int arc_sum_tree_init(ArcSumTree *tree, int64_t capacity, ArcErr *err);
void arc_sum_tree_free(ArcSumTree *tree);

/* Sets leaf i (0 <= i < capacity) to priority p (finite, >= 0) and refreshes its path. */
void arc_sum_tree_set(ArcSumTree *tree, int64_t i, double p);

static inline double arc_sum_tree_get(const ArcSumTree *tree, int64_t i)
{
    return tree->nodes[tree->leaves + i];
}

static inline double arc_sum_tree_total(const ArcSumTree *tree) { return tree->nodes[1]; }

/* The leaf whose prefix-sum interval holds u: the smallest i with
 * sum(p[0..i]) > u, for 0 <= u < total. The total must be > 0. The result always has a
 * positive priority, even where rounding puts u at or past an interval's end (values
 * >= total land on the last positive leaf). */
int64_t arc_sum_tree_find(const ArcSumTree *tree, double u);

#endif
