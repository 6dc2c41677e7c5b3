/* game.c — the registry of games (see game.h). */
#include "game.h"

#include <string.h>

const ArcGame *const arc_games[ARC_NUM_GAMES] = {
    &arc_game_asterix, &arc_game_breakout, &arc_game_freeway,
    &arc_game_seaquest, &arc_game_space_invaders,
};

const ArcGame *arc_game_find(const char *name)
{
    if (!name) return NULL;
    for (int i = 0; i < ARC_NUM_GAMES; i++)
        if (strcmp(arc_games[i]->name, name) == 0) return arc_games[i];
    return NULL;
}

const ArcGame *arc_game_find_variant(const char *name, const char *variant)
{
    static const ArcGame *const procedural[] = {&arc_game_breakout_procedural,
                                                &arc_game_space_invaders_procedural};
    if (!variant || strcmp(variant, "standard") == 0) return arc_game_find(name);
    if (!name || strcmp(variant, "procedural") != 0) return NULL;
    for (size_t i = 0; i < sizeof procedural / sizeof procedural[0]; i++)
        if (strcmp(procedural[i]->name, name) == 0) return procedural[i];
    return NULL;
}

const char *arc_game_names(void)
{
    return "asterix, breakout, freeway, seaquest, space_invaders";
}
