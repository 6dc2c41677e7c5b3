/* cmd_model.c — placeholder until the 'model' command lands: reports that and fails. */
#include <stdio.h>

#include "commands.h"

int arc_cmd_model(int argc, char **argv)
{
    (void)argc;
    fprintf(stderr, "arcade %s: not built yet\n", argv[0]);
    return 1;
}
