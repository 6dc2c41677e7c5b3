/* canvas.c — drawing a frame and saving it (see canvas.h). */
#include "canvas.h"

#include <SDL2/SDL.h>
#include <SDL2/SDL_image.h>
#include <SDL2/SDL_ttf.h>
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

/* The window's colours, 0xRRGGBB. */
enum {
    COL_BACKGROUND = 0x121418, /* empty cells */
    COL_GRID_LINE = 0x262a31,
    COL_STATUS = 0x1c1f25,
    COL_PANEL = 0x17191e,
    COL_RULE = 0x2c3038,      /* separators */
    COL_TEXT = 0xe8eaed,
    COL_MUTED = 0x9aa0a6,
    COL_FAINT = 0x5f6368,
    COL_ACCENT = 0x8ab4f8,
    COL_ROW_HIGHLIGHT = 0x243044,
    COL_BAR_TRACK = 0x2a2e36,
    COL_BAR = 0x6b7280,
    COL_WARN = 0xf6c26b,
};

typedef enum { ALIGN_LEFT, ALIGN_CENTER, ALIGN_RIGHT } Align;

struct ArcCanvas {
    ArcLayout lay;
    SDL_Surface *surface; /* ARGB8888, opaque everywhere */
    TTF_Font *font;       /* body text; NULL: no text */
    TTF_Font *title;      /* larger, bold */
    bool ttf_started;
};

static const char *const action_names[ARC_NUM_ACTIONS] = {"no-op", "left", "up",
                                                           "right", "down", "fire"};
static const char *const action_keys[ARC_NUM_ACTIONS] = {"no key", "\u2190 A", "\u2191 W",
                                                          "\u2192 D", "\u2193 S", "Space"};

static uint32_t rgb_scale(uint32_t rgb, double k)
{
    uint32_t out = 0;
    for (int shift = 0; shift <= 16; shift += 8) {
        double c = (double)(rgb >> shift & 0xff) * k;
        out |= (uint32_t)(c > 255 ? 255 : c) << shift;
    }
    return out;
}

static void fill(ArcCanvas *cv, int x, int y, int w, int h, uint32_t rgb)
{
    if (w <= 0 || h <= 0) return;
    SDL_Rect r = {x, y, w, h};
    SDL_FillRect(cv->surface, &r, 0xff000000u | rgb);
}

/* Mixes every pixel of the rectangle towards rgb by amount in [0, 1]. */
static void tint(ArcCanvas *cv, int x, int y, int w, int h, uint32_t rgb, double amount)
{
    SDL_Surface *s = cv->surface;
    int x1 = SDL_min(x + w, s->w), y1 = SDL_min(y + h, s->h);
    for (int py = SDL_max(y, 0); py < y1; py++) {
        uint32_t *row = (uint32_t *)((uint8_t *)s->pixels + (size_t)py * (size_t)s->pitch);
        for (int px = SDL_max(x, 0); px < x1; px++) {
            uint32_t p = row[px], out = 0xff000000u;
            for (int shift = 0; shift <= 16; shift += 8) {
                double a = p >> shift & 0xff, b = rgb >> shift & 0xff;
                out |= (uint32_t)(a + (b - a) * amount + 0.5) << shift;
            }
            row[px] = out;
        }
    }
}

/* Draws s with its top at y, anchored at x by align (nothing without a font). */
static void text(ArcCanvas *cv, TTF_Font *font, const char *s, int x, int y, uint32_t rgb,
                Align align)
{
    if (!font || !s[0]) return;
    SDL_Color c = {(Uint8)(rgb >> 16), (Uint8)(rgb >> 8), (Uint8)rgb, 255};
    SDL_Surface *t = TTF_RenderUTF8_Blended(font, s, c);
    if (!t) return;
    SDL_Rect dst = {align == ALIGN_RIGHT ? x - t->w : align == ALIGN_CENTER ? x - t->w / 2 : x,
                    y, t->w, t->h};
    SDL_BlitSurface(t, NULL, cv->surface, &dst);
    SDL_FreeSurface(t);
}

static int text_height(TTF_Font *font)
{
    return font ? TTF_FontHeight(font) : 0;
}

/* "space_invaders" -> "Space Invaders" */
static void pretty_name(const char *name, char *out, size_t cap)
{
    size_t i = 0;
    for (; name[i] && i + 1 < cap; i++) {
        bool word_start = i == 0 || name[i - 1] == '_';
        char ch = name[i];
        out[i] = ch == '_' ? ' ' : word_start ? (char)toupper((unsigned char)ch) : ch;
    }
    out[i] = '\0';
}

static bool is_trail(const ArcGame *game, int c)
{
    return strstr(game->channel_names[c], "trail") != NULL;
}

