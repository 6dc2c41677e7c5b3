/* run.c — the training-run skeleton shared by A3C and DQN (see run.h). */
#include "run.h"

#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "../common/clock.h"
#include "../common/file.h"
#include "../common/dist.h"
#include "../learner/checkpoint.h"

static char *config_text(const ArcTrainConfig *cfg)
{
    char *text = NULL;
    size_t size = 0;
    FILE *mem = open_memstream(&text, &size);
    arc_train_config_write(cfg, mem);
    fclose(mem);
    return text;
}

static int write_config_file(const ArcRun *run, ArcErr *err)
{
    char path[600];
    arc_run_log_path(&run->log, "config.ini", path, sizeof path);
    return arc_file_write_atomic(path, run->config_ini, strlen(run->config_ini), err);
}

/* Restores the learner from DIR/checkpoints/latest.safetensors. */
static int resume_from(ArcRun *run, int64_t *episodes, ArcErr *err)
{
    char path[700];
    snprintf(path, sizeof path, "%s/checkpoints/latest.safetensors", run->cfg->out);
    ArcCheckpoint ck;
    int status = arc_checkpoint_load(path, &ck, err);
    if (status) return status;
    size_t params = run->learner.master->num_params;
    bool dueling = run->net_cfg.dueling;
    if (strcmp(ck.algo, run->algo) != 0 || strcmp(ck.game, run->game->name) != 0 ||
        ck.num_params != params || ck.net.dueling != dueling || !ck.opt_v)
        status = arc_err_set(err, ARC_ERR_FORMAT,
                             "%s: holds a %s %s network%s of %zu parameters%s; this run trains %s%s on "
                             "%s with %zu", path, ck.algo, ck.game, ck.net.dueling ? " (dueling head)" : "",
                             ck.num_params, ck.opt_v ? "" : " without optimizer state", run->algo,
                             dueling ? " (dueling head)" : "", run->game->name, params);
    if (!status) {
        arc_learner_restore(&run->learner, ck.params, ck.opt_m, ck.opt_v, ck.updates);
        run->start_frames = ck.frames;
        *episodes = ck.episodes;
        run->rollbacks = (int)(ck.rollbacks < INT_MAX ? ck.rollbacks : INT_MAX);
        run->resume_file = ck.file; /* the trainer restores its own state from it */
        ck.file = NULL;
    }
    arc_checkpoint_free(&ck);
    return status;
}

