/* cmd_sweep.c — `arcade sweep FILE.ini [--out DIR] [--jobs J] [--dry-run] [--report]`.
 *
 * Plans the sweep (every error in the file is printed as FILE:LINE before anything runs),
 * refuses run directories that hold another configuration, runs what is not finished
 * (agent/sweep.h), and writes results.csv, results.md and curves.png. Ctrl-C (or SIGTERM)
 * asks the running runs to checkpoint and stop; the next `arcade sweep` resumes them.
 * Exit status: 0 when every run is done, 1 when some failed or are unfinished, 2 for a bad
 * command line, sweep file or out directory.
 *
 * Under MPI (`mpirun -np K bin/arcade-mpi sweep FILE.ini`) every rank plans the same
 * sweep and runs the runs i with i % K == its rank (--jobs at a time each; by default the
 * machine's share divided among the ranks on it); rank 0 checks the directory first,
 * waits for every rank, then alone writes the tables and prints. The sweep directory must
 * be shared by all ranks (one machine, or a shared file system). */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../agent/sweep.h"
#include "../common/args.h"
#include "../common/dist.h"
#include "commands.h"

static atomic_bool stop_requested;

static void on_signal(int sig)
{
    atomic_store(&stop_requested, true);
    signal(sig, SIG_DFL); /* a second Ctrl-C ends the sweep at once */
}

static void print_plan(const ArcSweepPlan *plan)
{
    for (int r = 0; r < plan->num_runs; r++) {
        const ArcSweepRun *run = &plan->runs[r];
        ArcSweepOutcome outcome;
        arc_sweep_outcome(run, &outcome);
        printf("%4d  %-10s  %s  (%s %s, %lld frames, %lld threads)\n", r + 1,
               arc_sweep_state_name(outcome.state), run->cfg.out, run->cfg.algo, run->cfg.game,
               (long long)run->cfg.frames, (long long)run->cfg.threads);
    }
}

