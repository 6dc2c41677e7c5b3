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

const char *arc_game_names(void)
{
    return "asterix, breakout, freeway, seaquest, space_invaders";
}