int arc_run_init(ArcRun *run, const ArcTrainConfig *cfg, const ArcTrainOptions *opt,
                 const char *algo, ArcHead head, ArcBackend *be, const ArcOptimConfig *optim,
                 ArcUpdateMode mode, int max_batch, const char *const *stat_names, int num_stats,
                 ArcErr *err)
{
    memset(run, 0, sizeof *run);
    run->cfg = cfg;
    run->opt = opt;
    run->algo = algo;
    run->game = opt->game ? opt->game : arc_game_find_variant(cfg->game, cfg->variant);
    if (!run->game)
        return arc_err_set(err, ARC_ERR_ARG, "unknown game '%s' (expected one of: %s)", cfg->game,
                           arc_game_names());
    run->frame_target = cfg->frames;
    run->writer = opt->local || arc_dist_rank() == 0;
    arc_net_config_minatar(&run->net_cfg, run->game->channels, head, (float)cfg->k);
    run->net_cfg.dueling = cfg->dueling; /* train_config allows it with dqn only */
    int status = arc_learner_init(&run->learner, &run->net_cfg, be, optim, mode,
                                  (float)cfg->clip, max_batch, (uint32_t)cfg->seed, err);
    if (status) return status;
    int64_t episodes = 0;
    if (opt->resume && run->writer) status = resume_from(run, &episodes, err);
    if (!status)
        status = arc_run_log_open(&run->log, run->writer ? cfg->out : NULL, &run->frames, stat_names, num_stats,
                                  opt->resume ? run->start_frames : -1, err);
    if (status) {
        arc_st_free(run->resume_file);
        arc_learner_free(&run->learner);
        return status;
    }
    run->log.episodes_total = episodes;
    run->config_ini = config_text(cfg);
    if (run->writer) status = write_config_file(run, err);
    if (status) {
        arc_run_free(run);
        return status;
    }
    size_t P = run->learner.master->num_params;
    bool with_m = optim->centered || optim->kind == ARC_OPTIM_ADAM;
    run->snap_params = arc_xmalloc(P * sizeof(float));
    run->snap_v = arc_xmalloc(P * sizeof(float));
    run->good_params = arc_xmalloc(P * sizeof(float));
    run->good_v = arc_xmalloc(P * sizeof(float));
    if (with_m) run->snap_m = arc_xmalloc(P * sizeof(float));
    if (with_m) run->good_m = arc_xmalloc(P * sizeof(float));
    arc_learner_snapshot(&run->learner, run->good_params, run->good_m, run->good_v);
    run->good_frames = run->start_frames;
    atomic_init(&run->frames, run->start_frames);
    atomic_init(&run->stop_requested, false);
    atomic_init(&run->faulted, false);
    atomic_init(&run->rollback_pending, false);
    atomic_init(&run->poisoned, 0);
    run->monitor_checkpoints = true;
    run->next_checkpoint = arc_train_config_next_checkpoint(cfg, run->start_frames);
    arc_progress_init(&run->progress, stderr, algo, run->frame_target, 10.0);
    run->start = run->last_row = arc_seconds();
    return ARC_OK;
}

/* The learning rate's factor after the rollbacks so far. */
static double rollback_scale(const ArcRun *run)
{
    return pow(ARC_RUN_ROLLBACK_LR_FACTOR, run->rollbacks);
}

float arc_run_lr(const ArcRun *run, int64_t frames)
{
    double lr = run->cfg->lr;
    if (strcmp(run->cfg->lr_schedule, "linear") == 0) {
        double left = 1.0 - (double)frames / (double)run->frame_target;
        lr *= left > 0 ? left : 0;
    }
    long long updates = atomic_load(&run->learner.version);
    if (updates < run->cfg->lr_warmup) lr *= (double)(updates + 1) / (double)run->cfg->lr_warmup;
    return (float)(lr * rollback_scale(run));
}

static bool all_finite(const float *x, size_t n)
{
    float acc = 0; /* NaN or infinity anywhere makes the product with 0 NaN */
    for (size_t i = 0; i < n; i++) acc += x[i] * 0.0f;
    return acc == 0;
}

/* Records a numerical fault (what: "a non-finite gradient (norm nan) at frame N was not
 * applied", ...): a pending rollback when the run may still roll back, else a stop with
 * the message. */
static void numerical_fault(ArcRun *run, const char *what, double norm, int64_t frames)
{
    const ArcTrainConfig *cfg = run->cfg;
    bool rollback = strcmp(cfg->on_nonfinite, "rollback") == 0;
    if (rollback && run->rollback_ok && run->rollbacks < cfg->max_rollbacks) {
        bool expected = false;
        if (atomic_compare_exchange_strong(&run->rollback_pending, &expected, true)) {
            run->fault_norm = norm;
            run->fault_frames = frames;
        }
        return;
    }
    char rolled[96] = "";
    if (rollback && !run->rollback_ok)
        snprintf(rolled, sizeof rolled, " (this learner cannot roll back)");
    else if (run->rollbacks)
        snprintf(rolled, sizeof rolled, " after %d rollback%s (learning rate down to %g)",
                 run->rollbacks, run->rollbacks > 1 ? "s" : "", cfg->lr * rollback_scale(run));
    ArcErr err;
    arc_err_set(&err, ARC_ERR_NUMERIC,
                "%s and the run stopped%s; the last good parameters are in "
                "%s/checkpoints/final.safetensors (a lower --lr, a --clip or --on-nonfinite "
                "rollback may help)", what, rolled, cfg->out);
    arc_run_fault(run, ARC_ERR_NUMERIC, &err);
}

