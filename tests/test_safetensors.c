/* test_safetensors.c — checkpoint files: round trips, atomic save, and rejection of every
 * kind of malformed file with a one-line message naming the file and the problem.
 *
 * Each test gets its own temporary directory (mkdtemp in .init, removed in .fini).  Bad
 * files are built from literal JSON headers so each test names exactly one defect.
 */
#include <criterion/criterion.h>

#include <errno.h>
#include <ftw.h>
#include <math.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>
#include <dirent.h>

#include "../common/safetensors.h"

#if defined(__SANITIZE_ADDRESS__)
#define ST_TEST_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define ST_TEST_ASAN 1
#endif
#endif
#ifdef ST_TEST_ASAN
#include <sanitizer/lsan_interface.h>
#endif

static char g_dir[64];

static void st_setup(void)
{
    strcpy(g_dir, "/tmp/arc_st_XXXXXX");
    cr_assert_not_null(mkdtemp(g_dir), "mkdtemp: %s", strerror(errno));
}

static int st_rm(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void)sb, (void)flag, (void)ftw;
    return remove(path);
}

static void st_teardown(void)
{
    if (g_dir[0]) nftw(g_dir, st_rm, 8, FTW_DEPTH | FTW_PHYS);
}

TestSuite(safetensors, .init = st_setup, .fini = st_teardown);

/* A path inside the test directory; four rotating buffers so a call can use several. */
static const char *tp(const char *name)
{
    static char bufs[4][256];
    static int next;
    char *b = bufs[next++ % 4];
    snprintf(b, sizeof bufs[0], "%s/%s", g_dir, name);
    return b;
}

static void write_bytes(const char *path, const void *buf, size_t len)
{
    FILE *fp = fopen(path, "wb");
    cr_assert_not_null(fp, "fopen %s: %s", path, strerror(errno));
    cr_assert_eq(fwrite(buf, 1, len, fp), len);
    cr_assert_eq(fclose(fp), 0);
}

static uint8_t *read_bytes(const char *path, size_t *len)
{
    FILE *fp = fopen(path, "rb");
    cr_assert_not_null(fp, "fopen %s: %s", path, strerror(errno));
    fseek(fp, 0, SEEK_END);
    long n = ftell(fp);
    fseek(fp, 0, SEEK_SET);
    uint8_t *buf = malloc((size_t)n + 1);
    cr_assert_eq(fread(buf, 1, (size_t)n, fp), (size_t)n);
    fclose(fp);
    *len = (size_t)n;
    return buf;
}

/* Writes an image: u64 length of json, json (unpadded), then data. */
static void write_image(const char *path, const char *json, const void *data, size_t data_len)
{
    size_t n = strlen(json);
    uint8_t *buf = malloc(8 + n + data_len + 1);
    for (int i = 0; i < 8; i++) buf[i] = (uint8_t)((uint64_t)n >> (8 * i));
    memcpy(buf + 8, json, n);
    if (data_len) memcpy(buf + 8 + n, data, data_len);
    write_bytes(path, buf, 8 + n + data_len);
    free(buf);
}

/* Loading must fail with a message that names the file and contains `expect`. */
static void expect_reject_file(const char *path, const char *expect)
{
    ArcStFile *f = (ArcStFile *)0x1;
    ArcErr err = {{0}};
    int st = arc_st_load(path, &f, &err);
    cr_assert_lt(st, 0, "load of a bad file succeeded (expected '%s')", expect);
    cr_assert_null(f);
    cr_assert_not_null(strstr(err.msg, path), "message does not name the file: %s", err.msg);
    cr_assert_not_null(strstr(err.msg, expect), "message '%s' lacks '%s'", err.msg, expect);
    cr_assert_null(strchr(err.msg, '\n'), "message is not one line: %s", err.msg);
}

static void expect_reject(const char *json, size_t data_len, const char *expect)
{
    uint8_t data[256] = {0};
    cr_assert_leq(data_len, sizeof data);
    const char *path = tp("bad.safetensors");
    write_image(path, json, data, data_len);
    expect_reject_file(path, expect);
}

/* ------------------------------------------------------------ round trips */

static const float k_f32[6] = {1.5f, -2.25f, 3.14159265f, 1e-30f, -0.0f, 65504.0f};
static const double k_f64[4] = {0.1, -1e300, 5e-324, 12345.678};
static const int64_t k_i64[3] = {INT64_MIN, -1, INT64_MAX};
static const int32_t k_i32[8] = {-7, 0, 1, INT32_MAX, INT32_MIN, 42, -42, 100000};
static const uint8_t k_u8[5] = {0, 1, 127, 128, 255};
static uint32_t g_u32[624];

/* A writer with several dtypes and shapes, including a scalar, empty tensors and a U8
 * tensor of odd size that leaves the next F32 tensor misaligned in the data section. */
