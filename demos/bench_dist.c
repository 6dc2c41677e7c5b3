/* bench_dist.c — `arcade bench dist`: the cost of one synchronous update across MPI ranks.
 *
 * Run it under the launcher, e.g. `mpirun -np 2 bin/arcade-mpi bench dist`. For the A3C
 * network (Breakout's 4 channels) at k = 1, 2, 4, ... --max-k it measures, per update:
 *   - compute: one actor's share of an update (--envs envs, --rollout steps): T acting
 *     forwards of N observations, the bootstrap forward, and the forward+backward of the
 *     T*N rollout (random 0/1 observations; env stepping, tens of millions of steps/s,
 *     is left out);
 *   - allreduce and parameter server: the whole update of learner/dist_learner.c
 *     (arc_dist_learner_apply_sum: gradient copies, the exchange, the optimizer step, and
 *     for the server the parameters sent back), and of that the time in communication.
 * Times are the slowest rank's mean over repetitions (about --seconds per cell, at least
 * 3). The compute-to-communication ratio is compute / communication of each mode. With
 * --train-seconds S it then trains `--sync` A3C on Breakout (defaults, --threads actors
 * of --envs envs per rank) for S seconds and reports frames/s of all ranks together.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../agent/train.h"
#include "../common/args.h"
#include "../common/clock.h"
#include "../common/dist.h"
#include "../common/rng.h"
#include "../learner/dist_learner.h"
#include "commands.h"

#define BENCH_CHANNELS 4

/* The slowest rank's value. */
static double slowest(double seconds)
{
    uint64_t all[1024], mine = (uint64_t)(seconds * 1e9);
    int size = arc_dist_size();
    ARC_CHECK(size <= 1024, "%d ranks", size);
    arc_dist_allgather_u64(mine, all);
    uint64_t worst = 0;
    for (int r = 0; r < size; r++) worst = all[r] > worst ? all[r] : worst;
    return (double)worst * 1e-9;
}

/* Repetitions for about `seconds`, from one timed run of `first` seconds (rank 0 decides). */
static int64_t reps_for(double first, double seconds)
{
    int64_t reps = first > 0 ? (int64_t)(seconds / first) : 1000;
    reps = reps < 3 ? 3 : reps > 1000 ? 1000 : reps;
    arc_dist_broadcast(&reps, sizeof reps, 0);
    return reps;
}

typedef struct Row {
    float k;
    size_t params;
    double compute, update[2], comm[2]; /* seconds per update; [mode] */
} Row;

/* One actor's rollout computation on worker (T*N rows). */
static void rollout_compute(ArcNet *worker, float *out, const uint8_t *obs, const int32_t *actions,
                            const float *adv, const float *ret, int N, int T, size_t obs_size)
{
    for (int t = 0; t <= T; t++) arc_net_forward_host(worker, out, obs + (size_t)t * N * obs_size, N);
    ArcA3CStats stats;
    arc_net_zero_grad(worker);
    arc_net_forward(worker, obs, T * N);
    arc_net_a3c_backward(worker, &stats, actions, adv, ret, T * N, 0.5f, 0.01f);
}

