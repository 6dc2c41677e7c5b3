/* mpi_dist.c — the MPI wrapper (common/dist.h) across ranks: sums, broadcasts, messages,
 * gathers and agreement give the values they promise on every rank. */
#include <math.h>

#include "mpi_check.h"

int main(int argc, char **argv)
{
    mpi_test_init(&argc, &argv);
    const int rank = arc_dist_rank(), size = arc_dist_size();
    MPI_TEST_CHECK(rank >= 0 && rank < size, "rank %d of %d", rank, size);

    /* allreduce: element i of rank r holds r + i/8, so the sum is size*i/8 + size(size-1)/2 */
    enum { N = 1000 };
    float x[N + 1];
    for (int i = 0; i < N; i++) x[i] = (float)rank + (float)i / 8.0f;
    x[N] = -1.0f;
    arc_dist_allreduce_sum(x, N);
    for (int i = 0; i < N; i++) {
        float want = (float)size * (float)i / 8.0f + (float)(size * (size - 1) / 2);
        MPI_TEST_CHECK(x[i] == want, "allreduce element %d: %g, expected %g", i, x[i], want);
    }
    MPI_TEST_CHECK(x[N] == -1.0f, "allreduce wrote past its %d floats", N);

    /* broadcast from the first and the last rank */
    for (int root = 0; root < size; root += size > 1 ? size - 1 : 1) {
        int64_t v[3] = {rank, rank * 10, -rank};
        arc_dist_broadcast(v, sizeof v, root);
        MPI_TEST_CHECK(v[0] == root && v[1] == root * 10 && v[2] == -root,
                       "broadcast from %d gave %lld %lld %lld", root, (long long)v[0],
                       (long long)v[1], (long long)v[2]);
    }

    /* send/recv around a ring, two messages each way, in order */
    if (size > 1) {
        int next = (rank + 1) % size, prev = (rank + size - 1) % size;
        double out[2] = {rank + 0.5, rank + 0.25}, in[2];
        if (rank % 2 == 0) {
            arc_dist_send(&out[0], sizeof out[0], next), arc_dist_send(&out[1], sizeof out[1], next);
            arc_dist_recv(&in[0], sizeof in[0], prev), arc_dist_recv(&in[1], sizeof in[1], prev);
        } else {
            arc_dist_recv(&in[0], sizeof in[0], prev), arc_dist_recv(&in[1], sizeof in[1], prev);
            arc_dist_send(&out[0], sizeof out[0], next), arc_dist_send(&out[1], sizeof out[1], next);
        }
        MPI_TEST_CHECK(in[0] == prev + 0.5 && in[1] == prev + 0.25, "ring from %d gave %g %g", prev,
                       in[0], in[1]);
    }

    /* allgather */
    uint64_t all[256];
    MPI_TEST_CHECK(size <= 256, "%d ranks", size);
    arc_dist_allgather_u64(1000u + (uint64_t)rank, all);
    for (int r = 0; r < size; r++) MPI_TEST_CHECK(all[r] == 1000u + (uint64_t)r, "allgather[%d] = %llu", r,
                                                  (unsigned long long)all[r]);

    /* agreement: nobody failed, then the last rank fails */
    ArcErr err;
    MPI_TEST_CHECK(arc_dist_agree(ARC_OK, &err) == ARC_OK, "agreement without a failure failed");
    int mine = rank == size - 1 ? arc_err_set(&err, ARC_ERR_IO, "own failure") : ARC_OK;
    int agreed = arc_dist_agree(mine, &err);
    MPI_TEST_CHECK(agreed != ARC_OK, "rank %d's failure was not seen", size - 1);
    if (rank == size - 1) MPI_TEST_CHECK(strcmp(err.msg, "own failure") == 0, "message '%s'", err.msg);
    else MPI_TEST_CHECK(strstr(err.msg, "rank") != NULL, "message '%s' does not name the rank", err.msg);

    /* fingerprints: equal slabs agree, one flipped bit does not */
    float y[N];
    for (int i = 0; i < N; i++) y[i] = sinf((float)i);
    uint64_t h = arc_dist_fingerprint(y, N);
    arc_dist_allgather_u64(h, all);
    for (int r = 0; r < size; r++) MPI_TEST_CHECK(all[r] == h, "rank %d fingerprints the same slab differently", r);
    uint32_t bits;
    memcpy(&bits, &y[N / 2], sizeof bits);
    bits ^= 1u;
    memcpy(&y[N / 2], &bits, sizeof bits);
    MPI_TEST_CHECK(arc_dist_fingerprint(y, N) != h, "a flipped bit kept the fingerprint");

    arc_dist_barrier();
    if (rank == 0) printf("mpi_dist: ok (%d ranks: allreduce, broadcast, send/recv, allgather, agree)\n", size);
    arc_dist_finalize();
    return 0;
}