static ArcStWriter *sample_writer(void)
{
    for (int i = 0; i < 624; i++) g_u32[i] = 2654435761u * (uint32_t)i;
    ArcStWriter *w = arc_st_writer_init();
    ArcErr err;
    cr_assert_eq(arc_st_writer_add(w, "w.f32", ARC_ST_F32, 2, (int64_t[]){2, 3}, k_f32, &err), 0);
    cr_assert_eq(arc_st_writer_add(w, "scalar", ARC_ST_I64, 0, NULL, &k_i64[2], &err), 0);
    cr_assert_eq(arc_st_writer_add(w, "rng.state", ARC_ST_U32, 1, (int64_t[]){624}, g_u32, &err),
                 0);
    cr_assert_eq(arc_st_writer_add(w, "empty", ARC_ST_F32, 1, (int64_t[]){0}, NULL, &err), 0);
    cr_assert_eq(arc_st_writer_add(w, "odd.u8", ARC_ST_U8, 1, (int64_t[]){5}, k_u8, &err), 0);
    cr_assert_eq(arc_st_writer_add(w, "i64", ARC_ST_I64, 1, (int64_t[]){3}, k_i64, &err), 0);
    cr_assert_eq(arc_st_writer_add(w, "i32", ARC_ST_I32, 3, (int64_t[]){2, 2, 2}, k_i32, &err),
                 0);
    cr_assert_eq(arc_st_writer_add(w, "f64", ARC_ST_F64, 2, (int64_t[]){4, 1}, k_f64, &err), 0);
    cr_assert_eq(arc_st_writer_add(w, "empty3d", ARC_ST_U8, 3, (int64_t[]){3, 0, 5}, NULL, &err),
                 0);
    cr_assert_eq(arc_st_writer_meta(w, "game", "breakout", &err), 0);
    cr_assert_eq(arc_st_writer_meta(w, "config",
                                    "{\n  \"lr\": 0.001,\n  \"name\": \"r\\u00e9sum\\u00e9 \\\"x\\\"\"\n}",
                                    &err), 0);
    cr_assert_eq(arc_st_writer_metaf(w, &err, "step", "%lld", 123456789012LL), 0);
    cr_assert_eq(arc_st_writer_meta(w, "unicode", "caf\xc3\xa9 \xe2\x9c\x93 tab\there", &err), 0);
    return w;
}

static void check_tensor(const ArcStFile *f, const char *name, ArcStDtype dtype, int ndim,
                         const int64_t *shape, const void *data)
{
    const ArcStTensor *t = arc_st_tensor(f, name);
    cr_assert_not_null(t, "tensor %s missing", name);
    cr_assert_str_eq(t->name, name);
    cr_assert_eq(t->dtype, dtype, "%s dtype", name);
    cr_assert_eq(t->ndim, ndim, "%s ndim", name);
    size_t numel = 1;
    for (int d = 0; d < ndim; d++) {
        cr_assert_eq(t->shape[d], shape[d], "%s shape[%d]", name, d);
        numel *= (size_t)shape[d];
    }
    cr_assert_eq(t->numel, numel, "%s numel", name);
    cr_assert_eq(t->bytes, numel * arc_st_dtype_size(dtype), "%s bytes", name);
    cr_assert_not_null(t->data);
    cr_assert_eq((uintptr_t)t->data % arc_st_dtype_size(dtype), 0, "%s data misaligned", name);
    if (numel) cr_assert_eq(memcmp(t->data, data, t->bytes), 0, "%s data differs", name);
}

static void check_sample(const ArcStFile *f)
{
    cr_assert_eq(arc_st_count(f), 9);
    check_tensor(f, "w.f32", ARC_ST_F32, 2, (int64_t[]){2, 3}, k_f32);
    check_tensor(f, "scalar", ARC_ST_I64, 0, NULL, &k_i64[2]);
    check_tensor(f, "rng.state", ARC_ST_U32, 1, (int64_t[]){624}, g_u32);
    check_tensor(f, "empty", ARC_ST_F32, 1, (int64_t[]){0}, NULL);
    check_tensor(f, "odd.u8", ARC_ST_U8, 1, (int64_t[]){5}, k_u8);
    check_tensor(f, "i64", ARC_ST_I64, 1, (int64_t[]){3}, k_i64);
    check_tensor(f, "i32", ARC_ST_I32, 3, (int64_t[]){2, 2, 2}, k_i32);
    check_tensor(f, "f64", ARC_ST_F64, 2, (int64_t[]){4, 1}, k_f64);
    check_tensor(f, "empty3d", ARC_ST_U8, 3, (int64_t[]){3, 0, 5}, NULL);
    cr_assert_null(arc_st_tensor(f, "nope"));
    /* iteration follows the order the tensors were added */
    const char *order[9] = {"w.f32", "scalar", "rng.state", "empty", "odd.u8",
                            "i64",   "i32",    "f64",       "empty3d"};
    for (int i = 0; i < 9; i++) cr_assert_str_eq(arc_st_tensor_at(f, i)->name, order[i]);
}

Test(safetensors, round_trip_dtypes_shapes_scalar_and_empty)
{
    ArcStWriter *w = sample_writer();
    ArcErr err = {{0}};
    const char *path = tp("ckpt.safetensors");
    cr_assert_eq(arc_st_save(w, path, &err), 0, "%s", err.msg);
    arc_st_writer_free(w);
    ArcStFile *f = NULL;
    cr_assert_eq(arc_st_load(path, &f, &err), 0, "%s", err.msg);
    check_sample(f);
    cr_assert_str_eq(arc_st_name(f), path);
    cr_assert_eq(arc_st_data_bytes(f), 24 + 8 + 2496 + 5 + 24 + 32 + 32);
    arc_st_free(f);
}

