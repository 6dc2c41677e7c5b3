/* file.c — checked, atomic file writes (see file.h). */
#include "file.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* errno, or EIO when a failure left none (a stream error flag set by an earlier write). */
static const char *reason(void)
{
    return strerror(errno ? errno : EIO);
}

/* fsync of the directory holding path, so that the rename itself is durable. */
static int sync_dir(const char *path, ArcErr *err)
{
    const char *slash = strrchr(path, '/');
    char dir[1024];
    if (!slash) snprintf(dir, sizeof dir, ".");
    else snprintf(dir, sizeof dir, "%.*s", slash == path ? 1 : (int)(slash - path), path);
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return arc_err_set(err, ARC_ERR_IO, "%s: written, but its directory cannot be opened to "
                           "sync it: %s", path, strerror(errno));
    int status = ARC_OK;
    if (fsync(fd) != 0 && errno != EINVAL) /* EINVAL: this file system cannot sync dirs */
        status = arc_err_set(err, ARC_ERR_IO, "%s: written, but syncing its directory failed: %s",
                             path, strerror(errno));
    close(fd);
    return status;
}

FILE *arc_file_create_temp(const char *path, char *tmp, size_t tmp_size, ArcErr *err)
{
    if ((size_t)snprintf(tmp, tmp_size, "%s.tmp.%ld", path, (long)getpid()) >= tmp_size) {
        arc_err_set(err, ARC_ERR_ARG, "%s: path too long", path);
        return NULL;
    }
    FILE *fp = fopen(tmp, "wbe");
    if (!fp) arc_err_set(err, ARC_ERR_IO, "%s: cannot create temporary file '%s': %s", path, tmp,
                        strerror(errno));
    return fp;
}

int arc_file_commit(FILE *fp, const char *tmp, const char *path, bool writes_ok, ArcErr *err)
{
    const char *what = NULL;
    if (!writes_ok) what = "writing";
    else if (fflush(fp) != 0 || ferror(fp)) what = "writing";
    else if (fsync(fileno(fp)) != 0) what = "syncing";
    if (what) {
        arc_err_set(err, ARC_ERR_IO, "%s: %s temporary file '%s' failed: %s", path, what, tmp,
                    reason());
        fclose(fp);
        unlink(tmp);
        return ARC_ERR_IO;
    }
    errno = 0;
    if (fclose(fp) != 0) {
        arc_err_set(err, ARC_ERR_IO, "%s: closing temporary file '%s' failed: %s", path, tmp,
                    reason());
        unlink(tmp);
        return ARC_ERR_IO;
    }
    if (rename(tmp, path) != 0) {
        arc_err_set(err, ARC_ERR_IO, "%s: cannot rename '%s' over it: %s", path, tmp,
                    strerror(errno));
        unlink(tmp);
        return ARC_ERR_IO;
    }
    return sync_dir(path, err);
}

int arc_file_write_atomic(const char *path, const void *data, size_t size, ArcErr *err)
{
    char tmp[1100];
    FILE *fp = arc_file_create_temp(path, tmp, sizeof tmp, err);
    if (!fp) return ARC_ERR_IO;
    errno = 0;
    bool ok = size == 0 || fwrite(data, 1, size, fp) == size;
    return arc_file_commit(fp, tmp, path, ok, err);
}

int arc_file_append(int fd, const char *path, const void *data, size_t len, off_t *size,
                    ArcErr *err)
{
    size_t done = 0;
    errno = 0;
    while (done < len) { /* a short write is retried: the retry says why (EFBIG, ENOSPC) */
        ssize_t n = write(fd, (const char *)data + done, len - done);
        if (n > 0) done += (size_t)n;
        else if (n < 0 && errno == EINTR) continue;
        else break;
    }
    if (done == len) {
        *size += (off_t)len;
        return ARC_OK;
    }
    int saved = errno ? errno : EIO;
    if (done > 0 && ftruncate(fd, *size) != 0)
        return arc_err_set(err, ARC_ERR_IO, "%s: cannot append (%s), and cutting off the partial "
                           "record failed: %s", path, strerror(saved), strerror(errno));
    return arc_err_set(err, ARC_ERR_IO, "%s: cannot append: %s", path, strerror(saved));
}
