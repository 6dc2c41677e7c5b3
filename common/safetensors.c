/* safetensors.c — checkpoint writer (atomic save) and validating loader (see safetensors.h).
 *
 * The loader copies the file into one buffer placed so that the data section starts on a
 * 64-byte boundary, validates the JSON header with cJSON (no hand-written scanning beyond a
 * NUL and UTF-8 check of the raw bytes), then builds a table of tensors sorted by data
 * offset (for tiling checks and iteration) and an index sorted by name (for lookups and the
 * duplicate check).  Tensors whose offset is not a multiple of their element size get an
 * aligned private copy, so every data pointer handed out can be cast to its element type.
 */
#include "safetensors.h"

#include "file.h"

#include <cJSON.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

_Static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__,
               "safetensors data is little-endian; a big-endian host needs byte swapping");
_Static_assert(sizeof(float) == 4 && sizeof(double) == 8, "F32/F64 must be IEEE binary32/64");

#define ST_MAX_INT 9007199254740991.0 /* 2^53 - 1: the largest integer JSON carries exactly */
#define ST_ALIGN 64                   /* alignment of the data section in a loaded image */

static const char *const st_dtype_names[ARC_ST_NUM_DTYPES] = {"F32", "F64", "I64",
                                                              "I32", "U32", "U8"};
static const size_t st_dtype_sizes[ARC_ST_NUM_DTYPES] = {4, 8, 8, 4, 4, 1};

const char *arc_st_dtype_name(ArcStDtype dtype)
{
    return (unsigned)dtype < ARC_ST_NUM_DTYPES ? st_dtype_names[dtype] : "?";
}

size_t arc_st_dtype_size(ArcStDtype dtype)
{
    return (unsigned)dtype < ARC_ST_NUM_DTYPES ? st_dtype_sizes[dtype] : 0;
}

/* ------------------------------------------------------------ shared helpers */

/* Index of the first byte that is not part of well-formed UTF-8 (no overlongs, no
 * surrogates, nothing above U+10FFFF), or n when all of s is valid. */
static size_t st_utf8_invalid_at(const uint8_t *s, size_t n)
{
    size_t i = 0;
    while (i < n) {
        uint8_t c = s[i];
        if (c < 0x80) {
            i++;
            continue;
        }
        size_t len;
        uint32_t cp, min;
        if ((c & 0xE0) == 0xC0) {
            len = 2, cp = c & 0x1Fu, min = 0x80;
        } else if ((c & 0xF0) == 0xE0) {
            len = 3, cp = c & 0x0Fu, min = 0x800;
        } else if ((c & 0xF8) == 0xF0) {
            len = 4, cp = c & 0x07u, min = 0x10000;
        } else {
            return i;
        }
        if (n - i < len) return i;
        for (size_t k = 1; k < len; k++) {
            if ((s[i + k] & 0xC0) != 0x80) return i;
            cp = cp << 6 | (s[i + k] & 0x3Fu);
        }
        if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return i;
        i += len;
    }
    return n;
}

static bool st_utf8_ok(const char *s)
{
    size_t n = strlen(s);
    return st_utf8_invalid_at((const uint8_t *)s, n) == n;
}

/* A name made safe for a one-line message: control bytes escaped, long names cut. */
typedef struct StQuoted {
    char s[96];
} StQuoted;

static StQuoted st_quote(const char *name)
{
    StQuoted q;
    size_t o = 0;
    for (const unsigned char *p = (const unsigned char *)name; *p; p++) {
        if (o + 8 >= sizeof q.s) {
            memcpy(q.s + o, "...", 4);
            return q;
        }
        if (*p < 0x20 || *p == 0x7F || *p == '\'' || *p == '\\')
            o += (size_t)snprintf(q.s + o, sizeof q.s - o, "\\x%02X", *p);
        else
            q.s[o++] = (char)*p;
    }
    q.s[o] = '\0';
    return q;
}

typedef struct StShapeText {
    char s[200];
} StShapeText;

static StShapeText st_shape_text(int ndim, const int64_t *shape)
{
    StShapeText t;
    size_t o = 0;
    t.s[o++] = '[';
    for (int d = 0; d < ndim; d++)
        o += (size_t)snprintf(t.s + o, sizeof t.s - o, "%s%" PRId64, d ? "," : "", shape[d]);
    snprintf(t.s + o, sizeof t.s - o, "]");
    return t;
}

/* numel and bytes of a shape; false on overflow (a zero dimension makes everything 0). */
static bool st_shape_bytes(int ndim, const int64_t *shape, ArcStDtype dtype, uint64_t *numel,
                           uint64_t *bytes)
{
    uint64_t n = 1;
    for (int d = 0; d < ndim; d++)
        if (shape[d] == 0) n = 0;
    for (int d = 0; d < ndim && n; d++) {
        uint64_t s = (uint64_t)shape[d];
        if (n > UINT64_MAX / s) return false;
        n *= s;
    }
    uint64_t size = st_dtype_sizes[dtype];
    if (n > UINT64_MAX / size || n * size > (uint64_t)ST_MAX_INT || n * size > SIZE_MAX)
        return false;
    *numel = n;
    *bytes = n * size;
    return true;
}

static char *st_strdup(const char *s)
{
    size_t n = strlen(s) + 1;
    char *p = malloc(n);
    if (p) memcpy(p, s, n);
    return p;
}

/* ------------------------------------------------------------------ writer */

typedef struct StEntry {
    char *name;
    ArcStDtype dtype;
    int ndim;
    int64_t shape[ARC_ST_MAX_DIMS];
    uint64_t bytes;
    const void *data; /* borrowed */
} StEntry;

