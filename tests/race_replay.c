/* race_replay.c — ThreadSanitizer program for the replay buffer (plain main(): TSan does
 * not run under Criterion).
 *
 * Four pusher threads, each owning 8 streams, push 3,000 synthetic steps per stream into
 * a small prioritized n-step buffer (64 transitions per stream, so every ring wraps many
 * times), while one learner thread runs 3,000 sample + priority-update iterations. Every
 * sampled row is checked against the synthetic streams (test_replay_synth.h): a torn
 * frame or a transition paired with the wrong bootstrap fails. Exits 0 when every row
 * was consistent and the counters add up; TSan reports any data race on the way.
 */
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>

#include "test_replay_synth.h"

enum { PUSHERS = 4, PER = 8, STEPS = 3000, ITERS = 3000, BATCH = 32, C = 10, N = 3 };
#define GAMMA 0.97

typedef struct {
    ArcReplay *buf;
    int first;
} Pusher;

static void *pusher_main(void *arg)
{
    Pusher *p = arg;
    static __thread uint8_t obs[PER * C * 100], next_obs[PER * C * 100], final_obs[PER * C * 100];
    int actions[PER];
    float rewards[PER];
    uint8_t terms[PER], truncs[PER];
    for (int64_t t = 0; t < STEPS; t++) {
        synth_step(C, p->first, PER, t, obs, actions, rewards, terms, truncs, next_obs, final_obs);
        arc_replay_push(p->buf, p->first, PER, obs, actions, rewards, terms, truncs, next_obs,
                        final_obs);
    }
    return NULL;
}

typedef struct {
    ArcReplay *buf;
    int bad, empty, stale;
    int64_t rows;
} Learner;

static void *learner_main(void *arg)
{
    Learner *l = arg;
    ArcReplayBatch batch;
    ARC_CHECK(arc_replay_batch_init(&batch, l->buf, BATCH, NULL) == ARC_OK, "batch init");
    ArcRng rng;
    arc_rng_seed(&rng, 2024);
    float td[BATCH];
    for (int it = 0; it < ITERS; it++) {
        if (arc_replay_sample(l->buf, &rng, BATCH, &batch) != ARC_OK) {
            l->empty++;
            it--;
            sched_yield();
            continue;
        }
        for (int b = 0; b < BATCH; b++) {
            int s;
            int64_t t;
            if (synth_check(&batch, b, N, GAMMA, &s, &t) != 0) l->bad++;
            td[b] = (float)(arc_rng_uniform(&rng) * 10 - 5);
        }
        l->rows += BATCH;
        int applied = arc_replay_update_priorities(l->buf, batch.indices, td, BATCH);
        ARC_CHECK(applied >= 0 && applied <= BATCH, "applied %d", applied);
        l->stale += BATCH - applied;
    }
    arc_replay_batch_free(&batch);
    return NULL;
}

int main(void)
{
    ArcReplayConfig cfg = arc_replay_config_default();
    cfg.capacity = PUSHERS * PER * 64;
    cfg.channels = C;
    cfg.num_streams = PUSHERS * PER;
    cfg.n_step = N;
    cfg.gamma = GAMMA;
    cfg.prioritized = true;
    cfg.beta_steps = ITERS;
    ArcReplay buf;
    ArcErr err;
    if (arc_replay_init(&buf, &cfg, &err) != ARC_OK) {
        fprintf(stderr, "race_replay: %s\n", err.msg);
        return 1;
    }
    Pusher pushers[PUSHERS];
    pthread_t threads[PUSHERS], learner;
    Learner l = {.buf = &buf};
    if (pthread_create(&learner, NULL, learner_main, &l) != 0) return 1;
    for (int i = 0; i < PUSHERS; i++) {
        pushers[i] = (Pusher){.buf = &buf, .first = i * PER};
        if (pthread_create(&threads[i], NULL, pusher_main, &pushers[i]) != 0) return 1;
    }
    for (int i = 0; i < PUSHERS; i++) pthread_join(threads[i], NULL);
    pthread_join(learner, NULL);

    int64_t pushed = arc_replay_pushed(&buf), size = arc_replay_size(&buf);
    int ok = l.bad == 0 && pushed == (int64_t)PUSHERS * PER * STEPS && size > 0 &&
             size <= buf.capacity;
    printf("race_replay: %lld rows sampled, %d inconsistent, %d stale updates skipped, "
           "%d empty samples; %lld pushed, size %lld of %lld: %s\n",
           (long long)l.rows, l.bad, l.stale, l.empty, (long long)pushed, (long long)size,
           (long long)buf.capacity, ok ? "ok" : "FAILED");
    arc_replay_free(&buf);
    return ok ? 0 : 1;
}
