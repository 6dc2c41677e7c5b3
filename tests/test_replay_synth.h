/* test_replay_synth.h — synthetic actor streams for the replay tests and race program.
 *
 * Stream s at its step t acts on obs(s, t), takes action synth_action(s, t), receives
 * synth_reward(s, t) and ends its episode at t according to synth_done(s, t): stream s
 * has episodes of 3 + s % 5 steps that end alternately terminal and truncated. Every
 * observation encodes (s, t, final) in its first 49 cells and fills the rest with bits
 * hashed from the same triple, so a sampled observation, action, reward, discount and
 * bootstrap can all be recomputed from the decoded triple: a torn frame, or a transition
 * paired with another stream's or another episode's data, fails synth_check.
 * Header-only; everything is static.
 */
#ifndef ARC_TEST_REPLAY_SYNTH_H
#define ARC_TEST_REPLAY_SYNTH_H

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "../replay/replay.h"

enum { SYNTH_RUNNING = 0, SYNTH_TERMINAL = 1, SYNTH_TRUNCATED = 2 };

static inline int synth_episode_len(int s) { return 3 + s % 5; }

static inline int synth_done(int s, int64_t t)
{
    int len = synth_episode_len(s);
    if ((t + 1) % len != 0) return SYNTH_RUNNING;
    return (t / len) % 2 == 0 ? SYNTH_TERMINAL : SYNTH_TRUNCATED;
}

static inline int synth_action(int s, int64_t t) { return (int)((s * 7 + t * 3) % 6); }
static inline float synth_reward(int s, int64_t t) { return (float)((s + t * 5) % 7) - 3.0f; }

/* (C, 10, 10) observation for (s, t, final). */
static inline void synth_obs(uint8_t *obs, int channels, int s, int64_t t, int final)
{
    int cells = channels * 100;
    uint64_t h = arc_splitmix64(((uint64_t)s << 40) ^ ((uint64_t)t << 1) ^ (uint64_t)final);
    for (int e = 0; e < cells; e++) {
        if (e < 16) obs[e] = (s >> e) & 1;
        else if (e < 48) obs[e] = (uint8_t)((t >> (e - 16)) & 1);
        else if (e == 48) obs[e] = (uint8_t)final;
        else {
            if (e % 64 == 0) h = arc_splitmix64(h);
            obs[e] = (h >> (e % 64)) & 1;
        }
    }
}

/* Decodes an observation; returns 0 if it is exactly synth_obs of the decoded triple. */
static inline int synth_decode(const uint8_t *obs, int channels, int *s, int64_t *t, int *final)
{
    int v = 0;
    int64_t w = 0;
    for (int e = 0; e < 16; e++) v |= obs[e] << e;
    for (int e = 16; e < 48; e++) w |= (int64_t)obs[e] << (e - 16);
    *s = v, *t = w, *final = obs[48];
    uint8_t expect[ARC_REPLAY_CELLS * 10];
    synth_obs(expect, channels, *s, *t, *final);
    return memcmp(expect, obs, (size_t)channels * 100) == 0 ? 0 : -1;
}

/* Fills one push of streams first .. first+count-1 at their step t (all streams of a
 * synthetic actor advance together). */
static inline void synth_step(int channels, int first, int count, int64_t t, uint8_t *obs,
                              int *actions, float *rewards, uint8_t *terminals,
                              uint8_t *truncations, uint8_t *next_obs, uint8_t *final_obs)
{
    size_t ob = (size_t)channels * 100;
    for (int i = 0; i < count; i++) {
        int s = first + i, done = synth_done(s, t);
        synth_obs(obs + ob * i, channels, s, t, 0);
        actions[i] = synth_action(s, t);
        rewards[i] = synth_reward(s, t);
        terminals[i] = done == SYNTH_TERMINAL;
        truncations[i] = done == SYNTH_TRUNCATED;
        synth_obs(next_obs + ob * i, channels, s, t + 1, 0);
        if (done == SYNTH_TRUNCATED) synth_obs(final_obs + ob * i, channels, s, t + 1, 1);
        else memset(final_obs + ob * i, 0xAB, ob); /* must not be read */
    }
}

/* Transitions of stream s that are sampleable after `steps` pushes with n-step n (and
 * nothing overwritten): all but the trailing ones whose window is still incomplete. */
static inline int64_t synth_ready(int s, int64_t steps, int n)
{
    int64_t run = 0; /* steps since the last episode end */
    for (int64_t t = steps - 1; t >= 0 && synth_done(s, t) == SYNTH_RUNNING; t--) run++;
    return steps - (run < n - 1 ? run : n - 1);
}

/* Checks row b of a sampled batch against the synthetic streams. Returns 0 if it is
 * consistent, else prints why and returns -1. Sets *s_out / *t_out to the transition. */
static inline int synth_check(const ArcReplayBatch *batch, int b, int n, double gamma,
                              int *s_out, int64_t *t_out)
{
    int C = batch->channels, s, final;
    int64_t t;
    size_t ob = (size_t)C * 100;
    const uint8_t *obs = batch->obs + ob * b, *next = batch->next_obs + ob * b;
    if (synth_decode(obs, C, &s, &t, &final) != 0 || final) {
        fprintf(stderr, "row %d: torn or foreign observation\n", b);
        return -1;
    }
    *s_out = s, *t_out = t;
    if (batch->actions[b] != synth_action(s, t)) {
        fprintf(stderr, "row %d (s %d t %lld): action %d, expected %d\n", b, s, (long long)t,
                batch->actions[b], synth_action(s, t));
        return -1;
    }
    double ret = 0, disc = 1;
    int k = 0, done = SYNTH_RUNNING;
    while (k < n) {
        ret += disc * synth_reward(s, t + k);
        disc *= gamma;
        done = synth_done(s, t + k);
        k++;
        if (done != SYNTH_RUNNING) break;
    }
    uint8_t expect[ARC_REPLAY_CELLS * 10];
    if (done == SYNTH_TERMINAL) disc = 0, memset(expect, 0, ob);
    else synth_obs(expect, C, s, t + k, done == SYNTH_TRUNCATED);
    if (fabs(batch->rewards[b] - ret) > 1e-4 || fabs(batch->discounts[b] - disc) > 1e-6 ||
        memcmp(expect, next, ob) != 0) {
        fprintf(stderr, "row %d (s %d t %lld): return %g discount %g (expected %g, %g)%s\n", b,
                s, (long long)t, batch->rewards[b], batch->discounts[b], ret, disc,
                memcmp(expect, next, ob) ? ", wrong bootstrap observation" : "");
        return -1;
    }
    return 0;
}

#endif