typedef struct StMeta {
    char *key, *value;
} StMeta;

struct ArcStWriter {
    StEntry *tensors;
    int num_tensors, cap_tensors;
    StMeta *meta;
    int num_meta, cap_meta;
    uint64_t total_bytes;
    int status;    /* first add/meta failure, or 0 */
    ArcErr first;  /* its message */
};

ArcStWriter *arc_st_writer_init(void)
{
    return arc_xcalloc(1, sizeof(ArcStWriter));
}

void arc_st_writer_free(ArcStWriter *w)
{
    if (!w) return;
    for (int i = 0; i < w->num_tensors; i++) free(w->tensors[i].name);
    for (int i = 0; i < w->num_meta; i++) {
        free(w->meta[i].key);
        free(w->meta[i].value);
    }
    free(w->tensors);
    free(w->meta);
    free(w);
}

/* Records the first failure (sticky) and reports this one. */
static int st_writer_fail(ArcStWriter *w, ArcErr *err, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int st_writer_fail(ArcStWriter *w, ArcErr *err, const char *fmt, ...)
{
    ArcErr e;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(e.msg, sizeof e.msg, fmt, ap);
    va_end(ap);
    if (!w->status) {
        w->status = ARC_ERR_ARG;
        w->first = e;
    }
    return arc_err_set(err, ARC_ERR_ARG, "%s", e.msg);
}

int arc_st_writer_add(ArcStWriter *w, const char *name, ArcStDtype dtype, int ndim,
                      const int64_t *shape, const void *data, ArcErr *err)
{
    ARC_CHECK(w != NULL && name != NULL, "writer and name are required");
    StQuoted q = st_quote(name);
    if (!name[0] || !strcmp(name, "__metadata__") || !st_utf8_ok(name))
        return st_writer_fail(w, err, "safetensors writer: invalid tensor name '%s'", q.s);
    for (int i = 0; i < w->num_tensors; i++)
        if (!strcmp(w->tensors[i].name, name))
            return st_writer_fail(w, err, "safetensors writer: duplicate tensor name '%s'", q.s);
    if ((unsigned)dtype >= ARC_ST_NUM_DTYPES)
        return st_writer_fail(w, err, "safetensors writer: tensor '%s' has unknown dtype %d",
                              q.s, (int)dtype);
    if (ndim < 0 || ndim > ARC_ST_MAX_DIMS || (ndim > 0 && !shape))
        return st_writer_fail(w, err, "safetensors writer: tensor '%s' has %d dimensions "
                              "(0 to %d, with a shape)", q.s, ndim, ARC_ST_MAX_DIMS);
    for (int d = 0; d < ndim; d++)
        if (shape[d] < 0 || (double)shape[d] > ST_MAX_INT)
            return st_writer_fail(w, err, "safetensors writer: tensor '%s' shape[%d] = %" PRId64
                                  " is out of range", q.s, d, shape[d]);
    uint64_t numel, bytes;
    if (!st_shape_bytes(ndim, shape, dtype, &numel, &bytes) ||
        bytes > (uint64_t)ST_MAX_INT - w->total_bytes)
        return st_writer_fail(w, err, "safetensors writer: tensor '%s' shape %s is too large",
                              q.s, st_shape_text(ndim, shape).s);
    if (bytes && !data)
        return st_writer_fail(w, err, "safetensors writer: tensor '%s' has no data", q.s);
    if (w->num_tensors == w->cap_tensors) {
        int cap = w->cap_tensors ? 2 * w->cap_tensors : 16;
        StEntry *t = realloc(w->tensors, (size_t)cap * sizeof *t);
        ARC_CHECK(t != NULL, "realloc of %d writer entries failed", cap);
        w->tensors = t;
        w->cap_tensors = cap;
    }
    StEntry *e = &w->tensors[w->num_tensors];
    memset(e, 0, sizeof *e);
    e->name = st_strdup(name);
    ARC_CHECK(e->name != NULL, "strdup failed");
    e->dtype = dtype;
    e->ndim = ndim;
    if (ndim) memcpy(e->shape, shape, (size_t)ndim * sizeof *shape);
    e->bytes = bytes;
    e->data = data;
    w->total_bytes += bytes;
    w->num_tensors++;
    return ARC_OK;
}

int arc_st_writer_meta(ArcStWriter *w, const char *key, const char *value, ArcErr *err)
{
    ARC_CHECK(w != NULL && key != NULL && value != NULL, "writer, key and value are required");
    StQuoted q = st_quote(key);
    if (!key[0] || !st_utf8_ok(key))
        return st_writer_fail(w, err, "safetensors writer: invalid metadata key '%s'", q.s);
    if (!strcmp(key, "format"))
        return st_writer_fail(w, err, "safetensors writer: metadata key 'format' is reserved "
                              "(always \"pt\")");
    if (!st_utf8_ok(value))
        return st_writer_fail(w, err, "safetensors writer: metadata '%s' is not valid UTF-8",
                              q.s);
    for (int i = 0; i < w->num_meta; i++)
        if (!strcmp(w->meta[i].key, key))
            return st_writer_fail(w, err, "safetensors writer: duplicate metadata key '%s'", q.s);
    if (w->num_meta == w->cap_meta) {
        int cap = w->cap_meta ? 2 * w->cap_meta : 8;
        StMeta *m = realloc(w->meta, (size_t)cap * sizeof *m);
        ARC_CHECK(m != NULL, "realloc of %d metadata entries failed", cap);
        w->meta = m;
        w->cap_meta = cap;
    }
    StMeta *m = &w->meta[w->num_meta];
    m->key = st_strdup(key);
    m->value = st_strdup(value);
    ARC_CHECK(m->key != NULL && m->value != NULL, "strdup failed");
    w->num_meta++;
    return ARC_OK;
}

int arc_st_writer_metaf(ArcStWriter *w, ArcErr *err, const char *key, const char *fmt, ...)
{
    char buf[256];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    if (n < 0 || (size_t)n >= sizeof buf)
        return st_writer_fail(w, err, "safetensors writer: metadata '%s' formats to more than "
                              "%zu bytes (use arc_st_writer_meta)", st_quote(key).s,
                              sizeof buf - 1);
    return arc_st_writer_meta(w, key, buf, err);
}

static bool st_json_add(cJSON *obj, const char *key, cJSON *item)
{
    if (item && cJSON_AddItemToObject(obj, key, item)) return true;
    cJSON_Delete(item);
    return false;
}

static bool st_json_push(cJSON *array, cJSON *item)
{
    if (item && cJSON_AddItemToArray(array, item)) return true;
    cJSON_Delete(item);
    return false;
}

static cJSON *st_json_int(uint64_t v)
{
    char buf[24];
    snprintf(buf, sizeof buf, "%" PRIu64, v);
    return cJSON_CreateRaw(buf);
}

/* The header text padded with spaces to a multiple of 8 (malloc'd, *len without NUL). */
static int st_header(const ArcStWriter *w, const char *who, char **out, size_t *len,
                     ArcErr *err)
{
    *out = NULL;
    char *text = NULL;
    cJSON *root = cJSON_CreateObject(), *meta = cJSON_CreateObject();
    if (!st_json_add(root, "__metadata__", meta)) goto nomem;
    if (!st_json_add(meta, "format", cJSON_CreateString("pt"))) goto nomem;
    for (int i = 0; i < w->num_meta; i++)
        if (!st_json_add(meta, w->meta[i].key, cJSON_CreateString(w->meta[i].value)))
            goto nomem;
    uint64_t offset = 0;
    for (int i = 0; i < w->num_tensors; i++) {
        const StEntry *e = &w->tensors[i];
        /* every item ends up attached or deleted, whichever call fails */
        cJSON *t = cJSON_CreateObject(), *shape = cJSON_CreateArray();
        cJSON *offsets = cJSON_CreateArray();
        bool ok = true;
        for (int d = 0; d < e->ndim; d++)
            ok = st_json_push(shape, st_json_int((uint64_t)e->shape[d])) && ok;
        ok = st_json_push(offsets, st_json_int(offset)) && ok;
        ok = st_json_push(offsets, st_json_int(offset + e->bytes)) && ok;
        ok = st_json_add(t, "dtype", cJSON_CreateString(st_dtype_names[e->dtype])) && ok;
        ok = st_json_add(t, "shape", shape) && ok;
        ok = st_json_add(t, "data_offsets", offsets) && ok;
        ok = st_json_add(root, e->name, t) && ok;
        if (!ok) goto nomem;
        offset += e->bytes;
    }
    text = cJSON_PrintUnformatted(root);
    if (!text) goto nomem;
    size_t n = strlen(text), padded = (n + 7) / 8 * 8;
    *out = malloc(padded + 1);
    if (!*out) goto nomem;
    memcpy(*out, text, n);
    memset(*out + n, ' ', padded - n);
    (*out)[padded] = '\0';
    *len = padded;
    cJSON_free(text);
    cJSON_Delete(root);
    return ARC_OK;
nomem:
    cJSON_free(text);
    cJSON_Delete(root);
    return arc_err_set(err, ARC_ERR_NOMEM, "%s: out of memory building the header", who);
}

static void st_put_u64(uint8_t *p, uint64_t v)
{
    for (int i = 0; i < 8; i++) p[i] = (uint8_t)(v >> (8 * i));
}

int arc_st_encode(const ArcStWriter *w, uint8_t **out, size_t *out_len, ArcErr *err)
{
    ARC_CHECK(w != NULL && out != NULL && out_len != NULL, "writer and outputs are required");
    *out = NULL;
    *out_len = 0;
    if (w->status)
        return arc_err_set(err, w->status, "(memory): not encoded: %s", w->first.msg);
    char *header;
    size_t hlen;
    int st = st_header(w, "(memory)", &header, &hlen, err);
    if (st) return st;
    size_t total = 8 + hlen + (size_t)w->total_bytes;
    uint8_t *buf = malloc(total);
    if (!buf) {
        free(header);
        return arc_err_set(err, ARC_ERR_NOMEM, "(memory): out of memory for %zu bytes", total);
    }
    st_put_u64(buf, hlen);
    memcpy(buf + 8, header, hlen);
    size_t o = 8 + hlen;
    for (int i = 0; i < w->num_tensors; i++) {
        if (w->tensors[i].bytes) memcpy(buf + o, w->tensors[i].data, w->tensors[i].bytes);
        o += w->tensors[i].bytes;
    }
    free(header);
    *out = buf;
    *out_len = total;
    return ARC_OK;
}

int arc_st_save(const ArcStWriter *w, const char *path, ArcErr *err)
{
    ARC_CHECK(w != NULL && path != NULL, "writer and path are required");
    if (w->status) return arc_err_set(err, w->status, "%s: not saved: %s", path, w->first.msg);
    size_t plen = strlen(path);
    if (!plen || path[plen - 1] == '/')
        return arc_err_set(err, ARC_ERR_ARG, "'%s': not a file path", path);

    char *header = NULL;
    size_t hlen = 0;
    int st = st_header(w, path, &header, &hlen, err);
    if (st) return st;
    size_t tlen = plen + 32;
    char *tmp = malloc(tlen);
    if (!tmp) {
        free(header);
        return arc_err_set(err, ARC_ERR_NOMEM, "%s: out of memory", path);
    }
    FILE *fp = arc_file_create_temp(path, tmp, tlen, err);
    if (fp) {
        uint8_t len8[8];
        st_put_u64(len8, hlen);
        errno = 0;
        bool ok = fwrite(len8, 1, 8, fp) == 8 && fwrite(header, 1, hlen, fp) == hlen;
        for (int i = 0; ok && i < w->num_tensors; i++)
            if (w->tensors[i].bytes)
                ok = fwrite(w->tensors[i].data, 1, w->tensors[i].bytes, fp) == w->tensors[i].bytes;
        st = arc_file_commit(fp, tmp, path, ok, err);
    } else {
        st = ARC_ERR_IO;
    }
    free(tmp);
    free(header);
    return st;
}

/* ------------------------------------------------------------------ reader */

typedef struct StSlot {
    ArcStTensor t;
    char *name;     /* t.name */
    void *copy;     /* aligned private copy of a misaligned tensor, or NULL */
    uint64_t begin, end;
    int order;      /* position in the header, breaks ties when sorting */
} StSlot;

struct ArcStFile {
    char *name;
    uint8_t *alloc;          /* the image: length, header, data section */
    const uint8_t *data;     /* data section (64-byte aligned) */
    size_t data_bytes;
    StSlot *slots;           /* in data-offset order */
    const StSlot **by_name;  /* sorted by name */
    int num_tensors;
    StMeta *meta;            /* in header order */
    const StMeta **meta_by_key;
    int num_meta;
};

void arc_st_free(ArcStFile *f)
{
    if (!f) return;
    for (int i = 0; i < f->num_tensors; i++) {
        free(f->slots[i].name);
        free(f->slots[i].copy);
    }
    for (int i = 0; i < f->num_meta; i++) {
        free(f->meta[i].key);
        free(f->meta[i].value);
    }
    free(f->slots);
    free(f->by_name);
    free(f->meta);
    free(f->meta_by_key);
    free(f->alloc);
    free(f->name);
    free(f);
}

/* Checks the length field against the image size; *n is the header length. */
static int st_check_prefix(const uint8_t *image, size_t len, const char *name, uint64_t *n,
                           ArcErr *err)
{
    if (len < 8)
        return arc_err_set(err, ARC_ERR_FORMAT, "%s: file is %zu bytes, too short for the "
                           "8-byte header length", name, len);
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--) v = v << 8 | image[i];
    if (v > len - 8)
        return arc_err_set(err, ARC_ERR_FORMAT, "%s: header length %" PRIu64 " is larger than "
                           "the %zu bytes after the length field (truncated or not a "
                           "safetensors file)", name, v, len - 8);
    if (v > ARC_ST_MAX_HEADER)
        return arc_err_set(err, ARC_ERR_FORMAT, "%s: header length %" PRIu64 " exceeds the "
                           "limit of %u bytes", name, v, ARC_ST_MAX_HEADER);
    *n = v;
    return ARC_OK;
}