static int bench_k(Row *row, float k, int N, int T, double seconds, ArcErr *err)
{
    ArcNetConfig cfg;
    arc_net_config_minatar(&cfg, BENCH_CHANNELS, ARC_HEAD_A3C, k);
    ArcOptimConfig optim = arc_optim_rmsprop(1e-4f, false);
    ArcLearner learner;
    int status = arc_learner_init(&learner, &cfg, arc_backend_cpu(), &optim, ARC_UPDATE_HOGWILD, 40.0f,
                                  1, 1, err);
    if (status) return status;
    ArcNet *worker = arc_net_init(&cfg, arc_backend_cpu(), N * T, 2, err);
    if (!worker) {
        arc_learner_free(&learner);
        return ARC_ERR_ARG;
    }
    const size_t obs_size = (size_t)BENCH_CHANNELS * 10 * 10, rows = (size_t)N * T;
    uint8_t *obs = arc_xmalloc((rows + N) * obs_size);
    int32_t *actions = arc_xmalloc(rows * sizeof *actions);
    float *adv = arc_xmalloc(rows * sizeof(float)), *ret = arc_xmalloc(rows * sizeof(float));
    float *out = arc_xmalloc((size_t)N * (ARC_NUM_ACTIONS + 1) * sizeof(float));
    ArcRng rng;
    arc_rng_seed(&rng, 7 + (uint64_t)arc_dist_rank());
    for (size_t i = 0; i < (rows + N) * obs_size; i++) obs[i] = arc_rng_uniform(&rng) < 0.1;
    for (size_t i = 0; i < rows; i++) {
        actions[i] = arc_rng_int(&rng, 0, ARC_NUM_ACTIONS);
        adv[i] = (float)arc_rng_uniform(&rng) - 0.5f;
        ret[i] = (float)arc_rng_uniform(&rng);
    }
    row->k = k;
    row->params = learner.master->num_params;

    double t0 = arc_seconds();
    rollout_compute(worker, out, obs, actions, adv, ret, N, T, obs_size);
    int64_t reps = reps_for(arc_seconds() - t0, seconds);
    arc_dist_barrier();
    t0 = arc_seconds();
    for (int64_t r = 0; r < reps; r++) rollout_compute(worker, out, obs, actions, adv, ret, N, T, obs_size);
    row->compute = slowest((arc_seconds() - t0) / (double)reps);

    ArcNet *workers[1] = {worker};
    for (int mode = ARC_DIST_ALLREDUCE; mode <= ARC_DIST_PS; mode++) {
        ArcDistLearner dist;
        arc_dist_learner_init(&dist, &learner, (ArcDistMode)mode, 0);
        bool stop = false;
        arc_dist_barrier();
        t0 = arc_seconds();
        arc_dist_learner_apply_sum(&dist, workers, 1, 1e-6f, &stop); /* warm-up */
        reps = reps_for(arc_seconds() - t0, seconds);
        dist.comm_seconds = 0;
        arc_dist_barrier();
        t0 = arc_seconds();
        for (int64_t r = 0; r < reps; r++) arc_dist_learner_apply_sum(&dist, workers, 1, 1e-6f, &stop);
        row->update[mode] = slowest((arc_seconds() - t0) / (double)reps);
        row->comm[mode] = slowest(dist.comm_seconds / (double)reps);
        arc_dist_learner_free(&dist);
    }
    free(obs), free(actions), free(adv), free(ret), free(out);
    arc_net_free(worker);
    arc_learner_free(&learner);
    return ARC_OK;
}

/* Frames/s of `train --sync` on every rank together for `seconds`. */
static int bench_train_sync(const char *cmd, int64_t threads, int64_t envs, double seconds)
{
    char dir[64] = {0};
    if (arc_dist_rank() == 0) {
        strcpy(dir, "/tmp/arcade-bench-dist-XXXXXX");
        if (!mkdtemp(dir)) dir[0] = '\0';
    }
    arc_dist_broadcast(dir, sizeof dir, 0);
    if (!dir[0]) {
        if (arc_dist_rank() == 0) fprintf(stderr, "%s: cannot create a temporary run directory\n", cmd);
        return 1;
    }
    ArcTrainConfig cfg;
    arc_train_config_defaults(&cfg);
    ArcErr err;
    ARC_CHECK(arc_train_config_finish(&cfg, &err) == ARC_OK, "%s", err.msg);
    snprintf(cfg.out, sizeof cfg.out, "%s", dir);
    cfg.sync = true;
    cfg.threads = threads;
    cfg.envs_per_thread = envs;
    cfg.frames = (int64_t)1e15;
    cfg.checkpoint_every = 0;
    ArcTrainOptions opt = {.quiet = true, .max_seconds = seconds};
    ArcTrainResult res;
    int status = arc_train(&cfg, &opt, &res, &err);
    if (arc_dist_rank() == 0) {
        char rm[96];
        snprintf(rm, sizeof rm, "rm -rf %s", dir);
        if (system(rm) != 0) fprintf(stderr, "%s: could not remove %s\n", cmd, dir);
    }
    if (status) {
        fprintf(stderr, "%s: rank %d: %s\n", cmd, arc_dist_rank(), err.msg);
        return 1;
    }
    if (arc_dist_rank() == 0)
        printf("train --sync: %d rank(s) x %lld actor(s) x %lld envs, %.1f s: %.0f frames/s (all ranks), "
               "%.1f updates/s\n", arc_dist_size(), (long long)threads, (long long)envs,
               res.wall_seconds, res.frames_per_second, res.updates / res.wall_seconds);
    return 0;
}

