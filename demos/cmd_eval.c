/* cmd_eval.c — `arcade eval --checkpoint F [--episodes E] [--seed S] [--levels SET] [--json]`.
 *
 * Plays E episodes of the checkpoint's game (in its variant) through agent/evaluate.h,
 * episode i on an env seeded arc_vec_env_seed(S, i), and prints return statistics. Episodes are capped at --max-steps steps (Seaquest
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
#include "../agent/evaluate.h"
#include "../common/args.h"
#include "../common/stats.h"
#include "commands.h"

int arc_cmd_eval(int argc, char **argv)
{
    const char *checkpoint = NULL, *level_set = NULL;
    ArcEvalConfig defaults = arc_eval_config_default();
    int64_t episodes = defaults.episodes, seed = (int64_t)defaults.seed, max_steps = defaults.max_steps;
    double sticky = defaults.sticky;
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
    if (level_set && !(levels = arc_cli_levels(argv[0], level_set, agent.train_levels, (int)episodes, checkpoint))) {
        arc_agent_free(&agent);
        return 2;
    }
    char train_levels[32];
    arc_levels_format(agent.train_levels, train_levels, sizeof train_levels);
    ArcEvalConfig eval = {.episodes = (int)episodes, .seed = (uint64_t)seed, .sticky = sticky,
                          .max_steps = max_steps};
    double *returns = arc_xcalloc((size_t)episodes, sizeof(double));
    int truncated;
    arc_eval_run(&agent, &eval, levels, returns, &truncated);
    ArcSummary s = arc_stats_summary(returns, (int)episodes);
    if (json) {
        printf("{\"game\": \"%s\", \"variant\": \"%s\", \"frames\": %lld, \"levels\": \"%s\", "
               "\"train_levels\": \"%s\", \"episodes\": %d, \"mean\": %.4f, \"std\": %.4f, "
               "\"median\": %.4f, \"iqm\": %.4f, \"min\": %.4f, \"max\": %.4f, \"truncated\": %d}\n",
               agent.game->name, arc_game_variant_name(agent.game), (long long)agent.frames,
               level_set ? level_set : "off", train_levels, s.count, s.mean, s.std, s.median,
               s.iqm, s.min, s.max, truncated);
    } else {
        printf("%s%s%s, %s agent after %lld frames: %d episodes (seed %lld, sticky %.2f, %s)\n",
               agent.game->name, agent.game->variant ? " " : "",
               agent.game->variant ? agent.game->variant : "", agent.algo,
               (long long)agent.frames, s.count, (long long)seed,
               sticky, strcmp(agent.algo, "dqn") == 0 ? "greedy on Q" : greedy ? "greedy" : "sampled actions");
        if (level_set && agent.train_levels > 0 && strcmp(level_set, "train") == 0)
            printf("levels: episode i on train level i mod %s (trained with train_levels = %s)\n",
                   train_levels, train_levels);
        else if (level_set)
            printf("levels: episode i on level i of the %s set (trained with train_levels = %s)\n",
                   level_set, train_levels);
        printf("return  mean %.2f  std %.2f  median %.2f  IQM %.2f  min %.0f  max %.0f\n",
               s.mean, s.std, s.median, s.iqm, s.min, s.max);
        if (truncated) printf("%d episodes hit the %lld-step cap\n", truncated, (long long)max_steps);
    }
    free(returns);
    free(levels);
    arc_agent_free(&agent);
    return 0;
}
