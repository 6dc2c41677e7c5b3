/* window.c — the window, its event loop and its pacing (see window.h).
 *
 * One thread. Each pass of the loop drains SDL's events, takes a step when it is due
 * (paced mode) or at once (frames mode), redraws the canvas when something changed and
 * copies it to the window's surface. Paced mode sleeps in short slices so keys stay
 * responsive; the step clock advances by 1000/fps ms per step and never bursts to catch
 * up after a stall (pause, a slow frame).
 */
#include "window.h"

#include <SDL2/SDL.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "canvas.h"

enum {
    OVER_MS = 1500,     /* how long an ended episode stays on screen in paced mode */
    SLICE_MS = 10,      /* the longest sleep between event checks */
    FPS_SAMPLES = 32,   /* steps the measured FPS averages over */
};

/* The speeds +/- step through. */
static const double speeds[] = {1, 2, 3, 5, 8, 10, 12, 15, 20, 30, 45, 60, 90, 120, 240, 480};
#define NUM_SPEEDS (int)(sizeof speeds / sizeof speeds[0])

typedef struct View {
    const ArcWindowConfig *cfg;
    ArcLayout lay;
    SDL_Window *window;
    ArcCanvas *canvas;
    ArcEnv env;
    void *state;                 /* game->state_bytes */
    uint8_t obs[ARC_OBS_MAX];    /* (C, 10, 10) */
    ArcPolicyOutput out;         /* the last step's report */
    int chosen, executed;
    int64_t episode, best;
    uint32_t level_index;        /* level mode: the current episode's index in its set */
    char level_text[32];         /* level mode: "test 7" for the status bar */
    bool has_best, paused, over, quit;
    bool video_started;
    double fps;                  /* target when paced */
    uint64_t stamps[FPS_SAMPLES]; /* performance-counter time of recent steps, a ring */
    int num_stamps, next_stamp;
} View;

int arc_window_check_screenshot(const char *path, ArcErr *err)
{
    size_t n = strlen(path);
    const char *ext = n >= 4 ? path + n - 4 : "";
    if (strcasecmp(ext, ".png") != 0 && strcasecmp(ext, ".bmp") != 0)
        return arc_err_set(err, ARC_ERR_ARG,
                           "--screenshot '%s': unsupported extension (expected .png or .bmp)",
                           path);
    char *copy = strdup(path);
    ARC_CHECK(copy, "out of memory");
    const char *dir = dirname(copy);
    int ok = access(dir, W_OK | X_OK);
    int status = ok == 0 ? ARC_OK
                         : arc_err_set(err, ARC_ERR_IO,
                                       "--screenshot '%s': folder '%s' is not writable", path, dir);
    free(copy);
    return status;
}

int arc_window_parse_level(ArcWindowConfig *cfg, const char *text, int64_t train_levels, ArcErr *err)
{
    char set[8] = "";
    const char *colon = strchr(text, ':');
    const char *digits = colon ? colon + 1 : "";
    size_t num_digits = strspn(digits, "0123456789");
    ArcLevelFamily family;
    if (colon && (size_t)(colon - text) < sizeof set) memcpy(set, text, (size_t)(colon - text));
    if (!arc_level_family_parse(set, &family) || !num_digits || num_digits >= 12 || digits[num_digits])
        return arc_err_set(err, ARC_ERR_ARG, "--level expects train:I, val:I or test:I (I the first "
                                             "episode's level index), got '%s'", text);
    unsigned long long index = strtoull(digits, NULL, 10); /* at most 11 digits: no overflow */
    if (family == ARC_LEVEL_TRAIN && train_levels == ARC_LEVELS_OFF)
        return arc_err_set(err, ARC_ERR_ARG, "--level %s: the run had no train levels (train_levels = off); "
                                             "use val:I or test:I", text);
    uint64_t size = family != ARC_LEVEL_TRAIN ? ARC_LEVEL_SET_SIZE
                    : train_levels > 0        ? (uint64_t)train_levels
                                              : ARC_LEVEL_TRAIN_MAX;
    if (index >= size)
        return arc_err_set(err, ARC_ERR_ARG, "--level %s: the %s set has %llu levels (0 .. %llu)", text,
                           arc_level_family_name(family), (unsigned long long)size,
                           (unsigned long long)size - 1);
    cfg->level_mode = true;
    cfg->level_family = family;
    cfg->train_levels = train_levels;
    cfg->first_level = (uint32_t)index;
    return ARC_OK;
}

