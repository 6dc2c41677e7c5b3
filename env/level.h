/* level.h — levels: 32-bit seeds that fix a game's world randomness, and the level sets
 * training and evaluation draw them from.
 *
 * A level is a 32-bit level seed. In level mode (env.h) the game draws its world
 * randomness (spawns, car speeds, start sides, procedural layouts) from a stream that is
 * reseeded before every step from (level seed, step index), so a level is a fixed
 * schedule of random draws, whatever the agent does; the sticky-action draw, the agent's
 * sampling and the network's initialisation have streams of their own.
 *
 * Families are told apart by the top bits of the seed, so the sets are disjoint by
 * construction:
 *   train       0xxx...x   train level i is seed i (0 <= i < 2^31); N train levels are
 *                          the first N (so the N = 1 set lies inside the N = 4 set, ...)
 *   validation  10xx...x   validation level i is seed 0x80000000 | i, i < 1000
 *   test        11xx...x   test level i is seed 0xC0000000 | i, i < 1000
 * The validation and test sets are the same for every run.
 *
 * train_levels (a training key): ARC_LEVELS_OFF (MinAtar's single shared stream, no
 * levels), N > 0 (each episode plays one of the first N train levels), ARC_LEVELS_INF
 * (each episode plays a fresh train level, a uniform 31-bit index).
 */
#ifndef ARC_LEVEL_H
#define ARC_LEVEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../common/check.h"

#define ARC_LEVELS_OFF 0
#define ARC_LEVELS_INF (-1)
#define ARC_LEVEL_SET_SIZE 1000         /* validation and test levels */
#define ARC_LEVEL_TRAIN_MAX 0x80000000u /* train indices are below this (2^31) */

typedef enum { ARC_LEVEL_TRAIN, ARC_LEVEL_VAL, ARC_LEVEL_TEST } ArcLevelFamily;

/* The seed of level `index` of family: see the table above. index must be below the
 * family's size (2^31 for train, 2^30 for the others; only the first 1000 validation and
 * test levels form the shared sets). */
uint32_t arc_level_seed(ArcLevelFamily family, uint32_t index);
/* The family a level seed belongs to. */
ArcLevelFamily arc_level_family(uint32_t level);
/* "train" | "val" | "test"; and back (false for any other text). */
const char *arc_level_family_name(ArcLevelFamily family);
bool arc_level_family_parse(const char *text, ArcLevelFamily *family);

/* The seed of the world stream for step `step` of an episode on level (step 0: reset,
 * step k: the k-th step): high 32 bits of splitmix64(splitmix64(level) + step). */
uint32_t arc_level_world_seed(uint32_t level, int64_t step);

/* Parses a train_levels value: "off", "inf" or an integer N in 1 .. 2^31. Returns ARC_OK,
 * or ARC_ERR_ARG with "<where>train-levels expects off, inf or a level count in
 * 1..2147483648, got '<text>'" in err. */
int arc_levels_parse(const char *text, int64_t *levels, const char *where, ArcErr *err);
/* "off", "inf" or the decimal count. */
void arc_levels_format(int64_t levels, char *buf, size_t size);

#endif
