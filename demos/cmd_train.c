/* cmd_train.c — `arcade train [--config FILE] [--key value ...] [--resume DIR] [--force]`.
 *
 * Builds the run configuration (defaults < file < flags, train_config.h), installs the
 * Ctrl-C/SIGTERM handler that asks the run to stop cleanly (a second signal kills), runs
 * it, and prints where the results are. --resume DIR continues DIR's run from its latest
 * checkpoint with DIR/config.ini, on top of which flags (e.g. a larger --frames) apply.
 * A new run refuses a directory that already holds one unless --force (which replaces its
 * logs, summary and curve; older checkpoints stay until overwritten).
 *
 * Across MPI ranks (bin/arcade-mpi under mpirun) every rank parses the same flags; rank 0
 * alone reads --resume DIR/config.ini (sent to the others) and checks --out, so only rank
 * 0 needs the run directory; the ranks agree on every failure before training starts, and
 * only rank 0 prints usage errors and the results. */
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "../agent/train.h"
#include "../common/dist.h"
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
    const int rank = arc_dist_rank();
    ArcTrainConfig cfg;
    arc_train_config_defaults(&cfg);
    ArcErr err;
    if (resume) {
        char path[600];
        snprintf(path, sizeof path, "%s/config.ini", resume);
        int status = rank == 0 ? arc_train_config_load(&cfg, path, &err) : ARC_OK;
        if (status) fprintf(stderr, "%s: --resume %s: %s\n", cmd, resume, err.msg);
        if (arc_dist_agree(status, &err)) return 2;
        arc_dist_broadcast(&cfg, sizeof cfg, 0);
    }
    int parsed = arc_train_config_parse_args(&cfg, argc, argv, stdout, &err);
    if (parsed == 1) return 0;
    if (parsed) {
        if (rank == 0) fprintf(stderr, "%s\n", err.msg);
        return 2;
    }
    if (resume) snprintf(cfg.out, sizeof cfg.out, "%s", resume);
    if (arc_train_config_finish(&cfg, &err)) {
        if (rank == 0) fprintf(stderr, "%s: %s\n", cmd, err.msg);
        return 2;
    }
    if (arc_dist_size() > 1 && (strcmp(cfg.algo, "a3c") != 0 || !cfg.sync)) {
        if (rank == 0)
            fprintf(stderr, "%s: across %d MPI ranks only `--algo a3c --sync` trains (one agent, "
                            "data-parallel); got --algo %s%s\n", cmd, arc_dist_size(), cfg.algo,
                    cfg.sync ? "" : " without --sync");
        return 2;
    }
    char existing[600];
    snprintf(existing, sizeof existing, "%s/config.ini", cfg.out);
    bool taken = rank == 0 && !resume && !force && access(existing, F_OK) == 0;
    if (taken)
        fprintf(stderr, "%s: %s already holds a run (--resume %s continues it, --force starts "
                        "it over, or choose another --out)\n", cmd, cfg.out, cfg.out);
    if (arc_dist_agree(taken ? ARC_ERR_ARG : ARC_OK, &err)) return 2;

    struct sigaction sa = {.sa_handler = on_signal};
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    ArcTrainOptions options = {.stop = &stop_requested, .resume = resume != NULL};
    ArcTrainResult result;
    int status = arc_train(&cfg, &options, &result, &err); /* the handler stays to the end */
    if (status) {
        if (arc_dist_size() > 1) fprintf(stderr, "%s: rank %d: %s\n", cmd, rank, err.msg);
        else fprintf(stderr, "%s: %s\n", cmd, err.msg);
        return 1;
    }
    if (rank != 0) return 0;
    if (arc_dist_size() > 1)
        printf("%d MPI ranks, %s: frames and frames/s count every rank's actors\n", arc_dist_size(),
               cfg.dist);
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
    if (result.interrupted && arc_dist_size() > 1)
        printf("continue: mpirun -np %d bin/arcade-mpi train --resume %s\n", arc_dist_size(), cfg.out);
    else if (result.interrupted) printf("continue: bin/arcade train --resume %s\n", cfg.out);
    return 0;
}
