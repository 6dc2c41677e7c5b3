/* rollout_queue.c — the bounded rollout pool between actors and the learner (see
 * rollout_queue.h). Both lists are rings of slot indices under one mutex. */
#include "rollout_queue.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

int arc_rollout_queue_init(ArcRolloutQueue *q, int capacity, int T, int N, size_t obs_size,
                           ArcErr *err)
{
    memset(q, 0, sizeof *q);
    if (capacity < 1 || T < 1 || N < 1 || obs_size < 1)
        return arc_err_set(err, ARC_ERR_ARG,
                           "rollout queue of %d rollouts of %d steps x %d envs x %zu bytes: "
                           "expected positive sizes", capacity, T, N, obs_size);
    q->capacity = capacity;
    q->T = T;
    q->N = N;
    q->obs_size = obs_size;
    q->slots = arc_xcalloc((size_t)capacity, sizeof *q->slots);
    q->free_ring = arc_xmalloc((size_t)capacity * sizeof *q->free_ring);
    q->full_ring = arc_xmalloc((size_t)capacity * sizeof *q->full_ring);
    size_t steps = (size_t)T * N;
    for (int i = 0; i < capacity; i++) {
        ArcRollout *r = &q->slots[i];
        r->obs = arc_xmalloc((steps + (size_t)N) * obs_size);
        r->actions = arc_xmalloc(steps * sizeof *r->actions);
        r->rewards = arc_xmalloc(steps * sizeof *r->rewards);
        r->dones = arc_xmalloc(steps);
        r->log_mu = arc_xmalloc(steps * sizeof *r->log_mu);
        q->free_ring[i] = i;
    }
    q->free_count = capacity;
    pthread_mutex_init(&q->lock, NULL);
    pthread_cond_init(&q->freed, NULL);
    pthread_cond_init(&q->filled, NULL);
    return ARC_OK;
}

void arc_rollout_queue_free(ArcRolloutQueue *q)
{
    if (!q->slots) return;
    for (int i = 0; i < q->capacity; i++) {
        ArcRollout *r = &q->slots[i];
        free(r->obs), free(r->actions), free(r->rewards), free(r->dones), free(r->log_mu);
    }
    free(q->slots), free(q->free_ring), free(q->full_ring);
    pthread_mutex_destroy(&q->lock);
    pthread_cond_destroy(&q->freed);
    pthread_cond_destroy(&q->filled);
    memset(q, 0, sizeof *q);
}

static int slot_index(const ArcRolloutQueue *q, const ArcRollout *r)
{
    ptrdiff_t i = r - q->slots;
    ARC_CHECK(i >= 0 && i < q->capacity, "rollout %p is not one of the queue's", (const void *)r);
    return (int)i;
}

/* ring push/pop; the caller holds the lock */
static void ring_push(int *ring, int head, int *count, int capacity, int value)
{
    ARC_CHECK(*count < capacity, "rollout ring overflow (%d of %d)", *count, capacity);
    ring[(head + *count) % capacity] = value;
    (*count)++;
}

static int ring_pop(const int *ring, int *head, int *count, int capacity)
{
    int value = ring[*head];
    *head = (*head + 1) % capacity;
    (*count)--;
    return value;
}

ArcRollout *arc_rollout_queue_acquire(ArcRolloutQueue *q)
{
    pthread_mutex_lock(&q->lock);
    while (!q->closed && q->free_count == 0) pthread_cond_wait(&q->freed, &q->lock);
    ArcRollout *r = NULL;
    if (!q->closed) r = &q->slots[ring_pop(q->free_ring, &q->free_head, &q->free_count, q->capacity)];
    pthread_mutex_unlock(&q->lock);
    return r;
}

void arc_rollout_queue_push(ArcRolloutQueue *q, ArcRollout *r)
{
    int i = slot_index(q, r);
    pthread_mutex_lock(&q->lock);
    ring_push(q->full_ring, q->full_head, &q->full_count, q->capacity, i);
    pthread_cond_signal(&q->filled);
    pthread_mutex_unlock(&q->lock);
}

int arc_rollout_queue_pop(ArcRolloutQueue *q, ArcRollout **out, int want, double timeout_s)
{
    ARC_CHECK(want >= 1 && want <= q->capacity, "popping %d rollouts from a queue of %d", want,
              q->capacity);
    struct timespec deadline;
    clock_gettime(CLOCK_REALTIME, &deadline);
    long long ns = deadline.tv_nsec + (long long)(timeout_s * 1e9);
    deadline.tv_sec += (time_t)(ns / 1000000000);
    deadline.tv_nsec = (long)(ns % 1000000000);
    pthread_mutex_lock(&q->lock);
    while (!q->closed && q->full_count < want)
        if (pthread_cond_timedwait(&q->filled, &q->lock, &deadline) == ETIMEDOUT) break;
    int n = 0;
    if (q->full_count >= want || q->closed) {
        n = q->full_count < want ? q->full_count : want;
        for (int k = 0; k < n; k++)
            out[k] = &q->slots[ring_pop(q->full_ring, &q->full_head, &q->full_count, q->capacity)];
    }
    pthread_mutex_unlock(&q->lock);
    return n;
}

void arc_rollout_queue_release(ArcRolloutQueue *q, ArcRollout *r)
{
    int i = slot_index(q, r);
    pthread_mutex_lock(&q->lock);
    ring_push(q->free_ring, q->free_head, &q->free_count, q->capacity, i);
    pthread_cond_signal(&q->freed);
    pthread_mutex_unlock(&q->lock);
}

void arc_rollout_queue_close(ArcRolloutQueue *q)
{
    pthread_mutex_lock(&q->lock);
    q->closed = true;
    pthread_cond_broadcast(&q->freed);
    pthread_cond_broadcast(&q->filled);
    pthread_mutex_unlock(&q->lock);
}

int arc_rollout_queue_full_count(ArcRolloutQueue *q)
{
    pthread_mutex_lock(&q->lock);
    int n = q->full_count;
    pthread_mutex_unlock(&q->lock);
    return n;
}
