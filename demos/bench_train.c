/* bench_train.c — `arcade bench train`: training throughput against the arithmetic ceiling.
 *
 * Runs the default configuration of --algo (or the given flags) for --seconds into a
 * temporary directory. FLOPs: an A3C frame costs one batched forward when acting, a 1/T
 * share of the bootstrap forward, and one forward+backward in training; a DQN update
 * costs a forward+backward of the online network and a target forward (plus an online
 * forward for double DQN) on the batch, and each frame one acting forward. FLOPs/s
 * divided by the OpenBLAS sgemm rate measured in the same run (one thread, times the
 * threads that can run at once) is the fraction of the matrix-multiply peak achieved.
 * --learner batched runs A3C's batched learner (one more thread: the learner), and
 * --device gpu puts it (or DQN's) on the GPU when one is usable; the ceiling stays the
 * CPU's sgemm, so a GPU run can exceed 100% of it. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../agent/train.h"
#include "../common/args.h"
#include "../kernels/net.h"
#include "commands.h"

int arc_bench_train(int argc, char **argv)
{
    const char *cmd = argv[0], *algo = "a3c", *game_name = "breakout", *learner = "async",
               *device = "cpu";
    int64_t threads = 0, envs = 0, rollout = 5;
    double seconds = 10, k = 1;
    bool json = false;
    ArcFlag flags[] = {
        {"algo", ARC_FLAG_STRING, &algo, 1, 0, "a3c (default) or dqn", false},
        {"game", ARC_FLAG_STRING, &game_name, 1, 0, "game (breakout)", false},
        {"threads", ARC_FLAG_INT, &threads, 1, 256, "actor threads (a3c 2, dqn 1)", false},
        {"envs-per-thread", ARC_FLAG_INT, &envs, 1, 4096, "envs per actor (a3c 16, dqn 1)", false},
        {"rollout", ARC_FLAG_INT, &rollout, 1, 1000, "a3c rollout length (5)", false},
        {"k", ARC_FLAG_DOUBLE, &k, 0.125, 16, "network width multiplier (1)", false},
        {"seconds", ARC_FLAG_DOUBLE, &seconds, 0.5, 3600, "training time measured (10)", false},
        {"learner", ARC_FLAG_STRING, &learner, 1, 0, "a3c learner: async (default) or batched", false},
        {"device", ARC_FLAG_STRING, &device, 1, 0, "learner device: cpu (default) or gpu", false},
        {"json", ARC_FLAG_BOOL, &json, 1, 0, "print one JSON object", false},
    };
    int parsed = arc_args_parse(argc, argv, flags, (int)(sizeof flags / sizeof flags[0]),
                                "arcade bench train [--algo a3c] [--learner async|batched] "
                                "[--device cpu|gpu] [--threads T] [--seconds S] [--json]");
    if (parsed) return parsed == ARC_ARGS_HELP ? 0 : 2;
    bool dqn = strcmp(algo, "dqn") == 0;
    if (!dqn && strcmp(algo, "a3c") != 0) {
        fprintf(stderr, "%s: --algo %s is unknown (expected a3c or dqn)\n", cmd, algo);
        return 2;
    }
    if (strcmp(learner, "async") != 0 && strcmp(learner, "batched") != 0) {
        fprintf(stderr, "%s: --learner %s is unknown (expected async or batched)\n", cmd, learner);
        return 2;
    }
    if (strcmp(device, "cpu") != 0 && strcmp(device, "gpu") != 0) {
        fprintf(stderr, "%s: --device %s is unknown (expected cpu or gpu)\n", cmd, device);
        return 2;
    }
    const ArcGame *game = arc_cli_game(cmd, game_name);
    if (!game) return 2;
    double sgemm = arc_backend_cpu_sgemm_gflops(512, 0.5);

    char dir[] = "/tmp/arcade-bench-train-XXXXXX";
    if (!mkdtemp(dir)) {
        fprintf(stderr, "%s: cannot create a temporary run directory\n", cmd);
        return 1;
    }
    ArcTrainConfig cfg;
    arc_train_config_defaults(&cfg);
    snprintf(cfg.algo, sizeof cfg.algo, "%s", algo);
    snprintf(cfg.game, sizeof cfg.game, "%s", game->name);
    snprintf(cfg.learner, sizeof cfg.learner, "%s", learner);
    snprintf(cfg.device, sizeof cfg.device, "%s", device);
    ArcErr err;
    if (arc_train_config_finish(&cfg, &err)) {
        fprintf(stderr, "%s: %s\n", cmd, err.msg);
        return 2;
    }
    bool batched = !dqn && strcmp(cfg.learner, "batched") == 0;
    snprintf(cfg.out, sizeof cfg.out, "%s", dir);
    cfg.frames = (int64_t)1e15;
    if (threads) cfg.threads = threads;
    if (envs) cfg.envs_per_thread = envs;
    cfg.rollout = rollout;
    cfg.k = k;
    cfg.checkpoint_every = 0;
    cfg.learn_start = 1000; /* DQN: measure learning, not the random warm-up */
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    int64_t busy = cfg.threads + (batched ? 1 : 0); /* the batched learner is a thread too */
    int parallel = (int)(busy < cores ? busy : cores);
    const char *backend = "cpu"; /* where the learner's network runs */
    if (strcmp(cfg.device, "gpu") == 0) {
        ArcErr notice;
        backend = arc_backend_name(arc_backend_gpu_or_cpu(0, &notice));
        if (notice.msg[0]) fprintf(stderr, "note: --device gpu: %s\n", notice.msg);
    }
    ArcTrainOptions opt = {.quiet = true, .max_seconds = seconds};
    ArcTrainResult res;
    int status = arc_train(&cfg, &opt, &res, &err);
    char rm[64];
    snprintf(rm, sizeof rm, "rm -rf %s", dir);
    if (system(rm) != 0) fprintf(stderr, "%s: could not remove %s\n", cmd, dir);
    if (status) {
        fprintf(stderr, "%s: %s\n", cmd, err.msg);
        return 1;
    }

    ArcNetConfig net_cfg;
    ArcNetPlan plan;
    arc_net_config_minatar(&net_cfg, game->channels, dqn ? ARC_HEAD_DQN : ARC_HEAD_A3C, (float)k);
    arc_net_plan(&plan, &net_cfg, NULL);
    double fwd = plan.flops_forward, train = plan.flops_forward + plan.flops_backward;
    double ups = res.updates / res.wall_seconds, fps = res.frames_per_second;
    double per_update = dqn ? cfg.batch * (train + fwd * (cfg.double_dqn ? 2 : 1)) : 0;
    double per_frame = dqn ? fwd : fwd + fwd / (double)cfg.rollout + train;
    double achieved = (per_frame * fps + per_update * ups) / 1e9, ceiling = sgemm * parallel;
    if (json) {
        printf("{\"algo\": \"%s\", \"learner\": \"%s\", \"backend\": \"%s\", \"game\": \"%s\", "
               "\"k\": %g, \"threads\": %lld, "
               "\"envs_per_thread\": %lld, \"seconds\": %.2f, \"frames_per_second\": %.0f, "
               "\"updates_per_second\": %.1f, \"achieved_gflops\": %.2f, \"sgemm_gflops\": %.2f, "
               "\"ceiling_gflops\": %.2f, \"ceiling_fraction\": %.4f}\n",
               algo, dqn ? "dqn" : cfg.learner, backend, game->name, k, (long long)cfg.threads,
               (long long)cfg.envs_per_thread, res.wall_seconds, fps, ups, achieved, sgemm, ceiling, achieved / ceiling);
        return 0;
    }
    printf("%s training throughput: %s, k=%g, %lld threads x %lld envs, %s learner on %s, %.1f s\n",
           dqn ? "DQN" : "A3C", game->name, k, (long long)cfg.threads, (long long)cfg.envs_per_thread,
           dqn ? "dqn" : cfg.learner, backend, res.wall_seconds);
    printf("  frames/s          %.0f\n", fps);
    printf("  updates/s         %.1f%s\n", ups, dqn ? " (batch 32, after a 1,000-frame warm-up)" : "");
    if (dqn)
        printf("  FLOPs             %.3f M per update, %.3f M per frame (acting)\n", per_update / 1e6,
               per_frame / 1e6);
    else
        printf("  FLOPs per frame   %.3f M (act forward, bootstrap share, train forward+backward)\n",
               per_frame / 1e6);
    printf("  achieved          %.1f GFLOP/s\n", achieved);
    printf("  ceiling           %d x %.1f GFLOP/s (OpenBLAS sgemm, one thread per core)\n", parallel, sgemm);
    printf("  ceiling fraction  %.1f%%\n", 100 * achieved / ceiling);
    return 0;
}