int arc_bench_dist(int argc, char **argv)
{
    const char *cmd = argv[0];
    double max_k = 16, seconds = 1, train_seconds = 0;
    int64_t envs = 32, rollout = 5, threads = 1;
    ArcFlag flags[] = {
        {"max-k", ARC_FLAG_DOUBLE, &max_k, 1, 16, "largest width multiplier; k = 1, 2, 4, ... (16)", false},
        {"envs", ARC_FLAG_INT, &envs, 1, 4096, "envs per actor N (32)", false},
        {"rollout", ARC_FLAG_INT, &rollout, 1, 1000, "rollout length T (5)", false},
        {"seconds", ARC_FLAG_DOUBLE, &seconds, 0, 3600, "time per measurement (1)", false},
        {"train-seconds", ARC_FLAG_DOUBLE, &train_seconds, 0, 3600,
         "then train --sync for this long and report frames/s (0: skip)", false},
        {"threads", ARC_FLAG_INT, &threads, 1, 256, "actors per rank when training (1)", false},
    };
    int parsed = arc_args_parse(argc, argv, flags, 6,
                                "mpirun -np K arcade bench dist [--max-k 16] [--seconds S] [--train-seconds S]");
    if (parsed) return parsed == ARC_ARGS_HELP ? 0 : 2;
    const bool speak = arc_dist_rank() == 0;
    if (speak) {
        printf("synchronous update across %d MPI rank(s)%s; A3C network, %d channels, one actor of "
               "%lld envs x %lld steps per rank\n", arc_dist_size(),
               arc_dist_compiled() ? "" : " (built without MPI: a world of one)", BENCH_CHANNELS,
               (long long)envs, (long long)rollout);
        printf("%5s %10s %9s | %10s %10s %7s | %10s %10s %7s\n", "k", "params", "compute",
               "allreduce", "comm", "ratio", "ps", "comm", "ratio");
        printf("%5s %10s %9s | %10s %10s %7s | %10s %10s %7s\n", "", "", "ms/upd", "ms/upd", "ms/upd",
               "c/comm", "ms/upd", "ms/upd", "c/comm");
    }
    for (float k = 1; k <= (float)max_k; k *= 2) {
        Row row;
        ArcErr err;
        if (bench_k(&row, k, (int)envs, (int)rollout, seconds, &err)) {
            fprintf(stderr, "%s: %s\n", cmd, err.msg);
            return 1;
        }
        if (!speak) continue;
        double ms = 1e3;
        char ratio[2][16];
        for (int m = 0; m < 2; m++) /* a world of one communicates nothing */
            if (row.comm[m] < 1e-6) snprintf(ratio[m], sizeof ratio[m], "-");
            else snprintf(ratio[m], sizeof ratio[m], "%.1f", row.compute / row.comm[m]);
        printf("%5g %10zu %9.2f | %10.3f %10.3f %7s | %10.3f %10.3f %7s\n", row.k, row.params,
               row.compute * ms, row.update[0] * ms, row.comm[0] * ms, ratio[0], row.update[1] * ms,
               row.comm[1] * ms, ratio[1]);
        fflush(stdout);
    }
    if (train_seconds > 0) return bench_train_sync(cmd, threads, envs, train_seconds);
    return 0;
}