Test(safetensors, metadata_round_trip)
{
    ArcStWriter *w = sample_writer();
    ArcErr err = {{0}};
    const char *path = tp("ckpt.safetensors");
    cr_assert_eq(arc_st_save(w, path, &err), 0, "%s", err.msg);
    arc_st_writer_free(w);
    ArcStFile *f = NULL;
    cr_assert_eq(arc_st_load(path, &f, &err), 0, "%s", err.msg);
    cr_assert_eq(arc_st_metadata_count(f), 5);
    const char *k, *v;
    arc_st_metadata_at(f, 0, &k, &v);
    cr_assert_str_eq(k, "format");
    cr_assert_str_eq(v, "pt");
    cr_assert_str_eq(arc_st_metadata(f, "game"), "breakout");
    cr_assert_str_eq(arc_st_metadata(f, "config"),
                     "{\n  \"lr\": 0.001,\n  \"name\": \"r\\u00e9sum\\u00e9 \\\"x\\\"\"\n}");
    cr_assert_str_eq(arc_st_metadata(f, "unicode"), "caf\xc3\xa9 \xe2\x9c\x93 tab\there");
    cr_assert_null(arc_st_metadata(f, "missing"));
    int64_t step = 0;
    cr_assert_eq(arc_st_metadata_i64(f, "step", &step, &err), 0, "%s", err.msg);
    cr_assert_eq(step, 123456789012LL);
    cr_assert_lt(arc_st_metadata_i64(f, "game", &step, &err), 0);
    cr_assert_not_null(strstr(err.msg, "'game' = 'breakout' is not a decimal"), "%s", err.msg);
    cr_assert_lt(arc_st_metadata_i64(f, "missing", &step, &err), 0);
    cr_assert_not_null(strstr(err.msg, "'missing' is missing"), "%s", err.msg);
    arc_st_free(f);
}

Test(safetensors, header_padded_to_8_and_encode_matches_save)
{
    ArcStWriter *w = sample_writer();
    ArcErr err = {{0}};
    const char *path = tp("ckpt.safetensors");
    cr_assert_eq(arc_st_save(w, path, &err), 0, "%s", err.msg);
    uint8_t *mem = NULL;
    size_t mem_len = 0;
    cr_assert_eq(arc_st_encode(w, &mem, &mem_len, &err), 0, "%s", err.msg);
    arc_st_writer_free(w);
    size_t len;
    uint8_t *file = read_bytes(path, &len);
    cr_assert_eq(len, mem_len);
    cr_assert_eq(memcmp(file, mem, len), 0, "encode and save differ");
    uint64_t n = 0;
    for (int i = 7; i >= 0; i--) n = n << 8 | file[i];
    cr_assert_eq(n % 8, 0, "header length %llu not a multiple of 8", (unsigned long long)n);
    cr_assert_eq(file[8], '{');
    size_t last = 8 + (size_t)n - 1;
    while (file[last] == ' ') last--;
    cr_assert_eq(file[last], '}', "header must be JSON followed only by spaces");
    cr_assert_lt(8 + (size_t)n - 1 - last, 8, "more padding than needed");
    ArcStFile *f = NULL;
    cr_assert_eq(arc_st_load_memory(mem, mem_len, "mem", &f, &err), 0, "%s", err.msg);
    check_sample(f);
    arc_st_free(f);
    free(mem);
    free(file);
}

Test(safetensors, metadata_only_file)
{
    ArcStWriter *w = arc_st_writer_init();
    ArcErr err = {{0}};
    const char *path = tp("meta.safetensors");
    cr_assert_eq(arc_st_save(w, path, &err), 0, "%s", err.msg);
    arc_st_writer_free(w);
    ArcStFile *f = NULL;
    cr_assert_eq(arc_st_load(path, &f, &err), 0, "%s", err.msg);
    cr_assert_eq(arc_st_count(f), 0);
    cr_assert_eq(arc_st_data_bytes(f), 0);
    cr_assert_str_eq(arc_st_metadata(f, "format"), "pt");
    cr_assert_null(arc_st_tensor(f, "x"));
    arc_st_free(f);
}

Test(safetensors, misaligned_offsets_give_aligned_pointers)
{
    /* a third-party file: U8[3] first, so the F64 starts at offset 3 */
    uint8_t data[3 + 16] = {7, 8, 9};
    double v[2] = {1.25, -3.5};
    memcpy(data + 3, v, sizeof v);
    const char *path = tp("mis.safetensors");
    write_image(path, "{\"b\":{\"dtype\":\"U8\",\"shape\":[3],\"data_offsets\":[0,3]},"
                      "\"a\":{\"dtype\":\"F64\",\"shape\":[2],\"data_offsets\":[3,19]}}",
                data, sizeof data);
    ArcStFile *f = NULL;
    ArcErr err = {{0}};
    cr_assert_eq(arc_st_load(path, &f, &err), 0, "%s", err.msg);
    cr_assert_null(arc_st_metadata(f, "format"));
    check_tensor(f, "a", ARC_ST_F64, 1, (int64_t[]){2}, v);
    check_tensor(f, "b", ARC_ST_U8, 1, (int64_t[]){3}, data);
    cr_assert_eq(((const double *)arc_st_tensor(f, "a")->data)[1], -3.5);
    cr_assert_str_eq(arc_st_tensor_at(f, 0)->name, "b"); /* data order, not header order */
    arc_st_free(f);
}

