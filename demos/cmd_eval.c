/* cmd_eval.c — `arcade eval --checkpoint F [--episodes E] [--seed S] [--levels SET] [--json]`.
 *
 * Plays E episodes of the checkpoint's game (in its variant), episode i on an env seeded
 * arc_vec_env_seed(S, i) (all E stepped as one batch; each env's first episode counts),
 * and prints return statistics. Episodes are capped at --max-steps steps (Seaquest
 * agents can stay at the surface for ever); capped ones are reported as truncated.
 *
 * --levels train|val|test plays in level mode (env/level.h), episode i on level i of the
 * set: the validation or test set (E <= 1000), or the checkpoint's own train levels
 * (train level i mod N; with train_levels = inf, train level i). The env seed then only
 * drives the sticky draws. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../agent/agent.h"
#include "../common/args.h"
#include "../common/stats.h"
#include "../env/level.h"
#include "../env/vec_env.h"
#include "commands.h"

typedef struct EvalResult {
    double *returns; /* (E) */
    int truncated;
} EvalResult;

/* levels: (E) level seeds, or NULL outside level mode. */
static void play_episodes(ArcAgent *agent, int episodes, uint64_t seed, double sticky,
                          int64_t max_steps, const uint32_t *levels, EvalResult *res)
{
    ArcEnvConfig cfg = arc_env_config_default();
    cfg.sticky_prob = sticky;
    cfg.step_cap = max_steps;
    ArcVecEnv vec;
    ARC_CHECK(arc_vec_env_init(&vec, agent->game, episodes, &cfg, seed, NULL) == ARC_OK, "vec env");
    uint8_t *obs = arc_xmalloc(vec.obs_size * (size_t)episodes);
    int *actions = arc_xmalloc(sizeof(int) * (size_t)episodes);
    bool *done = arc_xcalloc((size_t)episodes, sizeof(bool));
    if (levels) arc_vec_env_fixed_levels(&vec, levels);
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

/* The level of each episode for --levels set (see the file comment), or an error. */
static uint32_t *episode_levels(const char *set, const ArcAgent *agent, const char *checkpoint,
                                int episodes, ArcErr *err)
{
    ArcLevelFamily family;
    if (!arc_level_family_parse(set, &family)) {
        arc_err_set(err, ARC_ERR_ARG, "--levels expects train, val or test, got '%s'", set);
        return NULL;
    }
    if (family == ARC_LEVEL_TRAIN && agent->train_levels == ARC_LEVELS_OFF) {
        arc_err_set(err, ARC_ERR_ARG,
                    "--levels train: %s was trained with train_levels = off (no levels)", checkpoint);
        return NULL;
    }
    if (family != ARC_LEVEL_TRAIN && episodes > ARC_LEVEL_SET_SIZE) {
        arc_err_set(err, ARC_ERR_ARG, "--levels %s has %d levels, --episodes %d is more", set,
                    ARC_LEVEL_SET_SIZE, episodes);
        return NULL;
    }
    uint32_t *levels = arc_xmalloc((size_t)episodes * sizeof *levels);
    for (int i = 0; i < episodes; i++) {
        uint32_t index = (uint32_t)i;
        if (family == ARC_LEVEL_TRAIN && agent->train_levels > 0)
            index = (uint32_t)(i % agent->train_levels);
        levels[i] = arc_level_seed(family, index);
    }
    return levels;
}

int arc_cmd_eval(int argc, char **argv)
{
    const char *checkpoint = NULL, *level_set = NULL;
    int64_t episodes = 30, seed = 1000, max_steps = 100000;
    double sticky = 0.1;
    bool json = false, greedy = false;
    ArcFlag flags[] = {
        {"checkpoint", ARC_FLAG_STRING, &checkpoint, 1, 0, "checkpoint to evaluate (required)", false},
        {"episodes", ARC_FLAG_INT, &episodes, 1, 100000, "episodes to play (30)", false},
        {"seed", ARC_FLAG_INT, &seed, 0, 4294967295.0, "base seed of the episodes (1000)", false},
        {"max-steps", ARC_FLAG_INT, &max_steps, 1, 1e12, "step cap per episode (100000)", false},
        {"sticky", ARC_FLAG_DOUBLE, &sticky, 0, 1, "sticky-action probability (0.1)", false},
        {"levels", ARC_FLAG_STRING, &level_set, 1, 0, "play level i of train|val|test in episode i", false},
        {"greedy", ARC_FLAG_BOOL, &greedy, 1, 0, "take the most probable action", false},
        {"json", ARC_FLAG_BOOL, &json, 1, 0, "print one JSON object", false},
    };
    int parsed = arc_args_parse(argc, argv, flags, (int)(sizeof flags / sizeof flags[0]),
                                "arcade eval --checkpoint F [--episodes E] [--seed S] "
                                "[--levels train|val|test] [--json]");
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
    uint32_t *levels = NULL;
    if (level_set) {
        levels = episode_levels(level_set, &agent, checkpoint, (int)episodes, &err);
        if (!levels) {
            fprintf(stderr, "%s: %s\n", argv[0], err.msg);
            arc_agent_free(&agent);
            return 2;
        }
    }
    char train_levels[32];
    arc_levels_format(agent.train_levels, train_levels, sizeof train_levels);
    EvalResult res = {.returns = arc_xcalloc((size_t)episodes, sizeof(double))};
    play_episodes(&agent, (int)episodes, (uint64_t)seed, sticky, max_steps, levels, &res);
    ArcSummary s = arc_stats_summary(res.returns, (int)episodes);
    if (json) {
        printf("{\"game\": \"%s\", \"variant\": \"%s\", \"frames\": %lld, \"levels\": \"%s\", "
               "\"train_levels\": \"%s\", \"episodes\": %d, \"mean\": %.4f, \"std\": %.4f, "
               "\"median\": %.4f, \"iqm\": %.4f, \"min\": %.4f, \"max\": %.4f, \"truncated\": %d}\n",
               agent.game->name, arc_game_variant_name(agent.game), (long long)agent.frames,
               level_set ? level_set : "off", train_levels, s.count, s.mean, s.std, s.median,
               s.iqm, s.min, s.max, res.truncated);
    } else {
        printf("%s%s%s, %s agent after %lld frames: %d episodes (seed %lld, sticky %.2f, %s)\n",
               agent.game->name, agent.game->variant ? " " : "",
               agent.game->variant ? agent.game->variant : "", agent.algo,
               (long long)agent.frames, s.count, (long long)seed,
               sticky, strcmp(agent.algo, "dqn") == 0 ? "greedy on Q" : greedy ? "greedy" : "sampled actions");
        if (level_set)
            printf("levels: episode i on level i of the %s set (trained with train_levels = %s)\n",
                   level_set, train_levels);
        printf("return  mean %.2f  std %.2f  median %.2f  IQM %.2f  min %.0f  max %.0f\n",
               s.mean, s.std, s.median, s.iqm, s.min, s.max);
        if (res.truncated) printf("%d episodes hit the %lld-step cap\n", res.truncated, (long long)max_steps);
    }
    free(res.returns);
    free(levels);
    arc_agent_free(&agent);
    return 0;
}
