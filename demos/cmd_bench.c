/* cmd_bench.c — `arcade bench <what>`: dispatches to the benchmarks. */
#include <stdio.h>
#include <string.h>

#include "commands.h"

int arc_cmd_bench(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "arcade bench: expected what to measure: env | kernels\n");
        return 2;
    }
    if (strcmp(argv[1], "env") == 0) return arc_bench_env(argc - 1, argv + 1);
    if (strcmp(argv[1], "kernels") == 0) return arc_bench_kernels(argc - 1, argv + 1);
    fprintf(stderr, "arcade bench: unknown benchmark '%s' (expected env or kernels)\n", argv[1]);
    return 2;
}
