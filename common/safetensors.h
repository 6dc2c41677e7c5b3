/* safetensors.h — checkpoint files in the safetensors layout: write atomically, load and
 * validate everything, then read tensors and metadata by name.
 *
 * Why this layout: it is what NumPy and PyTorch users can open (8-byte little-endian header
 * length N, N bytes of JSON header padded with spaces to a multiple of 8, then the raw
 * little-endian tensor data), it is trivially mmap-able and it carries string metadata, so
 * one file holds a run's parameters, optimizer moments, counters, RNG states and the run
 * configuration (as JSON text under metadata key "config").
 *
 * Header: {"name": {"dtype": "F32", "shape": [16,4,3,3], "data_offsets": [b, e]}, ...,
 *          "__metadata__": {"format": "pt", ...}}.  Offsets are relative to the start of the
 * data section; the tensors tile the data section exactly (no gaps, no overlap).
 *
 * Writer:  arc_st_writer_init → arc_st_writer_add / arc_st_writer_meta … → arc_st_save (or
 *          arc_st_encode for an in-memory image) → arc_st_writer_free.  The writer copies
 *          names, shapes and metadata strings but only borrows tensor data: each data pointer
 *          must stay valid and unchanged until the last save/encode using it has returned.
 *          The first failing add/meta call is remembered; save/encode then refuse with that
 *          message, so a caller may check every call or only the final save.
 * Reader:  arc_st_load / arc_st_load_memory → accessors → arc_st_free.  A loaded file owns
 *          its own copy of everything; tensor data pointers are aligned for their dtype and
 *          live until arc_st_free.  A loaded file is read-only and may be read by several
 *          threads at once.  Load from one thread at a time: a failing cJSON parse writes
 *          cJSON's global error slot (harmless, but ThreadSanitizer reports it).
 *
 * All boundary functions return 0 or a negative ARC_ERR_* status and fill ArcErr with one
 * line naming the file and the problem.
 */
#ifndef ARC_SAFETENSORS_H
#define ARC_SAFETENSORS_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "check.h"

#define ARC_ST_MAX_DIMS 8                     /* ndim accepted by the writer and reader */
#define ARC_ST_MAX_HEADER (100u * 1000u * 1000u) /* header-length cap (bytes) on load */

typedef enum ArcStDtype {
    ARC_ST_F32,
    ARC_ST_F64,
    ARC_ST_I64,
    ARC_ST_I32,
    ARC_ST_U32,
    ARC_ST_U8,
    ARC_ST_NUM_DTYPES
} ArcStDtype;

const char *arc_st_dtype_name(ArcStDtype dtype); /* "F32" …; "?" when out of range */
size_t arc_st_dtype_size(ArcStDtype dtype);      /* bytes per element; 0 when out of range */

/* One tensor of a loaded file.  All pointers belong to the file (valid until arc_st_free). */
typedef struct ArcStTensor {
    const char *name;
    ArcStDtype dtype;
    int ndim;                         /* 0 for a scalar */
    int64_t shape[ARC_ST_MAX_DIMS];   /* shape[0 .. ndim-1] */
    size_t numel;                     /* product of shape (1 for a scalar) */
    size_t bytes;                     /* numel * dtype size */
    const void *data;                 /* aligned to the dtype size; non-NULL even if empty */
} ArcStTensor;

/* ---------------------------------------------------------------- writer */

typedef struct ArcStWriter ArcStWriter;

/* Returns an empty writer (metadata "format" = "pt" is always written); aborts on OOM. */
ArcStWriter *arc_st_writer_init(void);
void arc_st_writer_free(ArcStWriter *w); /* NULL is fine; never touches borrowed data */

/* Adds tensor `name` (non-empty, valid UTF-8, unique, not "__metadata__") of `ndim` dims
 * (0 = scalar) with shape[0..ndim-1] >= 0.  The name and shape are copied; `data` (host
 * order = little-endian, product(shape) elements) is borrowed until save/encode returns and
 * may be NULL only when the tensor has no elements.  Tensors are laid out in call order. */
int arc_st_writer_add(ArcStWriter *w, const char *name, ArcStDtype dtype, int ndim,
                      const int64_t *shape, const void *data, ArcErr *err);

/* Adds metadata key → value (both copied, valid UTF-8; key unique, non-empty and not
 * "format", which the writer sets itself). */
int arc_st_writer_meta(ArcStWriter *w, const char *key, const char *value, ArcErr *err);
/* Same with a formatted value, e.g. arc_st_writer_metaf(w, &err, "step", "%lld", s). */
int arc_st_writer_metaf(ArcStWriter *w, ArcErr *err, const char *key, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* Writes the file atomically: `path.tmp.<pid>` in the same directory, fwrite, fflush, fsync,
 * rename over `path`, fsync the directory.  On failure the temporary file is removed and an
 * existing file at `path` is left as it was — except when only the final directory fsync
 * fails: then the new file is in place and the message says "saved, but ...".  The writer
 * is unchanged and can be saved again. */
int arc_st_save(const ArcStWriter *w, const char *path, ArcErr *err);

/* Builds the same bytes as arc_st_save in memory.  On success *out is a malloc'd buffer the
 * caller frees and *out_len its length; on failure *out is NULL. */
int arc_st_encode(const ArcStWriter *w, uint8_t **out, size_t *out_len, ArcErr *err);

/* ---------------------------------------------------------------- reader */

typedef struct ArcStFile ArcStFile;

/* Reads and validates the whole file.  On success *out owns a copy of everything (free with
 * arc_st_free); on failure *out is NULL and err names `path` and the problem. */
int arc_st_load(const char *path, ArcStFile **out, ArcErr *err);
/* Same for an image already in memory; `name` is used in messages; buf is not retained. */
int arc_st_load_memory(const void *buf, size_t len, const char *name, ArcStFile **out,
                       ArcErr *err);
void arc_st_free(ArcStFile *f); /* NULL is fine */

const char *arc_st_name(const ArcStFile *f);  /* the path or name given at load */
size_t arc_st_data_bytes(const ArcStFile *f); /* size of the data section */

/* Tensors in data-section order (for files arcade wrote: the order they were added). */
int arc_st_count(const ArcStFile *f);
const ArcStTensor *arc_st_tensor_at(const ArcStFile *f, int i); /* 0 <= i < count */
const ArcStTensor *arc_st_tensor(const ArcStFile *f, const char *name); /* NULL if absent */

/* Metadata in header order; values are NUL-terminated strings owned by the file. */
int arc_st_metadata_count(const ArcStFile *f);
void arc_st_metadata_at(const ArcStFile *f, int i, const char **key, const char **value);
const char *arc_st_metadata(const ArcStFile *f, const char *key); /* NULL if absent */
/* Parses metadata `key` as a decimal int64 (counters); error if missing or malformed. */
int arc_st_metadata_i64(const ArcStFile *f, const char *key, int64_t *value, ArcErr *err);

/* Copies tensor `name` into dst (numel * dtype size bytes, caller-owned) after checking that
 * it exists, has `dtype` and exactly the expected shape; err says which check failed. */
int arc_st_copy(const ArcStFile *f, const char *name, ArcStDtype dtype, int ndim,
                const int64_t *shape, void *dst, ArcErr *err);
/* arc_st_copy for F32 parameter slabs. */
int arc_st_copy_f32(const ArcStFile *f, const char *name, int ndim, const int64_t *shape,
                    float *dst, ArcErr *err);

/* Prints metadata and a table of tensors (name, dtype, shape, elements) to out. */
void arc_st_describe(const ArcStFile *f, FILE *out);

#endif
