/* mpi_train.c — data-parallel A3C across ranks (train --sync with cfg.dist):
 *   - after training, every rank holds bit-identical parameters (allreduce and parameter
 *     server), rank 0's checkpoint holds them, and a repeat gives the same bits;
 *   - with 2 ranks of 1 actor, both modes equal a one-process run of 2 actors (the same
 *     env streams and the same gradient sum), so the average is the right one;
 *   - a stop asked on one rank stops every rank after the same update;
 *   - ranks whose parameters drift apart (here: a different learning rate on one rank)
 *     are caught by the periodic check with an error naming the rank. */
#include <stdatomic.h>

#include "../agent/train.h"
#include "../learner/checkpoint.h"
#include "mpi_check.h"

static ArcTrainConfig small_config(const char *out, const char *dist)
{
    ArcTrainConfig cfg;
    arc_train_config_defaults(&cfg);
    snprintf(cfg.out, sizeof cfg.out, "%s", out);
    cfg.sync = true;
    cfg.threads = 1;
    cfg.envs_per_thread = 8;
    cfg.rollout = 5;
    cfg.frames = 8 * 5 * 2 * 40; /* 40 updates of 2 ranks (or 2 actors) */
    cfg.checkpoint_every = 0;
    cfg.dist_check_every = 7;
    cfg.seed = 11;
    snprintf(cfg.dist, sizeof cfg.dist, "%s", dist);
    return cfg;
}

/* Trains cfg on every rank (or on this rank alone when local); returns the result. */
static ArcTrainResult train(const ArcTrainConfig *cfg, bool local, atomic_bool *stop, int *status,
                            ArcErr *err)
{
    ArcTrainOptions opt = {.quiet = true, .local = local, .stop = stop};
    ArcTrainResult res;
    memset(&res, 0, sizeof res);
    *status = arc_train(cfg, &opt, &res, err);
    return res;
}

/* Every rank's fingerprint equals rank 0's; on rank 0 it is also its final checkpoint's. */
static void check_same_everywhere(const ArcTrainResult *res, const char *what)
{
    uint64_t all[256];
    arc_dist_allgather_u64(res->params_fingerprint, all);
    for (int r = 1; r < arc_dist_size(); r++)
        MPI_TEST_CHECK(all[r] == all[0], "%s: rank %d's parameters differ from rank 0's", what, r);
    if (arc_dist_rank() != 0) return;
    ArcCheckpoint ck;
    ArcErr err;
    MPI_TEST_CHECK(arc_checkpoint_load(res->checkpoint, &ck, &err) == ARC_OK, "%s", err.msg);
    MPI_TEST_CHECK(arc_dist_fingerprint(ck.params, ck.num_params) == res->params_fingerprint,
                   "%s: the checkpoint does not hold the trained parameters", what);
    MPI_TEST_CHECK(ck.updates == res->updates, "%s: checkpoint updates %lld, run %lld", what,
                   (long long)ck.updates, (long long)res->updates);
    arc_checkpoint_free(&ck);
}

