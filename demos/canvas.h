/* canvas.h — draws one frame of a game window onto a software surface, and saves it.
 *
 * The canvas is the picture the window shows and the screenshot saves: status bar, grid,
 * side panel (see ArcLayout in window.h). It knows nothing of windows or pacing, so it
 * draws the same pixels under any video driver. Drawing is game-agnostic: each channel
 * gets its palette colour; channels whose name contains "trail" are drawn first, as a
 * smaller dim square, and the other channels on top in channel order, a later one inset
 * inside an earlier one where several share a cell, so overlaps stay visible.
 * Text uses SDL2_ttf; without a usable font the canvas draws everything but text.
 */
#ifndef ARC_CANVAS_H
#define ARC_CANVAS_H

#include <stdbool.h>
#include <stdint.h>

#include "policy.h"
#include "window.h"

/* Everything one frame shows. */
typedef struct ArcFrame {
    const ArcGame *game;
    const uint8_t *obs;           /* (C, 10, 10) */
    int64_t score;                /* the episode's return so far */
    int64_t best;                 /* best return of a finished episode; valid if has_best */
    bool has_best;
    int64_t episode;              /* 1-based */
    const char *level;            /* level mode: e.g. "test 7"; else NULL */
    int64_t step;                 /* steps in this episode */
    double fps;                   /* measured steps per second; <= 0 while unknown */
    double target_fps;            /* 0 when unpaced */
    bool paused, over;            /* the episode over shows a banner */
    bool human;                   /* panel: keys instead of bars */
    const char *policy_name;
    int chosen, executed;         /* the last step's actions; -1 before the first */
    const ArcPolicyOutput *out;   /* what the policy reported at the last step */
} ArcFrame;

typedef struct ArcCanvas ArcCanvas;

/* A canvas of layout's size. When font_path cannot be opened the canvas still works,
 * without text, and notice gets one line saying why (else notice->msg is empty).
 * Returns NULL (err set) only when the surface cannot be allocated. */
ArcCanvas *arc_canvas_create(const ArcLayout *layout, const char *font_path, ArcErr *notice,
                             ArcErr *err);
void arc_canvas_free(ArcCanvas *canvas);

void arc_canvas_draw(ArcCanvas *canvas, const ArcFrame *frame);
/* The ARGB8888 surface drawn on; owned by the canvas. */
struct SDL_Surface *arc_canvas_surface(ArcCanvas *canvas);

/* Saves the canvas as PNG or BMP by path's extension (checked beforehand with
 * arc_window_check_screenshot). ARC_ERR_IO with a message naming --screenshot on failure. */
int arc_canvas_save(ArcCanvas *canvas, const char *path, ArcErr *err);

#endif
