/* replay.c — n-step uniform/prioritized replay over per-stream rings of bit-packed frames.
 *
 * See replay.h for the layout, the n-step rule and the threading contract. In short: a
 * push packs its observations into per-stream scratch without the lock, then takes the
 * buffer mutex once to copy frames and scalars into the stream rings and update the sum
 * tree; a sample takes the mutex once to draw leaves and copy packed frames and scalars,
 * then unpacks and computes weights without it.
 */
#include "replay.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* ---- bit packing ------------------------------------------------------------------ */

/* Byte b spread to 8 bytes, bit k of b in byte k (little-endian load). */
#define ARC_SPREAD(b)                                                                     \
    ((uint64_t)((b) & 1) | (uint64_t)(((b) >> 1) & 1) << 8 |                              \
     (uint64_t)(((b) >> 2) & 1) << 16 | (uint64_t)(((b) >> 3) & 1) << 24 |                \
     (uint64_t)(((b) >> 4) & 1) << 32 | (uint64_t)(((b) >> 5) & 1) << 40 |                \
     (uint64_t)(((b) >> 6) & 1) << 48 | (uint64_t)(((b) >> 7) & 1) << 56)
#define ARC_S2(n) ARC_SPREAD(n), ARC_SPREAD(n + 1), ARC_SPREAD(n + 2), ARC_SPREAD(n + 3)
#define ARC_S4(n) ARC_S2(n), ARC_S2(n + 4), ARC_S2(n + 8), ARC_S2(n + 12)
#define ARC_S6(n) ARC_S4(n), ARC_S4(n + 16), ARC_S4(n + 32), ARC_S4(n + 48)
static const uint64_t spread_table[256] = {ARC_S6(0), ARC_S6(64), ARC_S6(128), ARC_S6(192)};

static size_t frame_bytes_for(int channels)
{
    return ((size_t)channels * ARC_REPLAY_CELLS + 7) / 8;
}

void arc_replay_pack(uint8_t *packed, const uint8_t *obs, int channels)
{
    size_t cells = (size_t)channels * ARC_REPLAY_CELLS, whole = cells / 8;
    for (size_t i = 0; i < whole; i++) {
        uint64_t x;
        memcpy(&x, obs + 8 * i, 8);
        x &= 0x0101010101010101ULL;
        /* byte k's bit 0 lands on bit 56 + k: the 64 partial products are distinct
         * powers of two, so the multiply is an OR and nothing carries. */
        packed[i] = (uint8_t)((x * 0x0102040810204080ULL) >> 56);
    }
    if (cells % 8) {
        uint8_t b = 0;
        for (size_t k = 0; k < cells % 8; k++) b |= (uint8_t)((obs[8 * whole + k] & 1) << k);
        packed[whole] = b;
    }
}

void arc_replay_unpack(uint8_t *obs, const uint8_t *packed, int channels)
{
    size_t cells = (size_t)channels * ARC_REPLAY_CELLS, whole = cells / 8;
    for (size_t i = 0; i < whole; i++) memcpy(obs + 8 * i, &spread_table[packed[i]], 8);
    for (size_t k = 0; k < cells % 8; k++) obs[8 * whole + k] = (packed[whole] >> k) & 1;
}

/* ---- configuration and lifetime --------------------------------------------------- */

ArcReplayConfig arc_replay_config_default(void)
{
    return (ArcReplayConfig){.capacity = 100000, .channels = 4, .num_streams = 1, .n_step = 1,
                             .gamma = 0.99, .prioritized = false, .alpha = 0.6, .beta0 = 0.4,
                             .beta_steps = 1000000, .priority_eps = 1e-6};
}

