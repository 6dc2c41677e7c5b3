/* rollout_queue.h — a bounded pool of rollout buffers between actor threads and one
 * learner (the batched A3C learner, a3c_batched.c).
 *
 * The queue owns `capacity` preallocated rollouts and two FIFO lists of them: free and
 * full. An actor acquires a free rollout (waiting while none is free), fills it in place,
 * and pushes it; the learner pops several full ones at once, trains on them and releases
 * them back to the free list. Nothing is copied through the queue and nothing is
 * allocated after init. The bound is what limits how far actors run ahead of the learner
 * (and so the policy lag): with capacity 2W for W actors and a learner taking W rollouts
 * per update, an actor is at most about two updates behind.
 *
 * Threads: one mutex and two condition variables; any number of actors, one learner. A
 * rollout belongs to whoever acquired or popped it until it pushes or releases it.
 */
#ifndef ARC_ROLLOUT_QUEUE_H
#define ARC_ROLLOUT_QUEUE_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../common/check.h"

typedef struct ArcRollout {
    uint8_t *obs;      /* (T+1, N, C, H, W): row t is s_t, row T the bootstrap state */
    int32_t *actions;  /* (T, N) */
    float *rewards;    /* (T, N) */
    uint8_t *dones;    /* (T, N) the step from s_t ended an episode */
    float *log_mu;     /* (T, N) behaviour log-probability of the taken action */
    long long version; /* learner version of the parameters that acted */
    int actor;         /* who filled it */
} ArcRollout;

typedef struct ArcRolloutQueue {
    ArcRollout *slots;
    int capacity, T, N;
    size_t obs_size;   /* bytes of one observation */
    int *free_ring, free_head, free_count;
    int *full_ring, full_head, full_count;
    bool closed;
    pthread_mutex_t lock;
    pthread_cond_t freed, filled;
} ArcRolloutQueue;

/* capacity rollouts of T steps of N envs with obs_size-byte observations. Returns ARC_OK
 * or ARC_ERR_ARG (message) for a non-positive size. Free with arc_rollout_queue_free. */
int arc_rollout_queue_init(ArcRolloutQueue *q, int capacity, int T, int N, size_t obs_size,
                           ArcErr *err);
void arc_rollout_queue_free(ArcRolloutQueue *q);

/* A free rollout for the caller to fill, waiting while none is free; NULL once the queue
 * is closed. */
ArcRollout *arc_rollout_queue_acquire(ArcRolloutQueue *q);
/* Hands a filled rollout (from acquire) to the learner. */
void arc_rollout_queue_push(ArcRolloutQueue *q, ArcRollout *r);

/* Takes exactly `want` full rollouts, oldest first, into out, waiting up to timeout_s
 * seconds for that many; returns want, or 0 on timeout (taking nothing). Once the queue
 * is closed it takes what is there, up to want, without waiting (0 when empty). */
int arc_rollout_queue_pop(ArcRolloutQueue *q, ArcRollout **out, int want, double timeout_s);
/* Gives a popped rollout back to the free list. */
void arc_rollout_queue_release(ArcRolloutQueue *q, ArcRollout *r);

/* No more rollouts will be acquired: wakes every waiter; acquire returns NULL from now on
 * and pop stops waiting. */
void arc_rollout_queue_close(ArcRolloutQueue *q);
/* Full rollouts waiting (a snapshot, for tests and monitoring). */
int arc_rollout_queue_full_count(ArcRolloutQueue *q);

#endif