/* how many levels the window's set cycles through */
static uint32_t level_set_size(const ArcWindowConfig *cfg)
{
    if (cfg->level_family != ARC_LEVEL_TRAIN) return ARC_LEVEL_SET_SIZE;
    return cfg->train_levels > 0 ? (uint32_t)cfg->train_levels : ARC_LEVEL_TRAIN_MAX;
}

static double measured_fps(const View *v)
{
    if (v->num_stamps < 2) return 0;
    int newest = (v->next_stamp + FPS_SAMPLES - 1) % FPS_SAMPLES;
    int oldest = v->num_stamps < FPS_SAMPLES ? 0 : v->next_stamp;
    uint64_t dt = v->stamps[newest] - v->stamps[oldest];
    if (!dt) return 0;
    return (double)(v->num_stamps - 1) * (double)SDL_GetPerformanceFrequency() / (double)dt;
}

/* Starts an episode: in level mode on the next level of the set, or again on the current
 * one when replay (the R key). */
static void new_episode(View *v, bool replay)
{
    const ArcWindowConfig *cfg = v->cfg;
    if (cfg->level_mode) {
        if (v->episode == 0) v->level_index = cfg->first_level;
        else if (!replay) v->level_index = (v->level_index + 1) % level_set_size(cfg);
        arc_env_set_level(&v->env, arc_level_seed(cfg->level_family, v->level_index));
        snprintf(v->level_text, sizeof v->level_text, "%s %u", arc_level_family_name(cfg->level_family),
                 v->level_index);
    }
    arc_env_reset(&v->env);
    arc_env_observe(&v->env, v->obs);
    v->episode++;
    v->over = false;
    v->chosen = v->executed = -1;
    memset(&v->out, 0, sizeof v->out);
}

static void take_step(View *v)
{
    ArcPolicy *policy = v->cfg->policy;
    memset(&v->out, 0, sizeof v->out);
    int action = policy->act(policy->ctx, v->obs, &v->out);
    ARC_CHECK(action >= 0 && action < ARC_NUM_ACTIONS, "policy %s chose action %d", policy->name,
              action);
    v->chosen = action;
    arc_env_step(&v->env, action);
    v->executed = v->env.last_action;
    arc_env_observe(&v->env, v->obs);
    v->stamps[v->next_stamp] = SDL_GetPerformanceCounter();
    v->next_stamp = (v->next_stamp + 1) % FPS_SAMPLES;
    if (v->num_stamps < FPS_SAMPLES) v->num_stamps++;
    if (arc_env_done(&v->env)) {
        v->over = true;
        if (!v->has_best || v->env.episode_return > v->best) v->best = v->env.episode_return;
        v->has_best = true;
    }
}

static void draw(View *v)
{
    ArcFrame frame = {
        .game = v->cfg->game, .obs = v->obs, .score = v->env.episode_return,
        .best = v->best, .has_best = v->has_best, .episode = v->episode,
        .step = v->env.steps, .fps = v->paused ? 0 : measured_fps(v),
        .target_fps = v->cfg->frames > 0 ? 0 : v->fps, .paused = v->paused, .over = v->over,
        .level = v->cfg->level_mode ? v->level_text : NULL,
        .human = v->cfg->human, .policy_name = v->cfg->policy->name, .chosen = v->chosen,
        .executed = v->executed, .out = &v->out,
    };
    arc_canvas_draw(v->canvas, &frame);
    SDL_Surface *screen = SDL_GetWindowSurface(v->window);
    if (!screen) return; /* the window is being resized or hidden; the next pass retries */
    SDL_BlitSurface(arc_canvas_surface(v->canvas), NULL, screen, NULL);
    SDL_UpdateWindowSurface(v->window);
}