static int validate(const ArcReplayConfig *cfg, ArcErr *err)
{
    if (cfg->channels < 1 || cfg->channels > 10)
        return arc_err_set(err, ARC_ERR_ARG, "replay channels must be 1 .. 10, got %d",
                           cfg->channels);
    if (cfg->num_streams < 1)
        return arc_err_set(err, ARC_ERR_ARG, "replay num_streams must be >= 1, got %d",
                           cfg->num_streams);
    if (cfg->n_step < 1 || cfg->n_step > 1000)
        return arc_err_set(err, ARC_ERR_ARG, "replay n_step must be 1 .. 1000, got %d",
                           cfg->n_step);
    if (cfg->capacity < 1 || cfg->capacity > ((int64_t)1 << 36) ||
        (cfg->capacity + cfg->num_streams - 1) / cfg->num_streams < cfg->n_step + 1)
        return arc_err_set(err, ARC_ERR_ARG,
                           "replay capacity must be 1 .. 2^36 and hold n_step + 1 = %d "
                           "transitions per stream (%d streams), got %lld",
                           cfg->n_step + 1, cfg->num_streams, (long long)cfg->capacity);
    if (!(cfg->gamma >= 0 && cfg->gamma <= 1))
        return arc_err_set(err, ARC_ERR_ARG, "replay gamma must be in [0, 1], got %g", cfg->gamma);
    if (cfg->prioritized) {
        if (!(cfg->alpha >= 0 && cfg->alpha <= 10))
            return arc_err_set(err, ARC_ERR_ARG, "replay alpha must be in [0, 10], got %g",
                               cfg->alpha);
        if (!(cfg->beta0 >= 0 && cfg->beta0 <= 1))
            return arc_err_set(err, ARC_ERR_ARG, "replay beta0 must be in [0, 1], got %g",
                               cfg->beta0);
        if (cfg->beta_steps < 0)
            return arc_err_set(err, ARC_ERR_ARG, "replay beta_steps must be >= 0, got %lld",
                               (long long)cfg->beta_steps);
        if (!(cfg->priority_eps > 0 && cfg->priority_eps < 1e6))
            return arc_err_set(err, ARC_ERR_ARG, "replay priority_eps must be > 0, got %g",
                               cfg->priority_eps);
    }
    return ARC_OK;
}

static int64_t stream_slots_for(const ArcReplayConfig *cfg)
{
    return (cfg->capacity + cfg->num_streams - 1) / cfg->num_streams + 1;
}

size_t arc_replay_bytes(const ArcReplayConfig *cfg)
{
    size_t fb = frame_bytes_for(cfg->channels);
    size_t slots = (size_t)cfg->num_streams * (size_t)stream_slots_for(cfg);
    return slots * (fb + sizeof(uint8_t) * 2 + sizeof(float) + sizeof(uint32_t)) +
           arc_sum_tree_bytes((int64_t)slots) +
           (size_t)cfg->num_streams * (3 * fb + sizeof(ArcReplayStream)) +
           (size_t)(cfg->n_step + 1) * sizeof(double);
}

