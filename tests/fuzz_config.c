/* fuzz_config.c — libFuzzer target for the training configuration (`make fuzz`): INI
 * files (agent/train_config.c through inih) and `arcade train` flags.
 *
 * The first byte picks the surface: even, the rest is an INI file, handed to
 * arc_train_config_load through a memory file (/proc/self/fd/N of a memfd); odd, the rest
 * is split at NUL bytes into flags for arc_train_config_parse_args (--config is dropped:
 * it would open any path). A rejected input must come back with a one-line message (an
 * INI message starting with the path). An accepted one goes through
 * arc_train_config_finish, and a configuration that passes must round-trip: written as
 * config.ini and loaded again it gives the same config.ini text, which is what
 * `train --resume` relies on. A violated property aborts, which libFuzzer reports.
 *
 * Built with -DARC_FUZZ_MAKE_SEEDS instead, this file writes a seed corpus:
 * `make_config_seeds SEED_DIR`.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "../agent/train_config.h"

static char *config_text(const ArcTrainConfig *cfg)
{
    char *text = NULL;
    size_t len = 0;
    FILE *mem = open_memstream(&text, &len);
    ARC_CHECK(mem != NULL, "open_memstream");
    arc_train_config_write(cfg, mem);
    ARC_CHECK(fclose(mem) == 0, "open_memstream");
    return text;
}

/* A memory file for the INI reader; returns its path. */
static const char *memory_file(const void *data, size_t size)
{
    static int fd = -1;
    static char path[64];
    if (fd < 0) {
        fd = memfd_create("fuzz_config", 0);
        ARC_CHECK(fd >= 0, "memfd_create");
        snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
    }
    ARC_CHECK(ftruncate(fd, 0) == 0 && (size == 0 || pwrite(fd, data, size, 0) == (ssize_t)size),
              "cannot write the memory file");
    return path;
}

static void check_message(const ArcErr *err, const char *prefix)
{
    ARC_CHECK(err->msg[0] != '\0' && strchr(err->msg, '\n') == NULL, "bad message '%s'", err->msg);
    ARC_CHECK(!prefix || strncmp(err->msg, prefix, strlen(prefix)) == 0,
              "message '%s' does not start with '%s'", err->msg, prefix);
}

/* A configuration that was accepted: finish it, then write, load and write again. */
static void round_trip(ArcTrainConfig *cfg)
{
    ArcErr err;
    memset(err.msg, 0, sizeof err.msg);
    if (arc_train_config_finish(cfg, &err) != ARC_OK) {
        check_message(&err, NULL);
        return;
    }
    char *first = config_text(cfg);
    ArcTrainConfig again;
    arc_train_config_defaults(&again);
    const char *path = memory_file(first, strlen(first));
    ARC_CHECK(arc_train_config_load(&again, path, &err) == ARC_OK,
              "a written config.ini does not load: %s\n%s", err.msg, first);
    ARC_CHECK(arc_train_config_finish(&again, &err) == ARC_OK, "finish: %s", err.msg);
    char *second = config_text(&again);
    ARC_CHECK(strcmp(first, second) == 0, "config.ini does not round-trip:\n%s\n---\n%s", first,
              second);
    free(first);
    free(second);
}

static void run_one(const uint8_t *data, size_t size)
{
    if (size == 0) return;
    ArcTrainConfig cfg;
    arc_train_config_defaults(&cfg);
    ArcErr err;
    memset(err.msg, 0, sizeof err.msg);
    if (data[0] % 2 == 0) {
        const char *path = memory_file(data + 1, size - 1);
        if (arc_train_config_load(&cfg, path, &err) != ARC_OK) {
            check_message(&err, path);
            return;
        }
        round_trip(&cfg);
        return;
    }
    /* flags: argv[0] then the NUL-separated pieces of the rest */
    char *text = malloc(size);
    ARC_CHECK(text != NULL, "malloc");
    memcpy(text, data + 1, size - 1);
    text[size - 1] = '\0';
    char *argv[64] = {"arcade train"};
    int argc = 1;
    for (char *p = text; p < text + size - 1 && argc < 63; p += strlen(p) + 1)
        argv[argc++] = strcmp(p, "--config") == 0 ? "--frames" : p;
    argv[argc] = NULL;
    static FILE *sink;
    if (!sink) sink = fopen("/dev/null", "w");
    int status = arc_train_config_parse_args(&cfg, argc, argv, sink, &err);
    if (status == ARC_OK) round_trip(&cfg);
    else if (status != 1) check_message(&err, "arcade train: ");
    free(text);
}

#ifndef ARC_FUZZ_MAKE_SEEDS

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    run_one(data, size);
    return 0;
}

#else /* seed corpus */

static void put_seed(const char *dir, const char *name, char mode, const char *body, size_t len)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *fp = fopen(path, "wb");
    ARC_CHECK(fp != NULL, "cannot write %s", path);
    ARC_CHECK(fputc(mode, fp) != EOF && fwrite(body, 1, len, fp) == len && fclose(fp) == 0,
              "write %s failed", path);
    uint8_t *input = malloc(len + 1);
    input[0] = (uint8_t)mode;
    memcpy(input + 1, body, len);
    run_one(input, len + 1); /* a seed must pass every check itself */
    free(input);
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: %s SEED_DIR\n", argv[0]);
        return 2;
    }
    ArcTrainConfig cfg;
    arc_train_config_defaults(&cfg);
    char *text = config_text(&cfg);
    put_seed(argv[1], "defaults.ini", 0, text, strlen(text));
    free(text);
    static const char dqn[] = "[train]\nalgo = dqn\npreset = minatar\ngame = seaquest\n"
                              "double = true\nprioritized = yes\nlr = 1e-4\n; comment\n"
                              "envs_per_thread = 4\non-nonfinite = rollback\n";
    put_seed(argv[1], "dqn.ini", 0, dqn, sizeof dqn - 1);
    static const char flags[] = "--game\0freeway\0--frames\0100000\0--sync\0--lr\0" "0.001\0"
                                "--out\0runs/x\0--on-nonfinite\0rollback";
    put_seed(argv[1], "flags", 1, flags, sizeof flags - 1);
    /* values inih would read back differently (refused since fuzzing found them) */
    static const char comment[] = "--out\0runs/a ;b", spaces[] = "--game\0breakout\0--out\0 runs/x";
    put_seed(argv[1], "out-comment", 1, comment, sizeof comment - 1);
    put_seed(argv[1], "out-space", 1, spaces, sizeof spaces - 1);
    return 0;
}

#endif
