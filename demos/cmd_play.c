/* cmd_play.c — placeholder until the 'play' command lands: reports that and fails. */
#include <stdio.h>

#include "commands.h"

int arc_cmd_play(int argc, char **argv)
{
    (void)argc;
    fprintf(stderr, "arcade %s: not built yet\n", argv[0]);
    return 1;
}