int arc_cmd_sweep(int argc, char **argv)
{
    const char *cmd = argv[0], *out = NULL;
    int64_t jobs = 0;
    bool dry_run = false, report_only = false;
    ArcFlag flags[] = {
        {"out", ARC_FLAG_STRING, &out, 1, 0, "the sweep directory (default: [sweep] out, else sweeps/<file name>)", false},
        {"jobs", ARC_FLAG_INT, &jobs, 1, 1024, "runs at once (default: cores / threads per run)", false},
        {"dry-run", ARC_FLAG_BOOL, &dry_run, 0, 0, "list the runs and their state; run nothing", false},
        {"report", ARC_FLAG_BOOL, &report_only, 0, 0, "only rewrite the results from the run directories", false},
    };
    const char *usage =
        "arcade sweep FILE.ini [--out DIR] [--jobs J] [--dry-run] [--report]\n\n"
        "Runs every combination the sweep file asks for as `arcade train` processes, each in\n"
        "its own directory under the sweep directory, skipping finished runs and resuming\n"
        "unfinished ones, then writes results.csv, results.md and curves.png there.\n"
        "See README.md (Sweeps) for the file format.";
    const char *path = NULL;
    if (argc >= 2 && strncmp(argv[1], "--", 2) != 0 && strcmp(argv[1], "-h") != 0) {
        path = argv[1];
        memmove(&argv[1], &argv[2], (size_t)(argc - 2) * sizeof *argv);
        argc--;
    }
    int parsed = arc_args_parse(argc, argv, flags, (int)(sizeof flags / sizeof flags[0]), usage);
    if (parsed == ARC_ARGS_HELP) return 0;
    if (parsed) return 2;
    if (!path) {
        fprintf(stderr, "%s: expected a sweep file: arcade sweep FILE.ini (see --help)\n", cmd);
        return 2;
    }
    const int rank = arc_dist_rank(), ranks = arc_dist_size();
    ArcSweepPlan plan;
    ArcErr err;
    if (arc_sweep_plan(&plan, path, out, &err)) { /* the same on every rank */
        if (rank == 0 && plan.errors) fputs(plan.errors, stderr);
        else if (rank == 0) fprintf(stderr, "%s: %s\n", cmd, err.msg);
        arc_sweep_plan_free(&plan);
        return 2;
    }
    char *conflicts = NULL;
    int found = rank == 0 ? arc_sweep_conflicts(&plan, &conflicts) : 0;
    if (found) {
        fputs(conflicts, stderr);
        fprintf(stderr, "%s: nothing was run: %s changed under runs it already holds\n", cmd, plan.out);
        free(conflicts);
    }
    if (arc_dist_agree(found ? ARC_ERR_ARG : ARC_OK, &err)) {
        arc_sweep_plan_free(&plan);
        return 2;
    }
    if (dry_run) {
        if (rank != 0) {
            arc_sweep_plan_free(&plan);
            return 0;
        }
        print_plan(&plan);
        printf("%d runs in %d configurations; sweep directory %s\n", plan.num_runs, plan.num_groups, plan.out);
        arc_sweep_plan_free(&plan);
        return 0;
    }
    ArcSweepCounts counts = {0};
    int status = ARC_OK;
    if (!report_only) {
        char exe[4096];
        ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
        snprintf(exe + (n > 0 ? n : 0), sizeof exe - (size_t)(n > 0 ? n : 0), "%s", n > 0 ? "" : "/proc/self/exe");
        ArcSweepExecOptions opt = {.exe = exe, .jobs = (int)jobs, .first = rank, .stride = ranks,
                                   .stop = &stop_requested, .log = stderr, .bar = ranks == 1};
        if (opt.jobs <= 0) opt.jobs = arc_sweep_default_jobs(&plan) / arc_dist_local_size();
        if (opt.jobs <= 0) opt.jobs = 1;
        if (ranks > 1)
            fprintf(stderr, "%s: rank %d of %d: runs i with i %% %d = %d of %d (%d configuration%s) in %s, "
                    "%d at a time\n", cmd, rank, ranks, ranks, rank, plan.num_runs, plan.num_groups,
                    plan.num_groups == 1 ? "" : "s", plan.out, opt.jobs);
        else
            fprintf(stderr, "%s: %d run%s (%d configuration%s) in %s, %d at a time\n", cmd, plan.num_runs,
                    plan.num_runs == 1 ? "" : "s", plan.num_groups, plan.num_groups == 1 ? "" : "s",
                    plan.out, opt.jobs);
        struct sigaction sa = {.sa_handler = on_signal};
        sigemptyset(&sa.sa_mask);
        sigaction(SIGINT, &sa, NULL);
        sigaction(SIGTERM, &sa, NULL);
        /* the handler stays: a stop request after the last run lets the tables be written */
        status = arc_sweep_execute(&plan, &opt, &counts, &err);
        if (status) fprintf(stderr, "%s: %s\n", cmd, err.msg);
        if (arc_dist_agree(status, &err)) { /* also: every rank has finished its runs */
            arc_sweep_plan_free(&plan);
            return 2;
        }
    }
    uint64_t skipped_by[1024];
    ARC_CHECK(ranks <= 1024, "%d ranks", ranks);
    arc_dist_allgather_u64((uint64_t)counts.skipped, skipped_by);
    int skipped = 0;
    for (int r = 0; r < ranks; r++) skipped += (int)skipped_by[r];
    if (rank != 0) { /* rank 0 writes the tables and tells the others how it went */
        int64_t exit_status = 0;
        arc_dist_broadcast(&exit_status, sizeof exit_status, 0);
        arc_sweep_plan_free(&plan);
        return (int)exit_status;
    }
    char note[512];
    status = arc_sweep_report(&plan, &counts, note, sizeof note, &err);
    if (note[0]) fprintf(stderr, "%s: note: %s\n", cmd, note);
    if (status) {
        fprintf(stderr, "%s: %s\n", cmd, err.msg);
        int64_t exit_status = 1;
        arc_dist_broadcast(&exit_status, sizeof exit_status, 0);
        arc_sweep_plan_free(&plan);
        return 1;
    }
    printf("sweep %s: %d of %d runs done (%d finished earlier), %d failed, %d unfinished, %d pending\n",
           path, counts.done, plan.num_runs, skipped, counts.failed, counts.unfinished, counts.pending);
    printf("results:  %s/results.md, results.csv, curves.png (one directory per run)\n", plan.out);
    if (counts.failed) printf("failed runs keep their error in DIR/error.txt; `arcade sweep %s` retries them\n", path);
    else if ((counts.unfinished || counts.pending) && ranks > 1)
        printf("continue: mpirun -np %d bin/arcade-mpi sweep %s\n", ranks, path);
    else if (counts.unfinished || counts.pending) printf("continue: bin/arcade sweep %s\n", path);
    bool all_done = counts.done == plan.num_runs;
    int64_t exit_status = all_done ? 0 : 1;
    arc_dist_broadcast(&exit_status, sizeof exit_status, 0);
    arc_sweep_plan_free(&plan);
    return (int)exit_status;
}