/* One object square in a cell's interior at (x, y) of side `side`: the palette colour
 * with a darker lower-right edge, so neighbouring objects read as separate tiles. */
static void tile(ArcCanvas *cv, int x, int y, int side, uint32_t rgb)
{
    int edge = SDL_max(1, side / 10);
    fill(cv, x, y, side, side, rgb_scale(rgb, 0.72));
    fill(cv, x, y, side - edge, side - edge, rgb);
}

/* The square an item at nesting depth `depth` occupies inside a cell of side s. */
static void cell_square(int s, int depth, bool trail, int *offset, int *side)
{
    int pad = trail ? s * 3 / 10 : SDL_max(1, s / 24) + depth * (s / 6);
    *offset = pad;
    *side = SDL_max(2, s - 1 - 2 * pad);
}

static void draw_grid(ArcCanvas *cv, const ArcFrame *f)
{
    const ArcLayout *l = &cv->lay;
    const ArcGame *g = f->game;
    int s = l->scale;
    fill(cv, l->grid_x, l->grid_y, ARC_GRID * s, l->height - l->grid_y, COL_PANEL);
    fill(cv, l->grid_x, l->grid_y, ARC_GRID * s, ARC_GRID * s, COL_GRID_LINE);
    for (int r = 0; r < ARC_GRID; r++) {
        for (int col = 0; col < ARC_GRID; col++) {
            int x = l->grid_x + col * s + 1, y = l->grid_y + r * s + 1;
            fill(cv, x, y, s - 1, s - 1, COL_BACKGROUND);
            int depth = 0, offset, side;
            for (int pass = 0; pass < 2; pass++) {
                for (int c = 0; c < g->channels; c++) {
                    if (is_trail(g, c) != (pass == 0)) continue;
                    if (!f->obs[(c * ARC_GRID + r) * ARC_GRID + col]) continue;
                    cell_square(s, depth, pass == 0, &offset, &side);
                    if (pass == 0) fill(cv, x + offset, y + offset, side, side, g->palette[c]);
                    else tile(cv, x + offset, y + offset, side, g->palette[c]);
                    if (pass == 1 && depth < 2) depth++;
                }
            }
        }
    }
}

static void draw_status(ArcCanvas *cv, const ArcFrame *f)
{
    const ArcLayout *l = &cv->lay;
    fill(cv, 0, 0, l->width, l->status_h, COL_STATUS);
    fill(cv, 0, l->status_h - 1, l->width, 1, COL_RULE);
    int pad = l->font_px * 2 / 3;
    int line2 = l->status_h - pad - text_height(cv->font);
    int line1 = SDL_max(pad / 2, line2 - text_height(cv->title));

    char name[64], buf[160];
    pretty_name(f->game->name, name, sizeof name);
    text(cv, cv->title, name, pad, line1, COL_TEXT, ALIGN_LEFT);
    snprintf(buf, sizeof buf, "score %lld", (long long)f->score);
    text(cv, cv->title, buf, l->width - pad, line1, COL_TEXT, ALIGN_RIGHT);

    char fps[32];
    if (f->fps > 0) snprintf(fps, sizeof fps, f->fps < 100 ? "%.1f fps" : "%.0f fps", f->fps);
    else snprintf(fps, sizeof fps, "\u2013 fps");
    char level[48] = "";
    if (f->level) snprintf(level, sizeof level, "level %s   ", f->level);
    snprintf(buf, sizeof buf, "episode %lld   %sstep %lld   %s", (long long)f->episode, level,
             (long long)f->step, fps);
    text(cv, cv->font, buf, pad, line2, COL_MUTED, ALIGN_LEFT);
    if (f->paused) {
        text(cv, cv->font, "PAUSED", l->width - pad, line2, COL_WARN, ALIGN_RIGHT);
    } else if (f->has_best) {
        snprintf(buf, sizeof buf, "best %lld", (long long)f->best);
        text(cv, cv->font, buf, l->width - pad, line2, COL_MUTED, ALIGN_RIGHT);
    }
}

/* The top of text in the panel row starting at y. */
static int row_text_y(const ArcCanvas *cv, int y)
{
    return y + (cv->lay.line_h - text_height(cv->font)) / 2;
}

/* The six action rows: the chosen one highlighted; bars and percentages when the policy
 * reported probabilities, the keys when a person plays. */
