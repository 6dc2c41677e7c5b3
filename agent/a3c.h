/* a3c.h — asynchronous advantage actor-critic training (Mnih et al. 2016) on CPU.
 *
 * T actor threads each step N envs with a local copy of the policy (one batched forward
 * for all N), collect n-step rollouts, compute returns and advantages, run one batched
 * forward+backward over the whole rollout (n*N observations), and hand the gradients to
 * the shared learner (learner/learner.h), which applies them with RMSProp whose
 * statistics are shared by all actors; the actor then refreshes its copy. Each rollout's
 * parameter lag (learner updates between the copy it acted with and its own update) is
 * logged. With sync the actors instead meet at a barrier after each rollout and one
 * update is made from the mean of their gradients, summed in actor order: the run is a
 * pure function of its seed and flags (A2C).
 *
 * Across MPI ranks (bin/arcade-mpi under mpirun, sync mode only) every rank runs its
 * actors and each update is the mean over the actors of all ranks (agent/dist_run.h,
 * learner/dist_learner.h); rank r's actor i is seeded as actor r*T + i of one run.
 *
 * Frames are env steps of all actors together. The main thread reports progress, writes
 * metrics, episodes and checkpoints (run_log.h, checkpoint.h) and stops the actors when
 * the frame budget is spent or *stop becomes true (Ctrl-C); a final checkpoint is always
 * written.
 *
 * Seeds: actor i steps envs seeded arc_vec_env_seed(S + i, j), with S derived from the
 * seed, and samples actions from its own stream; the network is initialised from seed.
 * With train_levels (env/level.h) each actor's batch is in level mode and draws the level
 * of each episode from its own level stream (env/vec_env.h).
 * Checkpoints taken while the actors are quiet (the final one; every one in sync mode)
 * also hold each actor's envs, observations and streams (env/snapshot.h), so a resumed
 * sync run continues exactly: stopping and resuming gives the parameters of an
 * uninterrupted run. Otherwise a resumed run's actors start fresh episodes.
 *
 * cfg->learner "batched" (which --device gpu implies) trains with one batched learner
 * instead: a3c_batched.h.
 */
#ifndef ARC_A3C_H
#define ARC_A3C_H

#include "train.h"

/* Trains per cfg (finished: arc_train_config_finish) into the directory cfg->out.
 * Returns ARC_OK, or a status with a one-line message (cannot create outputs, bad resume
 * checkpoint, ...). */
int arc_a3c_train(const ArcTrainConfig *cfg, const ArcTrainOptions *options,
                  ArcTrainResult *result, ArcErr *err);

#endif
