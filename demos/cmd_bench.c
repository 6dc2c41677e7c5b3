/* cmd_bench.c — `arcade bench <what>`: dispatches to the benchmarks. */
#include <stdio.h>
#include <string.h>

#include "commands.h"

int arc_cmd_bench(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "arcade bench: expected what to measure: env | kernels | train | dist\n");
        return 2;
    }
    int (*run)(int, char **) = strcmp(argv[1], "env") == 0       ? arc_bench_env
                               : strcmp(argv[1], "kernels") == 0 ? arc_bench_kernels
                               : strcmp(argv[1], "train") == 0   ? arc_bench_train
                               : strcmp(argv[1], "dist") == 0    ? arc_bench_dist
                                                                 : NULL;
    if (run) {
        char name[64]; /* "arcade bench env", used in messages */
        snprintf(name, sizeof name, "arcade bench %s", argv[1]);
        argv[1] = name;
        return run(argc - 1, argv + 1);
    }
    fprintf(stderr, "arcade bench: unknown benchmark '%s' (expected env, kernels, train or dist)\n", argv[1]);
    return 2;
}