/* The snapshot (snap_*) becomes the state a rollback returns to. */
static void swap_good(ArcRun *run, int64_t frames)
{
    float *t;
    t = run->good_params, run->good_params = run->snap_params, run->snap_params = t;
    t = run->good_m, run->good_m = run->snap_m, run->snap_m = t;
    t = run->good_v, run->good_v = run->snap_v, run->snap_v = t;
    run->good_frames = frames;
}

float arc_run_entropy(const ArcRun *run, int64_t frames)
{
    double done = (double)frames / (double)run->frame_target;
    if (done > 1) done = 1;
    return (float)(run->cfg->entropy + (run->cfg->entropy_end - run->cfg->entropy) * done);
}

int arc_run_checkpoint(ArcRun *run, int64_t frames, const char *name, bool with_state, ArcErr *err)
{
    size_t P = run->learner.master->num_params;
    ArcCheckpoint ck = {.net = run->net_cfg, .frames = frames,
                        .add_state = with_state ? run->add_state : NULL, .state_ctx = run->state_ctx,
                        .episodes = arc_run_log_episodes(&run->log), .rollbacks = run->rollbacks,
                        .num_params = P,
                        .params = run->snap_params, .opt_m = run->snap_m, .opt_v = run->snap_v,
                        .config_ini = run->config_ini};
    ck.updates = arc_learner_snapshot(&run->learner, ck.params, ck.opt_m, ck.opt_v);
    bool finite = all_finite(ck.params, P) && all_finite(ck.opt_v, P) &&
                  (!ck.opt_m || all_finite(ck.opt_m, P));
    if (!finite) { /* never saved: the last good state goes in its place */
        char what[96];
        snprintf(what, sizeof what, "a non-finite parameter at frame %lld was not saved",
                 (long long)frames);
        numerical_fault(run, what, NAN, frames);
        memcpy(ck.params, run->good_params, P * sizeof(float));
        memcpy(ck.opt_v, run->good_v, P * sizeof(float));
        if (ck.opt_m) memcpy(ck.opt_m, run->good_m, P * sizeof(float));
    }
    snprintf(ck.algo, sizeof ck.algo, "%s", run->algo);
    snprintf(ck.game, sizeof ck.game, "%s", run->game->name);
    char path[700];
    snprintf(path, sizeof path, "%s/checkpoints/%s.safetensors", run->log.dir, name);
    int status = arc_checkpoint_save(path, &ck, err);
    snprintf(path, sizeof path, "%s/checkpoints/latest.safetensors", run->log.dir);
    if (!status) status = arc_checkpoint_save(path, &ck, err);
    if (!status && finite) swap_good(run, frames);
    return status;
}

void arc_run_periodic_checkpoint(ArcRun *run, int64_t frames, bool with_state)
{
    if (!run->writer) { /* no file, but the same state to roll back to as rank 0's */
        size_t P = run->learner.master->num_params;
        arc_learner_snapshot(&run->learner, run->snap_params, run->snap_m, run->snap_v);
        if (all_finite(run->snap_params, P) && all_finite(run->snap_v, P) &&
            (!run->snap_m || all_finite(run->snap_m, P)))
            swap_good(run, frames);
        return;
    }
    char name[64];
    snprintf(name, sizeof name, "frames-%lld", (long long)frames);
    ArcErr err;
    if (arc_run_checkpoint(run, frames, name, with_state, &err)) {
        if (!run->checkpoint_status) {
            run->checkpoint_status = ARC_ERR_IO;
            run->checkpoint_err = err;
        }
        atomic_store(&run->stop_requested, true); /* a full disk: stop with what is saved */
    }
}

