/* learner.h — the shared learner of an actor-critic run: master parameters, the shared
 * optimizer statistics, and the version counter actors use to know how stale they are.
 *
 * How the threads meet. Every actor owns a worker net (same config, same backend) that
 * holds its policy copy and its gradients. arc_learner_pull copies the master parameters
 * into the worker; arc_learner_apply takes the worker's gradients, clips them, and runs
 * one optimizer step on the master with the SHARED RMSProp/Adam statistics.
 *   - ARC_UPDATE_HOGWILD: apply and pull take no lock, as in the A3C paper. Updates from
 *     different actors interleave element by element; a pull may see a half-applied
 *     update. This is deliberate (lock-free asynchronous SGD) and is a data race in the
 *     C memory model, so the ThreadSanitizer race program covers the locked mode.
 *   - ARC_UPDATE_LOCKED: apply and pull hold one mutex; updates are serialised and every
 *     pull sees whole updates.
 * The synchronous (A2C) mode does not use apply: the run sums the actors' gradients in a
 * fixed order with arc_learner_apply_sum at a barrier, which is what makes it
 * reproducible bit for bit.
 * The version counts applied updates; it is read and incremented atomically.
 */
#ifndef ARC_LEARNER_H
#define ARC_LEARNER_H

#include <pthread.h>
#include <stdatomic.h>

#include "../kernels/net.h"

typedef enum { ARC_UPDATE_HOGWILD = 0, ARC_UPDATE_LOCKED = 1 } ArcUpdateMode;

typedef struct ArcLearner {
    ArcNet *master;          /* params, opt_m, opt_v: the shared state */
    ArcOptimConfig optim;    /* lr is set per update by the schedule */
    ArcUpdateMode mode;
    float clip;              /* global-norm clip of each applied gradient; 0: none */
    pthread_mutex_t lock;    /* LOCKED mode and snapshots */
    atomic_llong version;    /* updates applied so far */
} ArcLearner;

/* Builds the master net (parameters initialised from seed) on be, with activations for
 * max_batch rows (1 when only workers run batches; DQN's learner trains the master
 * itself). Returns ARC_OK, or an error with a message (bad network config). Free with
 * arc_learner_free. */
int arc_learner_init(ArcLearner *learner, const ArcNetConfig *cfg, ArcBackend *be,
                     const ArcOptimConfig *optim, ArcUpdateMode mode, float clip, int max_batch,
                     uint32_t seed, ArcErr *err);
void arc_learner_free(ArcLearner *learner);

/* Copies the master parameters into worker; returns the version they belong to. */
long long arc_learner_pull(ArcLearner *learner, ArcNet *worker);

/* Clips worker->grads (in place) and applies them to the master with learning rate lr.
 * Returns the gradient norm before clipping. A gradient with a NaN or infinity (a
 * non-finite norm) is not applied: the master keeps its last good parameters and the
 * caller decides what to do. Safe from many threads (see the modes). */
double arc_learner_apply(ArcLearner *learner, ArcNet *worker, float lr);

/* Synchronous mode: sums the gradients of workers[0..n) in that order into
 * workers[0]->grads, scales by 1/n, clips and applies (not when non-finite, as above).
 * Call from one thread while the others wait. Returns the norm before clipping. */
double arc_learner_apply_sum(ArcLearner *learner, ArcNet *const *workers, int n, float lr);

/* Host copies of the shared state for a checkpoint, under the lock (in HOGWILD mode an
 * update may still be in flight, so the snapshot is that of a running Hogwild system).
 * params/m/v are num_params floats each; m may be NULL. Returns the version. */
long long arc_learner_snapshot(ArcLearner *learner, float *params, float *m, float *v);
/* Restores the shared state from host copies (before any actor runs). */
void arc_learner_restore(ArcLearner *learner, const float *params, const float *m,
                         const float *v, long long version);

#endif
