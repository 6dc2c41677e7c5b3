/* rng.c — MT19937 (Matsumoto & Nishimura 1998) and numpy-legacy draws (see rng.h). */
#include "rng.h"

#define MT_M 397
#define MT_UPPER 0x80000000u
#define MT_LOWER 0x7fffffffu
#define MT_MATRIX 0x9908b0dfu

void arc_rng_seed(ArcRng *rng, uint32_t seed)
{
    rng->state[0] = seed;
    for (uint32_t i = 1; i < ARC_MT_N; i++) {
        uint32_t prev = rng->state[i - 1];
        rng->state[i] = 1812433253u * (prev ^ (prev >> 30)) + i;
    }
    rng->index = ARC_MT_N; /* twist before the first output */
}

/* index ARC_RNG_LAZY: state[0] holds a seed whose initialisation is still to be done. */
#define ARC_RNG_LAZY (ARC_MT_N + 1)

void arc_rng_seed_lazy(ArcRng *rng, uint32_t seed)
{
    rng->state[0] = seed;
    rng->index = ARC_RNG_LAZY;
}

static inline uint32_t mt_mix(uint32_t upper, uint32_t lower, uint32_t far)
{
    uint32_t y = (upper & MT_UPPER) | (lower & MT_LOWER);
    return far ^ (y >> 1) ^ (-(y & 1u) & MT_MATRIX);
}

/* Regenerates all 624 words (after a lazy seed's initialisation); split in three runs so
 * no index needs a modulo. */
void arc_rng_twist(ArcRng *rng)
{
    if (rng->index == ARC_RNG_LAZY) arc_rng_seed(rng, rng->state[0]);
    uint32_t *s = rng->state;
    int i = 0;
    for (; i < ARC_MT_N - MT_M; i++) s[i] = mt_mix(s[i], s[i + 1], s[i + MT_M]);
    for (; i < ARC_MT_N - 1; i++) s[i] = mt_mix(s[i], s[i + 1], s[i + MT_M - ARC_MT_N]);
    s[ARC_MT_N - 1] = mt_mix(s[ARC_MT_N - 1], s[0], s[MT_M - 1]);
    rng->index = 0;
}

int64_t arc_rng_int(ArcRng *rng, int64_t low, int64_t high)
{
    uint64_t range = (uint64_t)(high - 1 - low);
    if (range == 0) return low;
    uint64_t mask = range;
    mask |= mask >> 1;
    mask |= mask >> 2;
    mask |= mask >> 4;
    mask |= mask >> 8;
    mask |= mask >> 16;
    uint64_t value;
    do {
        value = arc_rng_u32(rng) & mask;
    } while (value > range);
    return low + (int64_t)value;
}

uint64_t arc_splitmix64(uint64_t x)
{
    x += 0x9e3779b97f4a7c15ull;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
    return x ^ (x >> 31);
}
