/* precision.c — fp16 / bf16 / int8 fake quantisation (see precision.h). The fp16 and
 * bf16 conversions work on the float32 bit pattern with integer arithmetic only. */
#include "precision.h"

#include <math.h>
#include <string.h>

#include "../common/check.h"

static uint32_t float_bits(float x)
{
    uint32_t u;
    memcpy(&u, &x, sizeof u);
    return u;
}

static float bits_float(uint32_t u)
{
    float x;
    memcpy(&x, &u, sizeof x);
    return x;
}

const char *arc_precision_name(ArcPrecision p)
{
    static const char *names[ARC_PREC_COUNT] = {"fp32", "fp16", "bf16", "int8"};
    ARC_CHECK((int)p >= 0 && (int)p < ARC_PREC_COUNT, "precision %d", (int)p);
    return names[p];
}

/* m >> s rounded to nearest, ties to even (1 <= s <= 31) */
static uint32_t shift_round_even(uint32_t m, int s)
{
    uint32_t q = m >> s, rem = m & ((1u << s) - 1), half = 1u << (s - 1);
    if (rem > half || (rem == half && (q & 1))) q++;
    return q;
}

uint16_t arc_fp16_bits(float x)
{
    uint32_t u = float_bits(x);
    uint16_t sign = (uint16_t)((u >> 16) & 0x8000);
    uint32_t a = u & 0x7fffffff;
    if (a > 0x7f800000) /* NaN: quiet, keep the top payload bits */
        return (uint16_t)(sign | 0x7e00 | ((a >> 13) & 0x3ff));
    if (a >= 0x47800000) return (uint16_t)(sign | 0x7c00); /* >= 2^16 (and inf): inf */
    if (a >= 0x38800000) {                                 /* fp16 normal range (>= 2^-14) */
        /* rebias the exponent (127 - 15 = 112) and round the 23-bit fraction to 10 bits;
         * a carry out of the fraction bumps the exponent, up to inf at 65520 */
        uint32_t r = shift_round_even(a - (112u << 23), 13);
        return (uint16_t)(sign | r);
    }
    if (a <= 0x33000000) return sign; /* |x| <= 2^-25, half the smallest subnormal: ±0 */
    /* subnormal: |x| = m 2^(e - 150) with the implicit bit in m; in units of 2^-24 that
     * is m 2^(e - 126), a right shift by 126 - e (14 .. 24); rounding up to 0x400 yields
     * the smallest normal, whose encoding it is */
    uint32_t e = a >> 23, m = (a & 0x7fffff) | 0x800000;
    return (uint16_t)(sign | shift_round_even(m, (int)(126 - e)));
}

float arc_fp16_value(uint16_t h)
{
    uint32_t sign = (uint32_t)(h & 0x8000) << 16, e = (h >> 10) & 0x1f, m = h & 0x3ff;
    if (e == 0) { /* zero or subnormal: m 2^-24, exact in float32 */
        float v = (float)m * 0x1p-24f;
        return sign ? -v : v;
    }
    if (e == 31) return bits_float(sign | 0x7f800000 | (m << 13));
    return bits_float(sign | ((e + 112) << 23) | (m << 13));
}

uint16_t arc_bf16_bits(float x)
{
    uint32_t u = float_bits(x);
    if ((u & 0x7fffffff) > 0x7f800000) return (uint16_t)((u >> 16) | 0x0040); /* quiet NaN */
    /* round the low 16 bits away, ties to even; carries run into the exponent (to inf
     * past the largest finite bf16) and through subnormals alike */
    return (uint16_t)(shift_round_even(u & 0x7fffffff, 16) | ((u >> 16) & 0x8000));
}

float arc_bf16_value(uint16_t bits) { return bits_float((uint32_t)bits << 16); }

float arc_round_fp16(float x) { return arc_fp16_value(arc_fp16_bits(x)); }
float arc_round_bf16(float x) { return arc_bf16_value(arc_bf16_bits(x)); }

double arc_int8_scale(const float *x, size_t n)
{
    double max = 0.0;
    for (size_t i = 0; i < n; i++) {
        double a = fabs((double)x[i]);
        if (isfinite(a) && a > max) max = a;
    }
    return max / 127.0;
}

float arc_round_int8(float x, double scale)
{
    if (isnan(x)) return x;
    if (scale <= 0.0) return copysignf(0.0f, x);
    double q = isinf(x) ? copysign(127.0, (double)x) : nearbyint((double)x / scale); /* ties to even */
    if (q > 127.0) q = 127.0;
    if (q < -127.0) q = -127.0;
    return copysignf((float)(q * scale), x); /* keeps the sign of values that round to zero */
}

void arc_precision_round(ArcPrecision p, float *x, size_t n)
{
    switch (p) {
    case ARC_PREC_FP32:
        return;
    case ARC_PREC_FP16:
        for (size_t i = 0; i < n; i++) x[i] = arc_round_fp16(x[i]);
        return;
    case ARC_PREC_BF16:
        for (size_t i = 0; i < n; i++) x[i] = arc_round_bf16(x[i]);
        return;
    case ARC_PREC_INT8: {
        double s = arc_int8_scale(x, n);
        for (size_t i = 0; i < n; i++) x[i] = arc_round_int8(x[i], s);
        return;
    }
    }
    ARC_CHECK(0, "precision %d", (int)p);
}

void arc_precision_round_rows(ArcPrecision p, float *x, int rows, size_t n)
{
    for (int r = 0; r < rows; r++) arc_precision_round(p, x + (size_t)r * n, n);
}