int main(int argc, char **argv)
{
    mpi_test_init(&argc, &argv);
    const int rank = arc_dist_rank(), size = arc_dist_size();
    char dir[64];
    mpi_test_tmpdir(dir);
    char out[128];
    int status;
    ArcErr err;

    /* allreduce, twice: identical on every rank and across repeats */
    snprintf(out, sizeof out, "%s/allreduce", dir);
    ArcTrainConfig cfg = small_config(out, "allreduce");
    ArcTrainResult a1 = train(&cfg, false, NULL, &status, &err);
    MPI_TEST_CHECK(status == ARC_OK, "%s", err.msg);
    int64_t round = (int64_t)cfg.envs_per_thread * cfg.rollout * cfg.threads * size;
    int64_t want_updates = (cfg.frames + round - 1) / round;
    MPI_TEST_CHECK(a1.updates == want_updates && a1.frames == want_updates * round,
                   "%lld updates, %lld frames; expected %lld updates of %lld frames (all ranks)",
                   (long long)a1.updates, (long long)a1.frames, (long long)want_updates, (long long)round);
    check_same_everywhere(&a1, "allreduce");
    snprintf(out, sizeof out, "%s/allreduce-again", dir);
    cfg = small_config(out, "allreduce");
    ArcTrainResult a2 = train(&cfg, false, NULL, &status, &err);
    MPI_TEST_CHECK(status == ARC_OK, "%s", err.msg);
    MPI_TEST_CHECK(a2.params_fingerprint == a1.params_fingerprint, "a repeated run gave other parameters");

    /* parameter server: identical on every rank */
    snprintf(out, sizeof out, "%s/ps", dir);
    cfg = small_config(out, "ps");
    ArcTrainResult p1 = train(&cfg, false, NULL, &status, &err);
    MPI_TEST_CHECK(status == ARC_OK, "%s", err.msg);
    check_same_everywhere(&p1, "ps");
    MPI_TEST_CHECK(p1.updates == a1.updates, "ps made %lld updates, allreduce %lld", (long long)p1.updates,
                   (long long)a1.updates);

    /* 2 ranks x 1 actor = 1 process x 2 actors, bit for bit (both modes) */
    if (size == 2) {
        if (rank == 0) {
            snprintf(out, sizeof out, "%s/local", dir);
            cfg = small_config(out, "allreduce");
            cfg.threads = 2;
            ArcTrainResult l = train(&cfg, true, NULL, &status, &err);
            MPI_TEST_CHECK(status == ARC_OK, "%s", err.msg);
            MPI_TEST_CHECK(l.updates == a1.updates, "local %lld updates", (long long)l.updates);
            MPI_TEST_CHECK(l.params_fingerprint == a1.params_fingerprint,
                           "2 ranks x 1 actor (allreduce) differ from 1 process x 2 actors");
            MPI_TEST_CHECK(l.params_fingerprint == p1.params_fingerprint,
                           "2 ranks x 1 actor (ps) differ from 1 process x 2 actors");
        }
        arc_dist_barrier();
    }

    /* a stop asked on the last rank only (as its Ctrl-C would): every rank stops after the
     * same update, long before the frame budget */
    atomic_bool stop;
    atomic_init(&stop, rank == size - 1);
    snprintf(out, sizeof out, "%s/stop", dir);
    cfg = small_config(out, "allreduce");
    cfg.frames = (int64_t)1e12;
    ArcTrainResult s = train(&cfg, false, &stop, &status, &err);
    MPI_TEST_CHECK(status == ARC_OK, "%s", err.msg);
    MPI_TEST_CHECK(s.interrupted && s.frames == s.updates * round, "rank %d: interrupted %d, %lld "
                   "updates, %lld frames", rank, s.interrupted, (long long)s.updates, (long long)s.frames);
    uint64_t updates[256];
    arc_dist_allgather_u64((uint64_t)s.updates, updates);
    for (int r = 1; r < size; r++)
        MPI_TEST_CHECK(updates[r] == updates[0], "rank %d stopped after %llu updates, rank 0 after %llu", r,
                       (unsigned long long)updates[r], (unsigned long long)updates[0]);
    check_same_everywhere(&s, "stopped run");

    /* drifting ranks are caught: rank 1 takes another learning rate */
    if (size > 1) {
        snprintf(out, sizeof out, "%s/drift", dir);
        cfg = small_config(out, "allreduce");
        if (rank == 1) cfg.lr *= 2;
        train(&cfg, false, NULL, &status, &err);
        MPI_TEST_CHECK(status == ARC_ERR_NUMERIC, "drifting parameters went unnoticed (status %d)", status);
        MPI_TEST_CHECK(strstr(err.msg, "rank 1") && strstr(err.msg, "update 7"),
                       "message '%s' does not name rank 1 and update 7", err.msg);
    }

    mpi_test_rmdir(dir);
    if (rank == 0)
        printf("mpi_train: ok (%d ranks: allreduce and ps identical on every rank, repeatable, %s, "
               "stop agreed%s)\n", size, size == 2 ? "equal to 1 process x 2 actors" : "not compared with one process",
               size > 1 ? ", drift caught" : "");
    arc_dist_finalize();
    return 0;
}
