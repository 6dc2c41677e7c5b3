/* cmd_eval.c — `arcade eval --checkpoint F [--episodes E] [--seed S] [--json]`.
 *
 * Plays E episodes of the checkpoint's game, episode i on an env seeded
 * arc_vec_env_seed(S, i) (all E stepped as one batch; each env's first episode counts),
 * and prints return statistics. Episodes are capped at --max-steps steps (Seaquest
 * agents can stay at the surface for ever); capped ones are reported as truncated. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../agent/agent.h"
#include "../common/args.h"
#include "../common/stats.h"
#include "../env/vec_env.h"
#include "commands.h"

typedef struct EvalResult {
    double *returns; /* (E) */
    int truncated;
} EvalResult;

static void play_episodes(ArcAgent *agent, int episodes, uint64_t seed, double sticky,
                          int64_t max_steps, EvalResult *res)
{
    ArcEnvConfig cfg = arc_env_config_default();
    cfg.sticky_prob = sticky;
    cfg.step_cap = max_steps;
    ArcVecEnv vec;
    ARC_CHECK(arc_vec_env_init(&vec, agent->game, episodes, &cfg, seed, NULL) == ARC_OK, "vec env");
    uint8_t *obs = arc_xmalloc(vec.obs_size * (size_t)episodes);
    int *actions = arc_xmalloc(sizeof(int) * (size_t)episodes);
    bool *done = arc_xcalloc((size_t)episodes, sizeof(bool));
    ArcRng rng;
    arc_rng_seed(&rng, arc_vec_env_seed(seed, episodes));
    arc_vec_env_reset(&vec, obs);
    for (int left = episodes; left > 0;) {
        arc_agent_act(agent, obs, episodes, &rng, actions, NULL, NULL);
        arc_vec_env_step(&vec, actions, obs, NULL, NULL, NULL, NULL);
        for (int k = 0; k < vec.num_finished; k++) {
            const ArcEpisode *e = &vec.finished[k];
            if (done[e->env]) continue;
            done[e->env] = true;
            res->returns[e->env] = (double)e->ret;
            res->truncated += e->truncated;
            left--;
        }
    }
    free(obs), free(actions), free(done);
    arc_vec_env_free(&vec);
}

int arc_cmd_eval(int argc, char **argv)
{
    const char *checkpoint = NULL;
    int64_t episodes = 30, seed = 1000, max_steps = 100000;
    double sticky = 0.1;
    bool json = false, greedy = false;
    ArcFlag flags[] = {
        {"checkpoint", ARC_FLAG_STRING, &checkpoint, 1, 0, "checkpoint to evaluate (required)", false},
        {"episodes", ARC_FLAG_INT, &episodes, 1, 100000, "episodes to play (30)", false},
        {"seed", ARC_FLAG_INT, &seed, 0, 4294967295.0, "base seed of the episodes (1000)", false},
        {"max-steps", ARC_FLAG_INT, &max_steps, 1, 1e12, "step cap per episode (100000)", false},
        {"sticky", ARC_FLAG_DOUBLE, &sticky, 0, 1, "sticky-action probability (0.1)", false},
        {"greedy", ARC_FLAG_BOOL, &greedy, 1, 0, "take the most probable action", false},
        {"json", ARC_FLAG_BOOL, &json, 1, 0, "print one JSON object", false},
    };
    int parsed = arc_args_parse(argc, argv, flags, 7,
                                "arcade eval --checkpoint F [--episodes E] [--seed S] [--json]");
    if (parsed) return parsed == ARC_ARGS_HELP ? 0 : 2;
    if (!checkpoint) {
        fprintf(stderr, "%s: --checkpoint is required\n", argv[0]);
        return 2;
    }
    ArcAgent agent;
    ArcErr err;
    if (arc_agent_load(&agent, checkpoint, (int)episodes, greedy, &err)) {
        fprintf(stderr, "%s: %s\n", argv[0], err.msg);
        return 1;
    }
    EvalResult res = {.returns = arc_xcalloc((size_t)episodes, sizeof(double))};
    play_episodes(&agent, (int)episodes, (uint64_t)seed, sticky, max_steps, &res);
    ArcSummary s = arc_stats_summary(res.returns, (int)episodes);
    if (json) {
        printf("{\"game\": \"%s\", \"frames\": %lld, \"episodes\": %d, \"mean\": %.4f, "
               "\"std\": %.4f, \"median\": %.4f, \"iqm\": %.4f, \"min\": %.4f, \"max\": %.4f, "
               "\"truncated\": %d}\n",
               agent.game->name, (long long)agent.frames, s.count, s.mean, s.std, s.median,
               s.iqm, s.min, s.max, res.truncated);
    } else {
        printf("%s, %s agent after %lld frames: %d episodes (seed %lld, sticky %.2f, %s)\n",
               agent.game->name, agent.algo, (long long)agent.frames, s.count, (long long)seed,
               sticky, strcmp(agent.algo, "dqn") == 0 ? "greedy on Q" : greedy ? "greedy" : "sampled actions");
        printf("return  mean %.2f  std %.2f  median %.2f  IQM %.2f  min %.0f  max %.0f\n",
               s.mean, s.std, s.median, s.iqm, s.min, s.max);
        if (res.truncated) printf("%d episodes hit the %lld-step cap\n", res.truncated, (long long)max_steps);
    }
    free(res.returns);
    arc_agent_free(&agent);
    return 0;
}
