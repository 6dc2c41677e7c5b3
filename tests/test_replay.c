/* test_replay.c — the replay buffer: bit packing, memory bound, config errors, ring
 * wrap-around, n-step targets and IS weights against hand-computed values, stale priority
 * updates, uniform proportions, and concurrent pushes checked transition by transition. */
#include <criterion/criterion.h>
#include <malloc.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "../env/vec_env.h"
#include "test_replay_synth.h"

#define OBS_MAX (ARC_REPLAY_CELLS * 10)

static ArcReplayConfig config(int64_t capacity, int channels, int streams, int n, double gamma)
{
    ArcReplayConfig cfg = arc_replay_config_default();
    cfg.capacity = capacity, cfg.channels = channels, cfg.num_streams = streams;
    cfg.n_step = n, cfg.gamma = gamma;
    return cfg;
}

/* One step of one stream with explicit ids: obs (0, before), next (0, next), and the
 * final observation (0, next, final) when truncated. */
static void push_one(ArcReplay *buf, int stream, int64_t before, int action, float reward,
                     int term, int trunc, int64_t next)
{
    int C = buf->channels;
    uint8_t obs[OBS_MAX], next_obs[OBS_MAX], final_obs[OBS_MAX];
    synth_obs(obs, C, stream, before, 0);
    synth_obs(next_obs, C, stream, next, 0);
    synth_obs(final_obs, C, stream, next, 1);
    uint8_t te = (uint8_t)term, tr = (uint8_t)trunc;
    arc_replay_push(buf, stream, 1, obs, &action, &reward, &te, &tr, next_obs,
                    trunc ? final_obs : NULL);
}

Test(replay, pack_round_trips_every_channel_count)
{
    ArcRng rng;
    arc_rng_seed(&rng, 99);
    for (int C = 1; C <= 10; C++) {
        size_t cells = (size_t)C * 100, bytes = (cells + 7) / 8;
        for (int rep = 0; rep < 50; rep++) {
            uint8_t obs[OBS_MAX], back[OBS_MAX + 8], packed[130], naive[130] = {0};
            /* Sparse, dense and uniform observations. */
            uint32_t density = rep % 3 == 0 ? 8 : rep % 3 == 1 ? 2 : 1;
            for (size_t e = 0; e < cells; e++) {
                obs[e] = arc_rng_u32(&rng) % density == 0;
                naive[e / 8] |= (uint8_t)(obs[e] << (e % 8));
            }
            memset(packed, 0xEE, sizeof packed);
            arc_replay_pack(packed, obs, C);
            cr_assert_arr_eq(packed, naive, bytes, "C %d rep %d: bit layout", C, rep);
            cr_assert_eq(packed[bytes], 0xEE, "C %d: wrote past %zu bytes", C, bytes);
            memset(back, 0xEE, sizeof back);
            arc_replay_unpack(back, packed, C);
            cr_assert_arr_eq(back, obs, cells, "C %d rep %d: round trip", C, rep);
            cr_assert_eq(back[cells], 0xEE, "C %d: unpack wrote past %zu cells", C, cells);
        }
    }
}

/* 100,000 Seaquest transitions (C = 10, n = 3, prioritized) fit in 30 MB: the figure the
 * code computes, and what init really allocates (glibc's count of bytes in use). */
Test(replay, seaquest_100k_transitions_fit_in_30_mb)
{
    for (int streams = 1; streams <= 512; streams *= 512) {
        ArcReplayConfig cfg = config(100000, 10, streams, 3, 0.99);
        cfg.prioritized = true;
        size_t bytes = arc_replay_bytes(&cfg);
        double per_transition = (double)bytes / 100000.0;
        cr_assert_leq(bytes, 30000000u, "%d streams: %zu bytes", streams, bytes);
        cr_assert_leq(per_transition, 300.0, "%g bytes per transition", per_transition);
        /* Frame 125 B + 10 B of scalars per slot, 16 B per tree leaf (P = 131072). */
        size_t slots = (size_t)streams * (size_t)((100000 + streams - 1) / streams + 1);
        cr_assert_geq(bytes, slots * 135 + 131072 * 16);
        struct mallinfo2 before = mallinfo2();
        ArcReplay buf;
        cr_assert_eq(arc_replay_init(&buf, &cfg, NULL), ARC_OK);
        struct mallinfo2 after = mallinfo2();
        size_t used = (after.uordblks + after.hblkhd) - (before.uordblks + before.hblkhd);
        cr_assert_eq(buf.bytes, bytes);
        if (used == 0) {
            /* A replacement allocator (ASan, ...) that glibc's counters do not see. */
            cr_log_info("malloc does not report usage here: allocation not measured");
        } else {
            cr_assert_geq(used, bytes, "allocated %zu, computed %zu", used, bytes);
            cr_assert_leq(used, bytes + 65536, "allocated %zu, computed %zu", used, bytes);
        }
        cr_assert_eq(buf.capacity, (int64_t)(slots - (size_t)streams));
        arc_replay_free(&buf);
    }
}

