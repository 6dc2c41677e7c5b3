/* run.c — the training-run skeleton shared by A3C and DQN (see run.h). */
#include "run.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "../common/clock.h"
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
    FILE *f = fopen(path, "w");
    bool ok = f && fputs(run->config_ini, f) >= 0;
    if (f && fclose(f) != 0) ok = false;
    return ok ? ARC_OK : arc_err_set(err, ARC_ERR_IO, "%s: cannot write", path);
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
    if (strcmp(ck.algo, run->algo) != 0 || strcmp(ck.game, run->game->name) != 0 ||
        ck.num_params != params || !ck.opt_v)
        status = arc_err_set(err, ARC_ERR_FORMAT,
                             "%s: holds a %s %s network of %zu parameters%s; this run trains %s on "
                             "%s with %zu", path, ck.algo, ck.game, ck.num_params,
                             ck.opt_v ? "" : " without optimizer state", run->algo,
                             run->game->name, params);
    if (!status) {
        arc_learner_restore(&run->learner, ck.params, ck.opt_m, ck.opt_v, ck.updates);
        run->start_frames = ck.frames;
        *episodes = ck.episodes;
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
    run->snap_params = arc_xmalloc(P * sizeof(float));
    run->snap_v = arc_xmalloc(P * sizeof(float));
    if (optim->centered || optim->kind == ARC_OPTIM_ADAM) run->snap_m = arc_xmalloc(P * sizeof(float));
    atomic_init(&run->frames, run->start_frames);
    atomic_init(&run->stop_requested, false);
    atomic_init(&run->faulted, false);
    run->monitor_checkpoints = true;
    run->next_checkpoint = arc_train_config_next_checkpoint(cfg, run->start_frames);
    arc_progress_init(&run->progress, stderr, algo, run->frame_target, 10.0);
    run->start = run->last_row = arc_seconds();
    return ARC_OK;
}

float arc_run_lr(const ArcRun *run, int64_t frames)
{
    double lr = run->cfg->lr;
    if (strcmp(run->cfg->lr_schedule, "linear") == 0) {
        double left = 1.0 - (double)frames / (double)run->frame_target;
        lr *= left > 0 ? left : 0;
    }
    return (float)lr;
}

float arc_run_entropy(const ArcRun *run, int64_t frames)
{
    double done = (double)frames / (double)run->frame_target;
    if (done > 1) done = 1;
    return (float)(run->cfg->entropy + (run->cfg->entropy_end - run->cfg->entropy) * done);
}

int arc_run_checkpoint(ArcRun *run, int64_t frames, const char *name, bool with_state, ArcErr *err)
{
    ArcCheckpoint ck = {.net = run->net_cfg, .frames = frames,
                        .add_state = with_state ? run->add_state : NULL, .state_ctx = run->state_ctx,
                        .episodes = arc_run_log_episodes(&run->log),
                        .num_params = run->learner.master->num_params,
                        .params = run->snap_params, .opt_m = run->snap_m, .opt_v = run->snap_v,
                        .config_ini = run->config_ini};
    ck.updates = arc_learner_snapshot(&run->learner, ck.params, ck.opt_m, ck.opt_v);
    snprintf(ck.algo, sizeof ck.algo, "%s", run->algo);
    snprintf(ck.game, sizeof ck.game, "%s", run->game->name);
    char path[700];
    snprintf(path, sizeof path, "%s/checkpoints/%s.safetensors", run->log.dir, name);
    int status = arc_checkpoint_save(path, &ck, err);
    snprintf(path, sizeof path, "%s/checkpoints/latest.safetensors", run->log.dir);
    if (!status) status = arc_checkpoint_save(path, &ck, err);
    return status;
}

void arc_run_periodic_checkpoint(ArcRun *run, int64_t frames, bool with_state)
{
    if (!run->writer) return;
    char name[64];
    snprintf(name, sizeof name, "frames-%lld", (long long)frames);
    ArcErr err;
    if (arc_run_checkpoint(run, frames, name, with_state, &err) && !run->checkpoint_status) {
        run->checkpoint_status = ARC_ERR_IO;
        run->checkpoint_err = err;
    }
}

bool arc_run_check_gradient(ArcRun *run, double norm, int64_t frames)
{
    if (isfinite(norm)) return true;
    ArcErr err;
    arc_err_set(&err, ARC_ERR_NUMERIC,
                "a non-finite gradient (norm %g) at frame %lld was not applied and the run "
                "stopped; the last good parameters are in %s/checkpoints/final.safetensors "
                "(a lower --lr or a --clip may help)", norm, (long long)frames, run->cfg->out);
    arc_run_fault(run, ARC_ERR_NUMERIC, &err);
    return false;
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

void arc_run_monitor(ArcRun *run)
{
    const ArcTrainOptions *opt = run->opt;
    int64_t frames = atomic_load(&run->frames);
    double now = arc_seconds(), elapsed = now - run->start;
    if ((opt->stop && atomic_load(opt->stop)) || (opt->max_seconds > 0 && elapsed >= opt->max_seconds))
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
    arc_net_get_params(run->learner.master, run->snap_params);
    result->params_fingerprint = arc_dist_fingerprint(run->snap_params, run->learner.master->num_params);
    ArcErr final_err;
    int final_status = run->writer ? arc_run_checkpoint(run, frames, "final", true, &final_err) : ARC_OK;
    snprintf(result->checkpoint, sizeof result->checkpoint, "%s/checkpoints/final.safetensors",
             run->cfg->out);
    if (status) return status;
    if (atomic_load(&run->faulted)) {
        *err = run->fault_err;
        return run->fault_status;
    }
    if (!run->writer) return ARC_OK;
    if (final_status) {
        *err = final_err;
        return final_status;
    }
    if (run->checkpoint_status) {
        *err = run->checkpoint_err;
        return run->checkpoint_status;
    }
    status = arc_run_log_summary(&run->log, run->game->name, run->algo, frames, wall,
                                 result->interrupted, err);
    if (status) return status;
    char title[96];
    snprintf(title, sizeof title, "%s on %s", strcmp(run->algo, "a3c") ? "DQN" : "A3C", run->game->name);
    ArcErr plot_err;
    if (arc_run_log_plot(&run->log, title, &plot_err) && !run->opt->quiet)
        fprintf(stderr, "note: %s\n", plot_err.msg);
    return ARC_OK;
}

void arc_run_free(ArcRun *run)
{
    arc_run_log_close(&run->log);
    if (run->learner.master) arc_learner_free(&run->learner);
    free(run->config_ini), free(run->snap_params), free(run->snap_m), free(run->snap_v);
    arc_st_free(run->resume_file);
    run->resume_file = NULL;
    run->config_ini = NULL;
    run->snap_params = run->snap_m = run->snap_v = NULL;
}
