/* dist.c — MPI wrapper, or a world of one without MPI (see dist.h). */
#include "dist.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

#ifdef ARC_MPI
#include <mpi.h>
#endif

extern char **environ;

static int world_rank = 0, world_size = 1, local_size = 1;
static bool joined = false; /* MPI_Init done here (MPI build under a launcher) */

bool arc_dist_compiled(void)
{
#ifdef ARC_MPI
    return true;
#else
    return false;
#endif
}

int arc_dist_launch_size(void)
{
    static const char *const vars[] = {"OMPI_COMM_WORLD_SIZE", "PMI_SIZE", "PMIX_SIZE"};
    for (size_t i = 0; i < sizeof vars / sizeof vars[0]; i++) {
        const char *v = getenv(vars[i]);
        if (v && atoi(v) > 0) return atoi(v);
    }
    return getenv("PMIX_RANK") || getenv("PMI_RANK") ? 1 : 0;
}

int arc_dist_init(int *argc, char ***argv, ArcErr *err)
{
    int launched = arc_dist_launch_size();
#ifdef ARC_MPI
    if (launched == 0 || joined) return ARC_OK;
    int provided = 0;
    MPI_Init_thread(argc, argv, MPI_THREAD_SERIALIZED, &provided);
    joined = true;
    MPI_Comm_rank(MPI_COMM_WORLD, &world_rank);
    MPI_Comm_size(MPI_COMM_WORLD, &world_size);
    MPI_Comm local;
    MPI_Comm_split_type(MPI_COMM_WORLD, MPI_COMM_TYPE_SHARED, 0, MPI_INFO_NULL, &local);
    MPI_Comm_size(local, &local_size);
    MPI_Comm_free(&local);
    if (provided < MPI_THREAD_SERIALIZED) {
        arc_dist_finalize();
        return arc_err_set(err, ARC_ERR_ARG,
                           "this MPI library offers thread level %d; arcade needs "
                           "MPI_THREAD_SERIALIZED (%d)", provided, MPI_THREAD_SERIALIZED);
    }
    return ARC_OK;
#else
    (void)argc, (void)argv;
    if (launched > 1)
        return arc_err_set(err, ARC_ERR_ARG,
                           "started by an MPI launcher with %d ranks, but this binary was built "
                           "without MPI (each rank would run alone): build bin/arcade-mpi with "
                           "`make MPI=1` and launch that", launched);
    return ARC_OK;
#endif
}

void arc_dist_finalize(void)
{
#ifdef ARC_MPI
    if (joined) MPI_Finalize();
#endif
    joined = false;
    world_rank = 0;
    world_size = 1;
    local_size = 1;
}

int arc_dist_rank(void) { return world_rank; }
int arc_dist_size(void) { return world_size; }
int arc_dist_local_size(void) { return local_size; }

void arc_dist_forget_launcher(void)
{
    static const char *const prefixes[] = {"OMPI_", "PMIX_", "PMI_"};
    for (bool again = true; again;) { /* unsetenv reshuffles environ: rescan after each */
        again = false;
        for (char **e = environ; e && *e && !again; e++)
            for (size_t p = 0; p < sizeof prefixes / sizeof prefixes[0] && !again; p++) {
                if (strncmp(*e, prefixes[p], strlen(prefixes[p])) != 0) continue;
                char name[256];
                size_t len = strcspn(*e, "=");
                if (len >= sizeof name) continue;
                memcpy(name, *e, len);
                name[len] = '\0';
                unsetenv(name);
                again = true;
            }
    }
}

#ifdef ARC_MPI
static int mpi_count(size_t n)
{
    ARC_CHECK(n <= (size_t)INT_MAX, "%zu elements exceed one MPI message (%d)", n, INT_MAX);
    return (int)n;
}
#endif

void arc_dist_barrier(void)
{
#ifdef ARC_MPI
    if (world_size > 1) MPI_Barrier(MPI_COMM_WORLD);
#endif
}

void arc_dist_allreduce_sum(float *buf, size_t n)
{
#ifdef ARC_MPI
    if (world_size > 1) MPI_Allreduce(MPI_IN_PLACE, buf, mpi_count(n), MPI_FLOAT, MPI_SUM, MPI_COMM_WORLD);
#else
    (void)buf, (void)n;
#endif
}

void arc_dist_broadcast(void *buf, size_t bytes, int root)
{
    ARC_CHECK(root >= 0 && root < world_size, "broadcast root %d of %d ranks", root, world_size);
#ifdef ARC_MPI
    if (world_size > 1) MPI_Bcast(buf, mpi_count(bytes), MPI_BYTE, root, MPI_COMM_WORLD);
#else
    (void)buf, (void)bytes;
#endif
}

void arc_dist_send(const void *buf, size_t bytes, int peer)
{
    ARC_CHECK(peer >= 0 && peer < world_size && peer != world_rank, "send to rank %d from rank %d of %d",
              peer, world_rank, world_size);
#ifdef ARC_MPI
    MPI_Send(buf, mpi_count(bytes), MPI_BYTE, peer, 0, MPI_COMM_WORLD);
#else
    (void)buf, (void)bytes;
#endif
}

void arc_dist_recv(void *buf, size_t bytes, int peer)
{
    ARC_CHECK(peer >= 0 && peer < world_size && peer != world_rank, "receive from rank %d at rank %d of %d",
              peer, world_rank, world_size);
#ifdef ARC_MPI
    MPI_Recv(buf, mpi_count(bytes), MPI_BYTE, peer, 0, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
#else
    (void)buf, (void)bytes;
#endif
}

void arc_dist_allgather_u64(uint64_t value, uint64_t *all)
{
#ifdef ARC_MPI
    if (world_size > 1) {
        MPI_Allgather(&value, 1, MPI_UINT64_T, all, 1, MPI_UINT64_T, MPI_COMM_WORLD);
        return;
    }
#endif
    all[0] = value;
}

int arc_dist_agree(int status, ArcErr *err)
{
    uint64_t stack[64], *all = world_size <= 64 ? stack : arc_xmalloc((size_t)world_size * sizeof *all);
    arc_dist_allgather_u64((uint64_t)(int64_t)status, all);
    int failed = -1;
    for (int r = 0; r < world_size && failed < 0; r++)
        if (all[r] != 0) failed = r;
    if (all != stack) free(all);
    if (status || failed < 0) return status;
    return arc_err_set(err, ARC_ERR_ARG, "rank %d could not go on (its own message names why)", failed);
}

uint64_t arc_dist_fingerprint(const float *x, size_t n)
{
    uint64_t h = 0xcbf29ce484222325ull;
    for (size_t i = 0; i < n; i++) {
        uint32_t w;
        memcpy(&w, &x[i], sizeof w);
        h = (h ^ w) * 0x100000001b3ull;
    }
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdull;
    return h ^ (h >> 33);
}