static void change_speed(View *v, int direction)
{
    int i = direction > 0 ? 0 : NUM_SPEEDS - 1;
    if (direction > 0) {
        while (i < NUM_SPEEDS - 1 && speeds[i] <= v->fps * 1.001) i++;
        v->fps = SDL_max(v->fps, speeds[i]);
    } else {
        while (i > 0 && speeds[i] >= v->fps * 0.999) i--;
        v->fps = SDL_min(v->fps, speeds[i]);
    }
    v->num_stamps = v->next_stamp = 0;
}

/* Keys the window itself handles: Esc, P, R, +/-. The rest go to cfg->on_key. Returns
 * whether the picture changed. */
static bool handle_key(View *v, const SDL_KeyboardEvent *k)
{
    bool down = k->type == SDL_KEYDOWN;
    SDL_Keycode key = k->keysym.sym;
    if (down && (key == SDLK_PLUS || key == SDLK_EQUALS || key == SDLK_KP_PLUS)) {
        change_speed(v, 1);
        return true;
    }
    if (down && (key == SDLK_MINUS || key == SDLK_KP_MINUS)) {
        change_speed(v, -1);
        return true;
    }
    if (k->repeat) return false;
    if (down && key == SDLK_ESCAPE) {
        v->quit = true;
        return false;
    }
    if (down && key == SDLK_p) {
        v->paused = !v->paused;
        v->num_stamps = v->next_stamp = 0;
        return true;
    }
    if (down && key == SDLK_r) {
        new_episode(v, true);
        return true;
    }
    if (v->cfg->on_key) v->cfg->on_key(v->cfg->policy->ctx, k->keysym.scancode, down);
    return false;
}

/* Drains the event queue; returns whether the picture needs redrawing. */
static bool handle_events(View *v)
{
    bool dirty = false;
    SDL_Event ev;
    while (SDL_PollEvent(&ev)) {
        if (ev.type == SDL_QUIT) v->quit = true;
        else if (ev.type == SDL_WINDOWEVENT) dirty = true;
        else if (ev.type == SDL_KEYDOWN || ev.type == SDL_KEYUP) dirty |= handle_key(v, &ev.key);
    }
    return dirty;
}

/* frames mode: cfg->frames steps as fast as possible, each one drawn. */
static void run_unpaced(View *v)
{
    for (int64_t i = 0; i < v->cfg->frames && !v->quit; i++) {
        handle_events(v);
        if (v->over) new_episode(v, false);
        take_step(v);
        draw(v);
    }
}

static void run_paced(View *v)
{
    double next = (double)SDL_GetTicks64();
    uint64_t over_until = 0;
    bool dirty = true;
    while (!v->quit) {
        bool was_over = v->over;
        dirty |= handle_events(v);
        double now = (double)SDL_GetTicks64();
        if (was_over && !v->over) next = now; /* R pressed during the banner */
        if (v->over) {
            if (!v->paused && now >= (double)over_until) {
                new_episode(v, false);
                v->num_stamps = v->next_stamp = 0; /* the banner's pause is not a rate */
                next = now + 1000.0 / v->fps;
                dirty = true;
            }
        } else if (!v->paused && now >= next) {
            take_step(v);
            dirty = true;
            next += 1000.0 / v->fps;
            if (next < now) next = now;
            if (v->over) over_until = (uint64_t)now + OVER_MS;
        } else if (v->paused) {
            next = now;
        }
        if (dirty) draw(v);
        dirty = false;
        double wake = v->paused ? now + SLICE_MS : v->over ? (double)over_until : next;
        double wait = SDL_min(wake - (double)SDL_GetTicks64(), (double)SLICE_MS);
        if (wait >= 1) SDL_Delay((uint32_t)wait);
    }
}

/* Starts SDL's video. When SDL_VIDEODRIVER names a driver, that one; otherwise the first
 * driver that can show a window here, skipping the ones that draw nowhere (offscreen,
 * dummy), which SDL 2.26 would otherwise fall back to silently, and the ones whose display
 * variable is unset (so libwayland does not print its own complaint). */
