/* test_cli.c — bin/arcade's commands: conformance through the CLI and clear errors for
 * bad input. The Makefile builds bin/arcade before running the tests. */
#include <criterion/criterion.h>
#include <stdlib.h>

#include "run_cli.h"

static char out[1 << 16], err[4096];

Test(cli, trace_reproduces_the_breakout_file_byte_for_byte)
{
    const char *shared = getenv("ARC_SHARED_DIR");
    char cmd[1024];
    snprintf(cmd, sizeof cmd,
             "bin/arcade trace --game breakout --input %s/conformance/minatar/breakout.csv "
             "| cmp - %s/conformance/minatar/breakout.csv",
             shared ? shared : "../shared", shared ? shared : "../shared");
    cr_assert_eq(run_cli(cmd, NULL, 0, err, sizeof err), 0, "%s", err);
}

Test(cli, unknown_game_lists_the_valid_names)
{
    cr_assert_eq(run_cli("bin/arcade trace --game pong --input x.csv", NULL, 0, err, sizeof err), 2);
    cr_assert(strstr(err, "unknown game 'pong'"), "%s", err);
    cr_assert(strstr(err, "asterix, breakout, freeway, seaquest, space_invaders"), "%s", err);
    cr_assert_eq(run_cli("bin/arcade bench env --game pong --seconds 0.01", NULL, 0, err, sizeof err), 2);
    cr_assert(strstr(err, "unknown game 'pong'"), "%s", err);
}

Test(cli, bad_flags_name_the_flag)
{
    cr_assert_eq(run_cli("bin/arcade trace --gmae breakout", NULL, 0, err, sizeof err), 2);
    cr_assert(strstr(err, "unknown flag '--gmae'"), "%s", err);
    cr_assert_eq(run_cli("bin/arcade bench env --envs lots", NULL, 0, err, sizeof err), 2);
    cr_assert(strstr(err, "--envs expects an integer, got 'lots'"), "%s", err);
    cr_assert_eq(run_cli("bin/arcade bench env --seconds -1", NULL, 0, err, sizeof err), 2);
    cr_assert(strstr(err, "--seconds must be in"), "%s", err);
    cr_assert_eq(run_cli("bin/arcade trace --game breakout --input", NULL, 0, err, sizeof err), 2);
    cr_assert(strstr(err, "--input needs a value"), "%s", err);
    cr_assert_eq(run_cli("bin/arcade frobnicate", NULL, 0, err, sizeof err), 2);
    cr_assert(strstr(err, "unknown command 'frobnicate'"), "%s", err);
}

Test(cli, unreadable_trace_is_one_line_naming_the_file)
{
    cr_assert_eq(run_cli("bin/arcade trace --game breakout --input /nonexistent.csv", NULL, 0, err,
                         sizeof err), 1);
    cr_assert(strstr(err, "/nonexistent.csv: cannot open"), "%s", err);
    cr_assert_eq(strchr(err, '\n'), err + strlen(err) - 1, "more than one line: %s", err);
}

Test(cli, bench_env_json_has_the_documented_keys)
{
    cr_assert_eq(run_cli("bin/arcade bench env --game breakout --seconds 0.02 --json", out,
                         sizeof out, err, sizeof err), 0, "%s", err);
    cr_assert(strstr(out, "{\"seconds\": "), "%s", out);
    cr_assert(strstr(out, "\"games\": {\"breakout\": {\"steps_per_second\": "), "%s", out);
    cr_assert(strstr(out, "\"ns_per_step\": "), "%s", out);
}
