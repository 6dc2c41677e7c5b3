/* cmd_play.c — `arcade play --game G`: a person plays with the keyboard.
 *
 * The keyboard is a policy like any other: the window loop forwards the keys it does not
 * use itself (on_key), and at each step act() turns the keys held, or tapped since the
 * previous step, into ONE of the six actions by a fixed rule (see usage below). */
#include <SDL2/SDL.h>
#include <stdio.h>

#include "../common/args.h"
#include "commands.h"
#include "policy.h"
#include "window.h"

static const char usage[] =
    "arcade play --game G [--variant V] [--level SET:I] [--seed S] [--fps F] [--scale PX]\n"
    "                   [--sticky P] [--frames K --screenshot FILE]\n"
    "\n"
    "You play one game in a window. Keys: arrows or WASD move, Space fires, P pauses,\n"
    "R restarts the episode (on the same level with --level), +/- change speed, Esc or\n"
    "closing the window quits. --level SET:I plays level I of train|val|test first, then\n"
    "the next levels of the set, and shows the level in the status bar.\n"
    "Each step takes ONE action from the keys held at that moment or tapped since the\n"
    "previous step: fire (Space) wins over movement; among movement keys the most\n"
    "recently pressed one wins; no key means no-op. When an episode ends it is shown\n"
    "briefly and the next one starts. Headless: --frames K runs K steps (no keys, so\n"
    "no-ops) as fast as possible and exits; with SDL_VIDEODRIVER=dummy no display is\n"
    "needed. Text uses ARC_FONT if set, else " ARC_WINDOW_FONT ".";

typedef struct Keyboard {
    int held[ARC_NUM_ACTIONS];         /* keys down now, per action (an arrow and a letter) */
    bool tapped[ARC_NUM_ACTIONS];      /* pressed since the last step */
    uint64_t pressed_at[ARC_NUM_ACTIONS]; /* order of each action's latest press */
    uint64_t presses;
} Keyboard;

/* Scancodes name key positions, so WASD stays under the left hand on any layout. */
static int key_action(int scancode)
{
    switch (scancode) {
    case SDL_SCANCODE_LEFT: case SDL_SCANCODE_A: return ARC_LEFT;
    case SDL_SCANCODE_UP: case SDL_SCANCODE_W: return ARC_UP;
    case SDL_SCANCODE_RIGHT: case SDL_SCANCODE_D: return ARC_RIGHT;
    case SDL_SCANCODE_DOWN: case SDL_SCANCODE_S: return ARC_DOWN;
    case SDL_SCANCODE_SPACE: return ARC_FIRE;
    default: return -1;
    }
}

static void keyboard_key(void *ctx, int scancode, bool down)
{
    Keyboard *k = ctx;
    int a = key_action(scancode);
    if (a < 0) return;
    if (down) {
        k->held[a]++;
        k->tapped[a] = true;
        k->pressed_at[a] = ++k->presses;
    } else if (k->held[a] > 0) {
        k->held[a]--;
    }
}

static int keyboard_act(void *ctx, const uint8_t *obs, ArcPolicyOutput *out)
{
    (void)obs, (void)out;
    Keyboard *k = ctx;
    bool active[ARC_NUM_ACTIONS];
    for (int a = 0; a < ARC_NUM_ACTIONS; a++) {
        active[a] = k->held[a] > 0 || k->tapped[a];
        k->tapped[a] = false;
    }
    if (active[ARC_FIRE]) return ARC_FIRE;
    int action = ARC_NOOP;
    uint64_t latest = 0;
    for (int a = ARC_LEFT; a <= ARC_DOWN; a++)
        if (active[a] && k->pressed_at[a] > latest) action = a, latest = k->pressed_at[a];
    return action;
}

int arc_cmd_play(int argc, char **argv)
{
    const char *game_name = NULL, *screenshot = NULL, *variant = NULL, *level = NULL;
    int64_t seed = 1, scale = 48, frames = 0;
    double fps = 10, sticky = 0.1;
    char game_help[128];
    snprintf(game_help, sizeof game_help, "the game (required): %s", arc_game_names());
    ArcFlag flags[] = {
        {"game", ARC_FLAG_STRING, &game_name, 1, 0, game_help, false},
        {"variant", ARC_FLAG_STRING, &variant, 1, 0,
         "standard (default) or procedural (breakout, space_invaders)", false},
        {"level", ARC_FLAG_STRING, &level, 1, 0,
         "play levels: train:I, val:I or test:I is the first episode's level (default: off)", false},
        {"seed", ARC_FLAG_INT, &seed, 0, 4294967295.0, "env seed (default 1)", false},
        {"fps", ARC_FLAG_DOUBLE, &fps, 0.5, 1000, "steps per second (default 10)", false},
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
    if (!game_name) {
        fprintf(stderr, "arcade play: --game is required (one of: %s)\n", arc_game_names());
        return 2;
    }
    const ArcGame *game = arc_cli_game(argv[0], game_name);
    if (!game || (variant && !(game = arc_cli_variant(argv[0], game, variant)))) return 2;
    ArcErr err;
    if (screenshot) {
        int status = arc_window_check_screenshot(screenshot, &err);
        if (status) {
            fprintf(stderr, "arcade play: %s\n", err.msg);
            return status == ARC_ERR_ARG ? 2 : 1;
        }
    }
    Keyboard keyboard = {0};
    ArcPolicy policy = {.name = "keyboard", .ctx = &keyboard, .act = keyboard_act};
    ArcWindowConfig cfg = {
        .cmd = "arcade play", .game = game, .env = arc_env_config_default(),
        .seed = (uint32_t)seed, .fps = fps, .scale = (int)scale, .frames = frames,
        .screenshot = screenshot, .human = true, .policy = &policy, .on_key = keyboard_key,
    };
    cfg.env.sticky_prob = sticky;
    if (level && arc_window_parse_level(&cfg, level, ARC_LEVELS_INF, &err)) {
        fprintf(stderr, "arcade play: %s\n", err.msg);
        return 2;
    }
    int status = arc_window_run(&cfg, &err);
    if (status) fprintf(stderr, "arcade play: %s\n", err.msg);
    return status ? 1 : 0;
}
