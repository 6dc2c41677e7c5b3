/* precision.h — fake quantisation: float32 values rounded to a lower precision and
 * returned as float32, to measure what a network loses when stored in fp16, bf16 or int8.
 *
 * fp16 (IEEE 754 binary16: 1 sign, 5 exponent, 10 fraction bits) and bf16 (1, 8, 7):
 *   - round to nearest, ties to even, exactly (bit manipulation, no FPU rounding mode);
 *   - subnormals are kept: fp16's smallest subnormal is 2^-24; a magnitude at or below
 *     half of it (2^-25, a tie that goes to the even zero) becomes a zero of the same sign;
 *     bf16 shares float32's exponent range, so float32 subnormals round to bf16's
 *     (smallest 2^-133) the same way;
 *   - overflow goes to the signed infinity: fp16 magnitudes >= 65520 (the midpoint between
 *     the largest finite 65504 and 2^16, which ties to the even 2^16 = inf), bf16 ones
 *     >= 0x1.ff0p127 + half an ulp (FLT_MAX itself becomes inf);
 *   - NaN stays NaN (quietened, sign and top payload bits kept), ±0 and ±inf are kept.
 * int8 (symmetric, per tensor): scale s = max|x| / 127 over the tensor's finite values
 * (computed in double, so a tensor of subnormals keeps a non-zero scale);
 * q = clamp(round_half_even(x / s), -127, 127); the value returned is q * s. An all-zero
 * (or all non-finite) tensor has s = 0 and rounds every finite value to +0/-0 by sign.
 * NaN stays NaN; ±inf saturate to ±127 s (int8 has no infinity).
 */
#ifndef ARC_PRECISION_H
#define ARC_PRECISION_H

#include <stddef.h>
#include <stdint.h>

typedef enum ArcPrecision {
    ARC_PREC_FP32 = 0, /* the identity */
    ARC_PREC_FP16 = 1,
    ARC_PREC_BF16 = 2,
    ARC_PREC_INT8 = 3,
} ArcPrecision;
#define ARC_PREC_COUNT 4

/* "fp32", "fp16", "bf16", "int8" */
const char *arc_precision_name(ArcPrecision p);

/* Encodings (bit patterns) and their exact float32 values. */
uint16_t arc_fp16_bits(float x);
float arc_fp16_value(uint16_t bits);
uint16_t arc_bf16_bits(float x);
float arc_bf16_value(uint16_t bits);

/* x rounded to fp16 / bf16, as float32. */
float arc_round_fp16(float x);
float arc_round_bf16(float x);

/* The int8 scale of a tensor (max finite |x| / 127, 0 for an all-zero tensor) and one
 * value rounded with it. */
double arc_int8_scale(const float *x /* (n) */, size_t n);
float arc_round_int8(float x, double scale);

/* Rounds x in place to precision p; for int8 the n values are one tensor (one scale). */
void arc_precision_round(ArcPrecision p, float *x /* (n) */, size_t n);

/* Rounds `rows` rows of n values in place, int8 with one scale per row (one sample's
 * activations are one tensor, so a sample's result does not depend on its batch). */
void arc_precision_round_rows(ArcPrecision p, float *x /* (rows, n) */, int rows, size_t n);

#endif
