/* bench_train.c — `arcade bench train`: training throughput against the arithmetic ceiling.
 *
 * Runs the default A3C configuration (or the given flags) for --seconds into a temporary
 * directory and reports frames/s. The ceiling: every frame costs one batched forward when
 * acting, a 1/T share of the bootstrap forward, and one forward+backward in training;
 * FLOPs per frame x frames/s divided by the OpenBLAS sgemm rate measured in the same run
 * (one thread, times the threads that can run at once) is the fraction of the machine's
 * matrix-multiply peak the run achieves. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../agent/a3c.h"
#include "../common/args.h"
#include "../kernels/net.h"
#include "commands.h"

int arc_bench_train(int argc, char **argv)
{
    const char *cmd = argv[0], *algo = "a3c", *game_name = "breakout";
    int64_t threads = 2, envs = 16, rollout = 5;
    double seconds = 10, k = 1;
    bool json = false;
    ArcFlag flags[] = {
        {"algo", ARC_FLAG_STRING, &algo, 1, 0, "a3c (the only one so far)", false},
        {"game", ARC_FLAG_STRING, &game_name, 1, 0, "game (breakout)", false},
        {"threads", ARC_FLAG_INT, &threads, 1, 256, "actor threads (2)", false},
        {"envs-per-thread", ARC_FLAG_INT, &envs, 1, 4096, "envs per actor (16)", false},
        {"rollout", ARC_FLAG_INT, &rollout, 1, 1000, "rollout length (5)", false},
        {"k", ARC_FLAG_DOUBLE, &k, 0.125, 16, "network width multiplier (1)", false},
        {"seconds", ARC_FLAG_DOUBLE, &seconds, 0.5, 3600, "training time measured (10)", false},
        {"json", ARC_FLAG_BOOL, &json, 1, 0, "print one JSON object", false},
    };
    int parsed = arc_args_parse(argc, argv, flags, 8,
                                "arcade bench train [--algo a3c] [--threads T] [--seconds S] [--json]");
    if (parsed) return parsed == ARC_ARGS_HELP ? 0 : 2;
    if (strcmp(algo, "a3c") != 0) {
        fprintf(stderr, "%s: --algo %s is not available yet (only a3c is)\n", cmd, algo);
        return 2;
    }
    const ArcGame *game = arc_game_find(game_name);
    if (!game) {
        fprintf(stderr, "%s: unknown game '%s' for --game (expected one of: %s)\n", cmd, game_name,
                arc_game_names());
        return 2;
    }
    double sgemm = arc_backend_cpu_sgemm_gflops(512, 0.5);
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    int parallel = (int)(threads < cores ? threads : cores);

    char dir[] = "/tmp/arcade-bench-train-XXXXXX";
    if (!mkdtemp(dir)) {
        fprintf(stderr, "%s: cannot create a temporary run directory\n", cmd);
        return 1;
    }
    ArcTrainConfig cfg;
    arc_train_config_defaults(&cfg);
    snprintf(cfg.game, sizeof cfg.game, "%s", game->name);
    snprintf(cfg.out, sizeof cfg.out, "%s", dir);
    cfg.frames = (int64_t)1e15;
    cfg.threads = threads;
    cfg.envs_per_thread = envs;
    cfg.rollout = rollout;
    cfg.k = k;
    cfg.checkpoint_every = 0;
    ArcTrainOptions opt = {.quiet = true, .max_seconds = seconds};
    ArcTrainResult res;
    ArcErr err;
    int status = arc_a3c_train(&cfg, &opt, &res, &err);
    char rm[64];
    snprintf(rm, sizeof rm, "rm -rf %s", dir);
    if (system(rm) != 0) fprintf(stderr, "%s: could not remove %s\n", cmd, dir);
    if (status) {
        fprintf(stderr, "%s: %s\n", cmd, err.msg);
        return 1;
    }

    ArcNetConfig net_cfg;
    ArcNetPlan plan;
    arc_net_config_minatar(&net_cfg, game->channels, ARC_HEAD_A3C, (float)k);
    arc_net_plan(&plan, &net_cfg, NULL);
    double act = plan.flops_forward, bootstrap = plan.flops_forward / (double)rollout;
    double train = plan.flops_forward + plan.flops_backward;
    double per_frame = act + bootstrap + train;
    double achieved = per_frame * res.frames_per_second / 1e9, ceiling = sgemm * parallel;
    if (json) {
        printf("{\"algo\": \"a3c\", \"game\": \"%s\", \"k\": %g, \"threads\": %lld, "
               "\"envs_per_thread\": %lld, \"rollout\": %lld, \"seconds\": %.2f, "
               "\"frames_per_second\": %.0f, \"flops_per_frame\": %.0f, \"achieved_gflops\": %.2f, "
               "\"sgemm_gflops\": %.2f, \"ceiling_gflops\": %.2f, \"ceiling_fraction\": %.4f}\n",
               game->name, k, (long long)threads, (long long)envs, (long long)rollout,
               res.wall_seconds, res.frames_per_second, per_frame, achieved, sgemm, ceiling,
               achieved / ceiling);
        return 0;
    }
    printf("A3C training throughput: %s, k=%g, %lld threads x %lld envs, rollout %lld, %.1f s\n",
           game->name, k, (long long)threads, (long long)envs, (long long)rollout, res.wall_seconds);
    printf("  frames/s          %.0f\n", res.frames_per_second);
    printf("  FLOPs per frame   %.3f M (act forward %.3f, bootstrap %.3f, train fwd+bwd %.3f)\n",
           per_frame / 1e6, act / 1e6, bootstrap / 1e6, train / 1e6);
    printf("  achieved          %.1f GFLOP/s\n", achieved);
    printf("  ceiling           %d x %.1f GFLOP/s (OpenBLAS sgemm, one thread per core)\n", parallel, sgemm);
    printf("  ceiling fraction  %.1f%%\n", 100 * achieved / ceiling);
    return 0;
}