Test(replay, invalid_configs_name_the_field)
{
    struct { ArcReplayConfig cfg; const char *field; } cases[] = {
        {config(100, 0, 1, 1, 0.9), "channels"},   {config(100, 11, 1, 1, 0.9), "channels"},
        {config(100, 4, 0, 1, 0.9), "num_streams"}, {config(100, 4, 1, 0, 0.9), "n_step"},
        {config(9, 4, 1, 9, 0.9), "capacity"},     {config(100, 4, 20, 5, 0.9), "capacity"},
        {config(100, 4, 1, 1, 1.5), "gamma"},
    };
    ArcReplay buf;
    ArcErr err;
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        err.msg[0] = 0;
        cr_assert_eq(arc_replay_init(&buf, &cases[i].cfg, &err), ARC_ERR_ARG, "case %zu", i);
        cr_assert(strstr(err.msg, cases[i].field) != NULL, "case %zu: %s", i, err.msg);
        cr_assert_null(buf.frames);
    }
    ArcReplayConfig cfg = config(100, 4, 1, 1, 0.9);
    cfg.prioritized = true, cfg.priority_eps = 0;
    cr_assert_eq(arc_replay_init(&buf, &cfg, &err), ARC_ERR_ARG);
    cr_assert(strstr(err.msg, "priority_eps") != NULL, "%s", err.msg);
    cfg.priority_eps = 1e-6, cfg.beta0 = -0.1;
    cr_assert_eq(arc_replay_init(&buf, &cfg, &err), ARC_ERR_ARG);
    cr_assert(strstr(err.msg, "beta0") != NULL, "%s", err.msg);
    ArcReplayBatch batch;
    cfg.beta0 = 0.4;
    cr_assert_eq(arc_replay_init(&buf, &cfg, &err), ARC_OK);
    cr_assert_eq(arc_replay_batch_init(&batch, &buf, 0, &err), ARC_ERR_ARG);
    arc_replay_free(&buf);
}

Test(replay, empty_buffer_and_non_finite_errors_are_statuses)
{
    ArcReplayConfig cfg = config(16, 4, 1, 2, 0.9);
    cfg.prioritized = true;
    ArcReplay buf;
    ArcReplayBatch batch;
    cr_assert_eq(arc_replay_init(&buf, &cfg, NULL), ARC_OK);
    cr_assert_eq(arc_replay_batch_init(&batch, &buf, 4, NULL), ARC_OK);
    ArcRng rng;
    arc_rng_seed(&rng, 1);
    cr_assert_eq(arc_replay_sample(&buf, &rng, 4, &batch), ARC_ERR_ARG);
    push_one(&buf, 0, 0, 1, 1.0f, 0, 0, 1);
    cr_assert_eq(arc_replay_size(&buf), 0, "n = 2: one step is still pending");
    cr_assert_eq(arc_replay_sample(&buf, &rng, 4, &batch), ARC_ERR_ARG);
    push_one(&buf, 0, 1, 1, 1.0f, 0, 0, 2);
    cr_assert_eq(arc_replay_size(&buf), 1);
    cr_assert_eq(arc_replay_sample(&buf, &rng, 4, &batch), ARC_OK);
    float td[4] = {1, NAN, 1, 1};
    cr_assert_eq(arc_replay_update_priorities(&buf, batch.indices, td, 4), ARC_ERR_ARG);
    td[1] = INFINITY;
    cr_assert_eq(arc_replay_update_priorities(&buf, batch.indices, td, 4), ARC_ERR_ARG);
    td[1] = 2;
    cr_assert_eq(arc_replay_update_priorities(&buf, batch.indices, td, 4), 4);
    arc_replay_batch_free(&batch);
    arc_replay_free(&buf);
}

