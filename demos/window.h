/* window.h — the SDL2 window shared by `arcade play` and `arcade watch`.
 *
 * Everything is drawn on a software canvas (an SDL_Surface), which is copied to the
 * window's surface for display and is what a screenshot saves. So a frame looks the same
 * on a desktop, under Xvfb and under SDL_VIDEODRIVER=dummy, and headless runs need no GPU
 * or renderer. The loop steps one env at a target FPS, paced with SDL_GetTicks64 and
 * SDL_Delay (vsync does not pace under Xvfb), or, with frames > 0, as fast as it can for
 * that many steps before saving the last frame.
 *
 * Layout (pixels, see arc_window_layout): a status bar across the top (game, score,
 * episode, step, FPS), the 10x10 grid below it on the left, and a side panel on its right
 * (the action rows with a policy's probability bars and value, the keys, the legend of
 * channel colours).
 * This header needs no SDL so tests can compute the layout.
 */
#ifndef ARC_WINDOW_H
#define ARC_WINDOW_H

#include <stdbool.h>
#include <stdint.h>

#include "../common/check.h"
#include "../env/env.h"
#include "../env/level.h"
#include "policy.h"

#define ARC_WINDOW_FONT "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"

typedef struct ArcLayout {
    int scale;            /* pixels per grid cell */
    int font_px;          /* body text size; titles are larger */
    int line_h;           /* one row of the side panel */
    int status_h;         /* the status bar: y in [0, status_h) */
    int grid_x, grid_y;   /* top-left of the grid, which is 10 * scale square */
    int panel_x, panel_w; /* the side panel, right of the grid, from grid_y to the bottom */
    int width, height;    /* the whole window */
} ArcLayout;

/* The panel holds, one line_h each: a heading, the 6 actions, the value, the sticky note,
 * 2 lines of keys, a heading and one line per channel, plus 2 font_px of margins. The
 * window is as tall as the grid or the panel, whichever is taller (small scales, many
 * channels). */
static inline ArcLayout arc_window_layout(int scale, int channels)
{
    ArcLayout l;
    l.scale = scale;
    l.font_px = scale * 3 / 10 < 11 ? 11 : scale * 3 / 10 > 30 ? 30 : scale * 3 / 10;
    l.line_h = l.font_px * 7 / 5;
    l.status_h = l.font_px * 4;
    l.grid_x = 0;
    l.grid_y = l.status_h;
    l.panel_x = ARC_GRID * scale;
    l.panel_w = l.font_px * 16;
    l.width = l.panel_x + l.panel_w;
    int panel_h = (12 + channels) * l.line_h + 2 * l.font_px;
    l.height = l.status_h + (panel_h > ARC_GRID * scale ? panel_h : ARC_GRID * scale);
    return l;
}

typedef struct ArcWindowConfig {
    const char *cmd;         /* "arcade play": prefixes notices */
    const ArcGame *game;
    ArcEnvConfig env;        /* sticky actions etc. */
    uint32_t seed;           /* the env's stream */
    double fps;              /* target steps per second when paced */
    int scale;               /* pixels per cell */
    int64_t frames;          /* > 0: run this many steps unpaced, then stop */
    const char *screenshot;  /* NULL, or a .png/.bmp path that gets the last frame */
    const char *font_path;   /* a TTF file; when it cannot be opened, no text (one notice) */
    bool human;              /* a person plays: the panel lists the keys, not bars */
    ArcPolicy *policy;       /* chooses every action (play's reads the keyboard) */
    /* Level mode (env/level.h), when level_mode: episode j plays level first_level + j of
     * level_family (train: that index mod train_levels when it is a count; val and test:
     * mod 1000); R replays the current level. Set by arc_window_parse_level. */
    bool level_mode;
    ArcLevelFamily level_family;
    int64_t train_levels;
    uint32_t first_level;
    /* Optional: every key press (down) and release the loop does not consume itself, as
     * an SDL scancode, with policy->ctx. play uses it to latch movement and fire keys. */
    void (*on_key)(void *ctx, int scancode, bool down);
} ArcWindowConfig;

/* Checks a --screenshot path before any work: the extension must be .png or .bmp (any
 * case; else ARC_ERR_ARG) and its folder must be writable (else ARC_ERR_IO). The message
 * names --screenshot. */
int arc_window_check_screenshot(const char *path, ArcErr *err);

/* Parses --level SET:I (SET train, val or test; I the index of the first episode's level:
 * below 1000 for val and test, below train_levels when that is a count, below 2^31 for
 * train otherwise) into cfg's level fields. ARC_ERR_ARG with a line naming --level when
 * text is malformed, or names train levels of a run that had none (train_levels off). */
int arc_window_parse_level(ArcWindowConfig *cfg, const char *text, int64_t train_levels, ArcErr *err);

/* Opens the window and runs until Esc / window close, or until cfg->frames steps have
 * run; then saves cfg->screenshot if set. Returns ARC_OK; ARC_ERR_DISPLAY when no window
 * can be opened; ARC_ERR_IO when the screenshot cannot be written. err gets one line. */
int arc_window_run(const ArcWindowConfig *cfg, ArcErr *err);

#endif
