/* policy.c — the policies `arcade watch` can run (see policy.h). */
#include "policy.h"

#include <stdlib.h>
#include <string.h>

#include "../agent/agent.h"
#include "../env/level.h"

/* Mixed into the seed so the policy's stream never coincides with the env's. */
#define RANDOM_POLICY_STREAM 0x706f6c6963790001ull

typedef struct RandomPolicy {
    ArcRng rng;
    int num_actions;
    int actions[ARC_NUM_ACTIONS]; /* the allowed subset of 0..5 */
} RandomPolicy;

static int random_act(void *ctx, const uint8_t *obs, ArcPolicyOutput *out)
{
    (void)obs;
    RandomPolicy *p = ctx;
    int action = p->actions[arc_rng_int(&p->rng, 0, p->num_actions)];
    out->has_probs = true;
    for (int i = 0; i < p->num_actions; i++)
        out->probs[p->actions[i]] = 1.0f / (float)p->num_actions;
    return action;
}

const char *arc_policy_names(void)
{
    return "random";
}

int arc_policy_create(ArcPolicy *policy, const char *name, const ArcGame *game, bool minimal,
                      uint32_t seed, ArcErr *err)
{
    memset(policy, 0, sizeof *policy);
    if (!name || strcmp(name, "random") != 0)
        return arc_err_set(err, ARC_ERR_ARG,
                           "unknown policy '%s' for --policy (expected one of: %s)",
                           name ? name : "", arc_policy_names());
    RandomPolicy *p = arc_xcalloc(1, sizeof *p);
    arc_rng_seed(&p->rng, (uint32_t)arc_splitmix64(seed ^ RANDOM_POLICY_STREAM));
    if (minimal) {
        p->num_actions = game->num_minimal_actions;
        memcpy(p->actions, game->minimal_actions, sizeof(int) * (size_t)p->num_actions);
    } else {
        p->num_actions = ARC_NUM_ACTIONS;
        for (int a = 0; a < ARC_NUM_ACTIONS; a++) p->actions[a] = a;
    }
    *policy = (ArcPolicy){.name = minimal ? "random (minimal)" : "random", .ctx = p,
                          .act = random_act, .free = free};
    return ARC_OK;
}

typedef struct CheckpointPolicy {
    ArcAgent agent;
    ArcRng rng;
} CheckpointPolicy;

static int checkpoint_act(void *ctx, const uint8_t *obs, ArcPolicyOutput *out)
{
    CheckpointPolicy *p = ctx;
    int action;
    arc_agent_act(&p->agent, obs, 1, &p->rng, &action, out->probs, &out->value);
    out->has_probs = out->has_value = true;
    return action;
}

static void checkpoint_free(void *ctx)
{
    CheckpointPolicy *p = ctx;
    arc_agent_free(&p->agent);
    free(p);
}

int arc_policy_from_checkpoint(ArcPolicy *policy, const char *path, bool greedy, uint32_t seed,
                               ArcErr *err)
{
    memset(policy, 0, sizeof *policy);
    CheckpointPolicy *p = arc_xcalloc(1, sizeof *p);
    int status = arc_agent_load(&p->agent, path, 1, greedy, err);
    if (status) {
        free(p);
        return status;
    }
    arc_rng_seed(&p->rng, (uint32_t)arc_splitmix64(seed ^ RANDOM_POLICY_STREAM));
    *policy = (ArcPolicy){.name = greedy ? "checkpoint (greedy)" : "checkpoint", .ctx = p,
                          .act = checkpoint_act, .free = checkpoint_free};
    return ARC_OK;
}

const ArcGame *arc_policy_game(const ArcPolicy *policy)
{
    return policy->act == checkpoint_act ? ((const CheckpointPolicy *)policy->ctx)->agent.game : NULL;
}

int64_t arc_policy_train_levels(const ArcPolicy *policy)
{
    return policy->act == checkpoint_act ? ((const CheckpointPolicy *)policy->ctx)->agent.train_levels
                                         : ARC_LEVELS_INF;
}

void arc_policy_free(ArcPolicy *policy)
{
    if (policy->free) policy->free(policy->ctx);
    memset(policy, 0, sizeof *policy);
}
