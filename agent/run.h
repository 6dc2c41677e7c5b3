/* run.h — what the A3C and DQN trainers share around a training run.
 *
 * An ArcRun owns the shared learner (learner/learner.h), the run directory's outputs
 * (run_log.h: config.ini, metrics, episodes, summary, curve) and checkpoints
 * (learner/checkpoint.h), the frame counter and the stop request. The trainer owns the
 * actors and calls arc_run_monitor regularly from one thread (progress, metrics rows,
 * checkpoints on the checkpoint_every/checkpoint_log schedule when not checkpointing itself, Ctrl-C and
 * time limits), then arc_run_finish.
 *
 * In a data-parallel run across MPI ranks (common/dist.h) only rank 0 is the writer:
 * the others resume nothing (rank 0 broadcasts), open no files, draw no progress and
 * write no checkpoint, summary or curve.
 *
 * Threads: frames and stop_requested are atomics; arc_run_checkpoint may be called from
 * any one thread at a time (it snapshots the learner under its lock); everything else is
 * for the thread that created the run.
 */
#ifndef ARC_RUN_H
#define ARC_RUN_H

#include "../common/progress.h"
#include "../common/safetensors.h"
#include "../learner/learner.h"
#include "run_log.h"
#include "train.h"

typedef struct ArcRun {
    const ArcTrainConfig *cfg;
    const ArcTrainOptions *opt;
    const ArcGame *game;
    const char *algo;          /* "a3c" | "dqn" */
    ArcNetConfig net_cfg;
    ArcLearner learner;
    ArcRunLog log;
    atomic_llong frames;       /* env steps of all actors */
    int64_t frame_target;
    int64_t start_frames;      /* frames already done when this process started */
    atomic_bool stop_requested;
    bool monitor_checkpoints;  /* arc_run_monitor writes the periodic checkpoints */
    /* the trainer's own state for checkpoints (streams, envs), added when with_state */
    void (*add_state)(void *ctx, ArcStWriter *w, ArcErr *err);
    void *state_ctx;
    ArcStFile *resume_file;    /* opt->resume: the checkpoint resumed from, for that state */
    atomic_bool faulted;       /* a numerical fault (or arc_run_fault) stopped the run */
    atomic_bool rollback_pending; /* on-nonfinite rollback: a fault waits for arc_run_rollback */
    int rollbacks;             /* rollbacks done (lr carries ARC_RUN_ROLLBACK_LR_FACTOR^rollbacks) */
    bool rollback_ok;          /* the trainer calls arc_run_rollback (A3C async/sync, DQN);
                                * without it a fault stops the run whatever on-nonfinite says */
    atomic_int poisoned;       /* faults injected (opt->poison_times) */
    bool writer;               /* writes the run directory: false on MPI ranks other than 0
                                  of a data-parallel run, which keep counts only */
    /* private */
    char *config_ini;
    float *snap_params, *snap_m, *snap_v; /* (P) host buffers for checkpoints */
    float *good_params, *good_m, *good_v; /* (P) the state of the last checkpoint written
                                           * (the starting state before the first) */
    int64_t good_frames;
    double fault_norm;         /* the pending fault, for the rollback's message */
    int64_t fault_frames;
    int checkpoint_status;
    ArcErr checkpoint_err;
    ArcErr fault_err;          /* written once, by the thread that set faulted */
    int fault_status;
    double start, last_row;
    int64_t next_checkpoint;
    ArcProgress progress;
} ArcRun;

/* Sets up a run of algo with network head: finds the game, builds the learner (master
 * net on backend be for max_batch rows, optimizer from cfg), restores it from the latest checkpoint
 * when opt->resume, opens the run directory and writes config.ini. On failure returns a
 * status with a message, and run holds nothing. */
int arc_run_init(ArcRun *run, const ArcTrainConfig *cfg, const ArcTrainOptions *opt,
                 const char *algo, ArcHead head, ArcBackend *be, const ArcOptimConfig *optim,
                 ArcUpdateMode mode, int max_batch, const char *const *stat_names, int num_stats,
                 ArcErr *err);

/* The learning rate at `frames` under cfg->lr_schedule, ramped up over the first
 * cfg->lr_warmup updates (the learner's version), times the rollback scale. */
float arc_run_lr(const ArcRun *run, int64_t frames);
/* The entropy coefficient at `frames`: linear from cfg->entropy to cfg->entropy_end. */
float arc_run_entropy(const ArcRun *run, int64_t frames);

/* Writes checkpoints/<name>.safetensors and checkpoints/latest.safetensors; with_state
 * adds the trainer's state (only when its actors are quiet: between rounds or stopped).
 * A snapshot holding a NaN or infinity is a numerical fault (as a non-finite gradient):
 * the last good state is written instead. */
int arc_run_checkpoint(ArcRun *run, int64_t frames, const char *name, bool with_state, ArcErr *err);
/* A periodic checkpoint "frames-N"; a failure stops the run and is reported at the end. */
void arc_run_periodic_checkpoint(ArcRun *run, int64_t frames, bool with_state);

/* A gradient norm from arc_learner_apply. When it is not finite (the update was not
 * applied): with on-nonfinite rollback and rollbacks left, sets rollback_pending (the
 * trainer then calls arc_run_rollback once its actors are quiet); otherwise the run stops
 * and arc_run_finish reports it after saving the last good parameters. Thread-safe.
 * Returns true when the norm was finite. */
bool arc_run_check_gradient(ArcRun *run, double norm, int64_t frames);

/* The same for a loss, checked before its gradient is applied (DQN's Huber loss keeps the
 * gradient of a NaN error finite, so the loss is where a NaN shows). Returns true when
 * finite; when not, the caller does not apply the update. */
bool arc_run_check_loss(ArcRun *run, double loss, int64_t frames);

/* The factor a rollback multiplies the learning rate by. */
#define ARC_RUN_ROLLBACK_LR_FACTOR 0.5

/* True while a fault waits for arc_run_rollback; actors stop at their next update. */
bool arc_run_rollback_pending(ArcRun *run);

/* Restores the learner's parameters and optimizer statistics to those of the last
 * checkpoint written (or the starting state before the first), keeping the frame and
 * update counters; multiplies the learning rate by ARC_RUN_ROLLBACK_LR_FACTOR; prints
 * one line (unless quiet). Call when no actor applies updates (actors stopped, at a
 * barrier, or the learner's own thread in LOCKED mode: it takes the learner's lock). */
void arc_run_rollback(ArcRun *run);

/* True once the run should stop (Ctrl-C, or stop_requested): for loops that run long
 * between monitoring ticks. Thread-safe. */
bool arc_run_should_stop(ArcRun *run);
/* Stops the run with err's message, reported by arc_run_finish as `status` after the
 * last good parameters are saved (the first fault wins). Thread-safe. */
void arc_run_fault(ArcRun *run, int status, const ArcErr *err);

/* One monitoring tick: progress, a metrics row every metrics_every seconds, periodic
 * checkpoints (if monitor_checkpoints), and the stop request (Ctrl-C, max_seconds, a
 * failed write of a log row or checkpoint). */
void arc_run_monitor(ArcRun *run);

/* After the actors have stopped: the last metrics row, the final checkpoint, summary.json
 * and curve.png; fills result. Returns status unchanged if it is an error, else the
 * first failure of these writes. */
int arc_run_finish(ArcRun *run, int64_t updates, ArcTrainResult *result, int status, ArcErr *err);
void arc_run_free(ArcRun *run);

#endif
