/* test_window.c — `arcade play` and `arcade watch` end to end, headless.
 *
 * Each test runs bin/arcade (built before the tests by `make test-unit`) in a child
 * process under SDL_VIDEODRIVER=dummy, writing into its own mkdtemp folder, then reads the
 * screenshot back (SDL_image for PNG, SDL_LoadBMP for BMP) and checks its size against
 * arc_window_layout and its pixels against Breakout's palette; bad input must fail with
 * the right exit status and a message naming the flag. */
#include <criterion/criterion.h>
#include <SDL2/SDL.h>
#include <SDL2/SDL_image.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../demos/window.h"

#define ARCADE "bin/arcade"
#define MAX_ENV 4

typedef struct Run {
    char dir[64];       /* the test's own folder */
    char err[4096];     /* the child's stderr */
    int status;         /* exit status, or -1 when it did not exit normally */
} Run;

/* Runs bin/arcade with args (NULL-terminated) and env edits "NAME=value" or "NAME" (unset);
 * SDL_VIDEODRIVER=dummy unless an edit says otherwise. */
static void run_arcade(Run *run, const char *const *args, const char *const *env)
{
    cr_assert(access(ARCADE, X_OK) == 0, "%s is missing: build it first (make test-unit does)",
              ARCADE);
    char err_path[128];
    snprintf(err_path, sizeof err_path, "%s/stderr.txt", run->dir);
    pid_t pid = fork();
    cr_assert(pid >= 0, "fork failed");
    if (pid == 0) {
        setenv("SDL_VIDEODRIVER", "dummy", 1);
        for (int i = 0; env && env[i]; i++) {
            char name[64];
            const char *eq = strchr(env[i], '=');
            int len = eq ? (int)(eq - env[i]) : (int)strlen(env[i]);
            snprintf(name, sizeof name, "%.*s", len, env[i]);
            if (eq) setenv(name, eq + 1, 1);
            else unsetenv(name);
        }
        if (!freopen(err_path, "w", stderr) || !freopen("/dev/null", "w", stdout)) _exit(125);
        char *argv[32] = {(char *)ARCADE};
        for (int i = 0; args[i] && i < 30; i++) argv[i + 1] = (char *)args[i];
        execv(ARCADE, argv);
        _exit(126);
    }
    int wstatus;
    cr_assert(waitpid(pid, &wstatus, 0) == pid);
    run->status = WIFEXITED(wstatus) ? WEXITSTATUS(wstatus) : -1;
    FILE *f = fopen(err_path, "r");
    cr_assert_not_null(f);
    size_t n = fread(run->err, 1, sizeof run->err - 1, f);
    run->err[n] = '\0';
    fclose(f);
}

static void make_dir(Run *run)
{
    memset(run, 0, sizeof *run);
    snprintf(run->dir, sizeof run->dir, "/tmp/arcade-window-XXXXXX");
    cr_assert_not_null(mkdtemp(run->dir));
}

static void remove_dir(const Run *run)
{
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", run->dir);
    cr_assert_eq(system(cmd), 0);
}

static int lines(const char *s)
{
    int n = 0;
    for (; *s; s++) n += *s == '\n';
    return n;
}

/* The image at path as ARGB8888 (caller frees), or a failed assertion. */
static SDL_Surface *load(const char *path)
{
    size_t n = strlen(path);
    SDL_Surface *raw = strcmp(path + n - 4, ".bmp") == 0 ? SDL_LoadBMP(path) : IMG_Load(path);
    cr_assert_not_null(raw, "cannot read %s back: %s", path, SDL_GetError());
    SDL_Surface *img = SDL_ConvertSurfaceFormat(raw, SDL_PIXELFORMAT_ARGB8888, 0);
    SDL_FreeSurface(raw);
    cr_assert_not_null(img);
    return img;
}

static uint32_t pixel(const SDL_Surface *img, int x, int y)
{
    const uint8_t *bytes = (const uint8_t *)img->pixels + (size_t)y * (size_t)img->pitch;
    const uint32_t *row = (const uint32_t *)bytes;
    return row[x] & 0xffffff;
}

/* Whether two screenshots at scale draw the same grid (pixel for pixel). */
static bool same_grid(const SDL_Surface *a, const SDL_Surface *b, int scale)
{
    ArcLayout l = arc_window_layout(scale, arc_game_breakout.channels);
    for (int y = l.grid_y; y < l.grid_y + ARC_GRID * l.scale; y++)
        for (int x = l.grid_x; x < l.grid_x + ARC_GRID * l.scale; x++)
            if (pixel(a, x, y) != pixel(b, x, y)) return false;
    return true;
}

