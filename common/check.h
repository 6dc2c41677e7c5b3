/* check.h — the two error channels every module shares.
 *
 * 1. Bugs (violated invariants) abort with file:line and a formatted message in every
 *    build: ARC_CHECK(cond, fmt, ...) and arc_xmalloc/arc_xcalloc.
 * 2. Boundary failures (files, user input, thread creation, missing GPU) return a status:
 *    0 for success, a negative ARC_ERR_* otherwise; arc_strerror() names it. Functions that
 *    fail at a boundary also fill a caller-provided message buffer (ArcErr) with one line
 *    naming the input and what was expected; only demos/ prints it.
 */
#ifndef ARC_CHECK_H
#define ARC_CHECK_H

#include <stddef.h>

enum {
    ARC_OK = 0,
    ARC_ERR_IO = -1,      /* a file could not be opened, read or written */
    ARC_ERR_FORMAT = -2,  /* a file or string is malformed */
    ARC_ERR_ARG = -3,     /* a flag or parameter is out of range or unknown */
    ARC_ERR_NOMEM = -4,   /* an allocation at a boundary failed */
    ARC_ERR_DEVICE = -5,  /* no GPU, or the GPU failed */
    ARC_ERR_THREAD = -6,  /* a thread could not be created */
    ARC_ERR_DISPLAY = -7, /* no window could be opened */
    ARC_ERR_NUMERIC = -8, /* NaN or infinity in a loss, gradient or parameter */
};

/* One line of human-readable detail for a boundary failure. */
typedef struct ArcErr {
    char msg[512];
} ArcErr;

const char *arc_strerror(int status);

/* Formats msg into err (if err is non-NULL; line breaks become spaces, so the message is
 * one line even when it quotes user input) and returns status, so callers can write
 * `return arc_err_set(err, ARC_ERR_FORMAT, "%s:%d: ...", path, line);`. */
int arc_err_set(ArcErr *err, int status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

_Noreturn void arc_check_fail(const char *file, int line, const char *cond, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

#define ARC_CHECK(cond, ...)                                                  \
    do {                                                                      \
        if (!(cond)) arc_check_fail(__FILE__, __LINE__, #cond, __VA_ARGS__);  \
    } while (0)

/* Allocation that aborts on failure: for sizes that follow from validated configuration. */
void *arc_xmalloc(size_t bytes);
void *arc_xcalloc(size_t count, size_t size);
void *arc_xaligned(size_t alignment, size_t bytes); /* free with free() */

#endif