static int start_video(ArcErr *err)
{
    const char *hint = "(set SDL_VIDEODRIVER=dummy for headless use)";
    const char *asked = SDL_getenv("SDL_VIDEODRIVER");
    if (asked && asked[0]) {
        if (SDL_InitSubSystem(SDL_INIT_VIDEO) == 0) return ARC_OK;
        return arc_err_set(err, ARC_ERR_DISPLAY, "cannot open a window: %s %s", SDL_GetError(),
                           hint);
    }
    char tried[256] = "";
    size_t used = 0;
    for (int i = 0; i < SDL_GetNumVideoDrivers(); i++) {
        const char *name = SDL_GetVideoDriver(i);
        if (!strcmp(name, "offscreen") || !strcmp(name, "dummy") || !strcmp(name, "evdev"))
            continue;
        if (!strcmp(name, "x11") && !SDL_getenv("DISPLAY")) continue;
        if (!strcmp(name, "wayland") && !SDL_getenv("WAYLAND_DISPLAY")) continue;
        SDL_SetHint(SDL_HINT_VIDEODRIVER, name);
        if (SDL_InitSubSystem(SDL_INIT_VIDEO) == 0) return ARC_OK;
        int n = snprintf(tried + used, sizeof tried - used, "; %s", SDL_GetError());
        if (n > 0 && (size_t)n < sizeof tried - used) used += (size_t)n;
    }
    return arc_err_set(err, ARC_ERR_DISPLAY,
                       "cannot open a window: no display found (DISPLAY and WAYLAND_DISPLAY "
                       "unset or unusable%s) %s", tried, hint);
}

static int open_display(View *v, ArcErr *err)
{
    int status = start_video(err);
    if (status) return status;
    v->video_started = true;
    char title[128];
    snprintf(title, sizeof title, "arcade \u2014 %s (%s)", v->cfg->game->name,
             v->cfg->human ? "you play" : v->cfg->policy->name);
    v->window = SDL_CreateWindow(title, SDL_WINDOWPOS_CENTERED, SDL_WINDOWPOS_CENTERED,
                                 v->lay.width, v->lay.height, SDL_WINDOW_SHOWN);
    if (!v->window || !SDL_GetWindowSurface(v->window))
        return arc_err_set(err, ARC_ERR_DISPLAY, "cannot open a window: %s "
                           "(set SDL_VIDEODRIVER=dummy for headless use)", SDL_GetError());
    return ARC_OK;
}

int arc_window_run(const ArcWindowConfig *cfg, ArcErr *err)
{
    View *v = arc_xcalloc(1, sizeof *v);
    v->cfg = cfg;
    v->lay = arc_window_layout(cfg->scale, cfg->game->channels);
    v->fps = cfg->fps;
    int status = open_display(v, err);
    if (status) goto done;

    const char *font = cfg->font_path ? cfg->font_path : getenv("ARC_FONT");
    ArcErr notice;
    v->canvas = arc_canvas_create(&v->lay, font ? font : ARC_WINDOW_FONT, &notice, err);
    if (!v->canvas) {
        status = ARC_ERR_NOMEM;
        goto done;
    }
    if (notice.msg[0]) fprintf(stderr, "%s: %s\n", cfg->cmd, notice.msg);

    v->state = arc_xcalloc(1, cfg->game->state_bytes);
    arc_env_init(&v->env, cfg->game, &cfg->env, v->state, cfg->seed);
    new_episode(v, false);
    draw(v);
    if (cfg->frames > 0) run_unpaced(v);
    else run_paced(v);
    if (cfg->screenshot) status = arc_canvas_save(v->canvas, cfg->screenshot, err);

done:
    arc_canvas_free(v->canvas);
    if (v->window) SDL_DestroyWindow(v->window);
    if (v->video_started) SDL_QuitSubSystem(SDL_INIT_VIDEO);
    SDL_Quit();
    free(v->state);
    free(v);
    return status;
}
