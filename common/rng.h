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

void arc_rng_seed(ArcRng *rng, uint32_t seed);     /* init_genrand(seed) */
uint32_t arc_rng_u32(ArcRng *rng);                 /* genrand_int32 */
double arc_rng_uniform(ArcRng *rng);               /* numpy random_sample(): [0, 1) */
/* numpy randint(low, high); high - low must be in 1 .. 2^32. */
int64_t arc_rng_int(ArcRng *rng, int64_t low, int64_t high);

/* splitmix64: derives independent 32/64-bit seeds from (base, index) pairs. */
uint64_t arc_splitmix64(uint64_t x);

#endif
