/* fuzz_safetensors.c — libFuzzer target for the checkpoint loader (`make fuzz`).
 *
 * Each input is loaded twice from memory (arc_st_load_memory, no files):
 *   A. as a whole safetensors image (length field, header, data), so mutations reach the
 *      length-field and truncation checks;
 *   B. when it starts with '{': as "header JSON, NUL byte, data", with the length field
 *      computed here, so mutations of the JSON are not all wasted on a mismatched length.
 * A rejected input must come back with no file and a one-line message naming the input.
 * An accepted one is checked for consistency (lookups, sizes, copies, every data byte read,
 * describe) and re-encoded with the writer: reloading that must give the same tensors and
 * metadata.  Any violated property aborts, which libFuzzer reports as a crash.
 *
 * Built with -DARC_FUZZ_MAKE_SEEDS instead, this file is a small program that writes a seed
 * corpus and a libFuzzer dictionary: `make_seeds SEED_DIR DICT_FILE`.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../common/safetensors.h"

static void check_same(const ArcStFile *a, const ArcStFile *b)
{
    ARC_CHECK(arc_st_count(a) == arc_st_count(b), "%d vs %d tensors", arc_st_count(a),
              arc_st_count(b));
    for (int i = 0; i < arc_st_count(a); i++) {
        const ArcStTensor *x = arc_st_tensor_at(a, i), *y = arc_st_tensor(b, x->name);
        ARC_CHECK(y != NULL, "tensor lost in round trip");
        ARC_CHECK(x->dtype == y->dtype && x->ndim == y->ndim && x->bytes == y->bytes,
                  "tensor changed in round trip");
        ARC_CHECK(memcmp(x->shape, y->shape, (size_t)x->ndim * sizeof x->shape[0]) == 0,
                  "shape changed in round trip");
        ARC_CHECK(x->bytes == 0 || memcmp(x->data, y->data, x->bytes) == 0,
                  "data changed in round trip");
    }
    for (int i = 0; i < arc_st_metadata_count(a); i++) {
        const char *k, *v;
        arc_st_metadata_at(a, i, &k, &v);
        if (!strcmp(k, "format")) continue; /* the writer always sets "pt" */
        const char *w = arc_st_metadata(b, k);
        ARC_CHECK(w != NULL, "metadata lost in round trip");
        ARC_CHECK(!strcmp(v, w), "metadata changed in round trip");
    }
}

/* Re-encodes f; the writer may refuse names the reader accepts (e.g. ""), which is fine. */
static void round_trip(const ArcStFile *f)
{
    ArcStWriter *w = arc_st_writer_init();
    ArcErr err;
    int ok = 1;
    for (int i = 0; ok && i < arc_st_count(f); i++) {
        const ArcStTensor *t = arc_st_tensor_at(f, i);
        ok = arc_st_writer_add(w, t->name, t->dtype, t->ndim, t->shape, t->data, &err) == 0;
    }
    for (int i = 0; ok && i < arc_st_metadata_count(f); i++) {
        const char *k, *v;
        arc_st_metadata_at(f, i, &k, &v);
        if (strcmp(k, "format")) ok = arc_st_writer_meta(w, k, v, &err) == 0;
    }
    uint8_t *buf = NULL;
    size_t len = 0;
    if (ok) {
        ARC_CHECK(arc_st_encode(w, &buf, &len, &err) == 0, "encode failed: %s", err.msg);
        ArcStFile *g = NULL;
        ARC_CHECK(arc_st_load_memory(buf, len, "again", &g, &err) == 0, "reload failed: %s",
                  err.msg);
        check_same(f, g);
        check_same(g, f);
        arc_st_free(g);
    }
    free(buf);
    arc_st_writer_free(w);
}

