/* run_cli.h — run a shell command from a test and capture its stderr and exit status. */
#ifndef ARC_TEST_RUN_CLI_H
#define ARC_TEST_RUN_CLI_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

/* Runs `cmd` through sh with stdout discarded (or kept in out when out is non-NULL) and
 * stderr captured into err; returns the exit status, or -1 if it did not exit normally. */
static inline int run_cli(const char *cmd, char *out, size_t out_size, char *err, size_t err_size)
{
    char err_path[] = "/tmp/arcade-test-err-XXXXXX", out_path[] = "/tmp/arcade-test-out-XXXXXX";
    int err_fd = mkstemp(err_path), out_fd = mkstemp(out_path);
    close(err_fd), close(out_fd);
    size_t len = strlen(cmd) + 128;
    char *line = malloc(len);
    snprintf(line, len, "%s >%s 2>%s", cmd, out_path, err_path);
    int status = system(line);
    free(line);
    const char *paths[2] = {out_path, err_path};
    char *bufs[2] = {out, err};
    size_t sizes[2] = {out_size, err_size};
    for (int k = 0; k < 2; k++) {
        if (bufs[k]) {
            FILE *f = fopen(paths[k], "r");
            size_t n = f ? fread(bufs[k], 1, sizes[k] - 1, f) : 0;
            bufs[k][n] = '\0';
            if (f) fclose(f);
        }
        unlink(paths[k]);
    }
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

#endif
