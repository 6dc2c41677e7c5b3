/* cmd_watch.c — `arcade watch --game G --policy P | --checkpoint F`: an agent plays in a
 * window.
 *
 * Builds the policy (policy.h) and hands it to the shared window loop (window.h). The
 * side panel shows the policy's action probabilities and value when it reports them. */
#include <stdio.h>
#include <string.h>

#include "../common/args.h"
#include "commands.h"
#include "policy.h"
#include "window.h"

static const char usage[] =
    "arcade watch --game G --policy random [--minimal] [--variant V] [--level SET:I] [--seed S]\n"
    "                    [--fps F] [--scale PX] [--sticky P] [--frames K --screenshot FILE]\n"
    "       arcade watch --checkpoint FILE [--greedy] [same options]\n"
    "\n"
    "An agent plays one game in a window; when an episode ends it is shown briefly and the\n"
    "next one starts (with --level, on the next level of the set). Keys: P pause, R restart\n"
    "the episode (the same level), +/- change speed, Esc or closing the window quits.\n"
    "Headless: --frames K runs K steps as fast as possible and exits;\n"
    "with SDL_VIDEODRIVER=dummy no display is needed. Text uses ARC_FONT if set, else\n"
    ARC_WINDOW_FONT ".";

/* "breakout", or "breakout (procedural)" for a variant */
static void describe(char *buf, size_t size, const char *game, const char *variant)
{
    if (strcmp(variant, "standard") == 0) snprintf(buf, size, "%s", game);
    else snprintf(buf, size, "%s (%s)", game, variant);
}

int arc_cmd_watch(int argc, char **argv)
{
    const char *game_name = NULL, *policy_name = NULL, *screenshot = NULL, *checkpoint = NULL;
    const char *variant = NULL, *level = NULL;
    int64_t seed = 1, scale = 48, frames = 0;
    double fps = 15, sticky = 0.1;
    bool minimal = false, greedy = false;
    char game_help[128];
    snprintf(game_help, sizeof game_help, "the game (required): %s", arc_game_names());
    ArcFlag flags[] = {
        {"game", ARC_FLAG_STRING, &game_name, 1, 0, game_help, false},
        {"policy", ARC_FLAG_STRING, &policy_name, 1, 0, "who plays: random (or use --checkpoint)", false},
        {"checkpoint", ARC_FLAG_STRING, &checkpoint, 1, 0,
         "a trained agent plays (its game unless --game names the same one)", false},
        {"greedy", ARC_FLAG_BOOL, &greedy, 1, 0,
         "with --checkpoint: take the most probable action instead of sampling", false},
        {"minimal", ARC_FLAG_BOOL, &minimal, 1, 0,
         "random draws from the game's minimal action set, not all 6", false},
        {"variant", ARC_FLAG_STRING, &variant, 1, 0,
         "standard (default) or procedural (breakout, space_invaders); a checkpoint's own", false},
        {"level", ARC_FLAG_STRING, &level, 1, 0,
         "play levels: train:I, val:I or test:I is the first episode's level (default: off)", false},
        {"seed", ARC_FLAG_INT, &seed, 0, 4294967295.0,
         "env seed (default 1); the policy's stream derives from it", false},
        {"fps", ARC_FLAG_DOUBLE, &fps, 0.5, 1000, "steps per second (default 15)", false},
        {"scale", ARC_FLAG_INT, &scale, 16, 160, "pixels per grid cell (default 48)", false},
        {"sticky", ARC_FLAG_DOUBLE, &sticky, 0, 1,
         "sticky-action probability (default 0.1, as in MinAtar)", false},
        {"frames", ARC_FLAG_INT, &frames, 1, 1e15, "run N steps as fast as possible, then exit",
         false},
        {"screenshot", ARC_FLAG_STRING, &screenshot, 1, 0,
         "save the last frame to S (.png or .bmp) on exit", false},
    };
    int num_flags = (int)(sizeof flags / sizeof flags[0]);
    int parsed = arc_args_parse(argc, argv, flags, num_flags, usage);
    if (parsed) return parsed == ARC_ARGS_HELP ? 0 : 2;
    ArcErr err;
    if (screenshot) {
        int status = arc_window_check_screenshot(screenshot, &err);
        if (status) {
            fprintf(stderr, "arcade watch: %s\n", err.msg);
            return status == ARC_ERR_ARG ? 2 : 1;
        }
    }
    const ArcGame *game = game_name ? arc_cli_game(argv[0], game_name) : NULL;
    if (game_name && !game) return 2;
    if (game && variant && !(game = arc_cli_variant(argv[0], game, variant))) return 2;
    ArcPolicy policy;
    if (checkpoint) {
        if (policy_name) {
            fprintf(stderr, "arcade watch: give either --policy or --checkpoint, not both\n");
            return 2;
        }
        if (arc_policy_from_checkpoint(&policy, checkpoint, greedy, (uint32_t)seed, &err)) {
            fprintf(stderr, "arcade watch: %s\n", err.msg);
            return 1;
        }
        /* games and their variants are single objects (arc_game_find_variant) */
        const ArcGame *trained = arc_policy_game(&policy);
        const ArcGame *asked = game ? game : variant ? arc_game_find_variant(trained->name, variant) : trained;
        if (asked != trained) {
            char have[64], want[64];
            describe(have, sizeof have, trained->name, arc_game_variant_name(trained));
            describe(want, sizeof want, asked ? asked->name : trained->name,
                     asked ? arc_game_variant_name(asked) : variant);
            fprintf(stderr, "arcade watch: %s was trained on %s, not %s\n", checkpoint, have, want);
            arc_policy_free(&policy);
            return 2;
        }
        game = trained;
    } else {
        if (!game) {
            fprintf(stderr, "arcade watch: --game is required (one of: %s)\n", arc_game_names());
            return 2;
        }
        if (!policy_name) {
            fprintf(stderr, "arcade watch: --policy or --checkpoint is required (policies: %s)\n",
                    arc_policy_names());
            return 2;
        }
        if (arc_policy_create(&policy, policy_name, game, minimal, (uint32_t)seed, &err)) {
            fprintf(stderr, "arcade watch: %s\n", err.msg);
            return 2;
        }
    }
    ArcWindowConfig cfg = {
        .cmd = "arcade watch", .game = game, .env = arc_env_config_default(),
        .seed = (uint32_t)seed, .fps = fps, .scale = (int)scale, .frames = frames,
        .screenshot = screenshot, .human = false, .policy = &policy,
    };
    cfg.env.sticky_prob = sticky;
    if (level && arc_window_parse_level(&cfg, level, arc_policy_train_levels(&policy), &err)) {
        fprintf(stderr, "arcade watch: %s\n", err.msg);
        arc_policy_free(&policy);
        return 2;
    }
    int status = arc_window_run(&cfg, &err);
    if (status) fprintf(stderr, "arcade watch: %s\n", err.msg);
    arc_policy_free(&policy);
    return status ? 1 : 0;
}
