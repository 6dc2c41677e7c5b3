/* replay.h — the DQN replay buffer: a uniform or prioritized (sum-tree) ring of n-step
 * transitions, observations bit-packed, filled concurrently by actor threads and sampled
 * by one learner.
 *
 * STREAMS. Every env feeding the buffer is one stream (stream ids 0 .. num_streams-1; an
 * actor with N envs owns N consecutive ids). Each stream has its own ring of L slots,
 * L = capacity / num_streams (rounded up) + 1, so a stream's consecutive steps sit in
 * consecutive slots and obs[t+1] is simply the frame in the next slot of the same ring:
 * a transition can never be paired with another stream's observation, however pushes
 * from different actors interleave.
 *
 * LAYOUT (structure of arrays, indexed by slot g = stream * L + position % L):
 *   frames   (S*L, F) uint8  the observation, bit-packed: element e of the flattened
 *                            (C, 10, 10) 0/1 planes is bit e % 8 of byte e / 8;
 *                            F = ceil(C * 100 / 8) bytes (125 for Seaquest's C = 10)
 *   actions  (S*L)    uint8  flags (S*L) uint8: ARC_REPLAY_TRANSITION / TERMINAL / TRUNCATED
 *   rewards  (S*L)    float  laps  (S*L) uint32: position / L when the slot was written
 *   sum tree (2P)     double P = next power of two >= S*L; leaf g > 0 iff g is sampleable
 * A slot is either a transition (its frame is obs_t, with a_t, r_t and the done flags of
 * step t) or a frame only: the stream's head (the latest observation, waiting for its
 * action) or the true final observation of a truncated episode.
 * Within an episode obs[t+1] is the next slot's frame, stored once. At a terminal the
 * next slot holds the first observation of the next episode (the bootstrap is never
 * read: discount 0). At a truncation the next slot holds the true final observation (a
 * frame-only slot, the one extra slot a truncation costs) and the reset observation
 * follows it. Memory, exactly: arc_replay_bytes(), about F + 10 + 16 P / (S L) bytes per
 * transition. 100,000 Seaquest transitions (F = 125, n = 3, one stream) take 15,597,710
 * bytes, 156.0 B each; with 512 streams 15,914,016 (the tree is allocated in both modes).
 *
 * N-STEP. The sample for the transition at position t walks k = 1 .. n steps of its own
 * stream: return = sum_{i<k} gamma^i r_{t+i}; it stops early at the first done step.
 * Terminal at t+k-1: discount 0. Truncated at t+k-1: discount gamma^k and the bootstrap
 * is the stored final observation (a truncation is not a termination). No done within n
 * steps: discount gamma^n, bootstrap obs_{t+n}. A transition becomes sampleable only
 * once its window is complete (n later steps pushed, or an episode end inside it); until
 * then it is "pending" (at most n-1 per stream) and arc_replay_size does not count it.
 *
 * PRIORITIES. Uniform mode: every sampleable leaf has priority 1, weights are 1.
 * Prioritized mode (Schaul et al. 2016): leaf = (|td| + eps)^alpha; a transition becomes
 * sampleable with the largest |td| + eps seen so far (1 at the start) raised to alpha;
 * the batch is drawn stratified (one draw in each of B equal slices of the total);
 * weight_i = (size * P(i))^-beta divided by the largest weight in the batch; beta for
 * the k-th sample call (k = 0, 1, ...) is beta0 + (1 - beta0) * min(1, k / beta_steps).
 *
 * ACTOR LOOP (double-buffered observations, no copies):
 *     arc_vec_env_reset(&vec, obs[0]);
 *     for (int cur = 0;; cur ^= 1) {
 *         policy(obs[cur], actions);
 *         arc_vec_env_step(&vec, actions, obs[cur ^ 1], rewards, terminals, truncations,
 *                          final_obs);
 *         arc_replay_push(&buf, first, N, obs[cur], actions, rewards, terminals,
 *                         truncations, obs[cur ^ 1], final_obs);
 *     }
 * A truncated transition must bootstrap from the episode's true last observation, which
 * the vec env overwrites with the reset observation; the actor supplies it in final_obs
 * (rows of truncated envs), as arc_vec_env_step writes it into its final_obs output;
 * with step_cap 0 (the MinAtar default) no env is ever truncated and final_obs may be
 * NULL. Pushing a truncated row without final_obs is a bug (ARC_CHECK), never silently
 * a terminal.
 *
 * RING WRAP. Writing a slot first removes whatever it held (leaf set to 0), so sampled
 * transitions are always live. A stream only ever overwrites its own oldest slot, and a
 * live transition's window only reaches newer slots, so no live window is cut.
 * Indices returned by a sample encode (lap, slot); a priority update for a slot that has
 * been rewritten since (stale index) is ignored.
 *
 * THREADS. One mutex guards all shared state; every buffer call takes it at most once.
 *   - arc_replay_push / arc_replay_end_streams may be called from any number of threads
 *     at once, provided no stream id is used by two calls at the same time (each actor
 *     pushes only its own streams, in step order). One lock per pushed batch; the
 *     bit-packing happens before the lock, into per-stream scratch.
 *   - arc_replay_sample and arc_replay_update_priorities may run at the same time as any
 *     pushes. Sampling copies packed frames and scalars under the lock, then unpacks and
 *     weighs outside it, into the caller's ArcReplayBatch (one batch per calling thread).
 *     Each call sees one consistent snapshot: no transition is torn or half-written.
 *   - arc_replay_init / arc_replay_free: no other call may be in flight.
 * The RNG passed to sample is the caller's own (ArcRng is not shared).
 */