/* opt->poison_at_frames: makes the last master parameter (a bias of the head) NaN, as a
 * diverging update would; the next loss and gradient are NaN. (A NaN weight before a ReLU
 * can stay hidden from the gradients: the checkpoint scan finds those.) */
static void inject_fault(ArcRun *run, int64_t frames)
{
    const ArcTrainOptions *opt = run->opt;
    if (frames < opt->poison_at_frames || atomic_load(&run->poisoned) >= opt->poison_times ||
        arc_run_rollback_pending(run))
        return;
    ArcLearner *learner = &run->learner;
    pthread_mutex_lock(&learner->lock);
    float nan = NAN;
    ArcNet *master = learner->master;
    arc_be_upload(master->be, master->params + master->num_params - 1, &nan, sizeof nan);
    pthread_mutex_unlock(&learner->lock);
    atomic_fetch_add(&run->poisoned, 1);
}

bool arc_run_check_gradient(ArcRun *run, double norm, int64_t frames)
{
    if (run->opt->poison_at_frames > 0 && isfinite(norm)) inject_fault(run, frames);
    if (isfinite(norm)) return true;
    char what[96];
    snprintf(what, sizeof what, "a non-finite gradient (norm %g) at frame %lld was not applied",
             norm, (long long)frames);
    numerical_fault(run, what, norm, frames);
    return false;
}

bool arc_run_check_loss(ArcRun *run, double loss, int64_t frames)
{
    if (isfinite(loss)) return true;
    char what[96];
    snprintf(what, sizeof what, "a non-finite loss (%g) at frame %lld: its update was not applied",
             loss, (long long)frames);
    numerical_fault(run, what, loss, frames);
    return false;
}

bool arc_run_rollback_pending(ArcRun *run)
{
    return atomic_load(&run->rollback_pending);
}

void arc_run_rollback(ArcRun *run)
{
    ArcLearner *learner = &run->learner;
    pthread_mutex_lock(&learner->lock);
    arc_learner_restore(learner, run->good_params, run->good_m, run->good_v,
                        atomic_load(&learner->version));
    pthread_mutex_unlock(&learner->lock);
    run->rollbacks++;
    if (!run->opt->quiet)
        fprintf(stderr, "\nnote: a numerical fault (%g) at frame %lld: rolled back to the "
                "parameters and optimizer state of frame %lld, learning rate now %g (rollback %d of "
                "%lld)\n", run->fault_norm, (long long)run->fault_frames, (long long)run->good_frames,
                run->cfg->lr * rollback_scale(run), run->rollbacks, (long long)run->cfg->max_rollbacks);
    atomic_store(&run->rollback_pending, false);
}

void arc_run_fault(ArcRun *run, int status, const ArcErr *err)
{
    bool expected = false;
    if (atomic_compare_exchange_strong(&run->faulted, &expected, true)) {
        run->fault_err = *err;
        run->fault_status = status;
    }
    atomic_store(&run->stop_requested, true);
}

static void draw_progress(ArcRun *run, int64_t frames, bool final)
{
    if (run->opt->quiet || !run->writer) return;
    char extra[64];
    snprintf(extra, sizeof extra, "return %.2f", arc_run_log_recent_mean(&run->log));
    if (final) arc_progress_finish(&run->progress, frames, extra);
    else arc_progress_update(&run->progress, frames, extra);
}

bool arc_run_should_stop(ArcRun *run)
{
    const ArcTrainOptions *opt = run->opt;
    if (opt->stop && atomic_load(opt->stop)) atomic_store(&run->stop_requested, true);
    return atomic_load(&run->stop_requested);
}

