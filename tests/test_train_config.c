/* test_train_config.c — defaults, INI files, flags over files, round trip, clear errors. */
#include <criterion/criterion.h>
#include <string.h>
#include <unistd.h>

#include "../agent/train_config.h"

static char path[64];

static void write_ini(const char *text)
{
    strcpy(path, "/tmp/arcade-config-XXXXXX");
    int fd = mkstemp(path);
    cr_assert_eq(write(fd, text, strlen(text)), (ssize_t)strlen(text));
    close(fd);
}

Test(train_config, file_then_flags)
{
    write_ini("; a comment\n[train]\ngame = freeway\nlr = 0.001\nenvs_per_thread = 8\nsync = true\n");
    ArcTrainConfig cfg;
    arc_train_config_defaults(&cfg);
    char *argv[] = {"arcade train", "--lr", "0.002", "--config", path, "--threads", "3"};
    ArcErr err;
    cr_assert_eq(arc_train_config_parse_args(&cfg, 7, argv, stdout, &err), ARC_OK, "%s", err.msg);
    cr_assert_str_eq(cfg.game, "freeway");
    cr_assert_eq(cfg.lr, 0.002, "the flag wins over the file");
    cr_assert_eq(cfg.envs_per_thread, 8);
    cr_assert_eq(cfg.threads, 3);
    cr_assert(cfg.sync);
    unlink(path);
}

Test(train_config, written_config_loads_back_identically)
{
    ArcTrainConfig a, b;
    arc_train_config_defaults(&a);
    strcpy(a.game, "seaquest");
    a.lr = 1.0 / 3.0;
    a.sync = true;
    a.frames = 123456789;
    strcpy(path, "/tmp/arcade-config-XXXXXX");
    int fd = mkstemp(path);
    FILE *f = fdopen(fd, "w");
    arc_train_config_write(&a, f);
    fclose(f);
    arc_train_config_defaults(&b);
    ArcErr err;
    cr_assert_eq(arc_train_config_load(&b, path, &err), ARC_OK, "%s", err.msg);
    b.explicit_keys = a.explicit_keys; /* b's keys all came from the file */
    cr_assert_eq(memcmp(&a, &b, sizeof a), 0);
    unlink(path);
}

static void expect_file_error(const char *text, const char *message)
{
    write_ini(text);
    ArcTrainConfig cfg;
    arc_train_config_defaults(&cfg);
    ArcErr err;
    cr_assert_neq(arc_train_config_load(&cfg, path, &err), ARC_OK, "accepted %s", text);
    cr_assert(strstr(err.msg, message), "'%s' lacks '%s'", err.msg, message);
    cr_assert(strstr(err.msg, path), "'%s' does not name the file", err.msg);
    unlink(path);
}

Test(train_config, file_errors_name_file_and_line)
{
    expect_file_error("game = breakout\nlrr = 3\n", ":2: unknown key 'lrr'");
    expect_file_error("frames = lots\n", ":1: frames expects an integer, got 'lots'");
    expect_file_error("\n\nupdate = sometimes\n", ":3: update expects one of hogwild|locked");
    expect_file_error("gamma = 1.5\n", ":1: gamma must be in [0, 1], got 1.5");
    expect_file_error("[eval]\nseed = 1\n", ":2: unknown section [eval]");
    expect_file_error("sync = maybe\n", "sync expects true or false");
}

static void expect_flag_error(int argc, char **argv, const char *message)
{
    ArcTrainConfig cfg;
    arc_train_config_defaults(&cfg);
    ArcErr err;
    cr_assert_neq(arc_train_config_parse_args(&cfg, argc, argv, stdout, &err), ARC_OK);
    cr_assert(strstr(err.msg, message), "'%s' lacks '%s'", err.msg, message);
}

Test(train_config, flag_errors_name_the_flag)
{
    char *a[] = {"arcade train", "--frames", "0"};
    expect_flag_error(3, a, "--frames must be in 1..");
    char *b[] = {"arcade train", "--bogus", "1"};
    expect_flag_error(3, b, "unknown flag '--bogus'");
    char *c[] = {"arcade train", "--device", "tpu"};
    expect_flag_error(3, c, "--device expects one of cpu|gpu, got 'tpu'");
    char *d[] = {"arcade train", "--lr"};
    expect_flag_error(2, d, "--lr needs a value");
    char *e[] = {"arcade train", "--config", "/nonexistent.ini"};
    expect_flag_error(3, e, "/nonexistent.ini: cannot open");
}