/* Distinct colours in a rectangle, counted up to cap. */
static int distinct_colours(const SDL_Surface *img, int x0, int y0, int w, int h, int cap)
{
    uint32_t seen[256];
    int n = 0;
    for (int y = y0; y < y0 + h; y++)
        for (int x = x0; x < x0 + w && n < cap && n < 256; x++) {
            uint32_t p = pixel(img, x, y);
            int i = 0;
            while (i < n && seen[i] != p) i++;
            if (i == n) seen[n++] = p;
        }
    return n;
}

static uint32_t breakout_colour(const char *channel)
{
    const ArcGame *g = &arc_game_breakout;
    for (int c = 0; c < g->channels; c++)
        if (strcmp(g->channel_names[c], channel) == 0) return g->palette[c];
    cr_assert_fail("breakout has no channel %s", channel);
    return 0;
}

/* The colour drawn near the top-left of cell (row, col)'s object square. */
static uint32_t cell_colour(const SDL_Surface *img, const ArcLayout *l, int row, int col)
{
    return pixel(img, l->grid_x + col * l->scale + l->scale / 3,
                 l->grid_y + row * l->scale + l->scale / 3);
}

/* A Breakout frame: the layout's size, text in the status bar, bricks in rows 1-3, the
 * paddle somewhere in row 9, and many colours overall. */
static void check_breakout_frame(const char *path, int scale)
{
    ArcLayout l = arc_window_layout(scale, arc_game_breakout.channels);
    SDL_Surface *img = load(path);
    cr_assert_eq(img->w, l.width, "%s: width %d, expected %d", path, img->w, l.width);
    cr_assert_eq(img->h, l.height, "%s: height %d, expected %d", path, img->h, l.height);
    cr_assert_geq(distinct_colours(img, 0, 0, img->w, img->h, 64), 16, "%s looks blank", path);
    cr_assert_geq(distinct_colours(img, 0, 0, l.width, l.status_h, 8), 8,
                  "%s: no text in the status bar", path);
    int bricks = 0, paddles = 0;
    for (int col = 0; col < ARC_GRID; col++) {
        for (int row = 1; row <= 3; row++)
            bricks += cell_colour(img, &l, row, col) == breakout_colour("brick");
        paddles += cell_colour(img, &l, 9, col) == breakout_colour("paddle");
    }
    cr_assert_geq(bricks, 20, "%s: only %d brick cells", path, bricks);
    cr_assert_eq(paddles, 1, "%s: %d paddle cells in row 9", path, paddles);
    SDL_FreeSurface(img);
}

Test(window, play_headless_png)
{
    Run run;
    make_dir(&run);
    char shot[128];
    snprintf(shot, sizeof shot, "%s/play.png", run.dir);
    run_arcade(&run, (const char *[]){"play", "--game", "breakout", "--frames", "20",
                                      "--screenshot", shot, NULL}, NULL);
    cr_assert_eq(run.status, 0, "play failed: %s", run.err);
    check_breakout_frame(shot, 48);
    /* No keys are pressed headless, so every action is a no-op: the paddle never moves. */
    ArcLayout l = arc_window_layout(48, arc_game_breakout.channels);
    SDL_Surface *img = load(shot);
    cr_assert_eq(cell_colour(img, &l, 9, 4), breakout_colour("paddle"));
    SDL_FreeSurface(img);
    remove_dir(&run);
}

Test(window, watch_random_headless_bmp)
{
    Run run;
    make_dir(&run);
    char shot[128];
    snprintf(shot, sizeof shot, "%s/watch.bmp", run.dir);
    run_arcade(&run, (const char *[]){"watch", "--game", "breakout", "--policy", "random",
                                      "--seed", "5", "--scale", "32", "--frames", "40",
                                      "--screenshot", shot, NULL}, NULL);
    cr_assert_eq(run.status, 0, "watch failed: %s", run.err);
    check_breakout_frame(shot, 32);
    remove_dir(&run);
}

Test(window, same_seed_draws_the_same_grid)
{
    Run run;
    make_dir(&run);
    SDL_Surface *img[2];
    for (int i = 0; i < 2; i++) {
        char shot[128];
        snprintf(shot, sizeof shot, "%s/w%d.png", run.dir, i);
        run_arcade(&run, (const char *[]){"watch", "--game", "breakout", "--policy", "random",
                                          "--minimal", "--seed", "9", "--frames", "33",
                                          "--screenshot", shot, NULL}, NULL);
        cr_assert_eq(run.status, 0, "watch failed: %s", run.err);
        img[i] = load(shot);
    }
    cr_assert(same_grid(img[0], img[1], 48), "the grids differ");
    SDL_FreeSurface(img[0]);
    SDL_FreeSurface(img[1]);
    remove_dir(&run);
}

