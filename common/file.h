/* file.h — writing files so that a failure (full disk, `ulimit -f`, I/O error) is
 * reported with the file's name and the system's reason, and never leaves a half-written
 * file in place of a good one.
 *
 * Whole files are written atomically: a temporary file beside the target
 * ("PATH.tmp.PID"), every write checked, fflush, fsync, fclose, rename over PATH, fsync of
 * the directory. On any failure the temporary file is removed and PATH is untouched.
 * Append-only logs use arc_file_append: one write(2) per record, and a record that did not
 * go in whole is cut off again, so the file keeps only whole records.
 */
#ifndef ARC_FILE_H
#define ARC_FILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <sys/types.h>

#include "check.h"

/* Writes size bytes of data to path atomically. Returns ARC_OK or ARC_ERR_IO with
 * "PATH: <what failed>: <strerror>" in err. */
int arc_file_write_atomic(const char *path, const void *data, size_t size, ArcErr *err);

/* The two halves, for writers that stream (safetensors): arc_file_create_temp opens a new
 * temporary file for path (its name into tmp, tmp_size >= strlen(path) + 32);
 * arc_file_commit flushes, checks the stream's error state, syncs and closes fp, renames
 * tmp over path and syncs the directory. On failure, or when the caller's own writes failed
 * (writes_ok false, called right after the failed write so that errno says why), it
 * closes fp, removes tmp and returns ARC_ERR_IO with a message naming path. */
FILE *arc_file_create_temp(const char *path, char *tmp, size_t tmp_size, ArcErr *err);
int arc_file_commit(FILE *fp, const char *tmp, const char *path, bool writes_ok, ArcErr *err);

/* Appends len bytes to fd (opened O_APPEND) whose size before the call is *size, in one
 * write; on a short or failed write truncates the file back to *size and returns
 * ARC_ERR_IO with "PATH: cannot append: <strerror>"; on success adds len to *size. */
int arc_file_append(int fd, const char *path, const void *data, size_t len, off_t *size,
                    ArcErr *err);

#endif
