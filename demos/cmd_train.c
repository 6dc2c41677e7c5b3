/* cmd_train.c — `arcade train [--config FILE] [--key value ...] [--resume DIR] [--force]`.
 *
 * Builds the run configuration (defaults < file < flags, train_config.h), installs the
 * Ctrl-C/SIGTERM handler that asks the run to stop cleanly (a second signal kills), runs
 * it, and prints where the results are. --resume DIR continues DIR's run from its latest
 * checkpoint with DIR/config.ini, on top of which flags (e.g. a larger --frames) apply.
 * A new run refuses a directory that already holds one unless --force (which replaces its
 * logs, summary and curve; older checkpoints stay until overwritten). */
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "../agent/train.h"
#include "commands.h"

static atomic_bool stop_requested;

static void on_signal(int sig)
{
    atomic_store(&stop_requested, true);
    signal(sig, SIG_DFL); /* a second Ctrl-C ends the program at once */
}

/* Removes `--resume DIR` (returning DIR) and `--force` from argv, which then holds only
 * configuration keys; -1 on --resume without a value. */
static int take_run_flags(int *argc, char **argv, const char **dir, bool *force)
{
    *dir = NULL;
    *force = false;
    for (int i = 1; i < *argc; i++) {
        int taken = 0;
        if (strcmp(argv[i], "--resume") == 0) {
            if (i + 1 >= *argc) return -1;
            *dir = argv[i + 1];
            taken = 2;
        } else if (strcmp(argv[i], "--force") == 0) {
            *force = true;
            taken = 1;
        }
        if (!taken) continue;
        memmove(&argv[i], &argv[i + taken], (size_t)(*argc - i - taken) * sizeof *argv);
        *argc -= taken;
        i--;
    }
    return 0;
}

int arc_cmd_train(int argc, char **argv)
{
    const char *cmd = argv[0], *resume = NULL;
    bool force;
    if (take_run_flags(&argc, argv, &resume, &force)) {
        fprintf(stderr, "%s: --resume needs a run directory\n", cmd);
        return 2;
    }
    ArcTrainConfig cfg;
    arc_train_config_defaults(&cfg);
    ArcErr err;
    if (resume) {
        char path[600];
        snprintf(path, sizeof path, "%s/config.ini", resume);
        if (arc_train_config_load(&cfg, path, &err)) {
            fprintf(stderr, "%s: --resume %s: %s\n", cmd, resume, err.msg);
            return 2;
        }
    }
    int parsed = arc_train_config_parse_args(&cfg, argc, argv, stdout, &err);
    if (parsed == 1) return 0;
    if (parsed) {
        fprintf(stderr, "%s\n", err.msg);
        return 2;
    }
    if (resume) snprintf(cfg.out, sizeof cfg.out, "%s", resume);
    if (arc_train_config_finish(&cfg, &err)) {
        fprintf(stderr, "%s: %s\n", cmd, err.msg);
        return 2;
    }
    char existing[600];
    snprintf(existing, sizeof existing, "%s/config.ini", cfg.out);
    if (!resume && !force && access(existing, F_OK) == 0) {
        fprintf(stderr, "%s: %s already holds a run (--resume %s continues it, --force starts "
                        "it over, or choose another --out)\n", cmd, cfg.out, cfg.out);
        return 2;
    }
    struct sigaction sa = {.sa_handler = on_signal};
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    ArcTrainOptions options = {.stop = &stop_requested, .resume = resume != NULL};
    ArcTrainResult result;
    int status = arc_train(&cfg, &options, &result, &err);
    signal(SIGINT, SIG_DFL);
    signal(SIGTERM, SIG_DFL);
    if (status) {
        fprintf(stderr, "%s: %s\n", cmd, err.msg);
        return 1;
    }
    printf("%s %s on %s: %lld frames in %.1f s (%.0f frames/s), %lld updates, %lld episodes, "
           "return (mean of last 100) %.2f\n",
           result.interrupted ? "stopped" : "trained", cfg.algo, cfg.game, (long long)result.frames,
           result.wall_seconds, result.frames_per_second, (long long)result.updates,
           (long long)result.episodes,
           result.final_return_mean100);
    printf("results:  %s/ (config.ini, metrics.csv, episodes.csv, curve.png, summary.json)\n", cfg.out);
    printf("evaluate: bin/arcade eval --checkpoint %s\n", result.checkpoint);
    printf("watch:    bin/arcade watch --checkpoint %s\n", result.checkpoint);
    if (result.start_frames) printf("(resumed at %lld frames)\n", (long long)result.start_frames);
    if (result.interrupted) printf("continue: bin/arcade train --resume %s\n", cfg.out);
    return 0;
}
