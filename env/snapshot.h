/* snapshot.h — a batch of running envs as checkpoint tensors, and back.
 *
 * Games keep plain-data states and envs keep plain-data streams, so a batch can be saved
 * exactly: under a prefix P, the tensors P.states (U8 (N, stride): the game-state slab),
 * P.rng (U32 (N, 625): each env's MT19937 words and position), P.info (I64 (N, 5): last
 * executed action, terminal, truncated, steps, episode return) and P.obs (U8
 * (N, C, 10, 10): what the envs currently show). Restoring them into a batch of the same
 * game and size continues every env exactly where it was. A batch in level mode (vec_env.h)
 * adds P.levels (U32 (N): each env's current level seed) and P.level_rng (U32 (625): the
 * batch's level stream); its world streams are not saved, as every step reseeds them.
 * A standalone ArcRng is saved the same way as one (625) U32 tensor.
 *
 * The writer borrows data until it saves (common/safetensors.h): an ArcEnvSnapshot owns
 * the scratch the rng and info tensors are built in, so keep it alive until then.
 */
#ifndef ARC_SNAPSHOT_H
#define ARC_SNAPSHOT_H

#include "../common/safetensors.h"
#include "vec_env.h"

#define ARC_RNG_WORDS (ARC_MT_N + 1)

typedef struct ArcEnvSnapshot {
    int num_envs;
    uint32_t *rng;  /* (N, 625) */
    int64_t *info;  /* (N, 5) */
    uint32_t *levels; /* (N) */
    uint32_t level_rng[ARC_RNG_WORDS];
} ArcEnvSnapshot;

void arc_env_snapshot_init(ArcEnvSnapshot *snap, int num_envs);
void arc_env_snapshot_free(ArcEnvSnapshot *snap);

/* Adds vec (and obs, its current (N, C, 10, 10) observations) under prefix. */
void arc_env_snapshot_add(ArcEnvSnapshot *snap, ArcStWriter *w, const char *prefix,
                          const ArcVecEnv *vec, const uint8_t *obs, ArcErr *err);
/* Restores vec and obs from f's tensors under prefix; ARC_ERR_FORMAT with a message
 * when one is missing or of another shape (another game or batch size), or when the
 * file has level state and vec is not in level mode, or the other way round. */
int arc_env_snapshot_restore(const ArcStFile *f, const char *prefix, ArcVecEnv *vec,
                             uint8_t *obs, ArcErr *err);

/* One stream as a (625) U32 tensor; words is the caller's scratch of ARC_RNG_WORDS. */
void arc_rng_snapshot_add(ArcStWriter *w, const char *name, const ArcRng *rng, uint32_t *words,
                          ArcErr *err);
int arc_rng_snapshot_restore(const ArcStFile *f, const char *name, ArcRng *rng, ArcErr *err);

#endif
