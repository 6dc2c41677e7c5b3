/* bench_kernels.c — placeholder until the 'bench_kernels' command lands: reports that and fails. */
#include <stdio.h>

#include "commands.h"

int arc_bench_kernels(int argc, char **argv)
{
    (void)argc;
    fprintf(stderr, "arcade %s: not built yet\n", argv[0]);
    return 1;
}