/* A buffer for an image of len bytes whose data section (after 8 + n bytes) is aligned. */
static int st_alloc_image(size_t len, uint64_t n, const char *name, uint8_t **alloc,
                          uint8_t **image, ArcErr *err)
{
    *alloc = len <= SIZE_MAX - ST_ALIGN ? malloc(len + ST_ALIGN) : NULL;
    if (!*alloc)
        return arc_err_set(err, ARC_ERR_NOMEM, "%s: out of memory for %zu bytes", name, len);
    uintptr_t start = (uintptr_t)*alloc + 8 + (uintptr_t)n;
    *image = *alloc + (ST_ALIGN - start % ST_ALIGN) % ST_ALIGN;
    return ARC_OK;
}

static bool st_json_u64(const cJSON *it, uint64_t *v)
{
    if (!cJSON_IsNumber(it)) return false;
    double d = it->valuedouble;
    if (!(d >= 0.0 && d <= ST_MAX_INT)) return false; /* also rejects NaN */
    uint64_t u = (uint64_t)d;
    if ((double)u != d) return false;
    *v = u;
    return true;
}

static const char *st_json_kind(const cJSON *it)
{
    if (cJSON_IsArray(it)) return "an array";
    if (cJSON_IsString(it)) return "a string";
    if (cJSON_IsNumber(it)) return "a number";
    if (cJSON_IsBool(it)) return "a boolean";
    if (cJSON_IsNull(it)) return "null";
    return "not an object";
}