static void exercise(const ArcStFile *f)
{
    size_t covered = 0;
    for (int i = 0; i < arc_st_count(f); i++) {
        const ArcStTensor *t = arc_st_tensor_at(f, i);
        size_t size = arc_st_dtype_size(t->dtype);
        ARC_CHECK(size > 0 && t->bytes == t->numel * size, "bad size for '%s'", t->name);
        ARC_CHECK(t->data != NULL && (uintptr_t)t->data % size == 0, "bad pointer");
        ARC_CHECK(arc_st_tensor(f, t->name) == t, "lookup of '%s' disagrees", t->name);
        uint8_t *copy = malloc(t->bytes ? t->bytes : 1);
        ArcErr err;
        ARC_CHECK(copy != NULL, "malloc");
        ARC_CHECK(arc_st_copy(f, t->name, t->dtype, t->ndim, t->shape, copy, &err) == 0,
                  "copy failed: %s", err.msg);
        ARC_CHECK(t->bytes == 0 || memcmp(copy, t->data, t->bytes) == 0, "copy differs");
        free(copy);
        covered += t->bytes;
    }
    ARC_CHECK(covered == arc_st_data_bytes(f), "tensors cover %zu of %zu bytes", covered,
              arc_st_data_bytes(f));
    for (int i = 0; i < arc_st_metadata_count(f); i++) {
        const char *k, *v;
        arc_st_metadata_at(f, i, &k, &v);
        ARC_CHECK(arc_st_metadata(f, k) == v, "metadata lookup disagrees");
    }
    static FILE *sink;
    if (!sink) sink = fopen("/dev/null", "w");
    if (sink) arc_st_describe(f, sink);
    round_trip(f);
}

static void run_one(const uint8_t *data, size_t size)
{
    ArcStFile *f = (ArcStFile *)&f; /* must be overwritten with NULL on failure */
    ArcErr err;
    memset(err.msg, 0, sizeof err.msg);
    if (arc_st_load_memory(data, size, "fuzz", &f, &err) != 0) {
        ARC_CHECK(f == NULL, "failed load left a file behind");
        ARC_CHECK(strncmp(err.msg, "fuzz: ", 6) == 0 && strchr(err.msg, '\n') == NULL,
                  "bad message '%s'", err.msg);
        return;
    }
    exercise(f);
    arc_st_free(f);
}

#ifndef ARC_FUZZ_MAKE_SEEDS

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    run_one(data, size);
    if (size > 0 && data[0] == '{') {
        const uint8_t *nul = memchr(data, 0, size);
        size_t n = nul ? (size_t)(nul - data) : size;
        size_t rest = nul ? size - n - 1 : 0;
        uint8_t *image = malloc(8 + n + rest);
        if (!image) return 0;
        for (int i = 0; i < 8; i++) image[i] = (uint8_t)((uint64_t)n >> (8 * i));
        memcpy(image + 8, data, n);
        if (rest) memcpy(image + 8 + n, nul + 1, rest);
        run_one(image, 8 + n + rest);
        free(image);
    }
    return 0;
}

#else /* seed corpus and dictionary */

static void put_file(const char *dir, const char *name, const void *buf, size_t len)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *fp = fopen(path, "wb");
    ARC_CHECK(fp != NULL, "cannot write %s", path);
    ARC_CHECK(fwrite(buf, 1, len, fp) == len && fclose(fp) == 0, "write %s failed", path);
}

