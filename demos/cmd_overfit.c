/* cmd_overfit.c — `arcade overfit`: the overfitting harness. Trains a grid of networks
 * (width k x training levels N x runs), evaluates every log-spaced checkpoint on the
 * training and the test levels, probes the final networks, and writes results.csv,
 * summary.json and the figures (agent/overfit_*.h; method in docs/OVERFIT.md).
 *
 * Resumable: a rerun of the same command skips finished cells and continues unfinished
 * ones; the plan's fixed part (game, algorithm, frames, seeds, evaluation) is kept in
 * DIR/plan.txt and a rerun with a different one is refused. Ctrl-C stops the cells
 * cleanly (train saves its checkpoint) and still writes the results of finished cells. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../agent/overfit_exec.h"
#include "../agent/overfit_plot.h"
#include "../agent/overfit_stats.h"
#include "../common/args.h"
#include "../kernels/backend.h"
#include "commands.h"

static volatile sig_atomic_t stop_requested;

static void on_signal(int sig)
{
    stop_requested = 1;
    signal(sig, SIG_DFL); /* a second Ctrl-C ends the harness at once */
}

/* the fixed part of a plan: what a rerun into the same directory must keep */
static void plan_identity(const ArcOverfitPlan *p, char *buf, size_t size)
{
    snprintf(buf, size,
             "game=%s variant=%s algo=%s frames=%lld seed=%lld checkpoints_per_decade=%lld eval_episodes=%lld "
             "eval_max_steps=%lld probe_episodes=%lld",
             p->game, p->variant, p->algo, (long long)p->frames, (long long)p->seed,
             (long long)p->checkpoints_per_decade, (long long)p->eval_episodes,
             (long long)p->eval_max_steps, (long long)p->probe_episodes);
}

static int check_plan_file(const char *cmd, const ArcOverfitPlan *plan)
{
    char path[600], want[512], have[512] = "";
    snprintf(path, sizeof path, "%s/plan.txt", plan->out);
    plan_identity(plan, want, sizeof want);
    FILE *f = fopen(path, "r");
    if (f) {
        if (!fgets(have, sizeof have, f)) have[0] = '\0';
        fclose(f);
        have[strcspn(have, "\n")] = '\0';
        if (strcmp(have, want) != 0) {
            fprintf(stderr, "%s: %s holds a harness run of %s; this command asks for %s (use the "
                            "same flags to continue it, or another --out)\n", cmd, plan->out, have, want);
            return 2;
        }
        return 0;
    }
    f = fopen(path, "w");
    if (!f || fprintf(f, "%s\n", want) < 0 || fclose(f) != 0) {
        fprintf(stderr, "%s: %s: cannot write\n", cmd, path);
        return 1;
    }
    return 0;
}

static bool flag_seen(const ArcFlag *flags, int count, const char *name)
{
    for (int i = 0; i < count; i++)
        if (strcmp(flags[i].name, name) == 0) return flags[i].seen;
    ARC_CHECK(false, "no flag %s", name);
    return false;
}

static int make_out_dir(const char *cmd, const char *dir)
{
    char path[600];
    snprintf(path, sizeof path, "%s", dir);
    for (char *p = path + 1; *p; p++) { /* mkdir -p */
        if (*p != '/') continue;
        *p = '\0';
        mkdir(path, 0777);
        *p = '/';
    }
    if (mkdir(path, 0777) != 0 && access(path, W_OK) != 0) {
        fprintf(stderr, "%s: --out %s: cannot create the directory\n", cmd, dir);
        return 1;
    }
    return 0;
}

/* results.csv, summary.json, plots/ from every finished cell of the plan */
static int write_results(const char *cmd, const ArcOverfitPlan *plan)
{
    ArcOverfitPoint *points = NULL;
    int count = 0, status = 0;
    ArcErr err;
    for (int i = 0; i < arc_overfit_num_cells(plan) && !status; i++) {
        ArcOverfitCell cell = arc_overfit_cell(plan, i);
        if (!arc_overfit_cell_done(plan, &cell)) continue;
        char dir[600], path[700];
        arc_overfit_cell_dir(plan, &cell, dir, sizeof dir);
        snprintf(path, sizeof path, "%s/points.csv", dir);
        status = arc_overfit_read_points(path, &points, &count, &err);
    }
    char path[700];
    snprintf(path, sizeof path, "%s/results.csv", plan->out);
    if (!status) status = arc_overfit_write_points(path, points, count, &err);
    ArcOverfitSummary summary;
    arc_overfit_summarise(plan, points, count, &summary);
    snprintf(path, sizeof path, "%s/summary.json", plan->out);
    if (!status) status = arc_overfit_write_summary(path, plan, &summary, &err);
    snprintf(path, sizeof path, "%s/plots", plan->out);
    if (!status) status = arc_overfit_plot(path, plan, &summary, &err);
    arc_overfit_summary_free(&summary);
    free(points);
    if (status) {
        fprintf(stderr, "%s: %s\n", cmd, err.msg);
        return 1;
    }
    printf("results: %s/results.csv (%d points), %s/summary.json, %s/plots/{headline,gap_heatmap,"
           "precision,curves}.{png,svg}\n", plan->out, count, plan->out, plan->out);
    return 0;
}