int arc_replay_init(ArcReplay *buf, const ArcReplayConfig *cfg, ArcErr *err)
{
    memset(buf, 0, sizeof *buf);
    int status = validate(cfg, err);
    if (status != ARC_OK) return status;
    buf->cfg = *cfg;
    buf->channels = cfg->channels;
    buf->obs_bytes = (size_t)cfg->channels * ARC_REPLAY_CELLS;
    buf->frame_bytes = frame_bytes_for(cfg->channels);
    buf->stream_slots = stream_slots_for(cfg);
    buf->num_slots = (int64_t)cfg->num_streams * buf->stream_slots;
    buf->capacity = (int64_t)cfg->num_streams * (buf->stream_slots - 1);
    buf->max_priority = 1.0;
    buf->new_priority = 1.0;
    if (pthread_mutex_init(&buf->lock, NULL) != 0)
        return arc_err_set(err, ARC_ERR_THREAD, "replay: pthread_mutex_init failed");
    status = arc_sum_tree_init(&buf->tree, buf->num_slots, err);
    if (status != ARC_OK) goto fail;
    size_t slots = (size_t)buf->num_slots;
    buf->frames = arc_xcalloc(slots, buf->frame_bytes);
    buf->actions = arc_xcalloc(slots, sizeof *buf->actions);
    buf->flags = arc_xcalloc(slots, sizeof *buf->flags);
    buf->rewards = arc_xcalloc(slots, sizeof *buf->rewards);
    buf->laps = arc_xcalloc(slots, sizeof *buf->laps);
    buf->streams = arc_xcalloc((size_t)cfg->num_streams, sizeof *buf->streams);
    buf->scratch = arc_xcalloc((size_t)cfg->num_streams * 3, buf->frame_bytes);
    buf->powers = arc_xcalloc((size_t)cfg->n_step + 1, sizeof *buf->powers);
    buf->powers[0] = 1.0;
    for (int k = 1; k <= cfg->n_step; k++) buf->powers[k] = buf->powers[k - 1] * cfg->gamma;
    buf->bytes = arc_replay_bytes(cfg);
    return ARC_OK;
fail:
    pthread_mutex_destroy(&buf->lock);
    memset(buf, 0, sizeof *buf);
    return status;
}

void arc_replay_free(ArcReplay *buf)
{
    if (!buf->frames) return;
    arc_sum_tree_free(&buf->tree);
    free(buf->frames);
    free(buf->actions);
    free(buf->flags);
    free(buf->rewards);
    free(buf->laps);
    free(buf->streams);
    free(buf->scratch);
    free(buf->powers);
    pthread_mutex_destroy(&buf->lock);
    memset(buf, 0, sizeof *buf);
}

/* ---- push (helpers run with the lock held) ---------------------------------------- */

static inline int64_t slot_of(const ArcReplay *buf, int stream, int64_t pos)
{
    return (int64_t)stream * buf->stream_slots + pos % buf->stream_slots;
}

/* Puts a frame at absolute position pos of stream, evicting what the slot held. */
static void write_frame(ArcReplay *buf, int stream, int64_t pos, const uint8_t *packed)
{
    int64_t g = slot_of(buf, stream, pos);
    if (arc_sum_tree_get(&buf->tree, g) > 0) {
        arc_sum_tree_set(&buf->tree, g, 0);
        buf->size--;
    }
    buf->flags[g] = 0;
    buf->laps[g] = (uint32_t)(pos / buf->stream_slots);
    memcpy(buf->frames + (size_t)g * buf->frame_bytes, packed, buf->frame_bytes);
}

static void make_ready(ArcReplay *buf, int stream, int64_t pos)
{
    int64_t g = slot_of(buf, stream, pos);
    ARC_CHECK((buf->flags[g] & ARC_REPLAY_TRANSITION) && arc_sum_tree_get(&buf->tree, g) == 0,
              "stream %d position %lld: flags %d, priority %g", stream, (long long)pos,
              buf->flags[g], arc_sum_tree_get(&buf->tree, g));
    arc_sum_tree_set(&buf->tree, g, buf->new_priority);
    buf->size++;
}

/* The `count` transitions ending at position last become sampleable; none is pending. */
static void flush(ArcReplay *buf, int stream, int64_t last, int count)
{
    for (int64_t pos = last - count + 1; pos <= last; pos++) make_ready(buf, stream, pos);
    buf->streams[stream].pending = 0;
}

