/* check.c — abort-on-bug helpers and status strings (see check.h). */
#include "check.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

const char *arc_strerror(int status)
{
    switch (status) {
    case ARC_OK: return "ok";
    case ARC_ERR_IO: return "input/output error";
    case ARC_ERR_FORMAT: return "malformed input";
    case ARC_ERR_ARG: return "invalid argument";
    case ARC_ERR_NOMEM: return "out of memory";
    case ARC_ERR_DEVICE: return "GPU unavailable or failed";
    case ARC_ERR_THREAD: return "thread creation failed";
    case ARC_ERR_DISPLAY: return "no display";
    case ARC_ERR_NUMERIC: return "non-finite number";
    default: return "unknown error";
    }
}

int arc_err_set(ArcErr *err, int status, const char *fmt, ...)
{
    if (err) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err->msg, sizeof err->msg, fmt, ap);
        va_end(ap);
        /* one line, whatever the user's text quoted in it holds (a newline in a flag) */
        for (char *p = err->msg; *p; p++)
            if (*p == '\n' || *p == '\r') *p = ' ';
    }
    return status;
}

void arc_check_fail(const char *file, int line, const char *cond, const char *fmt, ...)
{
    fprintf(stderr, "%s:%d: check failed: %s: ", file, line, cond);
    va_list ap;
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    abort();
}

void *arc_xmalloc(size_t bytes)
{
    void *p = malloc(bytes ? bytes : 1);
    ARC_CHECK(p != NULL, "malloc(%zu) failed", bytes);
    return p;
}

void *arc_xcalloc(size_t count, size_t size)
{
    void *p = calloc(count ? count : 1, size ? size : 1);
    ARC_CHECK(p != NULL, "calloc(%zu, %zu) failed", count, size);
    return p;
}

void *arc_xaligned(size_t alignment, size_t bytes)
{
    void *p = NULL;
    size_t rounded = (bytes + alignment - 1) / alignment * alignment;
    ARC_CHECK(posix_memalign(&p, alignment, rounded ? rounded : alignment) == 0,
              "posix_memalign(%zu, %zu) failed", alignment, bytes);
    return p;
}
