/* test_dist.c — the MPI wrapper as a world of one (what every non-MPI build and every
 * process run without a launcher sees), the data-parallel learner reducing to the plain
 * synchronous one there, and the clear refusals of the build without MPI. The multi-rank
 * behaviour is tested under mpirun by `make test-mpi` (tests/mpi_*.c). */
#include <criterion/criterion.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "../common/dist.h"
#include "../common/rng.h"
#include "../learner/dist_learner.h"
#include "run_cli.h"

Test(dist, a_process_without_launcher_is_a_world_of_one)
{
    cr_assert_eq(arc_dist_rank(), 0);
    cr_assert_eq(arc_dist_size(), 1);
    float x[3] = {1.5f, -2.0f, 3.25f};
    arc_dist_allreduce_sum(x, 3);
    cr_assert(x[0] == 1.5f && x[1] == -2.0f && x[2] == 3.25f, "a sum over one rank changed the values");
    int64_t v = 42;
    arc_dist_broadcast(&v, sizeof v, 0);
    cr_assert_eq(v, 42);
    uint64_t all[1] = {0};
    arc_dist_allgather_u64(77, all);
    cr_assert_eq(all[0], 77);
    ArcErr err;
    cr_assert_eq(arc_dist_agree(ARC_OK, &err), ARC_OK);
    cr_assert_eq(arc_dist_agree(ARC_ERR_IO, &err), ARC_ERR_IO, "a world of one keeps its own failure");
    arc_dist_barrier();
}

Test(dist, fingerprints_see_every_bit)
{
    enum { N = 257 };
    float a[N];
    for (int i = 0; i < N; i++) a[i] = cosf((float)i);
    uint64_t h = arc_dist_fingerprint(a, N);
    cr_assert_eq(arc_dist_fingerprint(a, N), h);
    for (int i = 0; i < N; i += 64) {
        float b[N];
        memcpy(b, a, sizeof b);
        uint32_t w;
        memcpy(&w, &b[i], sizeof w);
        w ^= 1u << (i % 32);
        memcpy(&b[i], &w, sizeof w);
        cr_assert_neq(arc_dist_fingerprint(b, N), h, "bit %d of float %d did not change it", i % 32, i);
    }
    float swapped[N];
    memcpy(swapped, a, sizeof swapped);
    swapped[0] = a[1], swapped[1] = a[0];
    cr_assert_neq(arc_dist_fingerprint(swapped, N), h, "order does not matter to it");
}

Test(dist, modes_parse)
{
    ArcDistMode mode;
    cr_assert(arc_dist_mode_parse("allreduce", &mode) && mode == ARC_DIST_ALLREDUCE);
    cr_assert(arc_dist_mode_parse("ps", &mode) && mode == ARC_DIST_PS);
    cr_assert(!arc_dist_mode_parse("ring", &mode));
}

/* Two learners from one seed; worker gradients filled from a stream. */
static void learner_pair(ArcLearner *a, ArcLearner *b, ArcNet **workers, int n)
{
    ArcNetConfig cfg;
    arc_net_config_minatar(&cfg, 4, ARC_HEAD_A3C, 0.25f);
    ArcOptimConfig optim = arc_optim_rmsprop(1e-3f, false);
    ArcErr err;
    cr_assert_eq(arc_learner_init(a, &cfg, arc_backend_cpu(), &optim, ARC_UPDATE_HOGWILD, 1.0f, 1, 5, &err), ARC_OK);
    cr_assert_eq(arc_learner_init(b, &cfg, arc_backend_cpu(), &optim, ARC_UPDATE_HOGWILD, 1.0f, 1, 5, &err), ARC_OK);
    for (int w = 0; w < n; w++) {
        workers[w] = arc_net_init(&cfg, arc_backend_cpu(), 1, 0, &err);
        cr_assert_not_null(workers[w]);
    }
}