/* Two streams of 5 slots' worth (capacity 10), n = 1, no episode ends, 30 steps: size is
 * min(2k, 10) after k steps, and samples only ever hold the last 5 steps of a stream. */
Test(replay, ring_wraps_oldest_first_and_samples_only_live)
{
    ArcReplayConfig cfg = config(10, 4, 2, 1, 0.5);
    ArcReplay buf;
    ArcReplayBatch batch;
    cr_assert_eq(arc_replay_init(&buf, &cfg, NULL), ARC_OK);
    cr_assert_eq(buf.capacity, 10);
    cr_assert_eq(arc_replay_batch_init(&batch, &buf, 32, NULL), ARC_OK);
    ArcRng rng;
    arc_rng_seed(&rng, 5);
    for (int64_t k = 1; k <= 30; k++) {
        for (int s = 0; s < 2; s++)
            push_one(&buf, s, k - 1, synth_action(s, k - 1), synth_reward(s, k - 1), 0, 0, k);
        cr_assert_eq(arc_replay_size(&buf), k * 2 < 10 ? k * 2 : 10, "after %lld steps",
                     (long long)k);
        cr_assert_eq(arc_replay_sample(&buf, &rng, 32, &batch), ARC_OK);
        int64_t oldest = k - 5 > 0 ? k - 5 : 0;
        for (int b = 0; b < 32; b++) {
            int s, final;
            int64_t t;
            cr_assert_eq(synth_decode(batch.obs + 400 * b, 4, &s, &t, &final), 0);
            cr_assert(s < 2 && t >= oldest && t < k, "step %lld: sampled s %d t %lld",
                      (long long)k, s, (long long)t);
            cr_assert_eq(batch.actions[b], synth_action(s, t));
            cr_assert_eq(batch.rewards[b], synth_reward(s, t));
            cr_assert_eq(batch.discounts[b], 0.5f);
            int s2, final2;
            int64_t t2;
            cr_assert_eq(synth_decode(batch.next_obs + 400 * b, 4, &s2, &t2, &final2), 0);
            cr_assert(s2 == s && t2 == t + 1 && !final2, "next of (%d, %lld) is (%d, %lld)", s,
                      (long long)t, s2, (long long)t2);
        }
    }
    cr_assert_eq(arc_replay_pushed(&buf), 60);
    arc_replay_batch_free(&batch);
    arc_replay_free(&buf);
}

/* Samples until every transition in 0 .. expect_count-1 has been seen and checks each row
 * against the hand table (id -> return, discount, bootstrap id, bootstrap final). */
typedef struct { double ret, disc; int64_t boot; int boot_final; } Expect;

static void check_table(ArcReplay *buf, const Expect *table, int64_t lo, int64_t hi)
{
    ArcReplayBatch batch;
    cr_assert_eq(arc_replay_batch_init(&batch, buf, 64, NULL), ARC_OK);
    ArcRng rng;
    arc_rng_seed(&rng, 3);
    bool seen[64] = {false};
    for (int rep = 0; rep < 20; rep++) {
        cr_assert_eq(arc_replay_sample(buf, &rng, 64, &batch), ARC_OK);
        for (int b = 0; b < 64; b++) {
            int s, final;
            int64_t t;
            cr_assert_eq(synth_decode(batch.obs + 400 * b, 4, &s, &t, &final), 0);
            cr_assert(t >= lo && t < hi, "sampled t %lld outside %lld .. %lld", (long long)t,
                      (long long)lo, (long long)hi - 1);
            const Expect *e = &table[t];
            seen[t] = true;
            cr_assert_float_eq(batch.rewards[b], e->ret, 1e-6, "t %lld: return %g, expected %g",
                               (long long)t, batch.rewards[b], e->ret);
            cr_assert_float_eq(batch.discounts[b], e->disc, 1e-7, "t %lld: discount %g, expected %g",
                               (long long)t, batch.discounts[b], e->disc);
            uint8_t expect[400] = {0};
            if (e->disc > 0) synth_obs(expect, 4, 0, e->boot, e->boot_final);
            cr_assert_arr_eq(batch.next_obs + 400 * b, expect, 400, "t %lld: bootstrap obs",
                             (long long)t);
        }
    }
    for (int64_t t = lo; t < hi; t++) cr_assert(seen[t], "t %lld never sampled", (long long)t);
    arc_replay_batch_free(&batch);
}