void arc_replay_push(ArcReplay *buf, int first_stream, int count, const uint8_t *obs,
                     const int *actions, const float *rewards, const uint8_t *terminals,
                     const uint8_t *truncations, const uint8_t *next_obs, const uint8_t *final_obs)
{
    ARC_CHECK(first_stream >= 0 && count >= 0 && first_stream + count <= buf->cfg.num_streams,
              "streams %d .. %d outside 0 .. %d", first_stream, first_stream + count - 1,
              buf->cfg.num_streams - 1);
    const size_t fb = buf->frame_bytes, ob = buf->obs_bytes;
    const int C = buf->channels;
    /* Pack outside the lock: each stream's scratch is touched only by its own pusher. */
    for (int i = 0; i < count; i++) {
        int s = first_stream + i;
        uint8_t *scratch = buf->scratch + (size_t)s * 3 * fb;
        bool trunc = truncations[i] && !terminals[i];
        ARC_CHECK(actions[i] >= 0 && actions[i] <= 255, "stream %d: action %d", s, actions[i]);
        ARC_CHECK(!trunc || final_obs, "stream %d truncated but final_obs is NULL", s);
        if (!buf->streams[s].started) arc_replay_pack(scratch, obs + ob * (size_t)i, C);
        arc_replay_pack(scratch + fb, next_obs + ob * (size_t)i, C);
        if (trunc) arc_replay_pack(scratch + 2 * fb, final_obs + ob * (size_t)i, C);
    }
    const int n = buf->cfg.n_step;
    pthread_mutex_lock(&buf->lock);
    for (int i = 0; i < count; i++) {
        int s = first_stream + i;
        ArcReplayStream *st = &buf->streams[s];
        const uint8_t *scratch = buf->scratch + (size_t)s * 3 * fb;
        bool term = terminals[i] != 0, trunc = truncations[i] && !term;
        if (!st->started) {
            write_frame(buf, s, st->head, scratch);
            st->started = true;
        }
        int64_t t = st->head, g = slot_of(buf, s, t);
        buf->actions[g] = (uint8_t)actions[i];
        buf->rewards[g] = rewards[i];
        buf->flags[g] = ARC_REPLAY_TRANSITION | (term ? ARC_REPLAY_TERMINAL : 0) |
                        (trunc ? ARC_REPLAY_TRUNCATED : 0);
        if (trunc) write_frame(buf, s, ++st->head, scratch + 2 * fb);
        write_frame(buf, s, ++st->head, scratch + fb);
        if (term || trunc) {
            flush(buf, s, t, st->pending + 1);
        } else if (++st->pending == n) {
            make_ready(buf, s, t - (n - 1));
            st->pending = n - 1;
        }
    }
    buf->pushed += count;
    pthread_mutex_unlock(&buf->lock);
}

void arc_replay_end_streams(ArcReplay *buf, int first_stream, int count)
{
    ARC_CHECK(first_stream >= 0 && count >= 0 && first_stream + count <= buf->cfg.num_streams,
              "streams %d .. %d outside 0 .. %d", first_stream, first_stream + count - 1,
              buf->cfg.num_streams - 1);
    pthread_mutex_lock(&buf->lock);
    for (int s = first_stream; s < first_stream + count; s++) {
        ArcReplayStream *st = &buf->streams[s];
        if (!st->started) continue;
        int64_t last = st->head - 1, g = slot_of(buf, s, last);
        /* If the last episode was still running, its last transition is cut there: the
         * head frame (its true next observation) stays as its bootstrap and the next push
         * starts one slot later. After an episode end the head frame is unreferenced and
         * the next push simply overwrites it. */
        if ((buf->flags[g] & ARC_REPLAY_TRANSITION) &&
            !(buf->flags[g] & (ARC_REPLAY_TERMINAL | ARC_REPLAY_TRUNCATED))) {
            buf->flags[g] |= ARC_REPLAY_TRUNCATED;
            flush(buf, s, last, st->pending);
            st->head++;
        }
        st->started = false;
    }
    pthread_mutex_unlock(&buf->lock);
}

/* ---- sampling --------------------------------------------------------------------- */

static size_t align64(size_t n) { return (n + 63) / 64 * 64; }

