/* policy.h — where `arcade watch` gets its actions: a tiny, game-agnostic policy interface.
 *
 * A policy is a context plus an act() function over one (C, 10, 10) observation. Besides
 * the action it may report what it believes (action probabilities over the full 6-action
 * set, a value estimate) so the window's side panel can draw them. Two kinds: "random"
 * (uniform over the full or the minimal action set, drawn from its own ArcRng stream)
 * and a trained agent loaded from a checkpoint.
 * Single-threaded: a policy belongs to the loop that calls it.
 */
#ifndef ARC_POLICY_H
#define ARC_POLICY_H

#include <stdbool.h>
#include <stdint.h>

#include "../common/check.h"
#include "../env/game.h"

/* What a policy reports about one decision; act() receives it zeroed. */
typedef struct ArcPolicyOutput {
    float probs[ARC_NUM_ACTIONS]; /* (A) over the full action set, when has_probs */
    float value;                  /* the value estimate, when has_value */
    bool has_probs, has_value;
} ArcPolicyOutput;

typedef struct ArcPolicy {
    const char *name; /* shown in the panel, e.g. "random" */
    void *ctx;        /* owned by the policy; released by arc_policy_free */
    /* Returns an action in 0..5 for obs (C, 10, 10); may fill *out. */
    int (*act)(void *ctx, const uint8_t *obs, ArcPolicyOutput *out);
    void (*free)(void *ctx); /* may be NULL */
} ArcPolicy;

/* "random": for error messages and --help. */
const char *arc_policy_names(void);

/* Builds the policy called name for game. minimal restricts a random policy to the game's
 * minimal action set; seed seeds the policy's own stream (derived from, never equal to,
 * the env's). Returns ARC_OK, or ARC_ERR_ARG with a one-line message naming --policy.
 * On success the caller owns *policy and releases it with arc_policy_free. */
int arc_policy_create(ArcPolicy *policy, const char *name, const ArcGame *game, bool minimal,
                      uint32_t seed, ArcErr *err);
void arc_policy_free(ArcPolicy *policy);

/* A trained agent from a checkpoint (agent/agent.h): samples from its policy, or takes
 * the best action when greedy; reports its probabilities and value. The game is the
 * checkpoint's (arc_policy_game). Returns a status with a message naming the file. */
int arc_policy_from_checkpoint(ArcPolicy *policy, const char *path, bool greedy, uint32_t seed,
                               ArcErr *err);
/* The game a checkpoint policy was trained on; NULL for other policies. */
const ArcGame *arc_policy_game(const ArcPolicy *policy);
/* A checkpoint policy's train_levels (env/level.h: ARC_LEVELS_OFF, a count or
 * ARC_LEVELS_INF); ARC_LEVELS_INF for other policies (every train level is new to them). */
int64_t arc_policy_train_levels(const ArcPolicy *policy);

#endif
