/* dist.h — the one door to MPI: ranks, collectives and messages, or single-process stubs.
 *
 * Built with MPI (`make MPI=1`, which defines ARC_MPI and links Open MPI) these wrap
 * MPI_COMM_WORLD; built without, they behave as a world of one rank (rank 0, size 1,
 * collectives copy nothing), so no other file needs an #ifdef. A process takes part in a
 * multi-rank world only when arc_dist_init found it was started by an MPI launcher
 * (mpirun, mpiexec, srun); run directly, even the MPI build is a world of one and never
 * calls MPI at all.
 *
 * Threads: MPI is initialised with MPI_THREAD_SERIALIZED: any thread may call these, one
 * at a time (the trainers call them from the main thread before and after training and
 * from one actor thread during it). Every collective must be called by every rank in the
 * same order; a rank that fails between collectives must still take part in the next
 * one (see arc_dist_agree) or the others wait forever.
 *
 * Errors: MPI's own failures abort the whole job (MPI's default handler), with its
 * message. Sizes beyond MPI's int counts abort here with ARC_CHECK.
 */
#ifndef ARC_DIST_H
#define ARC_DIST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "check.h"

/* True in a binary built with MPI (make MPI=1). */
bool arc_dist_compiled(void);

/* The world size an MPI launcher announced in the environment (Open MPI, MPICH/Hydra,
 * PMIx/Slurm variables), or 0 when this process was not started by one. */
int arc_dist_launch_size(void);

/* Joins the MPI world when started by a launcher (MPI build). Returns ARC_OK, or
 * ARC_ERR_ARG with one line when a launcher asked for several ranks of a binary built
 * without MPI (each rank would otherwise train alone, all writing the same run). Call
 * once, first thing in main; argc/argv as given to main. */
int arc_dist_init(int *argc, char ***argv, ArcErr *err);
/* Leaves the MPI world (after every rank's last collective). A no-op without one. */
void arc_dist_finalize(void);

int arc_dist_rank(void); /* 0 .. size-1; 0 without a world */
int arc_dist_size(void); /* 1 without a world */
int arc_dist_local_size(void); /* ranks sharing this machine (this one included); 1 without */

/* For a child process between fork and exec: removes the launcher's variables (OMPI_*,
 * PMIX_*, PMI_*) from the environment, so the program it runs (e.g. `arcade train` in a
 * sweep) starts as a world of one instead of trying to join this job. */
void arc_dist_forget_launcher(void);

void arc_dist_barrier(void);

/* buf (n floats, host memory) = its sum over all ranks, in place, on every rank. */
void arc_dist_allreduce_sum(float *buf, size_t n);

/* bytes of buf on root replace buf on every other rank. */
void arc_dist_broadcast(void *buf, size_t bytes, int root);

/* Point to point, blocking: bytes of buf to/from rank peer (another rank: a world of one
 * has no peer to address, which is a bug). Messages between two ranks arrive in order. */
void arc_dist_send(const void *buf, size_t bytes, int peer);
void arc_dist_recv(void *buf, size_t bytes, int peer);

/* all[r] = value of rank r, on every rank (all holds arc_dist_size() values). */
void arc_dist_allgather_u64(uint64_t value, uint64_t *all);

/* Collective: every rank passes its own status (err filled when non-zero). Returns that
 * status when it is non-zero; otherwise, if another rank failed, ARC_ERR_ARG with
 * "rank R could not go on (its own message names why)"; otherwise ARC_OK. */
int arc_dist_agree(int status, ArcErr *err);

/* A 64-bit fingerprint of n floats' bits (FNV-1a over 32-bit words with a final mix):
 * equal slabs give equal fingerprints; any differing bit almost surely changes it. */
uint64_t arc_dist_fingerprint(const float *x, size_t n);

#endif