/* n = 3, gamma = 0.5, rewards r_t = t + 1; step 3 terminal, step 6 truncated (final
 * observation F7); steps 7..9 run on. By hand:
 *   t=0: 1 + 1 + 0.75 = 2.75, gamma^3 = 0.125, obs 3     t=4: 5 + 3 + 1.75 = 9.75, 0.125, F7
 *   t=1: 2 + 1.5 + 1  = 4.5,  0 (terminal at 3)          t=5: 6 + 3.5 = 9.5, 0.25, F7
 *   t=2: 3 + 2 = 5, 0       t=3: 4, 0                     t=6: 7, 0.5, F7
 *   t=7: 8 + 4.5 + 2.5 = 15, 0.125, obs 10               t=8, t=9: pending (window open)
 * After arc_replay_end_streams: t=8: 9 + 5 = 14, 0.25, obs 10; t=9: 10, 0.5, obs 10. */
Test(replay, n_step_targets_match_hand_computed_values)
{
    ArcReplayConfig cfg = config(32, 4, 1, 3, 0.5);
    ArcReplay buf;
    cr_assert_eq(arc_replay_init(&buf, &cfg, NULL), ARC_OK);
    for (int64_t t = 0; t < 10; t++)
        push_one(&buf, 0, t, (int)(t % 6), (float)(t + 1), t == 3, t == 6, t + 1);
    cr_assert_eq(arc_replay_size(&buf), 8);
    Expect table[12] = {
        {2.75, 0.125, 3, 0}, {4.5, 0, 0, 0},     {5, 0, 0, 0},       {4, 0, 0, 0},
        {9.75, 0.125, 7, 1}, {9.5, 0.25, 7, 1},  {7, 0.5, 7, 1},     {15, 0.125, 10, 0},
        {14, 0.25, 10, 0},   {10, 0.5, 10, 0},
    };
    check_table(&buf, table, 0, 8);
    arc_replay_end_streams(&buf, 0, 1);
    cr_assert_eq(arc_replay_size(&buf), 10);
    check_table(&buf, table, 0, 10);
    /* The stream restarts from its obs argument and is pending again. */
    push_one(&buf, 0, 50, 0, 1.0f, 0, 0, 51);
    cr_assert_eq(arc_replay_size(&buf), 10);
    push_one(&buf, 0, 51, 0, 1.0f, 0, 0, 52);
    push_one(&buf, 0, 52, 0, 1.0f, 1, 0, 53);
    cr_assert_eq(arc_replay_size(&buf), 13);
    arc_replay_free(&buf);
}

/* alpha 0.5, eps 1, beta 0.4 -> 1 over 10 samples. Four transitions updated with td
 * errors 0, 3, 8, 15: priorities (|td| + 1)^0.5 = 1, 2, 3, 4, P(t) = (t + 1) / 10, and
 * weight = (4 P)^-beta / max over the batch. A fifth transition enters with the largest
 * |td| + eps seen (16), i.e. priority 4 and P = 4 / 14. */
