/* mpi_check.h — what the tests/mpi_*.c programs share: a failing check names the rank and
 * the line and aborts the whole job (so no rank waits for a dead one), and a temporary
 * directory every rank knows. These are plain programs run by `make test-mpi` under
 * `mpirun -np 2` (or more); they also pass as a world of one. */
#ifndef ARC_TEST_MPI_CHECK_H
#define ARC_TEST_MPI_CHECK_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../common/dist.h"

#define MPI_TEST_CHECK(cond, ...)                                                          \
    do {                                                                                   \
        if (!(cond)) {                                                                     \
            fprintf(stderr, "%s:%d: rank %d: check failed: %s: ", __FILE__, __LINE__,       \
                    arc_dist_rank(), #cond);                                               \
            fprintf(stderr, __VA_ARGS__);                                                  \
            fputc('\n', stderr);                                                           \
            abort(); /* the launcher ends the other ranks */                              \
        }                                                                                  \
    } while (0)

/* Joins the world; a world of one is fine (the checks then test the stubs). */
static inline void mpi_test_init(int *argc, char ***argv)
{
    ArcErr err;
    MPI_TEST_CHECK(arc_dist_init(argc, argv, &err) == ARC_OK, "%s", err.msg);
}

/* A fresh directory made by rank 0 whose name every rank receives. */
static inline void mpi_test_tmpdir(char *dir /* 64 bytes */)
{
    memset(dir, 0, 64);
    if (arc_dist_rank() == 0) {
        strcpy(dir, "/tmp/arcade-mpi-test-XXXXXX");
        MPI_TEST_CHECK(mkdtemp(dir) != NULL, "cannot create a temporary directory");
    }
    arc_dist_broadcast(dir, 64, 0);
}

static inline void mpi_test_rmdir(const char *dir)
{
    arc_dist_barrier();
    if (arc_dist_rank() != 0) return;
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    MPI_TEST_CHECK(system(cmd) == 0, "%s", cmd);
}

#endif
