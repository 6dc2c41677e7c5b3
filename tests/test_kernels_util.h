/* test_kernels_util.h — helpers shared by the kernel and network tests: buffers with
 * sentinel tails mirrored on a backend, random fills, normalised-error comparison, and
 * the GPU-or-skip lookup. Header-only (static functions) so each test file stays a
 * self-contained Criterion translation unit.
 */
#ifndef ARC_TEST_KERNELS_UTIL_H
#define ARC_TEST_KERNELS_UTIL_H

#include <criterion/criterion.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "../common/rng.h"
#include "../kernels/backend.h"

#define SENTINEL_COUNT 16
#define SENTINEL_VALUE (-7777.25f)

/* A float tensor of n values with SENTINEL_COUNT sentinels after it, on the host (for
 * cpu_ref) and mirrored on a backend (for the backend under test). */
typedef struct TBuf {
    size_t n;
    float *ref; /* host, n + SENTINEL_COUNT */
    float *dev; /* backend memory, n + SENTINEL_COUNT */
    ArcBackend *be;
} TBuf;

static inline double tk_uniform(ArcRng *rng, double lo, double hi)
{
    return lo + (hi - lo) * arc_rng_uniform(rng);
}

static inline int tk_int(ArcRng *rng, int lo, int hi) /* inclusive */
{
    return (int)arc_rng_int(rng, lo, (int64_t)hi + 1);
}

/* values uniform in [lo, hi] (or all zero when lo == hi == 0), identical on both sides */
static inline TBuf tbuf_new(ArcBackend *be, size_t n, ArcRng *rng, float lo, float hi)
{
    TBuf t = {.n = n, .be = be};
    t.ref = arc_xmalloc((n + SENTINEL_COUNT) * sizeof(float));
    for (size_t i = 0; i < n; i++) t.ref[i] = rng ? (float)tk_uniform(rng, lo, hi) : 0.0f;
    for (size_t i = n; i < n + SENTINEL_COUNT; i++) t.ref[i] = SENTINEL_VALUE;
    t.dev = arc_be_alloc(be, (n + SENTINEL_COUNT) * sizeof(float));
    arc_be_upload(be, t.dev, t.ref, (n + SENTINEL_COUNT) * sizeof(float));
    return t;
}

static inline void tbuf_free(TBuf *t)
{
    free(t->ref);
    arc_be_free(t->be, t->dev);
}

/* Downloads t.dev (a fresh malloc the caller frees), checking its sentinels, the
 * reference's sentinels and that no value is NaN/Inf. */
static inline float *tbuf_fetch(const TBuf *t, const char *what)
{
    float *got = arc_xmalloc((t->n + SENTINEL_COUNT) * sizeof(float));
    arc_be_download(t->be, got, t->dev, (t->n + SENTINEL_COUNT) * sizeof(float));
    for (size_t i = t->n; i < t->n + SENTINEL_COUNT; i++) {
        cr_assert(got[i] == SENTINEL_VALUE, "%s: sentinel %zu overwritten by %s (%g)", what,
                  i - t->n, arc_backend_name(t->be), (double)got[i]);
        cr_assert(t->ref[i] == SENTINEL_VALUE, "%s: sentinel %zu overwritten by cpu_ref", what, i - t->n);
    }
    for (size_t i = 0; i < t->n; i++) {
        cr_assert(isfinite(got[i]), "%s[%zu] = %g on %s", what, i, (double)got[i], arc_backend_name(t->be));
        cr_assert(isfinite(t->ref[i]), "%s[%zu] = %g on cpu_ref", what, i, (double)t->ref[i]);
    }
    return got;
}

/* max |got - ref| / max(max |ref|, floor): the normalised error */
static inline double tk_norm_err(const float *got, const float *ref, size_t n)
{
    double num = 0.0, den = 1e-3;
    for (size_t i = 0; i < n; i++) {
        double d = fabs((double)got[i] - ref[i]);
        if (d > num) num = d;
        if (fabs(ref[i]) > den) den = fabs(ref[i]);
    }
    return num / den;
}

/* Fetches t and asserts its normalised error against cpu_ref is at most tol. */
static inline void tbuf_expect(const TBuf *t, double tol, const char *what)
{
    float *got = tbuf_fetch(t, what);
    double err = tk_norm_err(got, t->ref, t->n);
    cr_assert(err <= tol, "%s on %s: normalised error %.3g > %.3g (n=%zu)", what, arc_backend_name(t->be),
              err, tol, t->n);
    free(got);
}

/* The GPU backend, or skip the test with the reason (Criterion forks per test, so the
 * device is opened inside each test). */
static inline ArcBackend *tk_gpu_or_skip(void)
{
    ArcErr err = {{0}};
    ArcBackend *be = arc_backend_gpu(0, &err);
    if (!be) cr_skip_test("GPU test skipped: %s", err.msg);
    return be;
}

/* Defines one test per backend under test (cpu and gpu) running body(be). */
#define TK_ON_FAST_BACKENDS(suite, name, fn)                                \
    Test(suite##_cpu, name) { fn(arc_backend_cpu()); }                      \
    Test(suite##_gpu, name)                                                 \
    {                                                                       \
        ArcBackend *gpu_be_ = tk_gpu_or_skip();                             \
        fn(gpu_be_);                                                        \
    }

#endif
