/* dqn.h — DQN (Mnih et al. 2015) with replay, as MinAtar runs it, and an Ape-X-style
 * multi-actor variant.
 *
 * With one actor thread (the default and --preset minatar) the actor and the learner
 * take turns in one thread: each frame the actor steps its envs epsilon-greedily from the
 * online network and pushes the transitions to the replay buffer (replay/replay.h); after
 * learn_start frames the learner makes replay_ratio updates per frame: a minibatch from
 * replay, targets from the target network (double DQN: actions chosen by the online
 * network; n-step returns from the buffer), Huber loss (importance-weighted with
 * prioritized replay, whose priorities are then updated), clipping, centered RMSProp;
 * the target network copies the online one every target_every updates. Such a run is a
 * pure function of its seed. Epsilon is 1 for the first learn_start frames, then falls
 * linearly from eps_start to eps_end over eps_frames.
 *
 * Streams: each actor's envs, its exploration (the epsilon test and random actions) and,
 * with train_levels, its level draws are seeded apart from the actor's batch seed
 * (env/vec_env.h); replay sampling has its own stream and the network is initialised
 * from seed (README, "Levels").
 *
 * With T > 1 threads, T actor threads each step their envs with their own network copy,
 * refreshed every actor_sync learner updates, and their own epsilon: actor i uses
 * epsilon^(1 + 2i/(T-1)) of the schedule, so actor 0 follows it and the others explore
 * less. The learner runs in the calling thread and keeps to replay_ratio updates per
 * frame. Updates are serialised with the actors' refreshes (the learner's lock).
 *
 * --device gpu puts the learner's networks (online and target) on the GPU backend when
 * one is usable (else a one-line notice and the CPU); actor threads keep CPU copies.
 * With one actor thread, acting then also runs on the GPU (batches of N).
 */
#ifndef ARC_DQN_H
#define ARC_DQN_H

#include "train.h"

int arc_dqn_train(const ArcTrainConfig *cfg, const ArcTrainOptions *options,
                  ArcTrainResult *result, ArcErr *err);

/* Actor `actor` of `num_actors`'s epsilon at `frames` (see above). */
double arc_dqn_epsilon(const ArcTrainConfig *cfg, int64_t frames, int actor, int num_actors);

#endif
