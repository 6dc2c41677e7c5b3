/* rng.h — MT19937 with the two draw primitives of numpy's legacy RandomState.
 *
 * The games must replay the MinAtar reference bit for bit, and the reference draws from a
 * numpy RandomState(seed): MT19937 seeded with the standard init_genrand(seed). The two
 * primitives it uses are reproduced exactly (spec §3):
 *   uniform:  ((a >> 5) * 2^26 + (b >> 6)) / 2^53 from two consecutive outputs a, b;
 *   integer in [low, high): masked rejection sampling on 32-bit outputs, and no draw at
 *             all when the range holds a single value.
 * Each owner (env, actor, replay, init) keeps its own ArcRng; nothing here is shared
 * between threads.
 */
#ifndef ARC_RNG_H
#define ARC_RNG_H

#include <stdint.h>

#define ARC_MT_N 624

typedef struct ArcRng {
    uint32_t state[ARC_MT_N];
    int index; /* next word of state to temper; ARC_MT_N means "twist first" */
} ArcRng;

void arc_rng_seed(ArcRng *rng, uint32_t seed); /* init_genrand(seed) */
/* The same stream as arc_rng_seed(seed), with the 624-word initialisation deferred to the
 * first draw: a stream reseeded often and drawn from rarely (the per-step world stream of
 * the level mode, env/env.h) costs two stores when it does not draw. */
void arc_rng_seed_lazy(ArcRng *rng, uint32_t seed);
void arc_rng_twist(ArcRng *rng);               /* regenerates the 624 state words */

/* genrand_int32; inline because every env step draws at least two. */
static inline uint32_t arc_rng_u32(ArcRng *rng)
{
    if (rng->index >= ARC_MT_N) arc_rng_twist(rng);
    uint32_t y = rng->state[rng->index++];
    y ^= y >> 11;
    y ^= (y << 7) & 0x9d2c5680u;
    y ^= (y << 15) & 0xefc60000u;
    y ^= y >> 18;
    return y;
}

/* numpy random_sample(): a double in [0, 1) from two outputs. */
static inline double arc_rng_uniform(ArcRng *rng)
{
    uint32_t a = arc_rng_u32(rng) >> 5;
    uint32_t b = arc_rng_u32(rng) >> 6;
    return ((double)a * 67108864.0 + (double)b) / 9007199254740992.0;
}

/* numpy randint(low, high); high - low must be in 1 .. 2^32. */
int64_t arc_rng_int(ArcRng *rng, int64_t low, int64_t high);

/* splitmix64: derives independent 32/64-bit seeds from (base, index) pairs. */
uint64_t arc_splitmix64(uint64_t x);

#endif