int arc_cmd_overfit(int argc, char **argv)
{
    const char *cmd = argv[0];
    const char *game = NULL, *variant = NULL, *algo = NULL, *widths = NULL, *levels = NULL, *device = "cpu",
               *preset = "none", *out = NULL;
    int64_t runs = 0, frames = 0, jobs = 2, seed = 1, episodes = 0, max_steps = 0, probe_eps = 0,
            per_decade = 0;
    double gpu_min_width = 2;
    bool quiet = false;
    ArcFlag flags[] = {
        {"out", ARC_FLAG_STRING, &out, 1, 0, "harness directory (required)", false},
        {"preset", ARC_FLAG_STRING, &preset, 1, 0, "quick|paper: a grid to start from; flags override", false},
        {"game", ARC_FLAG_STRING, &game, 1, 0, "game (asterix)", false},
        {"algo", ARC_FLAG_STRING, &algo, 1, 0, "a3c|dqn (a3c)", false},
        {"variant", ARC_FLAG_STRING, &variant, 1, 0, "standard|procedural game variant (standard)", false},
        {"widths", ARC_FLAG_STRING, &widths, 1, 0, "width multipliers k (0.125,0.25,0.5,1,2,4,8)", false},
        {"train-levels", ARC_FLAG_STRING, &levels, 1, 0, "training level counts N, inf, off (1,4,16,64,256,inf)", false},
        {"runs", ARC_FLAG_INT, &runs, 1, ARC_OVERFIT_MAX_RUNS, "runs (seeds) per (k, N) (5)", false},
        {"frames", ARC_FLAG_INT, &frames, 1000, 1e12, "frames per cell (5000000)", false},
        {"seed", ARC_FLAG_INT, &seed, 0, 4e9, "seed of run 1; run r uses seed + r - 1 (1)", false},
        {"jobs", ARC_FLAG_INT, &jobs, 1, 64, "cells trained at once (2)", false},
        {"device", ARC_FLAG_STRING, &device, 1, 0, "cpu|gpu: gpu trains cells with k >= --gpu-min-width on the GPU (cpu)", false},
        {"gpu-min-width", ARC_FLAG_DOUBLE, &gpu_min_width, 0, 16, "smallest k sent to the GPU (2)", false},
        {"eval-episodes", ARC_FLAG_INT, &episodes, 1, 100000, "episodes per evaluation (32)", false},
        {"eval-max-steps", ARC_FLAG_INT, &max_steps, 1, 1e9, "step cap per evaluation episode (10000)", false},
        {"probe-episodes", ARC_FLAG_INT, &probe_eps, 1, 100000, "episodes of arcade probe (8)", false},
        {"checkpoints-per-decade", ARC_FLAG_INT, &per_decade, 1, 10, "log-spaced checkpoints per decade of frames (3)", false},
        {"quiet", ARC_FLAG_BOOL, &quiet, 1, 0, "no per-cell lines", false},
    };
    const int num_flags = (int)(sizeof flags / sizeof flags[0]);
    int parsed = arc_args_parse(argc, argv, flags, num_flags,
                                "arcade overfit --out DIR [--preset quick|paper] [--game G] [--algo a3c|dqn] "
                                "[--widths K,...] [--train-levels N,...|inf|off] [--runs R] [--frames F] "
                                "[--jobs J] [--device cpu|gpu]");
    if (parsed) return parsed == ARC_ARGS_HELP ? 0 : 2;
    if (!out) {
        fprintf(stderr, "%s: --out is required\n", cmd);
        return 2;
    }
    ArcOverfitPlan plan;
    ArcErr err;
    if (arc_overfit_plan_preset(&plan, preset, &err)) {
        fprintf(stderr, "%s: %s\n", cmd, err.msg);
        return 2;
    }
    if (game) {
        if (!arc_cli_game(cmd, game)) return 2;
        snprintf(plan.game, sizeof plan.game, "%s", game);
    }
    if (variant) {
        if (!arc_cli_variant(cmd, arc_game_find(plan.game), variant)) return 2;
        snprintf(plan.variant, sizeof plan.variant, "%s", variant);
    }
    if (algo) {
        if (strcmp(algo, "a3c") != 0 && strcmp(algo, "dqn") != 0) {
            fprintf(stderr, "%s: --algo expects a3c|dqn, got '%s'\n", cmd, algo);
            return 2;
        }
        snprintf(plan.algo, sizeof plan.algo, "%s", algo);
    }
    if (strcmp(device, "cpu") != 0 && strcmp(device, "gpu") != 0) {
        fprintf(stderr, "%s: --device expects cpu|gpu, got '%s'\n", cmd, device);
        return 2;
    }
    if ((widths && arc_overfit_parse_widths(&plan, widths, "widths", &err)) ||
        (levels && arc_overfit_parse_levels(&plan, levels, "train-levels", &err))) {
        fprintf(stderr, "%s: %s\n", cmd, err.msg);
        return 2;
    }
    if (strlen(out) >= sizeof plan.out - 64) {
        fprintf(stderr, "%s: --out is longer than %zu characters\n", cmd, sizeof plan.out - 64);
        return 2;
    }
    snprintf(plan.out, sizeof plan.out, "%s", out);
    snprintf(plan.device, sizeof plan.device, "%s", device);
    if (runs) plan.runs = (int)runs;
    if (frames) plan.frames = frames;
    if (flag_seen(flags, num_flags, "seed")) plan.seed = seed;
    if (flag_seen(flags, num_flags, "jobs")) plan.jobs = (int)jobs;
    if (flag_seen(flags, num_flags, "gpu-min-width")) plan.gpu_min_width = gpu_min_width;
    if (episodes) plan.eval_episodes = episodes;
    if (max_steps) plan.eval_max_steps = max_steps;
    if (probe_eps) plan.probe_episodes = probe_eps;
    if (per_decade) plan.checkpoints_per_decade = per_decade;

    bool wants_levels = false;
    for (int l = 0; l < plan.num_levels; l++) wants_levels |= plan.levels[l] != ARC_OVERFIT_LEVELS_OFF;
    bool little_randomness = !strcmp(plan.game, "breakout") || !strcmp(plan.game, "space_invaders");
    if (wants_levels && little_randomness && !strcmp(plan.variant, "standard"))
        fprintf(stderr, "%s: note: standard %s has (almost) no world randomness, so its levels barely "
                        "differ; --variant procedural gives levels something to tell apart\n", cmd, plan.game);
    /* from here on a stop request is remembered, so a Ctrl-C during the set-up (the GPU probe
     * can take seconds) ends the harness as cleanly as one during the cells */
    struct sigaction sa = {.sa_handler = on_signal};
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    ArcOverfitExec ex = {.plan = &plan, .exe = "/proc/self/exe", .stop = &stop_requested,
                         .probe = true, .quiet = quiet};
    if (strcmp(device, "gpu") == 0) {
        ArcBackend *gpu = arc_backend_gpu(0, &err);
        ex.gpu = gpu != NULL;
        if (!gpu)
            fprintf(stderr, "%s: note: --device gpu: %s; every cell trains on the CPU\n", cmd, err.msg);
    }
    char exe[4096];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n > 0) exe[n] = '\0', ex.exe = exe; /* the path survives into the workers' children */
    int status = make_out_dir(cmd, plan.out);
    if (!status) status = check_plan_file(cmd, &plan);
    if (status) return status;

    ArcOverfitTally tally;
    arc_overfit_run_all(&ex, &tally);
    /* the handler stays: a stop request after the last cell lets the tables be written */
    status = write_results(cmd, &plan);
    int finished = tally.done_before + tally.done_now;
    if (tally.failed)
        fprintf(stderr, "%s: %d of %d cells failed (their log.txt says why); rerun to retry them\n",
                cmd, tally.failed, tally.cells);
    if (tally.interrupted)
        fprintf(stderr, "%s: interrupted with %d of %d cells finished; rerun the same command to continue\n",
                cmd, finished, tally.cells);
    if (tally.interrupted) return 130;
    return tally.failed || status ? 1 : 0;
}