/* Validates one header entry into slot s (name already set). */
static int st_parse_entry(const char *file, const cJSON *entry, size_t data_bytes, StSlot *s,
                          ArcErr *err)
{
    StQuoted q = st_quote(s->name);
    if (!cJSON_IsObject(entry))
        return arc_err_set(err, ARC_ERR_FORMAT, "%s: tensor '%s' is %s, expected an object",
                           file, q.s, st_json_kind(entry));
    const cJSON *dtype = NULL, *shape = NULL, *offsets = NULL;
    for (const cJSON *c = entry->child; c; c = c->next) {
        const cJSON **slot = !strcmp(c->string, "dtype")          ? &dtype
                             : !strcmp(c->string, "shape")        ? &shape
                             : !strcmp(c->string, "data_offsets") ? &offsets
                                                                  : NULL;
        if (!slot)
            return arc_err_set(err, ARC_ERR_FORMAT, "%s: tensor '%s' has unknown field '%s' "
                               "(expected dtype, shape, data_offsets)", file, q.s,
                               st_quote(c->string).s);
        if (*slot)
            return arc_err_set(err, ARC_ERR_FORMAT, "%s: tensor '%s' has field '%s' twice",
                               file, q.s, c->string);
        *slot = c;
    }
    if (!cJSON_IsString(dtype))
        return arc_err_set(err, ARC_ERR_FORMAT, "%s: tensor '%s' dtype is missing or not a "
                           "string", file, q.s);
    int dt = 0;
    while (dt < ARC_ST_NUM_DTYPES && strcmp(dtype->valuestring, st_dtype_names[dt])) dt++;
    if (dt == ARC_ST_NUM_DTYPES)
        return arc_err_set(err, ARC_ERR_FORMAT, "%s: tensor '%s' has unknown dtype '%s' "
                           "(expected F32, F64, I64, I32, U32 or U8)", file, q.s,
                           st_quote(dtype->valuestring).s);
    s->t.dtype = (ArcStDtype)dt;
    if (!cJSON_IsArray(shape))
        return arc_err_set(err, ARC_ERR_FORMAT, "%s: tensor '%s' shape is missing or not an "
                           "array", file, q.s);
    int ndim = cJSON_GetArraySize(shape);
    if (ndim > ARC_ST_MAX_DIMS)
        return arc_err_set(err, ARC_ERR_FORMAT, "%s: tensor '%s' shape has %d dimensions "
                           "(at most %d)", file, q.s, ndim, ARC_ST_MAX_DIMS);
    int d = 0;
    for (const cJSON *c = shape->child; c; c = c->next, d++) {
        uint64_t v;
        if (!st_json_u64(c, &v))
            return arc_err_set(err, ARC_ERR_FORMAT, "%s: tensor '%s' shape[%d] is not a "
                               "non-negative integer", file, q.s, d);
        s->t.shape[d] = (int64_t)v;
    }
    s->t.ndim = ndim;
    StShapeText shape_text = st_shape_text(ndim, s->t.shape);
    uint64_t numel, bytes;
    if (!st_shape_bytes(ndim, s->t.shape, s->t.dtype, &numel, &bytes))
        return arc_err_set(err, ARC_ERR_FORMAT, "%s: tensor '%s' shape %s is too large", file,
                           q.s, shape_text.s);
    if (!cJSON_IsArray(offsets) || cJSON_GetArraySize(offsets) != 2 ||
        !st_json_u64(offsets->child, &s->begin) || !st_json_u64(offsets->child->next, &s->end))
        return arc_err_set(err, ARC_ERR_FORMAT, "%s: tensor '%s' data_offsets must be "
                           "[begin, end] with non-negative integers", file, q.s);
    if (s->end < s->begin)
        return arc_err_set(err, ARC_ERR_FORMAT, "%s: tensor '%s' data_offsets [%" PRIu64 ", %"
                           PRIu64 "] end before they begin", file, q.s, s->begin, s->end);
    if (s->end - s->begin != bytes)
        return arc_err_set(err, ARC_ERR_FORMAT, "%s: tensor '%s' data_offsets [%" PRIu64 ", %"
                           PRIu64 "] do not match shape %s %s (%" PRIu64 " elements = %" PRIu64
                           " bytes)", file, q.s, s->begin, s->end, shape_text.s,
                           st_dtype_names[dt], numel, bytes);
    if (s->end > data_bytes)
        return arc_err_set(err, ARC_ERR_FORMAT, "%s: tensor '%s' data_offsets [%" PRIu64 ", %"
                           PRIu64 "] run past the end of the data section (%zu bytes)", file,
                           q.s, s->begin, s->end, data_bytes);
    s->t.numel = (size_t)numel;
    s->t.bytes = (size_t)bytes;
    return ARC_OK;
}

