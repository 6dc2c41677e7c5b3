/* race_rollout_queue.c — ThreadSanitizer program for the rollout queue and the batched
 * A3C learner.
 *
 * Producers acquire rollouts, fill every buffer with a pattern derived from (producer,
 * sequence number) and push them; one consumer pops them in batches, checks every byte
 * of each, and releases them, while another thread polls the queue's count. Then the
 * queue is closed with producers possibly waiting, and a short batched A3C run (six
 * actors, metrics and periodic checkpoints from the learner thread) follows.
 * Exits 0 when every rollout arrived intact exactly once and the run finished; TSan
 * reports any data race (exit 66). */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../agent/a3c.h"
#include "../agent/rollout_queue.h"

#define PRODUCERS 4
#define PER_PRODUCER 300
#define T 3
#define N 4
#define OBS 50

static ArcRolloutQueue queue;
static atomic_bool done;

static uint8_t pattern(int producer, int seq, size_t i) { return (uint8_t)(producer * 31 + seq * 7 + i); }

static void *producer(void *arg)
{
    int p = (int)(intptr_t)arg;
    for (int seq = 0; seq < PER_PRODUCER; seq++) {
        ArcRollout *r = arc_rollout_queue_acquire(&queue);
        if (!r) return NULL;
        for (size_t i = 0; i < (size_t)(T + 1) * N * OBS; i++) r->obs[i] = pattern(p, seq, i);
        for (int k = 0; k < T * N; k++) {
            r->actions[k] = p;
            r->rewards[k] = (float)seq;
            r->dones[k] = pattern(p, seq, (size_t)k);
            r->log_mu[k] = (float)(p * 1000 + seq);
        }
        r->version = seq;
        r->actor = p;
        arc_rollout_queue_push(&queue, r);
    }
    return NULL;
}

static bool intact(const ArcRollout *r)
{
    int p = r->actor, seq = (int)r->version;
    for (size_t i = 0; i < (size_t)(T + 1) * N * OBS; i++)
        if (r->obs[i] != pattern(p, seq, i)) return false;
    for (int k = 0; k < T * N; k++)
        if (r->actions[k] != p || r->rewards[k] != (float)seq || r->dones[k] != pattern(p, seq, (size_t)k) ||
            r->log_mu[k] != (float)(p * 1000 + seq))
            return false;
    return true;
}

static void *poller(void *arg)
{
    (void)arg;
    while (!atomic_load(&done)) arc_rollout_queue_full_count(&queue);
    return NULL;
}

static int batched_run(const char *dir)
{
    ArcTrainConfig cfg;
    arc_train_config_defaults(&cfg);
    snprintf(cfg.out, sizeof cfg.out, "%s", dir);
    strcpy(cfg.learner, "batched");
    cfg.frames = 6000;
    cfg.threads = 6; /* many actors copying the published parameters while it moves */
    cfg.envs_per_thread = 2;
    cfg.checkpoint_every = 1000;
    ArcTrainOptions opt = {.quiet = true, .metrics_every = 0.01};
    ArcTrainResult res;
    ArcErr err;
    if (arc_a3c_train(&cfg, &opt, &res, &err)) {
        fprintf(stderr, "race_rollout_queue: batched run: %s\n", err.msg);
        return 1;
    }
    return res.frames >= cfg.frames ? 0 : 1;
}

int main(void)
{
    ArcErr err;
    if (arc_rollout_queue_init(&queue, 2 * PRODUCERS, T, N, OBS, &err)) {
        fprintf(stderr, "race_rollout_queue: %s\n", err.msg);
        return 1;
    }
    pthread_t threads[PRODUCERS], poll;
    pthread_create(&poll, NULL, poller, NULL);
    for (int i = 0; i < PRODUCERS; i++) pthread_create(&threads[i], NULL, producer, (void *)(intptr_t)i);
    static int seen[PRODUCERS][PER_PRODUCER];
    int received = 0, bad = 0;
    ArcRollout *batch[PRODUCERS];
    while (received < PRODUCERS * PER_PRODUCER) {
        int n = arc_rollout_queue_pop(&queue, batch, PRODUCERS / 2, 1.0);
        for (int k = 0; k < n; k++) {
            bad += !intact(batch[k]);
            seen[batch[k]->actor][batch[k]->version]++;
            arc_rollout_queue_release(&queue, batch[k]);
        }
        received += n;
    }
    for (int i = 0; i < PRODUCERS; i++) pthread_join(threads[i], NULL);
    /* closing wakes a waiting acquirer and makes pop return at once */
    arc_rollout_queue_close(&queue);
    if (arc_rollout_queue_acquire(&queue) != NULL || arc_rollout_queue_pop(&queue, batch, 1, 10.0) != 0) {
        fprintf(stderr, "race_rollout_queue: a closed queue still handed out rollouts\n");
        return 1;
    }
    atomic_store(&done, true);
    pthread_join(poll, NULL);
    arc_rollout_queue_free(&queue);
    for (int i = 0; i < PRODUCERS; i++)
        for (int s = 0; s < PER_PRODUCER; s++) bad += seen[i][s] != 1;
    if (bad) {
        fprintf(stderr, "race_rollout_queue: %d rollouts damaged, lost or repeated\n", bad);
        return 1;
    }
    char dir[] = "/tmp/arcade-race-rq-XXXXXX";
    if (!mkdtemp(dir)) return 1;
    int status = batched_run(dir);
    char cmd[64];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    if (system(cmd) != 0) return 1;
    if (!status)
        printf("race_rollout_queue: %d rollouts from %d producers intact; batched A3C run with 6 "
               "actors: ok\n", PRODUCERS * PER_PRODUCER, PRODUCERS);
    return status;
}