Test(safetensors, copy_checks_name_dtype_and_shape)
{
    ArcStWriter *w = sample_writer();
    uint8_t *mem;
    size_t len;
    ArcErr err = {{0}};
    cr_assert_eq(arc_st_encode(w, &mem, &len, &err), 0, "%s", err.msg);
    arc_st_writer_free(w);
    ArcStFile *f = NULL;
    cr_assert_eq(arc_st_load_memory(mem, len, "ckpt.safetensors", &f, &err), 0, "%s", err.msg);
    free(mem);
    float dst[6] = {0};
    cr_assert_eq(arc_st_copy_f32(f, "w.f32", 2, (int64_t[]){2, 3}, dst, &err), 0, "%s", err.msg);
    cr_assert_eq(memcmp(dst, k_f32, sizeof dst), 0);
    cr_assert_lt(arc_st_copy_f32(f, "conv0.w", 2, (int64_t[]){2, 3}, dst, &err), 0);
    cr_assert_str_eq(err.msg, "ckpt.safetensors: no tensor 'conv0.w'");
    cr_assert_lt(arc_st_copy_f32(f, "w.f32", 2, (int64_t[]){3, 2}, dst, &err), 0);
    cr_assert_str_eq(err.msg, "ckpt.safetensors: tensor 'w.f32' has shape [2,3], expected [3,2]");
    cr_assert_lt(arc_st_copy_f32(f, "w.f32", 1, (int64_t[]){6}, dst, &err), 0);
    cr_assert_lt(arc_st_copy_f32(f, "f64", 2, (int64_t[]){4, 1}, dst, &err), 0);
    cr_assert_str_eq(err.msg, "ckpt.safetensors: tensor 'f64' is F64, expected F32");
    int64_t scalar = 0;
    cr_assert_eq(arc_st_copy(f, "scalar", ARC_ST_I64, 0, NULL, &scalar, &err), 0, "%s", err.msg);
    cr_assert_eq(scalar, INT64_MAX);
    arc_st_free(f);
}

Test(safetensors, describe_lists_metadata_and_tensors)
{
    ArcStWriter *w = sample_writer();
    uint8_t *mem;
    size_t len;
    ArcErr err = {{0}};
    cr_assert_eq(arc_st_encode(w, &mem, &len, &err), 0, "%s", err.msg);
    arc_st_writer_free(w);
    ArcStFile *f = NULL;
    cr_assert_eq(arc_st_load_memory(mem, len, "ckpt.safetensors", &f, &err), 0, "%s", err.msg);
    free(mem);
    char *text = NULL;
    size_t text_len = 0;
    FILE *out = open_memstream(&text, &text_len);
    arc_st_describe(f, out);
    fclose(out);
    cr_assert_not_null(strstr(text, "ckpt.safetensors: 9 tensors"), "%s", text);
    cr_assert_not_null(strstr(text, "game: breakout"), "%s", text);
    cr_assert_not_null(strstr(text, "format: pt"), "%s", text);
    cr_assert_not_null(strstr(text, "\"lr\": 0.001"), "%s", text);
    cr_assert(strstr(text, "rng.state") && strstr(text, "[624]") && strstr(text, "U32"), "%s",
              text);
    cr_assert_not_null(strstr(text, "[2,2,2]"), "%s", text);
    cr_assert_not_null(strstr(text, "[]"), "%s", text); /* the scalar */
    free(text);
    arc_st_free(f);
}

/* ------------------------------------------------------------ atomic save */

static int count_entries(const char *dir)
{
    DIR *d = opendir(dir);
    cr_assert_not_null(d);
    int n = 0;
    for (struct dirent *e; (e = readdir(d));)
        if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) n++;
    closedir(d);
    return n;
}

static void save_small(const char *path, float value)
{
    ArcStWriter *w = arc_st_writer_init();
    ArcErr err = {{0}};
    cr_assert_eq(arc_st_writer_add(w, "v", ARC_ST_F32, 1, (int64_t[]){1}, &value, &err), 0);
    cr_assert_eq(arc_st_save(w, path, &err), 0, "%s", err.msg);
    arc_st_writer_free(w);
}

static float load_small(const char *path)
{
    ArcStFile *f = NULL;
    ArcErr err = {{0}};
    cr_assert_eq(arc_st_load(path, &f, &err), 0, "%s", err.msg);
    float v = 0;
    cr_assert_eq(arc_st_copy_f32(f, "v", 1, (int64_t[]){1}, &v, &err), 0, "%s", err.msg);
    arc_st_free(f);
    return v;
}

Test(safetensors, save_replaces_existing_file)
{
    const char *path = tp("ckpt.safetensors");
    save_small(path, 1.0f);
    save_small(path, 2.0f);
    cr_assert_eq(load_small(path), 2.0f);
    cr_assert_eq(count_entries(g_dir), 1, "temporary file left behind");
}

Test(safetensors, failed_write_keeps_old_file)
{
    const char *path = tp("ckpt.safetensors");
    save_small(path, 1.0f);
    /* a file-size limit makes the write of the temporary file fail half-way (EFBIG) */
    signal(SIGXFSZ, SIG_IGN);
    struct rlimit old, lim;
    cr_assert_eq(getrlimit(RLIMIT_FSIZE, &old), 0);
    lim = old;
    lim.rlim_cur = 4096;
    cr_assert_eq(setrlimit(RLIMIT_FSIZE, &lim), 0);
    static float big[1 << 16];
    ArcStWriter *w = arc_st_writer_init();
    ArcErr err = {{0}};
    cr_assert_eq(arc_st_writer_add(w, "v", ARC_ST_F32, 1, (int64_t[]){1 << 16}, big, &err), 0);
    int st = arc_st_save(w, path, &err);
    setrlimit(RLIMIT_FSIZE, &old);
    arc_st_writer_free(w);
    cr_assert_eq(st, ARC_ERR_IO);
    cr_assert_not_null(strstr(err.msg, path), "%s", err.msg);
    cr_assert_not_null(strstr(err.msg, "writing temporary file"), "%s", err.msg);
    cr_assert_eq(load_small(path), 1.0f, "old checkpoint damaged");
    cr_assert_eq(count_entries(g_dir), 1, "temporary file left behind");
}