Test(train_config, finish_derives_the_run_directory)
{
    ArcTrainConfig cfg;
    arc_train_config_defaults(&cfg);
    strcpy(cfg.game, "seaquest");
    ArcErr err;
    cr_assert_eq(arc_train_config_finish(&cfg, &err), ARC_OK);
    cr_assert_str_eq(cfg.out, "runs/seaquest-a3c");
    strcpy(cfg.out, "elsewhere");
    cr_assert_eq(arc_train_config_finish(&cfg, &err), ARC_OK);
    cr_assert_str_eq(cfg.out, "elsewhere");
}

Test(train_config, finish_rejects_unknown_games)
{
    ArcTrainConfig cfg;
    arc_train_config_defaults(&cfg);
    ArcErr err;
    strcpy(cfg.game, "pong");
    cr_assert_eq(arc_train_config_finish(&cfg, &err), ARC_ERR_ARG);
    cr_assert(strstr(err.msg, "unknown game 'pong' (expected one of: asterix"), "%s", err.msg);
}

Test(train_config, dqn_takes_minatar_values_for_unset_keys_only)
{
    ArcTrainConfig cfg;
    arc_train_config_defaults(&cfg);
    char *argv[] = {"arcade train", "--algo", "dqn", "--rms-alpha", "0.9", "--preset", "minatar"};
    ArcErr err;
    cr_assert_eq(arc_train_config_parse_args(&cfg, 7, argv, stdout, &err), ARC_OK, "%s", err.msg);
    cr_assert_eq(arc_train_config_finish(&cfg, &err), ARC_OK, "%s", err.msg);
    cr_assert_eq(cfg.lr, 0.00025);
    cr_assert_eq(cfg.rms_alpha, 0.9, "an explicit value wins over the DQN default");
    cr_assert_eq(cfg.rms_eps, 0.01);
    cr_assert_eq(cfg.clip, 0);
    cr_assert_eq(cfg.lr_warmup, 0, "MinAtar's DQN has no warm-up");
    cr_assert_eq(cfg.threads, 1);
    cr_assert_eq(cfg.envs_per_thread, 1);
    cr_assert_eq(cfg.batch, 32);
    cr_assert_eq(cfg.replay, 100000);
    cr_assert_eq(cfg.target_every, 1000);
    cr_assert_eq(cfg.learn_start, 5000);
    cr_assert_eq(cfg.eps_frames, 100000);
    cr_assert_str_eq(cfg.out, "runs/breakout-dqn");
}

Test(train_config, the_minatar_preset_needs_dqn)
{
    ArcTrainConfig cfg;
    arc_train_config_defaults(&cfg);
    strcpy(cfg.preset, "minatar");
    ArcErr err;
    cr_assert_eq(arc_train_config_finish(&cfg, &err), ARC_ERR_ARG);
    cr_assert(strstr(err.msg, "needs algo dqn"), "%s", err.msg);
}

Test(train_config, dueling_is_a_dqn_key)
{
    ArcTrainConfig cfg;
    arc_train_config_defaults(&cfg);
    cr_assert_not(cfg.dueling, "off by default");
    cfg.dueling = true;
    ArcErr err;
    cr_assert_eq(arc_train_config_finish(&cfg, &err), ARC_ERR_ARG);
    cr_assert(strstr(err.msg, "dueling is a DQN option"), "%s", err.msg);
    strcpy(cfg.algo, "dqn");
    cr_assert_eq(arc_train_config_finish(&cfg, &err), ARC_OK, "%s", err.msg);
}

Test(train_config, entropy_schedule_keys)
{
    ArcTrainConfig cfg;
    arc_train_config_defaults(&cfg);
    cr_assert_eq(cfg.entropy, 0.02);
    cr_assert_eq(cfg.entropy_end, 0.0, "the default bonus decays to zero");
    char *argv[] = {"arcade train", "--entropy-end", "0.001", "--entropy", "0.03"};
    ArcErr err;
    cr_assert_eq(arc_train_config_parse_args(&cfg, 5, argv, stdout, &err), ARC_OK, "%s", err.msg);
    cr_assert_eq(cfg.entropy, 0.03);
    cr_assert_eq(cfg.entropy_end, 0.001);
    char *bad[] = {"arcade train", "--entropy-end", "-1"};
    cr_assert_neq(arc_train_config_parse_args(&cfg, 3, bad, stdout, &err), ARC_OK);
    cr_assert(strstr(err.msg, "--entropy-end"), "%s", err.msg);
}
