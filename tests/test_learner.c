/* test_learner.c — the shared learner: updates counted, non-finite gradients refused. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "../learner/learner.h"

Test(learner, a_non_finite_gradient_is_never_applied)
{
    ArcNetConfig cfg;
    arc_net_config_minatar(&cfg, 4, ARC_HEAD_A3C, 0.125f);
    ArcOptimConfig optim = arc_optim_rmsprop(1e-3f, false);
    ArcLearner learner;
    ArcErr err;
    cr_assert_eq(arc_learner_init(&learner, &cfg, arc_backend_cpu(), &optim, ARC_UPDATE_LOCKED, 40,
                                  1, 3, &err), ARC_OK, "%s", err.msg);
    ArcNet *worker = arc_net_init(&cfg, arc_backend_cpu(), 1, 0, &err);
    size_t n = worker->num_params;
    float *before = malloc(n * sizeof *before), *after = malloc(n * sizeof *after);
    arc_net_get_params(learner.master, before);

    for (size_t i = 0; i < n; i++) worker->grads[i] = 0.01f;
    cr_assert(isfinite(arc_learner_apply(&learner, worker, 1e-3f)));
    cr_assert_eq(atomic_load(&learner.version), 1);
    arc_net_get_params(learner.master, after);
    cr_assert_neq(memcmp(before, after, n * sizeof *before), 0, "a finite gradient moves the params");

    memcpy(before, after, n * sizeof *before);
    worker->grads[n / 2] = NAN;
    cr_assert(!isfinite(arc_learner_apply(&learner, worker, 1e-3f)));
    cr_assert_eq(atomic_load(&learner.version), 1, "the refused update is not counted");
    arc_net_get_params(learner.master, after);
    cr_assert_eq(memcmp(before, after, n * sizeof *before), 0, "the master kept its parameters");

    ArcNet *workers[2] = {worker, worker};
    cr_assert(!isfinite(arc_learner_apply_sum(&learner, workers, 1, 1e-3f)));
    cr_assert_eq(atomic_load(&learner.version), 1);
    free(before), free(after);
    arc_net_free(worker);
    arc_learner_free(&learner);
}
