/* test_trace.c — the trace reader rejects malformed files with file:line messages, and
 * the hex encoding follows the documented bit order. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "../env/trace.h"

static char path[64];

static void write_file(const char *text)
{
    strcpy(path, "/tmp/arcade-trace-XXXXXX");
    int fd = mkstemp(path);
    cr_assert_geq(fd, 0);
    cr_assert_eq(write(fd, text, strlen(text)), (ssize_t)strlen(text));
    close(fd);
}

static void expect_error(const char *text, const char *message)
{
    write_file(text);
    ArcTrace trace;
    ArcErr err;
    cr_assert_neq(arc_trace_read(path, &trace, &err), ARC_OK, "accepted: %s", text);
    cr_assert(strstr(err.msg, message), "message '%s' lacks '%s'", err.msg, message);
    cr_assert(strstr(err.msg, path), "message '%s' does not name the file", err.msg);
    cr_assert_null(trace.rows);
    unlink(path);
}

#define HEADER "seed,step,action,reward,terminal,obs\n"

Test(trace, reads_a_valid_file)
{
    write_file(HEADER "1,0,-1,0,0,00\n1,1,3,0,0,00\n1,2,5,0,1,00\n2,0,-1,0,0,00\n2,1,0,0,0,00\n");
    ArcTrace trace;
    ArcErr err;
    cr_assert_eq(arc_trace_read(path, &trace, &err), ARC_OK, "%s", err.msg);
    cr_assert_eq(trace.num_rows, 5);
    cr_assert_eq(trace.rows[2].action, 5);
    cr_assert_eq(trace.rows[3].seed, 2);
    cr_assert_eq(trace.rows[4].line, 6);
    arc_trace_free(&trace);
    unlink(path);
}

Test(trace, only_seed_step_action_are_needed)
{
    write_file("action,seed,step\n-1,4,0\n2,4,1\n");
    ArcTrace trace;
    ArcErr err;
    cr_assert_eq(arc_trace_read(path, &trace, &err), ARC_OK, "%s", err.msg);
    cr_assert_eq(trace.rows[1].action, 2);
    cr_assert_eq(trace.rows[1].seed, 4);
    arc_trace_free(&trace);
    unlink(path);
}

Test(trace, rejects_malformed_files)
{
    expect_error("", "empty file");
    expect_error("seed,step,reward\n1,0,0\n", "missing column 'action'");
    expect_error(HEADER "1,0,-1,0,0,00\n1,x,3,0,0,00\n", ":3: field 'step' is 'x'");
    expect_error(HEADER "1,0,-1,0,0,00\n1,1,7,0,0,00\n", ":3: action 7 is outside 0..5");
    expect_error(HEADER "1,0,-1,0,0,00\n1,2,3,0,0,00\n", ":3: step 2 of seed 1 is out of order");
    expect_error(HEADER "1,1,3,0,0,00\n", ":2: step 1 of seed 1 is out of order");
    expect_error(HEADER "1,0,4,0,0,00\n", ":2: step 0 must have action -1");
    expect_error(HEADER "1,0\n", ":2: missing field 'action'");
    expect_error(HEADER "-5,0,-1,0,0,00\n", "seed -5 is outside");
    expect_error(HEADER, "no rows");
}

Test(trace, unreadable_file_names_the_path)
{
    ArcTrace trace;
    ArcErr err;
    cr_assert_eq(arc_trace_read("/nonexistent/x.csv", &trace, &err), ARC_ERR_IO);
    cr_assert(strstr(err.msg, "/nonexistent/x.csv: cannot open"), "%s", err.msg);
}

Test(trace, hex_bit_order_is_row_col_channel_msb_first)
{
    /* Freeway-like 7 channels: 700 bits, 88 bytes, last one padded. */
    uint8_t obs[7 * 100] = {0};
    obs[0 * 100 + 0] = 1;      /* cell 0 channel 0: bit 0 -> 0x80 of byte 0 */
    obs[6 * 100 + 1] = 1;      /* cell 1 channel 6: bit 13 -> 0x04 of byte 1 */
    obs[6 * 100 + 99] = 1;     /* cell 99 channel 6: bit 699 -> 0x10 of byte 87 */
    char hex[2 * 88 + 1];
    arc_trace_obs_hex(7, obs, hex);
    cr_assert_eq(strlen(hex), 176);
    cr_assert_eq(strncmp(hex, "8004", 4), 0, "%s", hex);
    cr_assert_str_eq(hex + 174, "10");
}

Test(trace, row_diff_names_field_and_cell)
{
    char desc[256];
    cr_assert_eq(arc_trace_diff_row(4, "1,2,3,0,0,00", "1,2,3,0,0,00", desc, sizeof desc), 0);
    cr_assert_eq(arc_trace_diff_row(4, "1,2,3,0,0,00", "1,2,3,1,0,00", desc, sizeof desc), 1);
    cr_assert_str_eq(desc, "reward: expected 0, got 1");
    /* bit 5 of 4 channels: cell 1 (row 0, column 1), channel 1 */
    cr_assert_eq(arc_trace_diff_row(4, "1,2,3,0,0,00", "1,2,3,0,0,04", desc, sizeof desc), 1);
    cr_assert_str_eq(desc, "obs: channel 1, row 0, column 1: expected 0, got 1");
}
