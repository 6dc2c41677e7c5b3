/* fuzz_sweep.c — libFuzzer target for the sweep-file parser and planner (`make fuzz`).
 *
 * Each input is planned as a sweep file from memory (arc_sweep_plan_text; relative
 * `config = FILE` includes are looked up in the current directory). A rejected input must
 * come back with a one-line first error that names a file and a line and that leads the
 * list of every error; an accepted one must be a consistent plan: 1 to ARC_SWEEP_MAX_RUNS
 * runs, each with a non-empty directory name under the sweep directory, its group index
 * counting up from 0, and its configuration text; no two runs share a directory. Any
 * violated property aborts, which libFuzzer reports as a crash. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../agent/sweep.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int compare_names(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static void check_plan(const ArcSweepPlan *plan)
{
    ARC_CHECK(plan->num_runs >= 1 && plan->num_runs <= ARC_SWEEP_MAX_RUNS, "%d runs", plan->num_runs);
    ARC_CHECK(plan->num_groups >= 1 && plan->num_groups <= plan->num_runs, "%d groups", plan->num_groups);
    const char **names = malloc((size_t)plan->num_runs * sizeof *names);
    ARC_CHECK(names != NULL, "out of memory");
    size_t out_len = strlen(plan->out);
    for (int r = 0; r < plan->num_runs; r++) {
        const ArcSweepRun *run = &plan->runs[r];
        size_t n = strlen(run->name);
        ARC_CHECK(n > 0 && n < ARC_SWEEP_NAME_MAX && !strchr(run->name, '/'), "bad name '%s'", run->name);
        ARC_CHECK(strncmp(run->cfg.out, plan->out, out_len) == 0 && run->cfg.out[out_len] == '/' &&
                  strcmp(run->cfg.out + out_len + 1, run->name) == 0, "run out '%s'", run->cfg.out);
        ARC_CHECK(run->config_text && strstr(run->config_text, "[train]\n") == run->config_text,
                  "config text");
        int expected = r == 0 ? 0 : plan->runs[r - 1].group_index + (strcmp(run->group, plan->runs[r - 1].group) != 0);
        ARC_CHECK(run->group_index == expected, "group index %d, expected %d", run->group_index, expected);
        names[r] = run->name;
    }
    qsort(names, (size_t)plan->num_runs, sizeof *names, compare_names);
    for (int r = 1; r < plan->num_runs; r++)
        ARC_CHECK(strcmp(names[r - 1], names[r]) != 0, "two runs named '%s'", names[r]);
    free(names);
}

/* Whether msg holds ":N:" (a line number). */
static bool names_a_line(const char *msg)
{
    for (const char *c = strchr(msg, ':'); c; c = strchr(c + 1, ':')) {
        const char *d = c + 1;
        while (*d >= '0' && *d <= '9') d++;
        if (d > c + 1 && *d == ':') return true;
    }
    return false;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    ArcSweepPlan plan;
    ArcErr err;
    int status = arc_sweep_plan_text(&plan, (const char *)data, size, "fuzz.ini", NULL, &err);
    if (status == ARC_OK) check_plan(&plan);
    else {
        ARC_CHECK(err.msg[0] && !strchr(err.msg, '\n'), "first error: '%s'", err.msg);
        ARC_CHECK(names_a_line(err.msg), "no FILE:LINE: in '%s'", err.msg);
        ARC_CHECK(plan.errors && strncmp(plan.errors, err.msg, strlen(err.msg)) == 0,
                  "the list does not start with '%s'", err.msg);
    }
    arc_sweep_plan_free(&plan);
    return 0;
}
