/* dist_learner.h — one synchronous learner spread over MPI ranks (common/dist.h).
 *
 * Every rank runs its own actors; each update every rank contributes the sum of its
 * actors' gradients, and the update applied is the mean over all actors of all ranks,
 * clipped, through the usual optimizer (learner.h). Two ways to get there:
 *
 *   ARC_DIST_ALLREDUCE  every rank keeps a full learner (master parameters and optimizer
 *     statistics). One MPI_Allreduce sums the gradient slab; each rank then takes the
 *     same optimizer step on the same numbers, so the parameters stay identical without
 *     being sent. Traffic per rank is about 2P floats whatever the number of ranks (ring
 *     all-reduce), and no rank is special.
 *   ARC_DIST_PS  a parameter server: rank 0 alone holds the master parameters and the
 *     optimizer; the other ranks send it their gradient sums, rank 0 adds them in rank
 *     order, applies the step and sends the new parameters back to each. Rank 0's link
 *     carries 2(K-1)P floats per update, so it becomes the bottleneck as ranks grow; in
 *     return the workers hold no optimizer state and the server is the one place where
 *     the model lives (the shape that asynchronous and fault-tolerant schemes build on).
 *
 * The stop decision travels with the gradients: two floats after the P gradient floats
 * carry each rank's stop request (Ctrl-C, a time limit) and, from the server, the norm,
 * so every rank leaves after the same update. Every check_every updates the ranks
 * compare a fingerprint of their parameters; a difference is an error naming the rank.
 *
 * Threads: every function is collective (all ranks, same order) and is called from one
 * thread at a time, with the actors quiet (between the barriers of a synchronous run).
 */
#ifndef ARC_DIST_LEARNER_H
#define ARC_DIST_LEARNER_H

#include "learner.h"

typedef enum { ARC_DIST_ALLREDUCE = 0, ARC_DIST_PS = 1 } ArcDistMode;

#define ARC_DIST_EXTRA 2 /* floats after the gradient slab: stop request, norm */

typedef struct ArcDistLearner {
    ArcLearner *learner;   /* this rank's learner (PS workers: parameters only) */
    ArcDistMode mode;
    int rank, size;
    size_t num_params;     /* P */
    int64_t check_every;   /* updates between parameter fingerprint checks; 0: never */
    int64_t updates;       /* made so far by this object */
    float *buf;            /* (P + ARC_DIST_EXTRA) host: what is sent and received */
    float *incoming;       /* (P + ARC_DIST_EXTRA) host: the server's receive buffer */
    double comm_seconds;   /* wall time spent in the exchange, summed */
} ArcDistLearner;

/* "allreduce" | "ps" into *mode; returns false for anything else. */
bool arc_dist_mode_parse(const char *name, ArcDistMode *mode);

/* Prepares the exchange for learner (owned by the caller, outliving d) on the world of
 * common/dist.h. Not collective. Free with arc_dist_learner_free. */
void arc_dist_learner_init(ArcDistLearner *d, ArcLearner *learner, ArcDistMode mode,
                           int64_t check_every);
void arc_dist_learner_free(ArcDistLearner *d);

/* Collective: rank 0's parameters, optimizer statistics, version and *counter (e.g. the
 * frames already done by a resumed run) replace every other rank's. */
void arc_dist_learner_broadcast(ArcDistLearner *d, int64_t *counter);

/* Collective: one synchronous update. Sums workers[0..n)'s gradients in that order into
 * workers[0]->grads, exchanges (see the modes), scales by 1/(n * size), clips and
 * applies with learning rate lr. *stop: in, this rank's stop request; out, whether any
 * rank asked to stop. Returns the norm before clipping (the same on every rank); a
 * non-finite norm means nothing was applied, as in arc_learner_apply_sum. */
double arc_dist_learner_apply_sum(ArcDistLearner *d, ArcNet *const *workers, int n, float lr,
                                  bool *stop);

/* Collective, after each update: every check_every updates compares the ranks'
 * parameter fingerprints. Returns ARC_OK, or ARC_ERR_NUMERIC with a message naming the
 * first rank whose parameters differ from rank 0's (the same on every rank). */
int arc_dist_learner_check(ArcDistLearner *d, ArcErr *err);

/* This rank's parameters' fingerprint (arc_dist_fingerprint). */
uint64_t arc_dist_learner_fingerprint(const ArcDistLearner *d);

#endif