int arc_replay_batch_init(ArcReplayBatch *batch, const ArcReplay *buf, int max_batch, ArcErr *err)
{
    memset(batch, 0, sizeof *batch);
    if (max_batch < 1)
        return arc_err_set(err, ARC_ERR_ARG, "replay batch size must be >= 1, got %d", max_batch);
    size_t B = (size_t)max_batch, ob = buf->obs_bytes, fb = buf->frame_bytes;
    size_t sizes[] = {B * ob, B * ob, B * sizeof(int), B * sizeof(float), B * sizeof(float),
                      B * sizeof(int64_t), B * sizeof(float), B * sizeof(double), B * 2 * fb};
    size_t total = 0;
    for (size_t k = 0; k < sizeof sizes / sizeof *sizes; k++) total += align64(sizes[k]);
    uint8_t *p = arc_xaligned(64, total);
    memset(p, 0, total);
    batch->slab = p;
    void **fields[] = {(void **)&batch->obs,       (void **)&batch->next_obs,
                       (void **)&batch->actions,   (void **)&batch->rewards,
                       (void **)&batch->discounts, (void **)&batch->indices,
                       (void **)&batch->weights,   (void **)&batch->probs,
                       (void **)&batch->packed};
    for (size_t k = 0; k < sizeof sizes / sizeof *sizes; k++) {
        *fields[k] = p;
        p += align64(sizes[k]);
    }
    batch->max_batch = max_batch;
    batch->channels = buf->channels;
    return ARC_OK;
}

void arc_replay_batch_free(ArcReplayBatch *batch)
{
    free(batch->slab);
    memset(batch, 0, sizeof *batch);
}

static double beta_at(const ArcReplayConfig *cfg, int64_t k)
{
    if (cfg->beta_steps <= 0 || k >= cfg->beta_steps) return 1.0;
    return cfg->beta0 + (1.0 - cfg->beta0) * ((double)k / (double)cfg->beta_steps);
}

/* Copies transition g's frame, n-step return, discount and (unless the window ends in a
 * terminal) bootstrap frame into row b of the batch's staging. Lock held. */
static void gather(const ArcReplay *buf, int64_t g, int b, ArcReplayBatch *batch)
{
    const size_t fb = buf->frame_bytes;
    const int64_t L = buf->stream_slots, base = g - g % L, pos = g % L;
    uint8_t *staging = batch->packed + (size_t)b * 2 * fb;
    memcpy(staging, buf->frames + (size_t)g * fb, fb);
    batch->actions[b] = buf->actions[g];
    batch->indices[b] = (int64_t)buf->laps[g] * buf->num_slots + g;
    double ret = 0;
    int k = 0;
    uint8_t f = 0;
    while (k < buf->cfg.n_step) {
        int64_t h = base + (pos + k) % L;
        f = buf->flags[h];
        ARC_CHECK(f & ARC_REPLAY_TRANSITION, "slot %lld in the window of %lld is no transition",
                  (long long)h, (long long)g);
        ret += buf->powers[k] * buf->rewards[h];
        k++;
        if (f & (ARC_REPLAY_TERMINAL | ARC_REPLAY_TRUNCATED)) break;
    }
    batch->rewards[b] = (float)ret;
    if (f & ARC_REPLAY_TERMINAL) {
        batch->discounts[b] = 0.0f;
        return;
    }
    batch->discounts[b] = (float)buf->powers[k];
    memcpy(staging + fb, buf->frames + (size_t)(base + (pos + k) % L) * fb, fb);
}

