/* train.c — dispatch a training run to its algorithm (see train.h). */
#include "train.h"

#include <string.h>

#include "../common/dist.h"
#include "a3c.h"
#include "dqn.h"

int arc_train(const ArcTrainConfig *cfg, const ArcTrainOptions *options, ArcTrainResult *result,
              ArcErr *err)
{
    int ranks = options->local ? 1 : arc_dist_size();
    if (ranks > 1 && strcmp(cfg->algo, "a3c") != 0)
        return arc_err_set(err, ARC_ERR_ARG, "%s does not train across MPI ranks (%d here); "
                           "launch it without mpirun", cfg->algo, ranks);
    if (strcmp(cfg->algo, "dqn") == 0) return arc_dqn_train(cfg, options, result, err);
    return arc_a3c_train(cfg, options, result, err);
}
