/* test_precision.c — fp16 / bf16 / int8 fake quantisation exact on edge values: ties to
 * even in both directions, the largest finite values and overflow, subnormals and half
 * the smallest one, NaN, signed zeros, infinities, and int8 scale edge cases. */
#include <criterion/criterion.h>
#include <float.h>
#include <math.h>
#include <string.h>

#include "../kernels/precision.h"

static uint32_t bits(float x)
{
    uint32_t u;
    memcpy(&u, &x, sizeof u);
    return u;
}

static float from_bits(uint32_t u)
{
    float x;
    memcpy(&x, &u, sizeof x);
    return x;
}

/* bit-exact equality (tells -0 from +0) */
#define expect_same(got, want) \
    cr_assert_eq(bits(got), bits(want), "got %a (0x%08x), want %a (0x%08x)", (double)(got), bits(got), \
                 (double)(want), bits(want))

Test(precision, fp16_encodings)
{
    cr_assert_eq(arc_fp16_bits(1.0f), 0x3c00);
    cr_assert_eq(arc_fp16_bits(-2.0f), 0xc000);
    cr_assert_eq(arc_fp16_bits(65504.0f), 0x7bff);
    cr_assert_eq(arc_fp16_bits(0x1p-14f), 0x0400);
    cr_assert_eq(arc_fp16_bits(0x1p-24f), 0x0001);
    cr_assert_eq(arc_fp16_bits(INFINITY), 0x7c00);
    cr_assert_eq(arc_fp16_bits(-0.0f), 0x8000);
    /* every fp16 value survives a round trip through float32 */
    for (uint32_t h = 0; h < 0x10000; h++) {
        uint16_t b = (uint16_t)h;
        float v = arc_fp16_value(b);
        if (isnan(v)) continue;
        cr_assert_eq(arc_fp16_bits(v), b, "0x%04x -> %a -> 0x%04x", b, (double)v, arc_fp16_bits(v));
    }
}

Test(precision, fp16_ties_to_even)
{
    /* 1 + 2^-11 lies halfway between 1 (even) and 1 + 2^-10 (odd): down */
    expect_same(arc_round_fp16(1.0f + 0x1p-11f), 1.0f);
    /* 1 + 3 2^-11 lies halfway between 1 + 2^-10 (odd) and 1 + 2^-9 (even): up */
    expect_same(arc_round_fp16(1.0f + 3 * 0x1p-11f), 1.0f + 0x1p-9f);
    /* just past a tie goes to the nearer value */
    expect_same(arc_round_fp16(nextafterf(1.0f + 0x1p-11f, 2.0f)), 1.0f + 0x1p-10f);
    expect_same(arc_round_fp16(-(1.0f + 0x1p-11f)), -1.0f);
    /* ties among subnormals (units of 2^-24): 1.5 -> 2, 2.5 -> 2 */
    expect_same(arc_round_fp16(1.5f * 0x1p-24f), 2 * 0x1p-24f);
    expect_same(arc_round_fp16(2.5f * 0x1p-24f), 2 * 0x1p-24f);
    /* between the largest subnormal 1023 2^-24 and the smallest normal 2^-14 */
    expect_same(arc_round_fp16(1023.5f * 0x1p-24f), 0x1p-14f);
    expect_same(arc_round_fp16(1023.0f * 0x1p-24f), 1023.0f * 0x1p-24f);
}

Test(precision, fp16_range_edges)
{
    expect_same(arc_round_fp16(65504.0f), 65504.0f);
    expect_same(arc_round_fp16(65519.0f), 65504.0f);
    expect_same(arc_round_fp16(65520.0f), INFINITY); /* the tie goes to the even 2^16: inf */
    expect_same(arc_round_fp16(-65520.0f), -INFINITY);
    expect_same(arc_round_fp16(FLT_MAX), INFINITY);
    expect_same(arc_round_fp16(0x1p-24f), 0x1p-24f);              /* smallest subnormal */
    expect_same(arc_round_fp16(0x1p-25f), 0.0f);                  /* half of it: even zero */
    expect_same(arc_round_fp16(-0x1p-25f), -0.0f);
    expect_same(arc_round_fp16(nextafterf(0x1p-25f, 1.0f)), 0x1p-24f);
    expect_same(arc_round_fp16(0x1p-30f), 0.0f);
    expect_same(arc_round_fp16(FLT_TRUE_MIN), 0.0f);
    expect_same(arc_round_fp16(0x1p-14f), 0x1p-14f);
    expect_same(arc_round_fp16(0.0f), 0.0f);
    expect_same(arc_round_fp16(-0.0f), -0.0f);
    expect_same(arc_round_fp16(INFINITY), INFINITY);
    expect_same(arc_round_fp16(-INFINITY), -INFINITY);
    cr_assert(isnan(arc_round_fp16(NAN)));
    cr_assert(isnan(arc_round_fp16(-NAN)));
    cr_assert(isnan(arc_round_fp16(from_bits(0x7f800001)))); /* a signalling NaN stays NaN */
    expect_same(arc_round_fp16(0.1f), 0x1.998p-4f);
}