Test(safetensors, save_into_missing_or_non_directory_fails)
{
    const char *file = tp("plain");
    write_bytes(file, "x", 1);
    const char *cases[2] = {tp("plain/ckpt.safetensors"), tp("missing/ckpt.safetensors")};
    for (int i = 0; i < 2; i++) {
        ArcStWriter *w = arc_st_writer_init();
        ArcErr err = {{0}};
        int st = arc_st_save(w, cases[i], &err);
        arc_st_writer_free(w);
        cr_assert_eq(st, ARC_ERR_IO);
        cr_assert_not_null(strstr(err.msg, cases[i]), "%s", err.msg);
        cr_assert_not_null(strstr(err.msg, "cannot create temporary file"), "%s", err.msg);
    }
    cr_assert_eq(count_entries(g_dir), 1);
}

Test(safetensors, save_over_directory_fails_and_cleans_up)
{
    const char *path = tp("ckpt.safetensors");
    cr_assert_eq(mkdir(path, 0755), 0);
    ArcStWriter *w = arc_st_writer_init();
    ArcErr err = {{0}};
    int st = arc_st_save(w, path, &err);
    arc_st_writer_free(w);
    cr_assert_eq(st, ARC_ERR_IO);
    cr_assert_not_null(strstr(err.msg, "cannot rename"), "%s", err.msg);
    cr_assert_eq(count_entries(g_dir), 1, "temporary file left behind");
    struct stat sb;
    cr_assert(stat(path, &sb) == 0 && S_ISDIR(sb.st_mode));
}

/* ------------------------------------------------------------ writer errors */

Test(safetensors, writer_rejects_duplicates_and_bad_input)
{
    float x[4] = {0};
    ArcStWriter *w = arc_st_writer_init();
    ArcErr err = {{0}};
    cr_assert_eq(arc_st_writer_add(w, "a", ARC_ST_F32, 1, (int64_t[]){4}, x, &err), 0);
    cr_assert_eq(arc_st_writer_add(w, "a", ARC_ST_F32, 1, (int64_t[]){4}, x, &err), ARC_ERR_ARG);
    cr_assert_not_null(strstr(err.msg, "duplicate tensor name 'a'"), "%s", err.msg);
    cr_assert_lt(arc_st_writer_add(w, "", ARC_ST_F32, 0, NULL, x, &err), 0);
    cr_assert_lt(arc_st_writer_add(w, "__metadata__", ARC_ST_F32, 0, NULL, x, &err), 0);
    cr_assert_lt(arc_st_writer_add(w, "bad\xff", ARC_ST_F32, 0, NULL, x, &err), 0);
    cr_assert_lt(arc_st_writer_add(w, "neg", ARC_ST_F32, 1, (int64_t[]){-1}, x, &err), 0);
    cr_assert_lt(arc_st_writer_add(w, "nine", ARC_ST_U8, 9,
                                   (int64_t[]){1, 1, 1, 1, 1, 1, 1, 1, 1}, x, &err), 0);
    cr_assert_lt(arc_st_writer_add(w, "nodata", ARC_ST_F32, 1, (int64_t[]){2}, NULL, &err), 0);
    cr_assert_lt(arc_st_writer_add(w, "huge", ARC_ST_F64, 2, (int64_t[]){1LL << 40, 1LL << 40},
                                   x, &err), 0);
    cr_assert_not_null(strstr(err.msg, "too large"), "%s", err.msg);
    cr_assert_lt(arc_st_writer_meta(w, "format", "numpy", &err), 0);
    cr_assert_eq(arc_st_writer_meta(w, "k", "1", &err), 0);
    cr_assert_lt(arc_st_writer_meta(w, "k", "2", &err), 0);
    cr_assert_not_null(strstr(err.msg, "duplicate metadata key 'k'"), "%s", err.msg);
    /* the first failure sticks: save refuses and creates nothing */
    const char *path = tp("ckpt.safetensors");
    cr_assert_eq(arc_st_save(w, path, &err), ARC_ERR_ARG);
    cr_assert_not_null(strstr(err.msg, path), "%s", err.msg);
    cr_assert_not_null(strstr(err.msg, "duplicate tensor name 'a'"), "%s", err.msg);
    cr_assert_eq(count_entries(g_dir), 0);
    uint8_t *mem = (uint8_t *)0x1;
    size_t len;
    cr_assert_lt(arc_st_encode(w, &mem, &len, &err), 0);
    cr_assert_null(mem);
    arc_st_writer_free(w);
}

/* ------------------------------------------------------------ rejection */

Test(safetensors, rejects_missing_and_non_regular_files)
{
    expect_reject_file(tp("nothing.safetensors"), "cannot open");
    expect_reject_file(g_dir, "not a regular file");
}

Test(safetensors, rejects_file_shorter_than_8_bytes)
{
    const char *path = tp("short.safetensors");
    write_bytes(path, "\x10\0\0", 3);
    expect_reject_file(path, "file is 3 bytes, too short for the 8-byte header length");
    write_bytes(path, "", 0);
    expect_reject_file(path, "file is 0 bytes");
}

Test(safetensors, rejects_header_length_larger_than_file)
{
    const char *path = tp("long.safetensors");
    uint8_t buf[20] = {0xE8, 0x03}; /* 1000 */
    memcpy(buf + 8, "{}          ", 12);
    write_bytes(path, buf, sizeof buf);
    expect_reject_file(path, "header length 1000 is larger than the 12 bytes after the length");
}

Test(safetensors, rejects_header_length_over_the_cap)
{
    const char *path = tp("huge.safetensors");
    uint64_t n = (uint64_t)ARC_ST_MAX_HEADER + 8;
    uint8_t len8[8];
    for (int i = 0; i < 8; i++) len8[i] = (uint8_t)(n >> (8 * i));
    write_bytes(path, len8, 8);
    cr_assert_eq(truncate(path, (off_t)(n + 8)), 0); /* sparse: costs no disk */
    expect_reject_file(path, "exceeds the limit");
}