void arc_run_monitor(ArcRun *run)
{
    const ArcTrainOptions *opt = run->opt;
    int64_t frames = atomic_load(&run->frames);
    double now = arc_seconds(), elapsed = now - run->start;
    if ((opt->stop && atomic_load(opt->stop)) || (opt->max_seconds > 0 && elapsed >= opt->max_seconds) ||
        arc_run_log_status(&run->log, NULL))
        atomic_store(&run->stop_requested, true);
    draw_progress(run, frames, false);
    if (now - run->last_row >= (opt->metrics_every > 0 ? opt->metrics_every : 1.0)) {
        arc_run_log_metrics_row(&run->log, frames, atomic_load(&run->learner.version), elapsed,
                                (frames - run->start_frames) / elapsed);
        run->last_row = now;
    }
    if (run->monitor_checkpoints && run->writer && run->next_checkpoint > 0 &&
        frames >= run->next_checkpoint &&
        frames < run->frame_target) {
        arc_run_periodic_checkpoint(run, frames, false);
        run->next_checkpoint = arc_train_config_next_checkpoint(run->cfg, frames);
    }
}

int arc_run_finish(ArcRun *run, int64_t updates, ArcTrainResult *result, int status, ArcErr *err)
{
    double wall = arc_seconds() - run->start;
    int64_t frames = atomic_load(&run->frames);
    draw_progress(run, frames, true);
    double fps = (frames - run->start_frames) / wall;
    arc_run_log_metrics_row(&run->log, frames, updates, wall, fps);
    memset(result, 0, sizeof *result);
    result->start_frames = run->start_frames;
    result->frames = frames;
    result->updates = updates;
    result->episodes = arc_run_log_episodes(&run->log);
    result->wall_seconds = wall;
    result->frames_per_second = fps;
    result->final_return_mean100 = arc_run_log_recent_mean(&run->log);
    result->interrupted = atomic_load(&run->stop_requested) && frames < run->frame_target;
    result->rollbacks = run->rollbacks;
    arc_net_get_params(run->learner.master, run->snap_params);
    result->params_fingerprint = arc_dist_fingerprint(run->snap_params, run->learner.master->num_params);
    ArcErr final_err;
    int final_status = run->writer ? arc_run_checkpoint(run, frames, "final", true, &final_err) : ARC_OK;
    snprintf(result->checkpoint, sizeof result->checkpoint, "%s/checkpoints/final.safetensors",
             run->cfg->out);
    /* the first failure is the one reported: the trainer's, a numerical fault, a log row
     * that could not be written, then the checkpoints */
    ArcErr log_err;
    int log_status = arc_run_log_status(&run->log, &log_err);
    if (status) return status;
    if (atomic_load(&run->faulted)) {
        *err = run->fault_err;
        return run->fault_status;
    }
    if (!run->writer) return ARC_OK;
    if (log_status) {
        *err = log_err;
        return log_status;
    }
    if (run->checkpoint_status) {
        *err = run->checkpoint_err;
        return run->checkpoint_status;
    }
    if (final_status) {
        *err = final_err;
        return final_status;
    }
    /* summary.json last: a run directory that has one is complete (sweeps skip it) */
    char title[96], note[700];
    snprintf(title, sizeof title, "%s on %s", strcmp(run->algo, "a3c") ? "DQN" : "A3C", run->game->name);
    status = arc_run_log_plot(&run->log, title, note, sizeof note, err);
    if (note[0] && !run->opt->quiet) fprintf(stderr, "note: %s\n", note);
    if (status) return status;
    return arc_run_log_summary(&run->log, run->game->name, run->algo, frames, wall,
                               result->interrupted, err);
}

void arc_run_free(ArcRun *run)
{
    arc_run_log_close(&run->log);
    if (run->learner.master) arc_learner_free(&run->learner);
    free(run->config_ini), free(run->snap_params), free(run->snap_m), free(run->snap_v);
    free(run->good_params), free(run->good_m), free(run->good_v);
    arc_st_free(run->resume_file);
    run->resume_file = NULL;
    run->config_ini = NULL;
    run->snap_params = run->snap_m = run->snap_v = NULL;
    run->good_params = run->good_m = run->good_v = NULL;
}
