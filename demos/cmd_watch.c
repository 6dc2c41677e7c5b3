/* cmd_watch.c — placeholder until the 'watch' command lands: reports that and fails. */
#include <stdio.h>

#include "commands.h"

int arc_cmd_watch(int argc, char **argv)
{
    (void)argc;
    fprintf(stderr, "arcade %s: not built yet\n", argv[0]);
    return 1;
}