Test(safetensors, rejects_truncated_files)
{
    ArcStWriter *w = sample_writer();
    uint8_t *mem;
    size_t len;
    ArcErr err = {{0}};
    cr_assert_eq(arc_st_encode(w, &mem, &len, &err), 0, "%s", err.msg);
    arc_st_writer_free(w);
    const char *path = tp("cut.safetensors");
    write_bytes(path, mem, len - 4); /* cut inside the data */
    expect_reject_file(path, "run past the end of the data section");
    write_bytes(path, mem, 40); /* cut inside the header */
    expect_reject_file(path, "is larger than the 32 bytes after the length field");
    free(mem);
}

Test(safetensors, rejects_invalid_and_non_object_json)
{
    expect_reject("{\"a\": ", 0, "header is not valid JSON");
    expect_reject("{\"a\":{\"dtype\":\"F32\",} }", 0, "header is not valid JSON");
    expect_reject("{} x", 0, "header is not valid JSON");
    expect_reject("[1, 2]", 0, "header is an array, expected a JSON object");
    expect_reject("\"text\"", 0, "header is a string, expected a JSON object");
    expect_reject("  {}", 0, "header must start with '{'");
    expect_reject("{\"a\xff\":1}", 0, "header is not valid UTF-8 (byte 3)");
    const char nul[] = "{\"a\0\":1}";
    const char *path = tp("nul.safetensors");
    uint8_t buf[8 + sizeof nul - 1] = {sizeof nul - 1};
    memcpy(buf + 8, nul, sizeof nul - 1);
    write_bytes(path, buf, sizeof buf);
    expect_reject_file(path, "header has a NUL byte at offset 3");
}

Test(safetensors, rejects_unknown_dtype)
{
    expect_reject("{\"x\":{\"dtype\":\"F16\",\"shape\":[2],\"data_offsets\":[0,4]}}", 4,
                  "tensor 'x' has unknown dtype 'F16'");
    expect_reject("{\"x\":{\"dtype\":3,\"shape\":[2],\"data_offsets\":[0,4]}}", 4,
                  "tensor 'x' dtype is missing or not a string");
    expect_reject("{\"x\":{\"shape\":[2],\"data_offsets\":[0,4]}}", 4,
                  "tensor 'x' dtype is missing");
}

Test(safetensors, rejects_bad_shapes)
{
    expect_reject("{\"x\":{\"dtype\":\"U8\",\"shape\":[-1],\"data_offsets\":[0,0]}}", 0,
                  "tensor 'x' shape[0] is not a non-negative integer");
    expect_reject("{\"x\":{\"dtype\":\"U8\",\"shape\":[2,2.5],\"data_offsets\":[0,5]}}", 5,
                  "tensor 'x' shape[1] is not a non-negative integer");
    expect_reject("{\"x\":{\"dtype\":\"U8\",\"shape\":[\"3\"],\"data_offsets\":[0,3]}}", 3,
                  "shape[0] is not a non-negative integer");
    expect_reject("{\"x\":{\"dtype\":\"U8\",\"shape\":[1e300],\"data_offsets\":[0,3]}}", 3,
                  "shape[0] is not a non-negative integer");
    expect_reject("{\"x\":{\"dtype\":\"U8\",\"shape\":3,\"data_offsets\":[0,3]}}", 3,
                  "tensor 'x' shape is missing or not an array");
    expect_reject("{\"x\":{\"dtype\":\"U8\",\"shape\":[1,1,1,1,1,1,1,1,1],"
                  "\"data_offsets\":[0,1]}}", 1, "shape has 9 dimensions (at most 8)");
    expect_reject("{\"x\":{\"dtype\":\"F64\",\"shape\":[4294967296,4294967296,4294967296],"
                  "\"data_offsets\":[0,8]}}", 8, "tensor 'x' shape [4294967296,4294967296,"
                  "4294967296] is too large");
}

Test(safetensors, rejects_offsets_not_matching_shape)
{
    expect_reject("{\"conv0.w\":{\"dtype\":\"F32\",\"shape\":[16,4,3,3],"
                  "\"data_offsets\":[0,100]}}", 100, "");
    char expect[512];
    snprintf(expect, sizeof expect, "%s: tensor 'conv0.w' data_offsets [0, 100] do not match "
             "shape [16,4,3,3] F32 (576 elements = 2304 bytes)", tp("bad.safetensors"));
    ArcStFile *f = NULL;
    ArcErr err = {{0}};
    cr_assert_lt(arc_st_load(tp("bad.safetensors"), &f, &err), 0);
    cr_assert_str_eq(err.msg, expect);
    expect_reject("{\"x\":{\"dtype\":\"U8\",\"shape\":[],\"data_offsets\":[0,0]}}", 0,
                  "data_offsets [0, 0] do not match shape [] U8 (1 elements = 1 bytes)");
    expect_reject("{\"x\":{\"dtype\":\"U8\",\"shape\":[2],\"data_offsets\":[4,2]}}", 4,
                  "data_offsets [4, 2] end before they begin");
    expect_reject("{\"x\":{\"dtype\":\"U8\",\"shape\":[2],\"data_offsets\":[0]}}", 2,
                  "data_offsets must be [begin, end]");
    expect_reject("{\"x\":{\"dtype\":\"U8\",\"shape\":[2],\"data_offsets\":[0,2,4]}}", 2,
                  "data_offsets must be [begin, end]");
    expect_reject("{\"x\":{\"dtype\":\"U8\",\"shape\":[2],\"data_offsets\":[0.5,2.5]}}", 2,
                  "data_offsets must be [begin, end]");
}

