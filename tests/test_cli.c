/* test_cli.c — bin/arcade's commands: conformance through the CLI and clear errors for
 * bad input. The Makefile builds bin/arcade before running the tests. */
#include <criterion/criterion.h>
#include <stdlib.h>

#include "check_csv.h"
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

Test(cli, train_eval_model_and_watch_round_trip, .timeout = 120)
{
    char dir[] = "/tmp/arcade-cli-XXXXXX", cmd[512];
    cr_assert_not_null(mkdtemp(dir));
    snprintf(cmd, sizeof cmd,
             "bin/arcade train --game breakout --frames 2000 --threads 2 --envs-per-thread 4 --out %s",
             dir);
    cr_assert_eq(run_cli(cmd, out, sizeof out, err, sizeof err), 0, "%s", err);
    cr_assert(strstr(out, "trained a3c on breakout"), "%s", out);
    cr_assert(strstr(out, "bin/arcade watch --checkpoint"), "%s", out);
    cr_assert_eq(run_cli(cmd, out, sizeof out, err, sizeof err), 2, "a second run into %s", dir);
    cr_assert(strstr(err, "already holds a run (--resume"), "%s", err);

    snprintf(cmd, sizeof cmd, "bin/arcade eval --checkpoint %s/checkpoints/final.safetensors --episodes 4 --json", dir);
    cr_assert_eq(run_cli(cmd, out, sizeof out, err, sizeof err), 0, "%s", err);
    const char *keys[] = {"\"episodes\": 4", "\"mean\": ", "\"std\": ", "\"median\": ", "\"iqm\": ",
                          "\"min\": ", "\"max\": "};
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
        cr_assert(strstr(out, keys[i]), "eval --json lacks %s: %s", keys[i], out);

    snprintf(cmd, sizeof cmd, "bin/arcade model --load %s/checkpoints/final.safetensors", dir);
    cr_assert_eq(run_cli(cmd, out, sizeof out, err, sizeof err), 0, "%s", err);
    cr_assert(strstr(out, "opt_v.dense1.weight"), "%s", out);
    cr_assert(strstr(out, "game: breakout"), "%s", out);

    snprintf(cmd, sizeof cmd,
             "SDL_VIDEODRIVER=dummy bin/arcade watch --checkpoint %s/checkpoints/final.safetensors "
             "--frames 20 --screenshot %s/w.bmp", dir, dir);
    cr_assert_eq(run_cli(cmd, out, sizeof out, err, sizeof err), 0, "%s", err);
    snprintf(cmd, sizeof cmd,
             "SDL_VIDEODRIVER=dummy bin/arcade watch --game seaquest --checkpoint "
             "%s/checkpoints/final.safetensors --frames 2", dir);
    cr_assert_eq(run_cli(cmd, out, sizeof out, err, sizeof err), 2);
    cr_assert(strstr(err, "was trained on breakout, not seaquest"), "%s", err);

    /* a resumed run refuses a checkpoint of another game */
    snprintf(cmd, sizeof cmd, "bin/arcade train --resume %s --game freeway --frames 4000", dir);
    cr_assert_eq(run_cli(cmd, out, sizeof out, err, sizeof err), 1);
    cr_assert(strstr(err, "holds a a3c breakout network"), "%s", err);
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    cr_assert_eq(system(cmd), 0);
}

Test(cli, training_and_eval_inputs_are_checked)
{
    cr_assert_eq(run_cli("bin/arcade train --frames 0", NULL, 0, err, sizeof err), 2);
    cr_assert(strstr(err, "--frames must be in 1.."), "%s", err);
    cr_assert_eq(run_cli("bin/arcade train --update sometimes", NULL, 0, err, sizeof err), 2);
    cr_assert(strstr(err, "--update expects one of hogwild|locked"), "%s", err);
    cr_assert_eq(run_cli("bin/arcade train --resume", NULL, 0, err, sizeof err), 2);
    cr_assert(strstr(err, "--resume needs a run directory"), "%s", err);
    cr_assert_eq(run_cli("bin/arcade train --resume /nonexistent-run", NULL, 0, err, sizeof err), 2);
    cr_assert(strstr(err, "/nonexistent-run/config.ini: cannot open"), "%s", err);
    cr_assert_eq(run_cli("bin/arcade eval", NULL, 0, err, sizeof err), 2);
    cr_assert(strstr(err, "--checkpoint is required"), "%s", err);
    cr_assert_eq(run_cli("bin/arcade eval --checkpoint /nonexistent.safetensors", NULL, 0, err, sizeof err), 1);
    cr_assert(strstr(err, "/nonexistent.safetensors: cannot open"), "%s", err);
    cr_assert_eq(run_cli("bin/arcade eval --checkpoint README.md", NULL, 0, err, sizeof err), 1);
    cr_assert(strstr(err, "README.md"), "%s", err);
    cr_assert_eq(run_cli("bin/arcade model --game breakout --k 32", NULL, 0, err, sizeof err), 2);
    cr_assert(strstr(err, "--k must be in [0.125, 16]"), "%s", err);
    cr_assert_eq(run_cli("bin/arcade model --load LICENSE", NULL, 0, err, sizeof err), 1);
    cr_assert(strstr(err, "LICENSE"), "%s", err);
    cr_assert_eq(run_cli("bin/arcade model --game breakout --dueling", NULL, 0, err, sizeof err), 2);
    cr_assert(strstr(err, "--dueling is a DQN head (add --algo dqn)"), "%s", err);
    cr_assert_eq(run_cli("bin/arcade train --dueling", NULL, 0, err, sizeof err), 2);
    cr_assert(strstr(err, "dueling is a DQN option"), "%s", err);
}