Test(precision, bf16_ties_and_edges)
{
    cr_assert_eq(arc_bf16_bits(1.0f), 0x3f80);
    expect_same(arc_round_bf16(1.0f + 0x1p-8f), 1.0f);                 /* tie, even below */
    expect_same(arc_round_bf16(1.0f + 3 * 0x1p-8f), 1.0f + 0x1p-6f);  /* tie, even above */
    expect_same(arc_round_bf16(nextafterf(1.0f + 0x1p-8f, 2.0f)), 1.0f + 0x1p-7f);
    expect_same(arc_round_bf16(from_bits(0x7f7f0000)), from_bits(0x7f7f0000)); /* largest finite */
    expect_same(arc_round_bf16(from_bits(0x7f7f7fff)), from_bits(0x7f7f0000));
    expect_same(arc_round_bf16(from_bits(0x7f7f8000)), INFINITY); /* tie with odd 0x7f7f: up, to inf */
    expect_same(arc_round_bf16(FLT_MAX), INFINITY);
    expect_same(arc_round_bf16(-FLT_MAX), -INFINITY);
    expect_same(arc_round_bf16(from_bits(0x00010000)), from_bits(0x00010000)); /* smallest subnormal */
    expect_same(arc_round_bf16(from_bits(0x00008000)), 0.0f);                  /* half of it */
    expect_same(arc_round_bf16(from_bits(0x80008000)), -0.0f);
    expect_same(arc_round_bf16(from_bits(0x00008001)), from_bits(0x00010000));
    expect_same(arc_round_bf16(from_bits(0x00018000)), from_bits(0x00020000)); /* 1.5 units: even 2 */
    expect_same(arc_round_bf16(FLT_TRUE_MIN), 0.0f);
    expect_same(arc_round_bf16(0.0f), 0.0f);
    expect_same(arc_round_bf16(-0.0f), -0.0f);
    expect_same(arc_round_bf16(INFINITY), INFINITY);
    expect_same(arc_round_bf16(-INFINITY), -INFINITY);
    cr_assert(isnan(arc_round_bf16(NAN)));
    cr_assert(isnan(arc_round_bf16(from_bits(0x7f800001)))); /* payload only in the low bits */
    cr_assert(isnan(arc_round_bf16(from_bits(0xff800001))));
}

Test(precision, int8_scale_and_ties)
{
    /* max 127: scale exactly 1, so values are rounded to integers, ties to even */
    float x[] = {127.0f, 0.5f, 1.5f, 2.5f, -0.5f, -1.5f, 3.5f, 0.49f, -127.0f};
    float want[] = {127.0f, 0.0f, 2.0f, 2.0f, -0.0f, -2.0f, 4.0f, 0.0f, -127.0f};
    cr_assert_eq(arc_int8_scale(x, 9), 1.0);
    arc_precision_round(ARC_PREC_INT8, x, 9);
    for (int i = 0; i < 9; i++) expect_same(x[i], want[i]);
    /* the largest magnitude maps to +-127 and back to itself */
    float y[] = {-3.0f, 1.0f};
    arc_precision_round(ARC_PREC_INT8, y, 2);
    expect_same(y[0], -3.0f);
    cr_assert_float_eq(y[1], 3.0f / 127.0f * 42.0f, 1e-6); /* 1 / (3/127) = 42.33 -> 42 */
    /* saturation for values beyond the scale's range */
    expect_same(arc_round_int8(200.0f, 1.0), 127.0f);
    expect_same(arc_round_int8(-200.0f, 1.0), -127.0f);
}

Test(precision, int8_edge_tensors)
{
    float zeros[] = {0.0f, -0.0f, 0.0f};
    cr_assert_eq(arc_int8_scale(zeros, 3), 0.0);
    arc_precision_round(ARC_PREC_INT8, zeros, 3);
    expect_same(zeros[0], 0.0f);
    expect_same(zeros[1], -0.0f);
    /* a tensor of subnormals keeps its scale (computed in double) */
    float tiny[] = {FLT_TRUE_MIN, -FLT_TRUE_MIN, 0.0f};
    arc_precision_round(ARC_PREC_INT8, tiny, 3);
    expect_same(tiny[0], FLT_TRUE_MIN);
    expect_same(tiny[1], -FLT_TRUE_MIN);
    /* non-finite values: the scale ignores them, NaN stays, inf saturates to 127 s */
    float odd[] = {INFINITY, 2.0f, NAN, -INFINITY, -1.0f};
    cr_assert_float_eq(arc_int8_scale(odd, 5), 2.0 / 127.0, 1e-15);
    arc_precision_round(ARC_PREC_INT8, odd, 5);
    expect_same(odd[0], 2.0f);
    expect_same(odd[1], 2.0f);
    cr_assert(isnan(odd[2]));
    expect_same(odd[3], -2.0f);
    cr_assert_float_eq(odd[4], -64.0f * 2.0f / 127.0f, 1e-6); /* -63.5 ties to even -64 */
    /* rows get their own scale */
    float rows[] = {127.0f, 1.4f, 0.127f, 0.0014f};
    arc_precision_round_rows(ARC_PREC_INT8, rows, 2, 2);
    expect_same(rows[1], 1.0f);
    cr_assert_float_eq(rows[3], 0.001f, 1e-9);
}

Test(precision, fp32_is_the_identity_and_names)
{
    float x[] = {0.1f, -3.7e-42f, NAN, INFINITY, -0.0f};
    float y[5];
    memcpy(y, x, sizeof x);
    arc_precision_round(ARC_PREC_FP32, y, 5);
    cr_assert_eq(memcmp(x, y, sizeof x), 0);
    cr_assert_str_eq(arc_precision_name(ARC_PREC_FP16), "fp16");
    cr_assert_str_eq(arc_precision_name(ARC_PREC_BF16), "bf16");
    cr_assert_str_eq(arc_precision_name(ARC_PREC_INT8), "int8");
}