static void draw_actions(ArcCanvas *cv, const ArcFrame *f, int x, int y, int w)
{
    int fp = cv->lay.font_px, row_h = cv->lay.line_h;
    const ArcPolicyOutput *out = f->out;
    bool bars = !f->human && out && out->has_probs;
    for (int a = 0; a < ARC_NUM_ACTIONS; a++, y += row_h) {
        bool chosen = a == f->chosen;
        int ty = row_text_y(cv, y);
        if (chosen) fill(cv, x - fp / 3, y, w + fp * 2 / 3, row_h, COL_ROW_HIGHLIGHT);
        bool possible = !bars || out->probs[a] > 0;
        uint32_t label = chosen ? COL_ACCENT : possible ? COL_TEXT : COL_FAINT;
        text(cv, cv->font, action_names[a], x, ty, label, ALIGN_LEFT);
        if (f->human) {
            text(cv, cv->font, action_keys[a], x + w, ty, chosen ? COL_ACCENT : COL_MUTED,
                 ALIGN_RIGHT);
        } else if (bars) {
            int bx = x + fp * 4, bw = w - fp * 4 - fp * 3, bh = SDL_max(3, fp / 2);
            int by = y + (row_h - bh) / 2;
            double p = SDL_clamp(out->probs[a], 0.0f, 1.0f);
            fill(cv, bx, by, bw, bh, COL_BAR_TRACK);
            fill(cv, bx, by, (int)(bw * p + 0.5), bh, chosen ? COL_ACCENT : COL_BAR);
            char pct[16];
            snprintf(pct, sizeof pct, "%.0f%%", 100.0 * p);
            text(cv, cv->font, pct, x + w, ty, possible ? COL_MUTED : COL_FAINT, ALIGN_RIGHT);
        }
    }
}

/* A swatch of side px drawn as the grid draws the channel, then the channel's name. */
static void draw_legend_row(ArcCanvas *cv, const ArcGame *g, int c, int x, int y)
{
    int fp = cv->lay.font_px, sw = fp, sy = y + (cv->lay.line_h - sw) / 2;
    fill(cv, x, sy, sw, sw, COL_BACKGROUND);
    if (is_trail(g, c)) {
        int inset = sw * 3 / 10;
        fill(cv, x + inset, sy + inset, sw - 2 * inset, sw - 2 * inset, g->palette[c]);
    } else {
        tile(cv, x, sy, sw, g->palette[c]);
    }
    char name[64];
    snprintf(name, sizeof name, "%s", g->channel_names[c]);
    for (char *p = name; *p; p++)
        if (*p == '_') *p = ' ';
    text(cv, cv->font, name, x + sw + fp * 2 / 3, row_text_y(cv, y), COL_MUTED, ALIGN_LEFT);
}

/* The panel, top to bottom as arc_window_layout counts it: heading, actions, value,
 * sticky note, keys, legend. */
static void draw_panel(ArcCanvas *cv, const ArcFrame *f)
{
    const ArcLayout *l = &cv->lay;
    int fp = l->font_px, lh = l->line_h;
    int x = l->panel_x + fp, w = l->panel_w - 2 * fp, y = l->grid_y + fp / 2;
    fill(cv, l->panel_x, l->grid_y, l->panel_w, l->height - l->grid_y, COL_PANEL);
    fill(cv, l->panel_x, l->grid_y, 1, l->height - l->grid_y, COL_RULE);

    char buf[96];
    snprintf(buf, sizeof buf, f->human ? "YOU PLAY" : "AGENT \u00b7 %s", f->policy_name);
    text(cv, cv->font, buf, x, row_text_y(cv, y), COL_FAINT, ALIGN_LEFT);
    y += lh;
    draw_actions(cv, f, x, y, w);
    y += ARC_NUM_ACTIONS * lh;
    if (!f->human) {
        bool v = f->out && f->out->has_value;
        text(cv, cv->font, "value", x, row_text_y(cv, y), COL_TEXT, ALIGN_LEFT);
        snprintf(buf, sizeof buf, v ? "%.3f" : "\u2013", v ? f->out->value : 0.0);
        text(cv, cv->font, buf, x + w, row_text_y(cv, y), COL_MUTED, ALIGN_RIGHT);
    }
    y += lh;
    if (f->executed >= 0 && f->executed != f->chosen) {
        snprintf(buf, sizeof buf, "sticky: repeated %s", action_names[f->executed]);
        text(cv, cv->font, buf, x, row_text_y(cv, y), COL_WARN, ALIGN_LEFT);
    }
    y += lh + fp / 2;
    text(cv, cv->font, "P pause   R reset", x, row_text_y(cv, y), COL_FAINT, ALIGN_LEFT);
    text(cv, cv->font, "+/\u2212 speed   Esc quit", x, row_text_y(cv, y + lh), COL_FAINT,
         ALIGN_LEFT);
    y += 2 * lh + fp / 2;
    text(cv, cv->font, "CHANNELS", x, row_text_y(cv, y), COL_FAINT, ALIGN_LEFT);
    y += lh;
    for (int c = 0; c < f->game->channels; c++, y += lh) draw_legend_row(cv, f->game, c, x, y);
}