static int st_cmp_offsets(const void *a, const void *b)
{
    const StSlot *x = a, *y = b;
    if (x->begin != y->begin) return x->begin < y->begin ? -1 : 1;
    if (x->end != y->end) return x->end < y->end ? -1 : 1;
    return (x->order > y->order) - (x->order < y->order);
}

static int st_cmp_slot_names(const void *a, const void *b)
{
    return strcmp((*(const StSlot *const *)a)->name, (*(const StSlot *const *)b)->name);
}

static int st_cmp_meta_keys(const void *a, const void *b)
{
    return strcmp((*(const StMeta *const *)a)->key, (*(const StMeta *const *)b)->key);
}

static int st_parse_metadata(ArcStFile *f, const cJSON *meta, ArcErr *err)
{
    if (!cJSON_IsObject(meta))
        return arc_err_set(err, ARC_ERR_FORMAT, "%s: __metadata__ is %s, expected an object "
                           "of strings", f->name, st_json_kind(meta));
    int n = cJSON_GetArraySize(meta);
    f->meta = calloc(n ? (size_t)n : 1, sizeof *f->meta);
    f->meta_by_key = calloc(n ? (size_t)n : 1, sizeof *f->meta_by_key);
    if (!f->meta || !f->meta_by_key) goto nomem;
    for (const cJSON *c = meta->child; c; c = c->next) {
        if (!cJSON_IsString(c))
            return arc_err_set(err, ARC_ERR_FORMAT, "%s: metadata '%s' is %s, expected a "
                               "string", f->name, st_quote(c->string).s, st_json_kind(c));
        StMeta *m = &f->meta[f->num_meta];
        m->key = st_strdup(c->string);
        m->value = st_strdup(c->valuestring);
        f->meta_by_key[f->num_meta] = m;
        f->num_meta++; /* counted before the check so arc_st_free releases both */
        if (!m->key || !m->value) goto nomem;
    }
    qsort(f->meta_by_key, (size_t)f->num_meta, sizeof *f->meta_by_key, st_cmp_meta_keys);
    for (int i = 1; i < f->num_meta; i++)
        if (!strcmp(f->meta_by_key[i - 1]->key, f->meta_by_key[i]->key))
            return arc_err_set(err, ARC_ERR_FORMAT, "%s: duplicate metadata key '%s'", f->name,
                               st_quote(f->meta_by_key[i]->key).s);
    return ARC_OK;
nomem:
    return arc_err_set(err, ARC_ERR_NOMEM, "%s: out of memory reading metadata", f->name);
}