Test(safetensors, rejects_overlaps_gaps_and_out_of_range_offsets)
{
    expect_reject("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                  "\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}", 12,
                  "tensors 'a' [0, 8] and 'b' [4, 12] overlap");
    expect_reject("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                  "\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}", 8,
                  "overlap");
    expect_reject("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                  "\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[12,20]}}", 20,
                  "gap of 4 bytes between tensors 'a' [0, 8] and 'b' [12, 20]");
    expect_reject("{\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}", 12,
                  "gap of 4 bytes before tensor 'b'");
    expect_reject("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}", 4,
                  "tensor 'a' data_offsets [0, 8] run past the end of the data section "
                  "(4 bytes)");
    expect_reject("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}", 8,
                  "data section has 8 bytes but the tensors cover only 4");
    expect_reject("{}", 4, "data section has 4 bytes but the tensors cover only 0");
}

Test(safetensors, rejects_duplicates_unknown_fields_and_bad_metadata)
{
    expect_reject("{\"a\":{\"dtype\":\"U8\",\"shape\":[1],\"data_offsets\":[0,1]},"
                  "\"a\":{\"dtype\":\"U8\",\"shape\":[1],\"data_offsets\":[1,2]}}", 2,
                  "duplicate tensor name 'a'");
    expect_reject("{\"a\":{\"dtype\":\"U8\",\"shape\":[1],\"data_offsets\":[0,1],\"x\":1}}", 1,
                  "tensor 'a' has unknown field 'x'");
    expect_reject("{\"a\":{\"dtype\":\"U8\",\"dtype\":\"U8\",\"shape\":[1],"
                  "\"data_offsets\":[0,1]}}", 1, "tensor 'a' has field 'dtype' twice");
    expect_reject("{\"a\":[1]}", 0, "tensor 'a' is an array, expected an object");
    expect_reject("{\"__metadata__\":{\"format\":\"pt\",\"step\":3}}", 0,
                  "metadata 'step' is a number, expected a string");
    expect_reject("{\"__metadata__\":[]}", 0, "__metadata__ is an array");
    expect_reject("{\"__metadata__\":{},\"__metadata__\":{}}", 0, "__metadata__ appears twice");
    expect_reject("{\"__metadata__\":{\"k\":\"1\",\"k\":\"2\"}}", 0,
                  "duplicate metadata key 'k'");
    expect_reject("{\"a\\nb\":[1]}", 0, "tensor 'a\\x0Ab' is an array"); /* one line */
}

/* Every single-bit flip in the header: either rejected with a message or loaded into a
 * consistent file — never a crash (the fuzzer explores much further). */
Test(safetensors, bit_flipped_headers_never_crash)
{
    ArcStWriter *w = sample_writer();
    uint8_t *mem;
    size_t len;
    ArcErr err = {{0}};
    cr_assert_eq(arc_st_encode(w, &mem, &len, &err), 0, "%s", err.msg);
    arc_st_writer_free(w);
    uint64_t n = 0;
    for (int i = 7; i >= 0; i--) n = n << 8 | mem[i];
    int loaded = 0, rejected = 0;
    for (size_t byte = 0; byte < 8 + n; byte++)
        for (int bit = 0; bit < 8; bit++) {
            mem[byte] ^= (uint8_t)(1u << bit);
            ArcStFile *f = NULL;
            err.msg[0] = '\0';
            int st = arc_st_load_memory(mem, len, "flip", &f, &err);
            if (st == 0) {
                loaded++;
                size_t covered = 0;
                for (int i = 0; i < arc_st_count(f); i++) {
                    const ArcStTensor *t = arc_st_tensor_at(f, i);
                    cr_assert_eq(arc_st_tensor(f, t->name), t);
                    cr_assert_eq(t->bytes, t->numel * arc_st_dtype_size(t->dtype));
                    volatile uint8_t sum = 0;
                    for (size_t k = 0; k < t->bytes; k++) sum += ((const uint8_t *)t->data)[k];
                    covered += t->bytes;
                }
                cr_assert_eq(covered, arc_st_data_bytes(f));
                arc_st_free(f);
            } else {
                rejected++;
                cr_assert_null(f);
                cr_assert_eq(strncmp(err.msg, "flip: ", 6), 0, "bad message '%s'", err.msg);
            }
            mem[byte] ^= (uint8_t)(1u << bit);
        }
    cr_assert_gt(rejected, 0);
    cr_assert_gt(loaded, 0); /* e.g. flips inside metadata values */
    free(mem);
}

/* ------------------------------------------------------------ NumPy reader */

#define PYTHON "/usr/bin/python3"

static bool python_has_numpy(void)
{
    if (access(PYTHON, X_OK) != 0) return false;
    return system(PYTHON " -c 'import numpy' >/dev/null 2>&1") == 0;
}

