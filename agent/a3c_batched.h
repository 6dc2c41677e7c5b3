/* a3c_batched.h — A3C with one batched learner (GA3C / IMPALA style), on the CPU or the
 * GPU backend: `learner = batched`, and what `--device gpu` trains with.
 *
 * T actor threads each step N envs with a CPU copy of the policy and push whole rollouts
 * (observations, actions, rewards, done flags, the behaviour policy's log-probabilities
 * of the taken actions, and the parameter version that acted) into a bounded queue
 * (rollout_queue.h). The learner — the calling thread, which also owns the backend, so a
 * GPU is only ever touched from one thread — takes T rollouts at a time, runs them as one
 * batch through the master network (a bootstrap forward of the last states, then one
 * forward+backward), corrects for the actors' policy lag with V-trace (vtrace.h,
 * rho_bar = c_bar = 1), applies the shared RMSProp, and publishes the new parameters as a
 * host copy with its version; an actor copies them before its next rollout when the
 * version moved. One update per T rollouts is the update rate of the synchronous mode, so
 * the learning rate and the other defaults carry over.
 *
 * Outputs, checkpoints (with the actors' envs and streams in the final one), resume,
 * Ctrl-C and metrics are those of a3c.h; param_lag is the learner's version at the update
 * minus the version the rollout was acted with.
 */
#ifndef ARC_A3C_BATCHED_H
#define ARC_A3C_BATCHED_H

#include "train.h"

/* Largest rollout the learner batches in one forward, in rows (envs x steps): larger
 * rollouts are an error; batches of several rollouts are cut into chunks below it. */
#define ARC_A3C_BATCHED_MAX_ROWS 16384

/* Trains per cfg (finished; cfg->device "gpu" puts the learner on the GPU when one is
 * usable, else says why in one line on stderr unless quiet). Returns ARC_OK or a status
 * with a one-line message. */
int arc_a3c_batched_train(const ArcTrainConfig *cfg, const ArcTrainOptions *options,
                          ArcTrainResult *result, ArcErr *err);

#endif