Test(replay, importance_weights_match_hand_computed_values)
{
    ArcReplayConfig cfg = config(8, 4, 1, 1, 0.9);
    cfg.prioritized = true, cfg.alpha = 0.5, cfg.beta0 = 0.4, cfg.beta_steps = 10;
    cfg.priority_eps = 1.0;
    ArcReplay buf;
    ArcReplayBatch batch;
    cr_assert_eq(arc_replay_init(&buf, &cfg, NULL), ARC_OK);
    cr_assert_eq(arc_replay_batch_init(&batch, &buf, 16, NULL), ARC_OK);
    for (int64_t t = 0; t < 4; t++) push_one(&buf, 0, t, 0, 0.0f, 0, 0, t + 1);
    ArcRng rng;
    arc_rng_seed(&rng, 11);
    int64_t index[4];
    bool have[4] = {false};
    int calls = 0;
    while (!(have[0] && have[1] && have[2] && have[3])) {
        cr_assert_float_eq(arc_replay_beta(&buf), 0.4 + 0.06 * calls, 1e-12);
        cr_assert_eq(arc_replay_sample(&buf, &rng, 16, &batch), ARC_OK);
        calls++;
        for (int b = 0; b < 16; b++) {
            int s, final;
            int64_t t;
            cr_assert_eq(synth_decode(batch.obs + 400 * b, 4, &s, &t, &final), 0);
            cr_assert_float_eq(batch.probs[b], 0.25, 1e-12, "equal priorities at first");
            cr_assert_float_eq(batch.weights[b], 1.0, 1e-6);
            index[t] = batch.indices[b], have[t] = true;
        }
        cr_assert_lt(calls, 5);
    }
    const float td[4] = {0, -3, 8, 15}; /* the sign must not matter */
    cr_assert_eq(arc_replay_update_priorities(&buf, index, td, 4), 4);
    cr_assert_eq(arc_replay_sample(&buf, &rng, 16, &batch), ARC_OK);
    double beta = 0.4 + 0.06 * calls, max_w = 0, w[16];
    cr_assert_float_eq(batch.beta, beta, 1e-6);
    int hits[4] = {0};
    for (int b = 0; b < 16; b++) {
        int s, final;
        int64_t t;
        cr_assert_eq(synth_decode(batch.obs + 400 * b, 4, &s, &t, &final), 0);
        hits[t]++;
        double P = (t + 1) / 10.0;
        cr_assert_float_eq(batch.probs[b], P, 1e-12, "t %lld", (long long)t);
        w[b] = pow(4 * P, -beta);
        if (w[b] > max_w) max_w = w[b];
    }
    for (int b = 0; b < 16; b++)
        cr_assert_float_eq(batch.weights[b], w[b] / max_w, 1e-6, "row %d", b);
    /* Stratified draws: 16 slices of 1/16 each; leaf t owns (t+1)/10 of the mass, so it
     * receives floor or ceil of 16 (t+1)/10 (+-1 at slice boundaries). */
    for (int t = 0; t < 4; t++)
        cr_assert(abs(hits[t] - (int)lround(1.6 * (t + 1))) <= 1, "t %d: %d rows", t, hits[t]);

    push_one(&buf, 0, 4, 0, 0.0f, 0, 0, 5);
    for (int k = 0; k < 12; k++) cr_assert_eq(arc_replay_sample(&buf, &rng, 16, &batch), ARC_OK);
    cr_assert_eq(arc_replay_beta(&buf), 1.0, "beta saturates at 1");
    cr_assert_float_eq(batch.beta, 1.0, 1e-12);
    bool saw_new = false;
    for (int b = 0; b < 16; b++) {
        int s, final;
        int64_t t;
        cr_assert_eq(synth_decode(batch.obs + 400 * b, 4, &s, &t, &final), 0);
        double P = t == 4 ? 4 / 14.0 : (t + 1) / 14.0;
        cr_assert_float_eq(batch.probs[b], P, 1e-12, "t %lld", (long long)t);
        saw_new |= t == 4;
    }
    cr_assert(saw_new, "the new transition (P = 2/7) was sampled");
    arc_replay_batch_free(&batch);
    arc_replay_free(&buf);
}

/* A priority update for a slot rewritten since the sample is dropped. */
Test(replay, stale_indices_are_ignored)
{
    ArcReplayConfig cfg = config(4, 4, 1, 1, 0.9);
    cfg.prioritized = true;
    ArcReplay buf;
    ArcReplayBatch batch;
    cr_assert_eq(arc_replay_init(&buf, &cfg, NULL), ARC_OK);
    cr_assert_eq(arc_replay_batch_init(&batch, &buf, 8, NULL), ARC_OK);
    ArcRng rng;
    arc_rng_seed(&rng, 2);
    for (int64_t t = 0; t < 2; t++) push_one(&buf, 0, t, 0, 0.0f, 0, 0, t + 1);
    cr_assert_eq(arc_replay_sample(&buf, &rng, 8, &batch), ARC_OK);
    int64_t old[8];
    memcpy(old, batch.indices, sizeof old);
    const float td[8] = {5, 5, 5, 5, 5, 5, 5, 5};
    for (int64_t t = 2; t < 12; t++) push_one(&buf, 0, t, 0, 0.0f, 0, 0, t + 1);
    cr_assert_eq(arc_replay_update_priorities(&buf, old, td, 8), 0);
    cr_assert_eq(arc_replay_sample(&buf, &rng, 8, &batch), ARC_OK);
    cr_assert_eq(arc_replay_update_priorities(&buf, batch.indices, td, 8), 8);
    arc_replay_batch_free(&batch);
    arc_replay_free(&buf);
}