/* Compares one printed value with element i of a tensor written by sample_writer. */
static void check_value(const char *name, ArcStDtype dtype, const void *data, size_t i,
                        const char *text)
{
    char *end;
    switch (dtype) {
    case ARC_ST_F32:
        cr_assert_eq(strtod(text, &end), (double)((const float *)data)[i], "%s[%zu]=%s", name, i,
                     text);
        break;
    case ARC_ST_F64:
        cr_assert_eq(strtod(text, &end), ((const double *)data)[i], "%s[%zu]=%s", name, i, text);
        break;
    case ARC_ST_I64:
        cr_assert_eq(strtoll(text, &end, 10), ((const int64_t *)data)[i], "%s[%zu]", name, i);
        break;
    case ARC_ST_I32:
        cr_assert_eq(strtoll(text, &end, 10), ((const int32_t *)data)[i], "%s[%zu]", name, i);
        break;
    case ARC_ST_U32:
        cr_assert_eq(strtoull(text, &end, 10), ((const uint32_t *)data)[i], "%s[%zu]", name, i);
        break;
    case ARC_ST_U8:
        cr_assert_eq(strtoull(text, &end, 10), ((const uint8_t *)data)[i], "%s[%zu]", name, i);
        break;
    default: cr_assert_fail("dtype");
    }
    cr_assert_eq(*end, '\0', "trailing text in '%s'", text);
}

Test(safetensors, numpy_reader_reads_what_arcade_wrote)
{
    if (!python_has_numpy())
        cr_skip_test("%s with numpy is not available (install python3-numpy)", PYTHON);
    ArcStWriter *w = sample_writer();
    ArcErr err = {{0}};
    const char *path = tp("ckpt.safetensors");
    cr_assert_eq(arc_st_save(w, path, &err), 0, "%s", err.msg);
    arc_st_writer_free(w);
    ArcStFile *f = NULL; /* the reference: what arcade itself reads back */
    cr_assert_eq(arc_st_load(path, &f, &err), 0, "%s", err.msg);

    char cmd[512];
    snprintf(cmd, sizeof cmd, PYTHON " tests/read_safetensors.py '%s'", path);
    FILE *p = popen(cmd, "r");
    cr_assert_not_null(p);
    static char line[65536];
    int tensors = 0, metas = 0;
    while (fgets(line, sizeof line, p)) {
        line[strcspn(line, "\n")] = '\0';
        char *save = NULL, *kind = strtok_r(line, "\t", &save);
        cr_assert_not_null(kind);
        if (!strcmp(kind, "header")) continue;
        if (!strcmp(kind, "meta")) {
            const char *key = strtok_r(NULL, "\t", &save);
            cr_assert_not_null(key);
            cr_assert_not_null(arc_st_metadata(f, key), "python saw unknown metadata %s", key);
            metas++;
            continue;
        }
        cr_assert_str_eq(kind, "tensor");
        const char *name = strtok_r(NULL, "\t", &save);
        const ArcStTensor *t = arc_st_tensor(f, name);
        cr_assert_not_null(t, "python saw unknown tensor %s", name);
        cr_assert_str_eq(strtok_r(NULL, "\t", &save), arc_st_dtype_name(t->dtype));
        /* the dims field is empty for a scalar, so split it by hand */
        char *dims = save, *values = strchr(save, '\t');
        if (values) *values++ = '\0';
        char expect_dims[256] = "";
        for (int d = 0; d < t->ndim; d++)
            snprintf(expect_dims + strlen(expect_dims), sizeof expect_dims - strlen(expect_dims),
                     "%s%lld", d ? "," : "", (long long)t->shape[d]);
        cr_assert_str_eq(dims, expect_dims, "%s dims", name);
        size_t i = 0;
        for (char *v = values ? strtok_r(values, "\t", &save) : NULL; v;
             v = strtok_r(NULL, "\t", &save), i++) {
            cr_assert_lt(i, t->numel, "%s has too many values", name);
            check_value(name, t->dtype, t->data, i, v);
        }
        cr_assert_eq(i, t->numel, "%s: python printed %zu of %zu values", name, i, t->numel);
        tensors++;
    }
    int rc = pclose(p);
    cr_assert_eq(rc, 0, "read_safetensors.py failed (status %d)", rc);
    cr_assert_eq(tensors, 9);
    cr_assert_eq(metas, 5);
    /* spot checks against the values written, not just against arcade's own reader */
    cr_assert_eq(((const float *)arc_st_tensor(f, "w.f32")->data)[2], 3.14159265f);
    cr_assert_eq(((const int64_t *)arc_st_tensor(f, "i64")->data)[0], INT64_MIN);
    arc_st_free(f);
}

/* ------------------------------------------------------------ leaks */

Test(safetensors, no_leaks_on_success_and_failure_paths)
{
#ifndef ST_TEST_ASAN
    cr_skip_test("built without AddressSanitizer: leak check not available");
#else
    ArcStWriter *w = sample_writer();
    uint8_t *mem;
    size_t len;
    ArcErr err = {{0}};
    cr_assert_eq(arc_st_encode(w, &mem, &len, &err), 0, "%s", err.msg);
    cr_assert_eq(arc_st_save(w, tp("a.safetensors"), &err), 0, "%s", err.msg);
    cr_assert_lt(arc_st_save(w, tp("missing/a.safetensors"), &err), 0);
    cr_assert_lt(arc_st_writer_add(w, "w.f32", ARC_ST_F32, 0, NULL, k_f32, &err), 0);
    arc_st_writer_free(w);
    for (size_t byte = 0; byte < len; byte += 3) {
        mem[byte] ^= 0x21;
        ArcStFile *f = NULL;
        if (arc_st_load_memory(mem, len, "leak", &f, &err) == 0) arc_st_free(f);
        mem[byte] ^= 0x21;
    }
    ArcStFile *f = NULL;
    cr_assert_eq(arc_st_load(tp("a.safetensors"), &f, &err), 0, "%s", err.msg);
    arc_st_free(f);
    free(mem);
    cr_assert_eq(__lsan_do_recoverable_leak_check(), 0);
#endif
}