/* Validates an image (image[0..len) inside alloc, header length n already checked) and
 * builds the file.  Takes ownership of alloc whatever happens. */
static int st_parse(uint8_t *alloc, const uint8_t *image, size_t len, uint64_t n,
                    const char *name, ArcStFile **out, ArcErr *err)
{
    *out = NULL;
    int st = ARC_ERR_NOMEM;
    char *hdr = NULL;
    cJSON *root = NULL;
    ArcStFile *f = calloc(1, sizeof *f);
    if (!f) {
        free(alloc);
        return arc_err_set(err, ARC_ERR_NOMEM, "%s: out of memory", name);
    }
    f->alloc = alloc;
    f->name = st_strdup(name);
    hdr = malloc((size_t)n + 1);
    if (!f->name || !hdr) goto nomem;
    memcpy(hdr, image + 8, (size_t)n);
    hdr[n] = '\0';
    f->data = image + 8 + n;
    f->data_bytes = len - 8 - (size_t)n;

    const char *nul = memchr(hdr, '\0', (size_t)n);
    if (nul) {
        st = arc_err_set(err, ARC_ERR_FORMAT, "%s: header has a NUL byte at offset %zu", name,
                         (size_t)(nul - hdr));
        goto fail;
    }
    size_t bad = st_utf8_invalid_at((const uint8_t *)hdr, (size_t)n);
    if (bad != n) {
        st = arc_err_set(err, ARC_ERR_FORMAT, "%s: header is not valid UTF-8 (byte %zu)", name,
                         bad);
        goto fail;
    }
    const char *end = NULL;
    root = cJSON_ParseWithLengthOpts(hdr, (size_t)n + 1, &end, 1);
    if (!root) {
        size_t at = end && end >= hdr && end <= hdr + n ? (size_t)(end - hdr) : 0;
        st = arc_err_set(err, ARC_ERR_FORMAT, "%s: header is not valid JSON (error near byte %zu"
                         " of %" PRIu64 ")", name, at, n);
        goto fail;
    }
    if (!cJSON_IsObject(root)) {
        st = arc_err_set(err, ARC_ERR_FORMAT, "%s: header is %s, expected a JSON object", name,
                         st_json_kind(root));
        goto fail;
    }
    if (hdr[0] != '{') {
        st = arc_err_set(err, ARC_ERR_FORMAT, "%s: header must start with '{'", name);
        goto fail;
    }

    const cJSON *meta = NULL;
    int count = 0;
    for (const cJSON *c = root->child; c; c = c->next) {
        if (strcmp(c->string, "__metadata__")) {
            count++;
        } else if (meta) {
            st = arc_err_set(err, ARC_ERR_FORMAT, "%s: __metadata__ appears twice", name);
            goto fail;
        } else {
            meta = c;
        }
    }
    if (meta && (st = st_parse_metadata(f, meta, err)) != ARC_OK) goto fail;

    f->slots = calloc(count ? (size_t)count : 1, sizeof *f->slots);
    f->by_name = calloc(count ? (size_t)count : 1, sizeof *f->by_name);
    if (!f->slots || !f->by_name) goto nomem;
    for (const cJSON *c = root->child; c; c = c->next) {
        if (c == meta) continue;
        StSlot *s = &f->slots[f->num_tensors];
        s->order = f->num_tensors;
        f->num_tensors++; /* counted first so arc_st_free releases the name */
        s->name = st_strdup(c->string);
        if (!s->name) goto nomem;
        s->t.name = s->name;
        if ((st = st_parse_entry(name, c, f->data_bytes, s, err)) != ARC_OK) goto fail;
    }

    /* The tensors must tile [0, data_bytes) exactly. */
    qsort(f->slots, (size_t)count, sizeof *f->slots, st_cmp_offsets);
    uint64_t expect = 0;
    for (int i = 0; i < count; i++) {
        const StSlot *s = &f->slots[i];
        if (s->begin != expect) {
            StQuoted q = st_quote(s->name);
            if (i == 0)
                st = arc_err_set(err, ARC_ERR_FORMAT, "%s: gap of %" PRIu64 " bytes before "
                                 "tensor '%s' (data_offsets [%" PRIu64 ", %" PRIu64 "])", name,
                                 s->begin, q.s, s->begin, s->end);
            else if (s->begin < expect)
                st = arc_err_set(err, ARC_ERR_FORMAT, "%s: tensors '%s' [%" PRIu64 ", %" PRIu64
                                 "] and '%s' [%" PRIu64 ", %" PRIu64 "] overlap", name,
                                 st_quote(f->slots[i - 1].name).s, f->slots[i - 1].begin,
                                 f->slots[i - 1].end, q.s, s->begin, s->end);
            else
                st = arc_err_set(err, ARC_ERR_FORMAT, "%s: gap of %" PRIu64 " bytes between "
                                 "tensors '%s' [%" PRIu64 ", %" PRIu64 "] and '%s' [%" PRIu64
                                 ", %" PRIu64 "]", name, s->begin - expect,
                                 st_quote(f->slots[i - 1].name).s, f->slots[i - 1].begin,
                                 f->slots[i - 1].end, q.s, s->begin, s->end);
            goto fail;
        }
        expect = s->end;
    }
    if (expect != f->data_bytes) {
        st = arc_err_set(err, ARC_ERR_FORMAT, "%s: data section has %zu bytes but the tensors "
                         "cover only %" PRIu64, name, f->data_bytes, expect);
        goto fail;
    }

    for (int i = 0; i < count; i++) {
        StSlot *s = &f->slots[i];
        f->by_name[i] = s;
        const uint8_t *p = f->data + s->begin;
        size_t size = st_dtype_sizes[s->t.dtype];
        if (s->t.bytes == 0) {
            p = f->data; /* nothing to read; keep the pointer aligned */
        } else if ((uintptr_t)p % size) {
            s->copy = malloc(s->t.bytes); /* malloc alignment covers every dtype */
            if (!s->copy) goto nomem;
            memcpy(s->copy, p, s->t.bytes);
            p = s->copy;
        }
        s->t.data = p;
    }
    qsort(f->by_name, (size_t)count, sizeof *f->by_name, st_cmp_slot_names);
    for (int i = 1; i < count; i++)
        if (!strcmp(f->by_name[i - 1]->name, f->by_name[i]->name)) {
            st = arc_err_set(err, ARC_ERR_FORMAT, "%s: duplicate tensor name '%s'", name,
                             st_quote(f->by_name[i]->name).s);
            goto fail;
        }

    cJSON_Delete(root);
    free(hdr);
    *out = f;
    return ARC_OK;
nomem:
    st = arc_err_set(err, ARC_ERR_NOMEM, "%s: out of memory while loading", name);
fail:
    cJSON_Delete(root);
    free(hdr);
    arc_st_free(f);
    return st;
}