/* model --dueling: the head row shows 6 advantages + 1 value (903 parameters, 129 more
 * than the plain head's 774) and a saved network says so when loaded. */
Test(cli, model_describes_the_dueling_head)
{
    char path[64], cmd[160];
    snprintf(path, sizeof path, "/tmp/arcade-dueling-%d.safetensors", (int)getpid());
    snprintf(cmd, sizeof cmd, "bin/arcade model --game breakout --algo dqn --dueling --save %s", path);
    cr_assert_eq(run_cli(cmd, out, sizeof out, err, sizeof err), 0, "%s", err);
    cr_assert(strstr(out, "dueling dqn (advantages + value -> Q values) head"), "%s", out);
    cr_assert(strstr(out, "advantages+value     128          6+1                   903"), "%s", out);
    cr_assert(strstr(out, "132,695"), "%s", out);
    snprintf(cmd, sizeof cmd, "bin/arcade model --load %s", path);
    cr_assert_eq(run_cli(cmd, out, sizeof out, err, sizeof err), 0, "%s", err);
    cr_assert(strstr(out, "dueling dqn"), "%s", out);
    unlink(path);
}

Test(cli, a_run_killed_at_random_resumes_with_whole_files, .timeout = 120)
{
    char dir[] = "/tmp/arcade-kill-XXXXXX", cmd[512];
    cr_assert_not_null(mkdtemp(dir));
    unsigned delay_ms = 700 + (unsigned)(getpid() % 600); /* some moment of the run */
    snprintf(cmd, sizeof cmd,
             "bin/arcade train --game breakout --frames 100000000 --threads 2 --envs-per-thread 8 "
             "--checkpoint-every 5000 --out %s --force & pid=$!; sleep %u.%03u; kill -9 $pid; "
             "wait $pid; true", dir, delay_ms / 1000, delay_ms % 1000);
    cr_assert_eq(run_cli(cmd, out, sizeof out, err, sizeof err), 0, "%s", err);
    snprintf(cmd, sizeof cmd, "bin/arcade model --load %s/checkpoints/latest.safetensors", dir);
    cr_assert_eq(run_cli(cmd, out, sizeof out, err, sizeof err), 0, "latest is whole: %s", err);
    char *frames_line = strstr(out, "frames: ");
    cr_assert_not_null(frames_line, "%s", out);
    long long checkpoint_frames = atoll(frames_line + 8);

    snprintf(cmd, sizeof cmd, "bin/arcade train --resume %s --frames %lld", dir, checkpoint_frames + 20000);
    cr_assert_eq(run_cli(cmd, out, sizeof out, err, sizeof err), 0, "%s", err);
    cr_assert(strstr(out, "(resumed at "), "%s", out);
    char path[256];
    snprintf(path, sizeof path, "%s/metrics.csv", dir);
    cr_assert_gt(check_csv(path, 11), 0, "%s has no rows", path);
    snprintf(path, sizeof path, "%s/episodes.csv", dir);
    cr_assert_gt(check_csv(path, 4), 0, "%s has no rows", path);
    snprintf(cmd, sizeof cmd, "bin/arcade eval --checkpoint %s/checkpoints/final.safetensors --episodes 2", dir);
    cr_assert_eq(run_cli(cmd, out, sizeof out, err, sizeof err), 0, "%s", err);
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    cr_assert_eq(system(cmd), 0);
}
