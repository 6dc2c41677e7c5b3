/* agent.h — a trained network that plays: actions from a batch of observations.
 *
 * An ArcAgent is a checkpoint loaded onto the CPU backend: an A3C agent samples from its
 * softmax policy (or takes the most probable action when greedy), a DQN agent takes the
 * highest Q-value (ties to the lowest action). Used by eval and watch; the A3C actors use
 * arc_agent_sample for their own rollouts. One agent belongs to one thread.
 */
#ifndef ARC_AGENT_H
#define ARC_AGENT_H

#include "../env/game.h"
#include "../kernels/net.h"

typedef struct ArcAgent {
    ArcNet *net;
    const ArcGame *game;
    bool greedy;
    float *out;     /* (max_batch, out_dim) host */
    int max_batch;
    int64_t frames; /* of the checkpoint */
    char algo[8];
    int64_t train_levels; /* the run's train_levels (env/level.h); off without a config */
} ArcAgent;

/* Loads checkpoint path for batches of up to max_batch observations. The checkpoint's
 * game must be a known game; its variant and train_levels come from the run's config
 * stored in the checkpoint (standard and off when it has none). Returns a status with a one-line message naming the file. */
int arc_agent_load(ArcAgent *agent, const char *path, int max_batch, bool greedy, ArcErr *err);
void arc_agent_free(ArcAgent *agent);

/* Chooses actions[b] for obs (B, C, 10, 10); probs (B, 6) and values (B) are optional
 * outputs (A3C: the policy and V(s); DQN: a one-hot of the choice and max Q). */
void arc_agent_act(ArcAgent *agent, const uint8_t *obs, int B, ArcRng *rng, int *actions,
                   float *probs, float *values);

/* Softmax of logits (A) into probs (A) (may be NULL) and a draw from it with uniform u. */
int arc_agent_sample(const float *logits, int A, double u, float *probs);

#endif