int arc_st_load_memory(const void *buf, size_t len, const char *name, ArcStFile **out,
                       ArcErr *err)
{
    ARC_CHECK(out != NULL && (buf != NULL || len == 0), "buffer and output are required");
    *out = NULL;
    if (!name) name = "(memory)";
    uint64_t n = 0;
    int st = st_check_prefix(buf, len, name, &n, err);
    if (st) return st;
    uint8_t *alloc = NULL, *image = NULL;
    if ((st = st_alloc_image(len, n, name, &alloc, &image, err)) != ARC_OK) return st;
    memcpy(image, buf, len);
    return st_parse(alloc, image, len, n, name, out, err);
}

/* Reads exactly len bytes; false on error or early end of file. */
static bool st_read_all(int fd, uint8_t *p, size_t len)
{
    while (len) {
        ssize_t r = read(fd, p, len > (1u << 30) ? (1u << 30) : len);
        if (r < 0 && errno == EINTR) continue;
        if (r <= 0) return false;
        p += r;
        len -= (size_t)r;
    }
    return true;
}

int arc_st_load(const char *path, ArcStFile **out, ArcErr *err)
{
    ARC_CHECK(path != NULL && out != NULL, "path and output are required");
    *out = NULL;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return arc_err_set(err, ARC_ERR_IO, "%s: cannot open: %s", path, strerror(errno));
    uint8_t *alloc = NULL, *image = NULL;
    uint8_t first[8];
    uint64_t n = 0;
    int st;
    struct stat sb;
    if (fstat(fd, &sb) != 0) {
        st = arc_err_set(err, ARC_ERR_IO, "%s: cannot stat: %s", path, strerror(errno));
        goto fail;
    }
    if (!S_ISREG(sb.st_mode)) {
        st = arc_err_set(err, ARC_ERR_IO, "%s: not a regular file", path);
        goto fail;
    }
    if ((uint64_t)sb.st_size > SIZE_MAX - ST_ALIGN) {
        st = arc_err_set(err, ARC_ERR_NOMEM, "%s: file too large to load", path);
        goto fail;
    }
    size_t len = (size_t)sb.st_size;
    if (!st_read_all(fd, first, len < 8 ? len : 8)) {
        st = arc_err_set(err, ARC_ERR_IO, "%s: read failed or file shrank while reading", path);
        goto fail;
    }
    if ((st = st_check_prefix(first, len, path, &n, err)) != ARC_OK) goto fail;
    if ((st = st_alloc_image(len, n, path, &alloc, &image, err)) != ARC_OK) goto fail;
    memcpy(image, first, 8);
    if (!st_read_all(fd, image + 8, len - 8)) {
        st = arc_err_set(err, ARC_ERR_IO, "%s: read failed or file shrank while reading", path);
        goto fail;
    }
    close(fd);
    return st_parse(alloc, image, len, n, path, out, err);
fail:
    close(fd);
    free(alloc);
    return st;
}

/* ---------------------------------------------------------------- accessors */

const char *arc_st_name(const ArcStFile *f) { return f->name; }
size_t arc_st_data_bytes(const ArcStFile *f) { return f->data_bytes; }
int arc_st_count(const ArcStFile *f) { return f->num_tensors; }
int arc_st_metadata_count(const ArcStFile *f) { return f->num_meta; }

const ArcStTensor *arc_st_tensor_at(const ArcStFile *f, int i)
{
    ARC_CHECK(i >= 0 && i < f->num_tensors, "tensor index %d of %d", i, f->num_tensors);
    return &f->slots[i].t;
}