int arc_replay_sample(ArcReplay *buf, ArcRng *rng, int count, ArcReplayBatch *batch)
{
    ARC_CHECK(count >= 1 && count <= batch->max_batch, "batch of %d, room for %d", count,
              batch->max_batch);
    ARC_CHECK(batch->channels == buf->channels, "batch has %d channels, buffer %d",
              batch->channels, buf->channels);
    pthread_mutex_lock(&buf->lock);
    if (buf->size == 0) {
        pthread_mutex_unlock(&buf->lock);
        return ARC_ERR_ARG;
    }
    const bool prio = buf->cfg.prioritized;
    const double total = arc_sum_tree_total(&buf->tree);
    const double beta = prio ? beta_at(&buf->cfg, buf->samples) : 1.0;
    buf->samples++;
    for (int b = 0; b < count; b++) {
        double u = prio ? (b + arc_rng_uniform(rng)) / count : arc_rng_uniform(rng);
        int64_t g = arc_sum_tree_find(&buf->tree, u * total);
        batch->probs[b] = arc_sum_tree_get(&buf->tree, g) / total;
        gather(buf, g, b, batch);
    }
    pthread_mutex_unlock(&buf->lock);

    const size_t fb = buf->frame_bytes, ob = buf->obs_bytes;
    double min_p = 1.0;
    for (int b = 0; b < count; b++) {
        const uint8_t *staging = batch->packed + (size_t)b * 2 * fb;
        arc_replay_unpack(batch->obs + (size_t)b * ob, staging, buf->channels);
        if (batch->discounts[b] > 0)
            arc_replay_unpack(batch->next_obs + (size_t)b * ob, staging + fb, buf->channels);
        else
            memset(batch->next_obs + (size_t)b * ob, 0, ob);
        if (batch->probs[b] < min_p) min_p = batch->probs[b];
    }
    /* (size P_b)^-beta / max_b' (size P_b')^-beta = (P_b / min P)^-beta: in (0, 1], and
     * computed without the unnormalised weight, which can overflow a float. */
    for (int b = 0; b < count; b++)
        batch->weights[b] = prio ? (float)pow(batch->probs[b] / min_p, -beta) : 1.0f;
    batch->size = count;
    batch->beta = (float)beta;
    return ARC_OK;
}

/* (|td| + eps)^alpha, kept positive so that a live transition stays sampleable. */
static double leaf_priority(const ArcReplay *buf, double raw)
{
    double p = pow(raw, buf->cfg.alpha);
    return p > 1e-300 ? p : 1e-300;
}

int arc_replay_update_priorities(ArcReplay *buf, const int64_t *indices, const float *td_errors,
                                 int count)
{
    for (int i = 0; i < count; i++)
        if (!isfinite(td_errors[i])) return ARC_ERR_ARG;
    if (!buf->cfg.prioritized) return 0;
    int applied = 0;
    pthread_mutex_lock(&buf->lock);
    for (int i = 0; i < count; i++) {
        ARC_CHECK(indices[i] >= 0, "replay index %lld", (long long)indices[i]);
        int64_t g = indices[i] % buf->num_slots, lap = indices[i] / buf->num_slots;
        if (buf->laps[g] != (uint32_t)lap || arc_sum_tree_get(&buf->tree, g) <= 0) continue;
        double raw = fabs((double)td_errors[i]) + buf->cfg.priority_eps;
        if (raw > buf->max_priority) {
            buf->max_priority = raw;
            buf->new_priority = leaf_priority(buf, raw);
        }
        arc_sum_tree_set(&buf->tree, g, leaf_priority(buf, raw));
        applied++;
    }
    pthread_mutex_unlock(&buf->lock);
    return applied;
}

int64_t arc_replay_size(ArcReplay *buf)
{
    pthread_mutex_lock(&buf->lock);
    int64_t size = buf->size;
    pthread_mutex_unlock(&buf->lock);
    return size;
}

int64_t arc_replay_pushed(ArcReplay *buf)
{
    pthread_mutex_lock(&buf->lock);
    int64_t pushed = buf->pushed;
    pthread_mutex_unlock(&buf->lock);
    return pushed;
}

double arc_replay_beta(ArcReplay *buf)
{
    pthread_mutex_lock(&buf->lock);
    double beta = buf->cfg.prioritized ? beta_at(&buf->cfg, buf->samples) : 1.0;
    pthread_mutex_unlock(&buf->lock);
    return beta;
}