/* The Breakout grid (not the status bar or the panel) that `play --variant procedural
 * --sticky 0 --frames 1` draws with extra (NULL-terminated) flags; the caller frees it. */
static SDL_Surface *procedural_breakout_start(Run *run, const char *name, const char *const *extra)
{
    char shot[128];
    snprintf(shot, sizeof shot, "%s/%s.png", run->dir, name);
    const char *args[24] = {"play", "--game", "breakout", "--variant", "procedural", "--sticky", "0",
                            "--frames", "1", "--screenshot", shot};
    int n = 11;
    for (int i = 0; extra[i] && n < 23; i++) args[n++] = extra[i];
    run_arcade(run, args, NULL);
    cr_assert_eq(run->status, 0, "play %s failed: %s", name, run->err);
    return load(shot);
}

Test(window, a_level_fixes_the_world_whatever_the_seed)
{
    /* the bricks of procedural Breakout are world randomness: in level mode they come from
     * the level alone, otherwise from --seed */
    Run run;
    make_dir(&run);
    SDL_Surface *a = procedural_breakout_start(&run, "a", (const char *[]){"--level", "test:3", "--seed", "1", NULL});
    SDL_Surface *b = procedural_breakout_start(&run, "b", (const char *[]){"--level", "test:3", "--seed", "2", NULL});
    SDL_Surface *c = procedural_breakout_start(&run, "c", (const char *[]){"--level", "test:4", "--seed", "1", NULL});
    SDL_Surface *d = procedural_breakout_start(&run, "d", (const char *[]){"--seed", "2", NULL});
    SDL_Surface *e = procedural_breakout_start(&run, "e", (const char *[]){"--seed", "1", NULL});
    cr_assert(same_grid(a, b, 48), "test level 3 differs between --seed 1 and 2");
    cr_assert(!same_grid(a, c, 48), "test levels 3 and 4 draw the same bricks");
    cr_assert(!same_grid(d, e, 48), "without --level, --seed 1 and 2 draw the same bricks");
    SDL_FreeSurface(a), SDL_FreeSurface(b), SDL_FreeSurface(c), SDL_FreeSurface(d), SDL_FreeSurface(e);
    remove_dir(&run);
}

Test(window, missing_font_draws_without_text)
{
    Run run;
    make_dir(&run);
    char shot[128];
    snprintf(shot, sizeof shot, "%s/plain.png", run.dir);
    run_arcade(&run, (const char *[]){"play", "--game", "breakout", "--frames", "3",
                                      "--screenshot", shot, NULL},
               (const char *[]){"ARC_FONT=/nonexistent/font.ttf", NULL});
    cr_assert_eq(run.status, 0, "play failed without a font: %s", run.err);
    cr_assert(strstr(run.err, "no text") && strstr(run.err, "/nonexistent/font.ttf"),
              "expected a notice naming the font, got: %s", run.err);
    cr_assert_eq(lines(run.err), 1, "expected one line, got: %s", run.err);
    ArcLayout l = arc_window_layout(48, arc_game_breakout.channels);
    SDL_Surface *img = load(shot);
    cr_assert_eq(img->w, l.width);
    cr_assert_leq(distinct_colours(img, 0, 0, l.width, l.status_h, 8), 2,
                  "text drawn without a font?");
    SDL_FreeSurface(img);
    remove_dir(&run);
}

/* Runs arcade with args and expects exit status `status` and one stderr line holding
 * both needles. */
static void expect_failure(const char *const *args, const char *const *env, int status,
                           const char *needle1, const char *needle2)
{
    Run run;
    make_dir(&run);
    run_arcade(&run, args, env);
    cr_assert_eq(run.status, status, "exit %d, expected %d; stderr: %s", run.status, status,
                 run.err);
    cr_assert(strstr(run.err, needle1) && strstr(run.err, needle2),
              "stderr lacks '%s' / '%s': %s", needle1, needle2, run.err);
    cr_assert_eq(lines(run.err), 1, "expected one line, got: %s", run.err);
    remove_dir(&run);
}

Test(window, bad_screenshot_extension)
{
    expect_failure((const char *[]){"play", "--game", "breakout", "--frames", "2",
                                    "--screenshot", "/tmp/shot.jpg", NULL},
                   NULL, 2, "--screenshot", ".png or .bmp");
}

Test(window, unwritable_screenshot)
{
    expect_failure((const char *[]){"watch", "--game", "breakout", "--policy", "random",
                                    "--frames", "2", "--screenshot", "/nonexistent/dir/x.png",
                                    NULL},
                   NULL, 1, "--screenshot", "/nonexistent/dir");
}