const ArcStTensor *arc_st_tensor(const ArcStFile *f, const char *name)
{
    StSlot key = {.name = (char *)name};
    const StSlot *kp = &key;
    const StSlot **hit = f->num_tensors ? bsearch(&kp, f->by_name, (size_t)f->num_tensors,
                                                  sizeof *f->by_name, st_cmp_slot_names)
                                        : NULL;
    return hit ? &(*hit)->t : NULL;
}

void arc_st_metadata_at(const ArcStFile *f, int i, const char **key, const char **value)
{
    ARC_CHECK(i >= 0 && i < f->num_meta, "metadata index %d of %d", i, f->num_meta);
    if (key) *key = f->meta[i].key;
    if (value) *value = f->meta[i].value;
}

const char *arc_st_metadata(const ArcStFile *f, const char *key)
{
    StMeta probe = {.key = (char *)key};
    const StMeta *pp = &probe;
    const StMeta **hit = f->num_meta ? bsearch(&pp, f->meta_by_key, (size_t)f->num_meta,
                                               sizeof *f->meta_by_key, st_cmp_meta_keys)
                                     : NULL;
    return hit ? (*hit)->value : NULL;
}

int arc_st_metadata_i64(const ArcStFile *f, const char *key, int64_t *value, ArcErr *err)
{
    const char *v = arc_st_metadata(f, key);
    if (!v)
        return arc_err_set(err, ARC_ERR_FORMAT, "%s: metadata '%s' is missing", f->name,
                           st_quote(key).s);
    char *end = NULL;
    errno = 0;
    long long x = (*v == '-' || (*v >= '0' && *v <= '9')) ? strtoll(v, &end, 10) : 0;
    if (!end || end == v || *end || errno == ERANGE)
        return arc_err_set(err, ARC_ERR_FORMAT, "%s: metadata '%s' = '%s' is not a decimal "
                           "64-bit integer", f->name, st_quote(key).s, st_quote(v).s);
    *value = (int64_t)x;
    return ARC_OK;
}

int arc_st_copy(const ArcStFile *f, const char *name, ArcStDtype dtype, int ndim,
                const int64_t *shape, void *dst, ArcErr *err)
{
    ARC_CHECK(ndim >= 0 && ndim <= ARC_ST_MAX_DIMS && (ndim == 0 || shape),
              "expected shape of %d dimensions", ndim);
    const ArcStTensor *t = arc_st_tensor(f, name);
    StQuoted q = st_quote(name);
    if (!t)
        return arc_err_set(err, ARC_ERR_FORMAT, "%s: no tensor '%s'", f->name, q.s);
    if (t->dtype != dtype)
        return arc_err_set(err, ARC_ERR_FORMAT, "%s: tensor '%s' is %s, expected %s", f->name,
                           q.s, arc_st_dtype_name(t->dtype), arc_st_dtype_name(dtype));
    bool same = t->ndim == ndim;
    for (int d = 0; same && d < ndim; d++) same = t->shape[d] == shape[d];
    if (!same)
        return arc_err_set(err, ARC_ERR_FORMAT, "%s: tensor '%s' has shape %s, expected %s",
                           f->name, q.s, st_shape_text(t->ndim, t->shape).s,
                           st_shape_text(ndim, shape).s);
    if (t->bytes) memcpy(dst, t->data, t->bytes);
    return ARC_OK;
}

int arc_st_copy_f32(const ArcStFile *f, const char *name, int ndim, const int64_t *shape,
                    float *dst, ArcErr *err)
{
    return arc_st_copy(f, name, ARC_ST_F32, ndim, shape, dst, err);
}

/* Writes s with control characters escaped (metadata may hold anything). */
static void st_put_escaped(FILE *out, const char *s, const char *newline)
{
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p == '\n')
            fputs(newline, out);
        else if (*p < 0x20 || *p == 0x7F)
            fprintf(out, "\\x%02X", *p);
        else
            fputc(*p, out);
    }
}

void arc_st_describe(const ArcStFile *f, FILE *out)
{
    uint64_t total = 0;
    int name_w = 4;
    for (int i = 0; i < f->num_tensors; i++) {
        total += f->slots[i].t.numel;
        int w = (int)strlen(f->slots[i].name);
        if (w > name_w) name_w = w < 48 ? w : 48;
    }
    fprintf(out, "%s: %d tensors, %" PRIu64 " elements, %zu bytes of data\n", f->name,
            f->num_tensors, total, f->data_bytes);
    fprintf(out, "metadata (%d):\n", f->num_meta);
    for (int i = 0; i < f->num_meta; i++) {
        fputs("  ", out);
        st_put_escaped(out, f->meta[i].key, "\\n");
        if (strchr(f->meta[i].value, '\n')) {
            fputs(":\n    ", out);
            st_put_escaped(out, f->meta[i].value, "\n    ");
        } else {
            fputs(": ", out);
            st_put_escaped(out, f->meta[i].value, "\\n");
        }
        fputc('\n', out);
    }
    fprintf(out, "tensors:\n  %-*s  %-5s  %-20s  %s\n", name_w, "name", "dtype", "shape",
            "elements");
    for (int i = 0; i < f->num_tensors; i++) {
        const ArcStTensor *t = &f->slots[i].t;
        fprintf(out, "  %-*s  %-5s  %-20s  %zu\n", name_w, st_quote(t->name).s,
                st_dtype_names[t->dtype], st_shape_text(t->ndim, t->shape).s, t->numel);
    }
}
