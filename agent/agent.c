/* agent.c — trained networks that play (see agent.h). */
#include "agent.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../env/level.h"
#include "../learner/checkpoint.h"
#include "train_config.h"

int arc_agent_sample(const float *logits, int A, double u, float *probs)
{
    float max = logits[0], p[ARC_NUM_ACTIONS];
    for (int a = 1; a < A; a++) max = logits[a] > max ? logits[a] : max;
    double sum = 0;
    for (int a = 0; a < A; a++) sum += p[a] = expf(logits[a] - max);
    double target = u * sum, acc = 0;
    int chosen = A - 1;
    for (int a = 0; a < A; a++) {
        acc += p[a];
        if (target < acc) {
            chosen = a;
            break;
        }
    }
    if (probs)
        for (int a = 0; a < A; a++) probs[a] = (float)(p[a] / sum);
    return chosen;
}

int arc_agent_load(ArcAgent *agent, const char *path, int max_batch, bool greedy, ArcErr *err)
{
    memset(agent, 0, sizeof *agent);
    ArcCheckpoint ck;
    int status = arc_checkpoint_load(path, &ck, err);
    if (status) return status;
    ArcTrainConfig run_cfg;
    arc_train_config_defaults(&run_cfg);
    if (ck.config_ini) {
        char name[600];
        snprintf(name, sizeof name, "%s: metadata 'config'", path);
        status = arc_train_config_load_text(&run_cfg, ck.config_ini, name, err);
    }
    agent->game = arc_game_find_variant(ck.game, run_cfg.variant);
    agent->train_levels = run_cfg.train_levels;
    if (status) goto done; /* err says what is wrong with the stored config */
    if (!agent->game) {
        status = arc_game_find(ck.game)
                     ? arc_err_set(err, ARC_ERR_FORMAT, "%s: game %s has no variant '%s'", path,
                                   ck.game, run_cfg.variant)
                     : arc_err_set(err, ARC_ERR_FORMAT, "%s: unknown game '%s' (expected one of: %s)",
                                   path, ck.game, arc_game_names());
    } else if (ck.net.in_channels != agent->game->channels || ck.net.num_actions != ARC_NUM_ACTIONS) {
        status = arc_err_set(err, ARC_ERR_FORMAT,
                             "%s: network takes %d channels and %d actions, %s has %d and %d",
                             path, ck.net.in_channels, ck.net.num_actions, ck.game,
                             agent->game->channels, ARC_NUM_ACTIONS);
    } else {
        agent->net = arc_net_init(&ck.net, arc_backend_cpu(), max_batch, 0, err);
        if (!agent->net) status = ARC_ERR_ARG;
    }
    if (!status) {
        arc_net_set_params(agent->net, ck.params);
        agent->max_batch = max_batch;
        agent->greedy = greedy;
        agent->frames = ck.frames;
        snprintf(agent->algo, sizeof agent->algo, "%s", ck.algo);
        agent->out = arc_xmalloc(sizeof(float) * (size_t)max_batch * (size_t)agent->net->plan.out_dim);
    }
done:
    arc_checkpoint_free(&ck);
    if (status) arc_agent_free(agent);
    return status;
}

void arc_agent_free(ArcAgent *agent)
{
    arc_net_free(agent->net);
    free(agent->out);
    memset(agent, 0, sizeof *agent);
}

void arc_agent_act(ArcAgent *agent, const uint8_t *obs, int B, ArcRng *rng, int *actions,
                   float *probs, float *values)
{
    ARC_CHECK(B <= agent->max_batch, "batch %d above %d", B, agent->max_batch);
    int dim = agent->net->plan.out_dim, A = ARC_NUM_ACTIONS;
    bool a3c = agent->net->cfg.head == ARC_HEAD_A3C;
    arc_net_forward_host(agent->net, agent->out, obs, B);
    for (int b = 0; b < B; b++) {
        const float *row = agent->out + (size_t)b * dim;
        float p[ARC_NUM_ACTIONS];
        int best = 0;
        for (int a = 1; a < A; a++) best = row[a] > row[best] ? a : best;
        if (a3c) {
            int sampled = arc_agent_sample(row, A, arc_rng_uniform(rng), p);
            actions[b] = agent->greedy ? best : sampled;
        } else {
            actions[b] = best;
            for (int a = 0; a < A; a++) p[a] = a == best;
        }
        if (probs) memcpy(probs + (size_t)b * A, p, sizeof p);
        if (values) values[b] = a3c ? row[A] : row[best];
    }
}