Test(window, unknown_game)
{
    expect_failure((const char *[]){"play", "--game", "pong", NULL}, NULL, 2,
                   "unknown game 'pong' for --game", arc_game_names());
}

Test(window, unknown_policy)
{
    expect_failure((const char *[]){"watch", "--game", "breakout", "--policy", "genius", NULL},
                   NULL, 2, "--policy", "random");
}

Test(window, bad_numbers)
{
    expect_failure((const char *[]){"play", "--game", "breakout", "--fps", "fast", NULL}, NULL, 2,
                   "--fps", "number");
    expect_failure((const char *[]){"watch", "--game", "breakout", "--policy", "random",
                                    "--scale", "0", NULL}, NULL, 2, "--scale", "16..160");
}

Test(window, bad_level_or_variant)
{
    expect_failure((const char *[]){"play", "--game", "breakout", "--level", "test:1000", NULL}, NULL, 2,
                   "--level test:1000", "0 .. 999");
    expect_failure((const char *[]){"play", "--game", "breakout", "--level", "test", NULL}, NULL, 2,
                   "--level expects train:I, val:I or test:I", "'test'");
    expect_failure((const char *[]){"watch", "--game", "breakout", "--policy", "random", "--level",
                                    "val:-1", NULL}, NULL, 2, "--level expects", "'val:-1'");
    expect_failure((const char *[]){"play", "--game", "freeway", "--variant", "procedural", NULL}, NULL, 2,
                   "--variant", "freeway has no variant 'procedural'");
}

/* Trains a tiny Asterix run into run->dir/NAME (with --train-levels levels unless NULL) and
 * writes its final checkpoint's path into ckpt. */
static void train_tiny(Run *run, const char *name, const char *levels, char *ckpt, size_t size)
{
    char out[128];
    snprintf(out, sizeof out, "%s/%s", run->dir, name);
    snprintf(ckpt, size, "%s/checkpoints/final.safetensors", out);
    const char *args[16] = {"train", "--game", "asterix", "--frames", "2000", "--threads", "1", "--out", out};
    if (levels) args[9] = "--train-levels", args[10] = levels;
    run_arcade(run, args, NULL);
    cr_assert_eq(run->status, 0, "train failed: %s", run->err);
}

Test(window, watch_levels_follow_the_checkpoint)
{
    /* a run trained on 4 levels has train levels 0 .. 3; one without levels has none */
    Run run;
    make_dir(&run);
    char ckpt[160], shot[160];
    snprintf(shot, sizeof shot, "%s/w.png", run.dir);
    train_tiny(&run, "run", "4", ckpt, sizeof ckpt);
    run_arcade(&run, (const char *[]){"watch", "--checkpoint", ckpt, "--level", "train:3", "--frames", "30",
                                      "--screenshot", shot, NULL}, NULL);
    cr_assert_eq(run.status, 0, "watch train:3 failed: %s", run.err);
    run_arcade(&run, (const char *[]){"watch", "--checkpoint", ckpt, "--level", "train:4", "--frames", "3", NULL},
               NULL);
    cr_assert_eq(run.status, 2);
    cr_assert(strstr(run.err, "--level train:4: the train set has 4 levels") && lines(run.err) == 1, "%s", run.err);
    /* a variant the checkpoint was not trained on */
    run_arcade(&run, (const char *[]){"watch", "--checkpoint", ckpt, "--variant", "procedural", "--frames", "3",
                                      NULL}, NULL);
    cr_assert_eq(run.status, 2);
    cr_assert(strstr(run.err, "was trained on asterix, not asterix (procedural)") && lines(run.err) == 1, "%s",
              run.err);
    train_tiny(&run, "run0", NULL, ckpt, sizeof ckpt);
    run_arcade(&run, (const char *[]){"watch", "--checkpoint", ckpt, "--level", "train:0", "--frames", "3", NULL},
               NULL);
    cr_assert_eq(run.status, 2);
    cr_assert(strstr(run.err, "no train levels") && lines(run.err) == 1, "%s", run.err);
    remove_dir(&run);
}

Test(window, no_display_is_one_clear_error)
{
    if (access("/dev/dri", F_OK) == 0)
        cr_skip_test("/dev/dri exists: SDL may reach a real display through KMSDRM");
    expect_failure((const char *[]){"watch", "--game", "breakout", "--policy", "random",
                                    "--frames", "2", NULL},
                   (const char *[]){"SDL_VIDEODRIVER", "DISPLAY", "WAYLAND_DISPLAY", NULL}, 1,
                   "cannot open a window", "set SDL_VIDEODRIVER=dummy");
}