/* A dimmed band across the middle of the grid with a title and a smaller line. */
static void draw_banner(ArcCanvas *cv, const char *title, const char *sub)
{
    const ArcLayout *l = &cv->lay;
    int s = l->scale;
    int band_h = SDL_max(2 * s, text_height(cv->title) + text_height(cv->font) * 2);
    int y = l->grid_y + (ARC_GRID * s - band_h) / 2, cx = l->grid_x + ARC_GRID * s / 2;
    tint(cv, l->grid_x, y, ARC_GRID * s, band_h, 0x000000, 0.7);
    int ty = y + (band_h - text_height(cv->title) - text_height(cv->font)) / 2;
    text(cv, cv->title, title, cx, ty, COL_TEXT, ALIGN_CENTER);
    text(cv, cv->font, sub, cx, ty + text_height(cv->title), COL_MUTED, ALIGN_CENTER);
}

void arc_canvas_draw(ArcCanvas *cv, const ArcFrame *f)
{
    draw_status(cv, f);
    draw_grid(cv, f);
    draw_panel(cv, f);
    char buf[96];
    if (f->over) {
        snprintf(buf, sizeof buf, "Game over \u00b7 score %lld", (long long)f->score);
        draw_banner(cv, buf, f->target_fps > 0 ? "next episode in a moment" : "");
    } else if (f->paused) {
        draw_banner(cv, "Paused", "press P to resume");
    }
}

struct SDL_Surface *arc_canvas_surface(ArcCanvas *cv)
{
    return cv->surface;
}

ArcCanvas *arc_canvas_create(const ArcLayout *layout, const char *font_path, ArcErr *notice,
                             ArcErr *err)
{
    notice->msg[0] = '\0';
    ArcCanvas *cv = SDL_calloc(1, sizeof *cv);
    if (!cv) {
        arc_err_set(err, ARC_ERR_NOMEM, "cannot allocate the canvas");
        return NULL;
    }
    cv->lay = *layout;
    cv->surface = SDL_CreateRGBSurfaceWithFormat(0, layout->width, layout->height, 32,
                                                 SDL_PIXELFORMAT_ARGB8888);
    if (!cv->surface) {
        arc_err_set(err, ARC_ERR_NOMEM, "cannot allocate a %dx%d canvas: %s", layout->width,
                    layout->height, SDL_GetError());
        SDL_free(cv);
        return NULL;
    }
    SDL_SetSurfaceBlendMode(cv->surface, SDL_BLENDMODE_NONE);
    if (TTF_Init() != 0) {
        arc_err_set(notice, ARC_ERR_IO, "no text: SDL_ttf failed to start: %s", TTF_GetError());
        return cv;
    }
    cv->ttf_started = true;
    cv->font = TTF_OpenFont(font_path, layout->font_px);
    cv->title = cv->font ? TTF_OpenFont(font_path, layout->font_px * 3 / 2) : NULL;
    if (!cv->font || !cv->title) {
        arc_err_set(notice, ARC_ERR_IO, "no text: cannot open font %s: %s", font_path,
                    TTF_GetError());
        if (cv->font) TTF_CloseFont(cv->font);
        cv->font = NULL;
        return cv;
    }
    TTF_SetFontStyle(cv->title, TTF_STYLE_BOLD);
    return cv;
}

void arc_canvas_free(ArcCanvas *cv)
{
    if (!cv) return;
    if (cv->title) TTF_CloseFont(cv->title);
    if (cv->font) TTF_CloseFont(cv->font);
    if (cv->ttf_started) TTF_Quit();
    SDL_FreeSurface(cv->surface);
    SDL_free(cv);
}

int arc_canvas_save(ArcCanvas *cv, const char *path, ArcErr *err)
{
    size_t n = strlen(path);
    bool png = n >= 4 && strcasecmp(path + n - 4, ".png") == 0;
    SDL_Surface *rgb = SDL_ConvertSurfaceFormat(cv->surface, SDL_PIXELFORMAT_RGB24, 0);
    if (!rgb)
        return arc_err_set(err, ARC_ERR_IO, "--screenshot '%s': cannot convert the frame: %s",
                           path, SDL_GetError());
    int rc = png ? IMG_SavePNG(rgb, path) : SDL_SaveBMP(rgb, path);
    SDL_FreeSurface(rgb);
    if (rc != 0)
        return arc_err_set(err, ARC_ERR_IO, "--screenshot '%s': cannot write: %s", path,
                           SDL_GetError());
    return ARC_OK;
}