#ifndef ARC_REPLAY_H
#define ARC_REPLAY_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../common/check.h"
#include "../common/rng.h"
#include "sum_tree.h"

#define ARC_REPLAY_CELLS 100 /* 10 x 10 cells per channel */

enum {
    ARC_REPLAY_TRANSITION = 1, /* the slot holds a transition, not only a frame */
    ARC_REPLAY_TERMINAL = 2,
    ARC_REPLAY_TRUNCATED = 4,
};

typedef struct ArcReplayConfig {
    int64_t capacity;    /* transitions kept; rounded up to a multiple of num_streams */
    int channels;        /* C, 1 .. 10 */
    int num_streams;     /* S >= 1: envs that push, ids 0 .. S-1 */
    int n_step;          /* n >= 1 */
    double gamma;        /* discount, 0 .. 1 */
    bool prioritized;    /* false: uniform */
    double alpha;        /* priority exponent >= 0 (prioritized only) */
    double beta0;        /* first importance-sampling exponent, 0 .. 1 */
    int64_t beta_steps;  /* sample calls over which beta reaches 1; 0: beta is 1 at once */
    double priority_eps; /* > 0, added to |td error| */
} ArcReplayConfig;

/* capacity 100000, C 4, 1 stream, n 1, gamma 0.99, uniform, alpha 0.6, beta0 0.4,
 * beta_steps 1000000, eps 1e-6. */
ArcReplayConfig arc_replay_config_default(void);

typedef struct ArcReplayStream {
    int64_t head;        /* absolute position of the stream's newest frame */
    int pending;         /* transitions before head whose n-step window is incomplete */
    bool started;        /* head holds a frame (false before the first push / after end) */
} ArcReplayStream;

typedef struct ArcReplay {
    ArcReplayConfig cfg;
    int channels;           /* C */
    size_t obs_bytes;       /* C * 100: one unpacked observation */
    size_t frame_bytes;     /* F = ceil(C * 100 / 8): one packed observation */
    int64_t stream_slots;   /* L: slots per stream */
    int64_t num_slots;      /* S * L */
    int64_t capacity;       /* S * (L - 1): most transitions kept at once */
    size_t bytes;           /* everything init allocated (== arc_replay_bytes(cfg)) */
    uint8_t *frames;        /* (S*L, F) */
    uint8_t *actions;       /* (S*L) */
    uint8_t *flags;         /* (S*L) ARC_REPLAY_* bits */
    float *rewards;         /* (S*L) */
    uint32_t *laps;         /* (S*L) */
    ArcSumTree tree;        /* leaves (S*L) */
    ArcReplayStream *streams; /* (S) */
    uint8_t *scratch;       /* (S, 3, F) per-stream packing space, used outside the lock */
    double *powers;         /* (n + 1) gamma^k */
    pthread_mutex_t lock;
    /* guarded by lock: */
    int64_t size;           /* sampleable transitions */
    int64_t pushed;         /* transitions ever pushed */
    int64_t samples;        /* sample calls so far (drives beta) */
    double max_priority;    /* largest |td| + eps seen, before alpha */
    double new_priority;    /* leaf of a new transition: max_priority^alpha (1 if uniform) */
} ArcReplay;

/* One sampled minibatch. Every array is contiguous and 64-byte aligned, in one slab. */
typedef struct ArcReplayBatch {
    int max_batch;          /* B capacity */
    int size;               /* B of the last sample */
    int channels;           /* C */
    float beta;             /* beta used for the weights */
    uint8_t *obs;           /* (B, C, 10, 10) 0/1 */
    uint8_t *next_obs;      /* (B, C, 10, 10) bootstrap obs; all 0 where discount == 0 */
    int *actions;           /* (B) */
    float *rewards;         /* (B) n-step discounted returns */
    float *discounts;       /* (B) gamma^k, or 0 after a terminal */
    int64_t *indices;       /* (B) handles for arc_replay_update_priorities */
    float *weights;         /* (B) importance-sampling weights, max 1 (all 1 if uniform) */
    double *probs;          /* (B) sampling probability of each transition */
    uint8_t *packed;        /* (B, 2, F) staging copied under the lock */
    void *slab;
} ArcReplayBatch;

