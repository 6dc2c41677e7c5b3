/* train.c — dispatch a training run to its algorithm (see train.h). */
#include "train.h"

#include <string.h>

#include "a3c.h"
#include "dqn.h"

int arc_train(const ArcTrainConfig *cfg, const ArcTrainOptions *options, ArcTrainResult *result,
              ArcErr *err)
{
    if (strcmp(cfg->algo, "dqn") == 0) return arc_dqn_train(cfg, options, result, err);
    return arc_a3c_train(cfg, options, result, err);
}
