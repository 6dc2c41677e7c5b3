/* test_conformance.c — every public MinAtar trace replays bit for bit.
 *
 * Traces come from $ARC_SHARED_DIR/conformance/minatar (the Makefile exports it as
 * ../shared). On a mismatch the message names the row (seed, step), the field and, for
 * observations, the channel and cell. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "../env/trace.h"

static void check_game(const char *name)
{
    const char *shared = getenv("ARC_SHARED_DIR");
    char path[1024];
    snprintf(path, sizeof path, "%s/conformance/minatar/%s.csv", shared ? shared : "../shared",
             name);
    const ArcGame *game = arc_game_find(name);
    cr_assert_not_null(game);

    ArcTrace trace;
    ArcErr err;
    cr_assert_eq(arc_trace_read(path, &trace, &err), ARC_OK, "%s", err.msg);
    char *ours = NULL;
    size_t size = 0;
    FILE *mem = open_memstream(&ours, &size);
    cr_assert_eq(arc_trace_replay(game, &trace, mem, &err), ARC_OK, "%s", err.msg);
    fclose(mem);

    FILE *expected = fopen(path, "r");
    FILE *actual = fmemopen(ours, size, "r");
    char *a = NULL, *b = NULL;
    size_t a_cap = 0, b_cap = 0;
    int rows = 0;
    for (int line = 1;; line++) {
        ssize_t na = getline(&a, &a_cap, expected), nb = getline(&b, &b_cap, actual);
        if (na < 0 && nb < 0) break;
        cr_assert(na >= 0 && nb >= 0, "%s: line %d: one side ended early", name, line);
        char desc[256];
        if (line > 1 && arc_trace_diff_row(game->channels, a, b, desc, sizeof desc)) {
            const ArcTraceRow *row = &trace.rows[line - 2];
            cr_assert_fail("%s: first divergence at line %d (seed %lld, step %lld): %s", name, line,
                    (long long)row->seed, (long long)row->step, desc);
        }
        cr_assert(line > 1 || strcmp(a, b) == 0, "%s: header differs", name);
        rows++;
    }
    cr_assert_eq(rows - 1, trace.num_rows);
    free(a);
    free(b);
    fclose(actual);
    fclose(expected);
    free(ours);
    arc_trace_free(&trace);
}

Test(conformance, asterix) { check_game("asterix"); }
Test(conformance, breakout) { check_game("breakout"); }
Test(conformance, freeway) { check_game("freeway"); }
Test(conformance, seaquest) { check_game("seaquest"); }
Test(conformance, space_invaders) { check_game("space_invaders"); }
