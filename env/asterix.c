/* asterix.c — placeholder: the game is being written; every call aborts. */
#include "game.h"

#include "../common/check.h"

typedef struct Placeholder { int unused; } Placeholder;

static void reset(void *state, ArcRng *rng, bool ramping)
{
    (void)state, (void)rng, (void)ramping;
    ARC_CHECK(0, "asterix is not implemented yet");
}

static int step(void *state, ArcRng *rng, int action, bool *terminal)
{
    (void)state, (void)rng, (void)action, (void)terminal;
    ARC_CHECK(0, "asterix is not implemented yet");
}

static void observe(const void *state, uint8_t *obs)
{
    (void)state, (void)obs;
    ARC_CHECK(0, "asterix is not implemented yet");
}

static const int minimal[] = {0};
static const char *const names[] = {"unused"};
static const uint32_t palette[] = {0xffffff};

const ArcGame arc_game_asterix = {
    .name = "asterix", .channels = 1, .state_bytes = sizeof(Placeholder),
    .num_minimal_actions = 1, .minimal_actions = minimal, .channel_names = names,
    .palette = palette, .reset = reset, .step = step, .observe = observe,
};
