/* level.c — level seeds, families and train_levels values (see level.h). */
#include "level.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../common/rng.h"

#define FAMILY_SHIFT 30
#define VAL_TAG 0x80000000u
#define TEST_TAG 0xC0000000u

uint32_t arc_level_seed(ArcLevelFamily family, uint32_t index)
{
    switch (family) {
    case ARC_LEVEL_TRAIN:
        ARC_CHECK(index < ARC_LEVEL_TRAIN_MAX, "train level %u past 2^31", index);
        return index;
    case ARC_LEVEL_VAL:
        ARC_CHECK(index < 1u << FAMILY_SHIFT, "validation level %u past 2^30", index);
        return VAL_TAG | index;
    case ARC_LEVEL_TEST:
        ARC_CHECK(index < 1u << FAMILY_SHIFT, "test level %u past 2^30", index);
        return TEST_TAG | index;
    }
    ARC_CHECK(false, "unknown level family %d", (int)family);
    return 0;
}

ArcLevelFamily arc_level_family(uint32_t level)
{
    if (level < VAL_TAG) return ARC_LEVEL_TRAIN;
    return level < TEST_TAG ? ARC_LEVEL_VAL : ARC_LEVEL_TEST;
}

static const char *const family_names[] = {"train", "val", "test"};

const char *arc_level_family_name(ArcLevelFamily family)
{
    return family_names[family];
}

bool arc_level_family_parse(const char *text, ArcLevelFamily *family)
{
    for (int f = 0; f < 3; f++)
        if (strcmp(text, family_names[f]) == 0) {
            *family = (ArcLevelFamily)f;
            return true;
        }
    return false;
}

uint32_t arc_level_world_seed(uint32_t level, int64_t step)
{
    return (uint32_t)(arc_splitmix64(arc_splitmix64(level) + (uint64_t)step) >> 32);
}

int arc_levels_parse(const char *text, int64_t *levels, const char *where, ArcErr *err)
{
    if (strcmp(text, "off") == 0) {
        *levels = ARC_LEVELS_OFF;
        return ARC_OK;
    }
    if (strcmp(text, "inf") == 0) {
        *levels = ARC_LEVELS_INF;
        return ARC_OK;
    }
    char *end;
    errno = 0;
    long long n = strtoll(text, &end, 10);
    if (errno || end == text || *end || text[0] == '-' || text[0] == '+' || n < 1 ||
        n > (long long)ARC_LEVEL_TRAIN_MAX)
        return arc_err_set(err, ARC_ERR_ARG,
                           "%strain-levels expects off, inf or a level count in 1..%u, got '%s'",
                           where, ARC_LEVEL_TRAIN_MAX, text);
    *levels = n;
    return ARC_OK;
}

void arc_levels_format(int64_t levels, char *buf, size_t size)
{
    if (levels == ARC_LEVELS_OFF) snprintf(buf, size, "off");
    else if (levels == ARC_LEVELS_INF) snprintf(buf, size, "inf");
    else snprintf(buf, size, "%lld", (long long)levels);
}
