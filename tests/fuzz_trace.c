/* fuzz_trace.c — libFuzzer target for the conformance-trace reader (`make fuzz`).
 *
 * Each input is a trace CSV, handed to arc_trace_read through a memory file
 * (/proc/self/fd/N of a memfd: the reader takes a path). A rejected input must come back
 * with an empty trace and a one-line message starting with the path; an accepted one
 * must hold only rows the format allows (episodes start at step 0 with action -1, steps
 * count up by one within a seed, actions 0..5, seeds 0..2^32-1, increasing line numbers)
 * and must replay on a game chosen by the input's length. The input is also split at its
 * first newline into two CSV rows for arc_trace_diff_row. A violated property aborts,
 * which libFuzzer reports as a crash.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "../env/game.h"
#include "../env/trace.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_rows(const ArcTrace *t)
{
    ARC_CHECK(t->num_rows > 0 && t->rows != NULL, "accepted a trace without rows");
    for (int i = 0; i < t->num_rows; i++) {
        const ArcTraceRow *r = &t->rows[i], *prev = i ? &t->rows[i - 1] : NULL;
        ARC_CHECK(r->seed >= 0 && r->seed <= UINT32_MAX, "row %d: seed %lld", i, (long long)r->seed);
        ARC_CHECK(!prev || r->line > prev->line, "row %d: line numbers go back", i);
        if (r->step == 0) {
            ARC_CHECK(r->action == -1, "row %d: step 0 with action %d", i, r->action);
            continue;
        }
        ARC_CHECK(prev && prev->seed == r->seed && r->step == prev->step + 1,
                  "row %d: step %lld out of order", i, (long long)r->step);
        ARC_CHECK(r->action >= 0 && r->action < ARC_NUM_ACTIONS, "row %d: action %d", i, r->action);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static int fd = -1;
    static char path[64];
    static FILE *sink;
    if (fd < 0) {
        fd = memfd_create("fuzz_trace", 0);
        ARC_CHECK(fd >= 0, "memfd_create");
        snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
        sink = fopen("/dev/null", "w");
        ARC_CHECK(sink != NULL, "/dev/null");
    }
    ARC_CHECK(ftruncate(fd, 0) == 0 && (size == 0 || pwrite(fd, data, size, 0) == (ssize_t)size),
              "cannot write the memory file");

    ArcTrace trace;
    ArcErr err;
    memset(err.msg, 0, sizeof err.msg);
    if (arc_trace_read(path, &trace, &err) != ARC_OK) {
        ARC_CHECK(trace.rows == NULL && trace.num_rows == 0, "a failed read left rows");
        ARC_CHECK(strncmp(err.msg, path, strlen(path)) == 0 && strchr(err.msg, '\n') == NULL,
                  "bad message '%s'", err.msg);
    } else {
        check_rows(&trace);
        static const char *const games[] = {"asterix", "breakout", "freeway", "seaquest",
                                            "space_invaders"};
        const ArcGame *game = arc_game_find(games[size % 5]);
        ARC_CHECK(game != NULL, "game");
        ARC_CHECK(arc_trace_replay(game, &trace, sink, &err) == ARC_OK, "replay: %s", err.msg);
        arc_trace_free(&trace);
    }

    /* two rows for the comparison, NUL-terminated copies */
    char *text = malloc(size + 1);
    ARC_CHECK(text != NULL, "malloc");
    memcpy(text, data, size);
    text[size] = '\0';
    char *second = strchr(text, '\n');
    if (second) *second++ = '\0';
    char desc[256];
    int channels = 1 + (int)(size % 10);
    int diff = arc_trace_diff_row(channels, text, second ? second : text, desc, sizeof desc);
    ARC_CHECK(diff == 0 || diff == 1, "diff returned %d", diff);
    ARC_CHECK(second || diff == 0, "a row differs from itself: %s", desc);
    free(text);
    return 0;
}