/* Writes an encoded image as-is (mode A) and as "header NUL data" (mode B). */
static void put_seed(const char *dir, const char *name, ArcStWriter *w)
{
    uint8_t *buf;
    size_t len;
    ArcErr err;
    ARC_CHECK(arc_st_encode(w, &buf, &len, &err) == 0, "%s", err.msg);
    run_one(buf, len); /* a seed must load and survive every check itself */
    char file[256];
    snprintf(file, sizeof file, "%s.a", name);
    put_file(dir, file, buf, len);
    uint64_t n = 0;
    for (int i = 7; i >= 0; i--) n = n << 8 | buf[i];
    while (n > 0 && buf[8 + n - 1] == ' ') n--; /* mode B needs no padding */
    uint8_t *b = malloc(len);
    ARC_CHECK(b != NULL, "malloc");
    memcpy(b, buf + 8, n);
    b[n] = 0;
    uint64_t hlen = 0;
    for (int i = 7; i >= 0; i--) hlen = hlen << 8 | buf[i];
    size_t data_len = len - 8 - hlen;
    memcpy(b + n + 1, buf + 8 + hlen, data_len);
    snprintf(file, sizeof file, "%s.b", name);
    put_file(dir, file, b, n + 1 + data_len);
    free(b);
    free(buf);
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: %s SEED_DIR DICT_FILE\n", argv[0]);
        return 2;
    }
    ArcErr err;
    float f32[6] = {1, -2, 3.5f, 0, 1e-3f, 7};
    double f64[2] = {0.25, -8};
    int64_t i64[2] = {-1, 1234567890123};
    int32_t i32[4] = {1, -2, 3, -4};
    uint32_t u32[3] = {0, 1, 4294967295u};
    uint8_t u8[3] = {1, 2, 3};

    ArcStWriter *w = arc_st_writer_init();
    arc_st_writer_add(w, "conv0.w", ARC_ST_F32, 4, (int64_t[]){1, 2, 3, 1}, f32, &err);
    arc_st_writer_add(w, "u8", ARC_ST_U8, 1, (int64_t[]){3}, u8, &err);
    arc_st_writer_add(w, "step", ARC_ST_I64, 0, NULL, &i64[1], &err);
    arc_st_writer_add(w, "f64", ARC_ST_F64, 2, (int64_t[]){1, 2}, f64, &err);
    arc_st_writer_add(w, "empty", ARC_ST_F32, 2, (int64_t[]){0, 4}, NULL, &err);
    arc_st_writer_add(w, "i32", ARC_ST_I32, 2, (int64_t[]){2, 2}, i32, &err);
    arc_st_writer_add(w, "rng", ARC_ST_U32, 1, (int64_t[]){3}, u32, &err);
    arc_st_writer_add(w, "i64", ARC_ST_I64, 1, (int64_t[]){2}, i64, &err);
    arc_st_writer_meta(w, "game", "breakout", &err);
    arc_st_writer_meta(w, "config", "{\"lr\": 0.001, \"seed\": 1}", &err);
    arc_st_writer_metaf(w, &err, "step", "%d", 1000);
    put_seed(argv[1], "mixed", w);
    arc_st_writer_free(w);

    w = arc_st_writer_init();
    put_seed(argv[1], "empty", w);
    arc_st_writer_free(w);

    w = arc_st_writer_init();
    arc_st_writer_add(w, "x", ARC_ST_F32, 1, (int64_t[]){2}, f32, &err);
    put_seed(argv[1], "one", w);
    arc_st_writer_free(w);

    FILE *d = fopen(argv[2], "w");
    ARC_CHECK(d != NULL, "cannot write %s", argv[2]);
    static const char *const words[] = {
        "\\\"dtype\\\"", "\\\"shape\\\"", "\\\"data_offsets\\\"", "\\\"__metadata__\\\"",
        "\\\"format\\\"", "\\\"pt\\\"", "\\\"F32\\\"", "\\\"F64\\\"", "\\\"I64\\\"",
        "\\\"I32\\\"", "\\\"U32\\\"", "\\\"U8\\\"", "\\\"F16\\\"", "[]", "[0,0]", "{}", "\\\":\\\"",
        "-1", "0.5", "1e3", "1e400", "9007199254740993", "4294967296", "\\\\u0000",
        "\\\\ud800", "\\xc3\\xa9", "\\xed\\xa0\\x80", "null", "true"};
    for (size_t i = 0; i < sizeof words / sizeof words[0]; i++)
        fprintf(d, "kw%zu=\"%s\"\n", i, words[i]);
    ARC_CHECK(fclose(d) == 0, "write %s failed", argv[2]);
    return 0;
}

#endif