/* Exact bytes arc_replay_init allocates for cfg (cfg must be valid): S*L slots of
 * F + 10 bytes (frame, action, flag, reward, lap), the sum tree (16 P bytes), per-stream
 * state and scratch (3F + sizeof(ArcReplayStream) each) and the n + 1 powers of gamma. */
size_t arc_replay_bytes(const ArcReplayConfig *cfg);

/* Validates cfg and allocates the buffer. Returns ARC_ERR_ARG with a one-line message
 * naming the field for an invalid config (including capacity / num_streams < n + 1),
 * ARC_ERR_THREAD if the mutex cannot be created. On failure nothing is left allocated.
 * The caller owns buf and frees it with arc_replay_free. */
int arc_replay_init(ArcReplay *buf, const ArcReplayConfig *cfg, ArcErr *err);
void arc_replay_free(ArcReplay *buf);

/* Adds one step of `count` streams first_stream .. first_stream+count-1 (row i is
 * stream first_stream + i), straight from what an actor has around arc_vec_env_step:
 *   obs        (N, C, 10, 10) observation each env acted on. Only read for a stream that
 *              is not started (its first push, or the first after arc_replay_end_streams);
 *              otherwise the stream already holds it (the previous push's next_obs).
 *   actions    (N) 0 .. 255;  rewards (N);  terminals, truncations (N) 0/1
 *   next_obs   (N, C, 10, 10) the observation after the step, i.e. after auto-reset
 *              where the episode ended.
 *   final_obs  (N, C, 10, 10) the true last observation of the episode, read only for
 *              rows with truncations[i] set (it is the bootstrap target of a truncated
 *              transition); may be NULL when no row is truncated. A row both terminal
 *              and truncated counts as terminal.
 * Observation bytes must be 0 or 1. The caller keeps ownership of all arrays; nothing
 * is retained. No allocation. Consecutive pushes of a stream must be consecutive steps. */
void arc_replay_push(ArcReplay *buf, int first_stream, int count,
                     const uint8_t *obs /* (N, C, 10, 10) */, const int *actions /* (N) */,
                     const float *rewards /* (N) */, const uint8_t *terminals /* (N) */,
                     const uint8_t *truncations /* (N) */,
                     const uint8_t *next_obs /* (N, C, 10, 10) */,
                     const uint8_t *final_obs /* (N, C, 10, 10) or NULL */);

/* Breaks streams first_stream .. +count-1 (e.g. the actor reset its envs, or stops): the
 * last transition of each is treated as truncated (it bootstraps from the observation
 * already stored after it), pending transitions become sampleable, and the next push
 * starts the stream again from its obs argument. */
void arc_replay_end_streams(ArcReplay *buf, int first_stream, int count);

/* Allocates a batch for up to max_batch transitions of buf's shape. ARC_ERR_ARG for
 * max_batch < 1. Free with arc_replay_batch_free. */
int arc_replay_batch_init(ArcReplayBatch *batch, const ArcReplay *buf, int max_batch, ArcErr *err);
void arc_replay_batch_free(ArcReplayBatch *batch);

/* Draws `count` (1 .. batch->max_batch) transitions with replacement into batch, using
 * rng (the caller's). Returns ARC_OK, or ARC_ERR_ARG when nothing is sampleable yet (the
 * batch is then untouched). Increments the sample counter that anneals beta. */
int arc_replay_sample(ArcReplay *buf, ArcRng *rng, int count, ArcReplayBatch *batch);

/* Sets the priorities of sampled transitions to (|td_errors[i]| + eps)^alpha. Indices
 * whose slot was rewritten since the sample are skipped. Returns how many were applied
 * (0 in uniform mode), or ARC_ERR_ARG (nothing applied) if a td error is not finite. */
int arc_replay_update_priorities(ArcReplay *buf, const int64_t *indices /* (count) */,
                                 const float *td_errors /* (count) */, int count);

int64_t arc_replay_size(ArcReplay *buf);   /* sampleable transitions now */
int64_t arc_replay_pushed(ArcReplay *buf); /* transitions ever pushed */
double arc_replay_beta(ArcReplay *buf);    /* beta the next sample will use */

/* Bit packing of one (C, 10, 10) observation: packed has ceil(C * 100 / 8) bytes; the
 * unused high bits of the last byte are written as 0. */
void arc_replay_pack(uint8_t *packed, const uint8_t *obs /* (C, 10, 10) */, int channels);
void arc_replay_unpack(uint8_t *obs /* (C, 10, 10) */, const uint8_t *packed, int channels);

#endif
