/* actor_state.h — what an A3C actor owns besides its network: its batch of envs and its
 * action stream, set up the same way, and saved as the same checkpoint tensors
 * ("actor<i>.env.*", "actor<i>.rng"), by the async and the batched learners, so either
 * resumes the other's runs. Saving is only for actors that are quiet (stopped, or
 * waiting at a barrier). */
#ifndef ARC_ACTOR_STATE_H
#define ARC_ACTOR_STATE_H

#include "../env/snapshot.h"
#include "train_config.h"

/* Actor `index`'s N envs of game (seeded from env_seed + index; sticky actions and train
 * levels from cfg) and its action stream; the caller frees vec (arc_vec_env_free). */
void arc_actor_envs_init(ArcVecEnv *vec, ArcRng *rng, const ArcGame *game, const ArcTrainConfig *cfg,
                         int N, uint64_t env_seed, int index);

/* Adds actor `index`'s state to w; snap and words (ARC_RNG_WORDS) are the actor's scratch,
 * borrowed until w saves. */
void arc_actor_state_add(ArcStWriter *w, int index, ArcEnvSnapshot *snap, const ArcVecEnv *vec,
                         const uint8_t *obs, const ArcRng *rng, uint32_t *words, ArcErr *err);

/* True when f holds actor state at all (final checkpoints and sync runs' periodic ones). */
bool arc_actor_state_present(const ArcStFile *f);

/* Restores actor `index`'s envs, observations and stream from f; a status with a message
 * naming the checkpoint's tensor when it is missing or of another shape. */
int arc_actor_state_restore(const ArcStFile *f, int index, ArcVecEnv *vec, uint8_t *obs, ArcRng *rng,
                            ArcErr *err);

#endif
