/* cmd_trace.c — `arcade trace --game G --input FILE.csv [--check]`.
 *
 * Replays the seeds and actions of a conformance trace on our games and prints our own
 * trace to stdout (so `| cmp - FILE.csv` checks conformance). With --check it instead
 * compares against the file's own rows and reports the first divergence. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../common/args.h"
#include "../env/trace.h"
#include "commands.h"

/* Prints the first row where the file and our replay differ; returns 0 when none. */
static int check_against_file(const ArcGame *game, const char *path, const char *ours)
{
    FILE *expected = fopen(path, "r");
    if (!expected) {
        fprintf(stderr, "arcade trace: %s: cannot reopen\n", path);
        return 1;
    }
    FILE *actual = fmemopen((void *)ours, strlen(ours), "r");
    char *a = NULL, *b = NULL;
    size_t a_cap = 0, b_cap = 0;
    int line = 0, status = 0;
    for (;;) {
        ssize_t na = getline(&a, &a_cap, expected), nb = getline(&b, &b_cap, actual);
        line++;
        if (na < 0 && nb < 0) break;
        char desc[256];
        if (na < 0 || nb < 0 || arc_trace_diff_row(game->channels, a, b, desc, sizeof desc)) {
            if (na < 0 || nb < 0) snprintf(desc, sizeof desc, "one side ended early");
            fprintf(stderr, "arcade trace: %s:%d: first divergence: %s\n", path, line, desc);
            status = 1;
            break;
        }
    }
    if (!status) printf("%s: %d rows match\n", path, line - 2);
    free(a);
    free(b);
    fclose(actual);
    fclose(expected);
    return status;
}

int arc_cmd_trace(int argc, char **argv)
{
    const char *game_name = NULL, *input = NULL;
    bool check = false;
    ArcFlag flags[] = {
        {"game", ARC_FLAG_STRING, &game_name, 1, 0, "game to replay on (required)", false},
        {"input", ARC_FLAG_STRING, &input, 1, 0, "trace CSV to replay (required)", false},
        {"check", ARC_FLAG_BOOL, &check, 1, 0, "compare with the file and report the first "
                                               "divergence instead of printing", false},
    };
    int parsed = arc_args_parse(argc, argv, flags, 3, "arcade trace --game G --input FILE.csv [--check]");
    if (parsed) return parsed == ARC_ARGS_HELP ? 0 : 2;
    if (!game_name || !input) {
        fprintf(stderr, "arcade trace: --game and --input are required\n");
        return 2;
    }
    const ArcGame *game = arc_cli_game(argv[0], game_name);
    if (!game) return 2;
    ArcTrace trace;
    ArcErr err;
    if (arc_trace_read(input, &trace, &err)) {
        fprintf(stderr, "arcade trace: %s\n", err.msg);
        return 1;
    }
    int status = 0;
    if (!check) {
        if (arc_trace_replay(game, &trace, stdout, &err)) {
            fprintf(stderr, "arcade trace: %s\n", err.msg);
            status = 1;
        }
    } else {
        char *ours = NULL;
        size_t size = 0;
        FILE *mem = open_memstream(&ours, &size);
        status = arc_trace_replay(game, &trace, mem, &err) ? 1 : 0;
        fclose(mem);
        if (status) fprintf(stderr, "arcade trace: %s\n", err.msg);
        else status = check_against_file(game, input, ours);
        free(ours);
    }
    arc_trace_free(&trace);
    return status;
}