/* Uniform mode over 3 streams of different lengths (24 live transitions): 48,000 draws,
 * chi-square over 24 cells (23 degrees of freedom) below 49.73, the 99.9th percentile,
 * with a fixed seed (see the sum-tree proportions test for the reasoning). */
Test(replay, uniform_sampling_is_uniform_over_live_transitions)
{
    ArcReplayConfig cfg = config(30, 4, 3, 1, 0.9);
    ArcReplay buf;
    ArcReplayBatch batch;
    cr_assert_eq(arc_replay_init(&buf, &cfg, NULL), ARC_OK);
    cr_assert_eq(arc_replay_batch_init(&batch, &buf, 64, NULL), ARC_OK);
    const int steps[3] = {4, 10, 25}; /* stream 2 wraps and keeps its last 10 */
    for (int s = 0; s < 3; s++)
        for (int64_t t = 0; t < steps[s]; t++) push_one(&buf, s, t, 0, 0.0f, 0, 0, t + 1);
    cr_assert_eq(arc_replay_size(&buf), 24);
    static int counts[3][25];
    ArcRng rng;
    arc_rng_seed(&rng, 8);
    for (int rep = 0; rep < 750; rep++) {
        cr_assert_eq(arc_replay_sample(&buf, &rng, 64, &batch), ARC_OK);
        for (int b = 0; b < 64; b++) {
            int s, final;
            int64_t t;
            cr_assert_eq(synth_decode(batch.obs + 400 * b, 4, &s, &t, &final), 0);
            cr_assert(t >= steps[s] - 10 && t < steps[s], "s %d t %lld is not live", s,
                      (long long)t);
            counts[s][t]++;
        }
    }
    double chi2 = 0, expect = 48000.0 / 24;
    for (int s = 0; s < 3; s++)
        for (int t = steps[s] > 10 ? steps[s] - 10 : 0; t < steps[s]; t++)
            chi2 += (counts[s][t] - expect) * (counts[s][t] - expect) / expect;
    cr_assert_lt(chi2, 49.73, "chi-square %g over 23 degrees of freedom", chi2);
    arc_replay_batch_free(&batch);
    arc_replay_free(&buf);
}

/* ---- concurrency ------------------------------------------------------------------- */

enum { PUSHERS = 4, PER = 4, STEPS = 1500, C4 = 4, N3 = 3 };

typedef struct {
    ArcReplay *buf;
    int first;
} Pusher;

static void *pusher_main(void *arg)
{
    Pusher *p = arg;
    static __thread uint8_t obs[PER * 400], next_obs[PER * 400], final_obs[PER * 400];
    int actions[PER];
    float rewards[PER];
    uint8_t terms[PER], truncs[PER];
    for (int64_t t = 0; t < STEPS; t++) {
        synth_step(C4, p->first, PER, t, obs, actions, rewards, terms, truncs, next_obs, final_obs);
        arc_replay_push(p->buf, p->first, PER, obs, actions, rewards, terms, truncs, next_obs,
                        final_obs);
    }
    return NULL;
}

typedef struct {
    ArcReplay *buf;
    volatile int *stop;
    int bad, samples;
} Sampler;