static void fill_grads(ArcNet **workers, int n, uint32_t seed)
{
    ArcRng rng;
    arc_rng_seed(&rng, seed);
    for (int w = 0; w < n; w++)
        for (size_t i = 0; i < workers[w]->num_params; i++) workers[w]->grads[i] = (float)arc_rng_uniform(&rng) - 0.5f;
}

Test(dist, in_a_world_of_one_both_modes_are_the_plain_synchronous_update)
{
    for (int mode = ARC_DIST_ALLREDUCE; mode <= ARC_DIST_PS; mode++) {
        enum { W = 3 };
        ArcLearner plain, spread;
        ArcNet *workers[W];
        learner_pair(&plain, &spread, workers, W);
        ArcDistLearner dist;
        arc_dist_learner_init(&dist, &spread, (ArcDistMode)mode, 1);
        int64_t counter = 123;
        arc_dist_learner_broadcast(&dist, &counter);
        cr_assert_eq(counter, 123);
        for (int step = 0; step < 4; step++) {
            fill_grads(workers, W, 10 + step);
            double n1 = arc_learner_apply_sum(&plain, workers, W, 1e-3f);
            fill_grads(workers, W, 10 + step);
            bool stop = step == 3;
            double n2 = arc_dist_learner_apply_sum(&dist, workers, W, 1e-3f, &stop);
            cr_assert_eq(n1, n2, "mode %d step %d: norms %g and %g", mode, step, n1, n2);
            cr_assert_eq(stop, step == 3, "the stop request came back changed");
            ArcErr err;
            cr_assert_eq(arc_dist_learner_check(&dist, &err), ARC_OK);
        }
        size_t P = plain.master->num_params;
        float *p1 = malloc(P * sizeof(float)), *p2 = malloc(P * sizeof(float));
        arc_net_get_params(plain.master, p1);
        arc_net_get_params(spread.master, p2);
        cr_assert_eq(memcmp(p1, p2, P * sizeof(float)), 0, "mode %d: other parameters", mode);
        cr_assert_eq(atomic_load(&spread.version), 4);
        cr_assert_eq(arc_dist_learner_fingerprint(&dist), arc_dist_fingerprint(p1, P));
        free(p1), free(p2);
        arc_dist_learner_free(&dist);
        for (int w = 0; w < W; w++) arc_net_free(workers[w]);
        arc_learner_free(&plain);
        arc_learner_free(&spread);
    }
}

Test(dist, the_build_without_mpi_refuses_a_multi_rank_launch_and_dist_ps)
{
    if (arc_dist_compiled()) {
        cr_log_info("built with MPI: tests/mpi_*.c cover this build");
        return;
    }
    char err[1024];
    int status = run_cli("OMPI_COMM_WORLD_SIZE=2 OMPI_COMM_WORLD_RANK=0 bin/arcade model --game breakout",
                         NULL, 0, err, sizeof err);
    cr_assert_eq(status, 2, "exit %d: %s", status, err);
    cr_assert(strstr(err, "without MPI") && strstr(err, "make MPI=1"), "message: %s", err);
    cr_assert_eq(strchr(err, '\n'), err + strlen(err) - 1, "not one line: %s", err);
    status = run_cli("OMPI_COMM_WORLD_SIZE=1 bin/arcade model --game breakout", NULL, 0, err, sizeof err);
    cr_assert_eq(status, 0, "a launch of one rank is fine: %s", err);

    status = run_cli("bin/arcade train --dist ps --frames 10 --out /tmp/arcade-dist-never", NULL, 0, err,
                     sizeof err);
    cr_assert_eq(status, 2, "exit %d: %s", status, err);
    cr_assert(strstr(err, "dist ps") && strstr(err, "MPI"), "message: %s", err);
    status = run_cli("bin/arcade train --dist ring --frames 10", NULL, 0, err, sizeof err);
    cr_assert_eq(status, 2);
    cr_assert(strstr(err, "allreduce|ps"), "message: %s", err);
    cr_assert_eq(access("/tmp/arcade-dist-never", F_OK), -1, "a refused run wrote its directory");
}