static void *sampler_main(void *arg)
{
    Sampler *sm = arg;
    ArcReplayBatch batch;
    ARC_CHECK(arc_replay_batch_init(&batch, sm->buf, 32, NULL) == ARC_OK, "batch");
    ArcRng rng;
    arc_rng_seed(&rng, 77);
    float td[32];
    while (!__atomic_load_n(sm->stop, __ATOMIC_ACQUIRE)) {
        if (arc_replay_sample(sm->buf, &rng, 32, &batch) != ARC_OK) continue;
        sm->samples++;
        for (int b = 0; b < 32; b++) {
            int s;
            int64_t t;
            if (synth_check(&batch, b, N3, 0.9, &s, &t) != 0) sm->bad++;
            td[b] = (float)(arc_rng_uniform(&rng) * 4 - 2);
        }
        arc_replay_update_priorities(sm->buf, batch.indices, td, 32);
    }
    arc_replay_batch_free(&batch);
    return NULL;
}

/* 4 pusher threads x 4 streams, 1,500 steps each, while a learner thread samples and
 * updates priorities; nothing wraps (at most 1,750 slots per stream: a truncation takes
 * two), so afterwards the size is exactly the sum of the
 * streams' complete windows, and every row ever sampled decodes consistently. */
Test(replay, concurrent_pushes_add_up_and_never_tear)
{
    ArcReplayConfig cfg = config((int64_t)PUSHERS * PER * 1800, C4, PUSHERS * PER, N3, 0.9);
    cfg.prioritized = true;
    ArcReplay buf;
    cr_assert_eq(arc_replay_init(&buf, &cfg, NULL), ARC_OK);
    volatile int stop = 0;
    Sampler sm = {.buf = &buf, .stop = &stop};
    Pusher pushers[PUSHERS];
    pthread_t threads[PUSHERS], sampler;
    cr_assert_eq(pthread_create(&sampler, NULL, sampler_main, &sm), 0);
    for (int i = 0; i < PUSHERS; i++) {
        pushers[i] = (Pusher){.buf = &buf, .first = i * PER};
        cr_assert_eq(pthread_create(&threads[i], NULL, pusher_main, &pushers[i]), 0);
    }
    for (int i = 0; i < PUSHERS; i++) pthread_join(threads[i], NULL);
    __atomic_store_n(&stop, 1, __ATOMIC_RELEASE);
    pthread_join(sampler, NULL);
    cr_assert_eq(sm.bad, 0, "%d inconsistent rows in %d concurrent samples", sm.bad, sm.samples);

    cr_assert_eq(arc_replay_pushed(&buf), (int64_t)PUSHERS * PER * STEPS);
    int64_t expect = 0;
    for (int s = 0; s < PUSHERS * PER; s++) expect += synth_ready(s, STEPS, N3);
    cr_assert_eq(arc_replay_size(&buf), expect);

    ArcReplayBatch batch;
    cr_assert_eq(arc_replay_batch_init(&batch, &buf, 64, NULL), ARC_OK);
    ArcRng rng;
    arc_rng_seed(&rng, 4);
    bool stream_seen[PUSHERS * PER] = {false};
    for (int rep = 0; rep < 200; rep++) {
        cr_assert_eq(arc_replay_sample(&buf, &rng, 64, &batch), ARC_OK);
        for (int b = 0; b < 64; b++) {
            int s;
            int64_t t;
            cr_assert_eq(synth_check(&batch, b, N3, 0.9, &s, &t), 0, "row %d", b);
            cr_assert(t < synth_ready(s, STEPS, N3), "s %d t %lld is still pending", s,
                      (long long)t);
            stream_seen[s] = true;
        }
    }
    for (int s = 0; s < PUSHERS * PER; s++) cr_assert(stream_seen[s], "stream %d", s);
    arc_replay_batch_free(&batch);
    arc_replay_free(&buf);
}

/* With n = 1 every transition is sampleable at once: ending a stream must not count its
 * last transition twice, and it keeps bootstrapping from the observation after it. */
Test(replay, end_streams_with_one_step_counts_each_transition_once)
{
    ArcReplayConfig cfg = config(16, 4, 1, 1, 0.5);
    ArcReplay buf;
    cr_assert_eq(arc_replay_init(&buf, &cfg, NULL), ARC_OK);
    for (int64_t t = 0; t < 3; t++) push_one(&buf, 0, t, 0, (float)(t + 1), 0, 0, t + 1);
    cr_assert_eq(arc_replay_size(&buf), 3);
    arc_replay_end_streams(&buf, 0, 1);
    arc_replay_end_streams(&buf, 0, 1);
    cr_assert_eq(arc_replay_size(&buf), 3);
    for (int64_t t = 3; t < 5; t++) push_one(&buf, 0, t, 0, (float)(t + 1), 0, 0, t + 1);
    cr_assert_eq(arc_replay_size(&buf), 5);
    Expect table[5] = {{1, 0.5, 1, 0}, {2, 0.5, 2, 0}, {3, 0.5, 3, 0}, {4, 0.5, 4, 0},
                       {5, 0.5, 5, 0}};
    check_table(&buf, table, 0, 5);
    arc_replay_free(&buf);
}

/* The documented actor loop with real Breakout envs (auto-reset, no step cap): every
 * sampled transition, located through its index (slot = stream * L + t % L while nothing
 * wraps or truncates), matches the log of what the envs produced, including n-step
 * returns cut at the game's terminals and obs[t + 3] as the bootstrap. */
Test(replay, actor_loop_with_breakout_matches_the_env_log)
{
    enum { NE = 8, T = 600, OB = 400 };
    ArcEnvConfig env_cfg = arc_env_config_default();
    ArcVecEnv vec;
    cr_assert_eq(arc_vec_env_init(&vec, &arc_game_breakout, NE, &env_cfg, 21, NULL), ARC_OK);
    ArcReplayConfig cfg = config(NE * (T + 10), 4, NE, 3, 0.9);
    ArcReplay buf;
    cr_assert_eq(arc_replay_init(&buf, &cfg, NULL), ARC_OK);
    uint8_t *log_obs = calloc((size_t)(T + 1) * NE * OB, 1); /* (T + 1, N, C, 10, 10) */
    static int log_act[T][NE];
    static float log_rew[T][NE];
    static uint8_t log_term[T][NE];
    ArcRng rng;
    arc_rng_seed(&rng, 6);
    arc_vec_env_reset(&vec, log_obs);
    int episodes = 0;
    for (int t = 0; t < T; t++) {
        uint8_t truncs[NE];
        for (int i = 0; i < NE; i++) log_act[t][i] = (int)arc_rng_int(&rng, 0, 6);
        uint8_t *cur = log_obs + (size_t)t * NE * OB, *next = cur + NE * OB;
        arc_vec_env_step(&vec, log_act[t], next, log_rew[t], log_term[t], truncs, NULL);
        arc_replay_push(&buf, 0, NE, cur, log_act[t], log_rew[t], log_term[t], truncs, next, NULL);
        episodes += vec.num_finished;
    }
    cr_assert_gt(episodes, 5, "terminals were exercised");
    ArcReplayBatch batch;
    cr_assert_eq(arc_replay_batch_init(&batch, &buf, 64, NULL), ARC_OK);
    for (int rep = 0; rep < 50; rep++) {
        cr_assert_eq(arc_replay_sample(&buf, &rng, 64, &batch), ARC_OK);
        for (int b = 0; b < 64; b++) {
            int64_t g = batch.indices[b], s = g / buf.stream_slots, t = g % buf.stream_slots;
            cr_assert(s < NE && t < T, "index %lld", (long long)g);
            cr_assert_arr_eq(batch.obs + (size_t)b * OB, log_obs + ((size_t)t * NE + s) * OB, OB);
            cr_assert_eq(batch.actions[b], log_act[t][s]);
            double ret = 0, disc = 1;
            int k = 0;
            bool term = false;
            while (k < 3 && !term) {
                cr_assert_lt(t + k, T, "s %lld t %lld: window not complete", (long long)s,
                             (long long)t);
                ret += disc * log_rew[t + k][s];
                disc *= 0.9;
                term = log_term[t + k][s];
                k++;
            }
            cr_assert_float_eq(batch.rewards[b], ret, 1e-5, "s %lld t %lld", (long long)s,
                               (long long)t);
            cr_assert_float_eq(batch.discounts[b], term ? 0.0 : disc, 1e-6);
            if (!term)
                cr_assert_arr_eq(batch.next_obs + (size_t)b * OB,
                                 log_obs + ((size_t)(t + k) * NE + s) * OB, OB);
        }
    }
    arc_replay_batch_free(&batch);
    arc_replay_free(&buf);
    arc_vec_env_free(&vec);
    free(log_obs);
}
