/* a3c.c — actor threads, the synchronous variant, and the run's main loop (see a3c.h). */
#include "a3c.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../common/clock.h"
#include "../common/progress.h"
#include "../env/vec_env.h"
#include "../learner/checkpoint.h"
#include "../learner/learner.h"
#include "agent.h"
#include "returns.h"
#include "run_log.h"

enum { STAT_POLICY_LOSS, STAT_VALUE_LOSS, STAT_ENTROPY, STAT_GRAD_NORM, STAT_PARAM_LAG, NUM_STATS };
static const char *const stat_names[NUM_STATS] = {"policy_loss", "value_loss", "entropy",
                                                  "grad_norm", "param_lag"};

typedef struct Run Run;

typedef struct Actor {
    Run *run;
    int index;
    pthread_t thread;
    ArcNet *net;              /* policy copy and gradients, for T*N rows */
    ArcVecEnv vec;
    ArcRng rng;               /* action sampling */
    uint8_t *obs;             /* (T+1, N, C, 10, 10): row t is s_t, row T the bootstrap */
    int32_t *actions;         /* (T, N) */
    int *step_actions;        /* (N) */
    float *rewards;           /* (T, N) */
    float *values;            /* (T, N) V(s_t) when acting */
    float *returns;           /* (T, N) */
    float *advantages;        /* (T, N) */
    uint8_t *dones;           /* (T, N) */
    uint8_t *terminals;       /* (N) */
    uint8_t *truncations;     /* (N) */
    float *out;               /* (N, A+1) */
    float *bootstrap;         /* (N) */
    ArcA3CStats stats;        /* of the last rollout's loss */
    long long pulled_version; /* learner version of the parameters acted with */
} Actor;

struct Run {
    const ArcTrainConfig *cfg;
    const ArcGame *game;
    ArcNetConfig net_cfg;
    ArcLearner learner;
    ArcRunLog log;
    Actor *actors;
    int num_actors, N, T;
    atomic_llong frames;
    int64_t frame_target;
    atomic_bool finish;        /* async actors stop at their next rollout */
    atomic_bool stop_requested;
    atomic_int running;        /* actors still running */
    pthread_barrier_t barrier; /* sync mode */
    bool sync_done;            /* sync mode: set by actor 0 between the two barriers */
    int64_t next_checkpoint;   /* sync mode: actor 0's periodic checkpoints */
    char *config_ini;
    float *snap_params, *snap_m, *snap_v; /* (P) host buffers for checkpoints */
    pthread_mutex_t checkpoint_lock;
    int checkpoint_status;
    ArcErr checkpoint_err;
};

static float current_lr(const Run *run, int64_t frames)
{
    double lr = run->cfg->lr;
    if (strcmp(run->cfg->lr_schedule, "linear") == 0) {
        double left = 1.0 - (double)frames / (double)run->frame_target;
        lr *= left > 0 ? left : 0;
    }
    return (float)lr;
}

/* ---------------------------------------------------------------- checkpoints */

static int save_checkpoint(Run *run, int64_t frames, const char *name, ArcErr *err)
{
    pthread_mutex_lock(&run->checkpoint_lock);
    ArcCheckpoint ck = {.net = run->net_cfg, .frames = frames,
                        .episodes = arc_run_log_episodes(&run->log),
                        .num_params = run->learner.master->num_params,
                        .params = run->snap_params, .opt_m = run->snap_m, .opt_v = run->snap_v,
                        .config_ini = run->config_ini};
    ck.updates = arc_learner_snapshot(&run->learner, ck.params, ck.opt_m, ck.opt_v);
    snprintf(ck.algo, sizeof ck.algo, "a3c");
    snprintf(ck.game, sizeof ck.game, "%s", run->game->name);
    char path[700];
    snprintf(path, sizeof path, "%s/checkpoints/%s.safetensors", run->log.dir, name);
    int status = arc_checkpoint_save(path, &ck, err);
    snprintf(path, sizeof path, "%s/checkpoints/latest.safetensors", run->log.dir);
    if (!status) status = arc_checkpoint_save(path, &ck, err);
    pthread_mutex_unlock(&run->checkpoint_lock);
    return status;
}

static void periodic_checkpoint(Run *run, int64_t frames)
{
    char name[64];
    snprintf(name, sizeof name, "frames-%lld", (long long)frames);
    ArcErr err;
    if (save_checkpoint(run, frames, name, &err) && !run->checkpoint_status) {
        run->checkpoint_status = ARC_ERR_IO;
        run->checkpoint_err = err;
    }
}

/* ---------------------------------------------------------------- actors */

static void log_update(Run *run, const ArcA3CStats *stats, double grad_norm, long long lag)
{
    double values[NUM_STATS] = {stats->policy_loss, stats->value_loss, stats->entropy, grad_norm,
                                (double)lag};
    arc_run_log_stats(&run->log, values);
}

/* Steps the envs T times with the current policy, then computes the loss gradients of
 * the whole rollout into the actor's net (zeroed first). */
static void rollout(Actor *a)
{
    Run *run = a->run;
    const int N = run->N, T = run->T, A = ARC_NUM_ACTIONS, dim = A + 1;
    const size_t obs_size = a->vec.obs_size;
    for (int t = 0; t < T; t++) {
        uint8_t *obs_t = a->obs + (size_t)t * N * obs_size;
        arc_net_forward_host(a->net, a->out, obs_t, N);
        for (int i = 0; i < N; i++) {
            const float *row = a->out + (size_t)i * dim;
            int action = arc_agent_sample(row, A, arc_rng_uniform(&a->rng), NULL);
            a->step_actions[i] = action;
            a->actions[t * N + i] = action;
            a->values[t * N + i] = row[A];
        }
        arc_vec_env_step(&a->vec, a->step_actions, obs_t + (size_t)N * obs_size,
                         a->rewards + (size_t)t * N, a->terminals, a->truncations, NULL);
        for (int i = 0; i < N; i++) a->dones[t * N + i] = a->terminals[i] | a->truncations[i];
        if (a->vec.num_finished) {
            int64_t frames = atomic_load(&run->frames);
            for (int k = 0; k < a->vec.num_finished; k++)
                arc_run_log_episode(&run->log, frames, a->index, a->vec.finished[k].ret,
                                    a->vec.finished[k].length);
        }
    }
    const uint8_t *last = a->obs + (size_t)T * N * obs_size;
    arc_net_forward_host(a->net, a->out, last, N);
    for (int i = 0; i < N; i++) a->bootstrap[i] = a->out[(size_t)i * dim + A];
    arc_nstep_returns(a->returns, a->rewards, a->dones, a->bootstrap, T, N, (float)run->cfg->gamma);
    arc_advantages(a->advantages, a->returns, a->values, T * N);

    arc_net_zero_grad(a->net);
    arc_net_forward(a->net, a->obs, T * N);
    arc_net_a3c_backward(a->net, &a->stats, a->actions, a->advantages, a->returns, T * N,
                         (float)run->cfg->value_coef, (float)run->cfg->entropy);
    memmove(a->obs, last, (size_t)N * obs_size);
}

static void *actor_async(void *arg)
{
    Actor *a = arg;
    Run *run = a->run;
    const int64_t frames_per_rollout = (int64_t)run->N * run->T;
    while (!atomic_load(&run->finish) && !atomic_load(&run->stop_requested)) {
        a->pulled_version = arc_learner_pull(&run->learner, a->net);
        rollout(a);
        int64_t frames = atomic_fetch_add(&run->frames, frames_per_rollout) + frames_per_rollout;
        double norm = arc_learner_apply(&run->learner, a->net, current_lr(run, frames));
        long long lag = atomic_load(&run->learner.version) - 1 - a->pulled_version;
        log_update(run, &a->stats, norm, lag);
        if (frames >= run->frame_target) atomic_store(&run->finish, true);
    }
    atomic_fetch_sub(&run->running, 1);
    return NULL;
}

/* A2C: every actor rolls out from the same parameters; actor 0 applies the mean gradient
 * (summed in actor order) between two barriers and decides whether to go on. */
static void *actor_sync(void *arg)
{
    Actor *a = arg;
    Run *run = a->run;
    const int64_t frames_per_round = (int64_t)run->N * run->T * run->num_actors;
    for (;;) {
        a->pulled_version = arc_learner_pull(&run->learner, a->net);
        rollout(a);
        pthread_barrier_wait(&run->barrier);
        if (a->index == 0) {
            int64_t frames = atomic_fetch_add(&run->frames, frames_per_round) + frames_per_round;
            ArcNet *nets[256];
            for (int i = 0; i < run->num_actors; i++) nets[i] = run->actors[i].net;
            double norm = arc_learner_apply_sum(&run->learner, nets, run->num_actors,
                                                current_lr(run, frames));
            for (int i = 0; i < run->num_actors; i++) log_update(run, &run->actors[i].stats, norm, 0);
            if (run->cfg->checkpoint_every > 0 && frames >= run->next_checkpoint &&
                frames < run->frame_target) {
                periodic_checkpoint(run, frames);
                run->next_checkpoint = (frames / run->cfg->checkpoint_every + 1) * run->cfg->checkpoint_every;
            }
            run->sync_done = frames >= run->frame_target || atomic_load(&run->stop_requested);
        }
        pthread_barrier_wait(&run->barrier);
        if (run->sync_done) break;
    }
    atomic_fetch_sub(&run->running, 1);
    return NULL;
}

static void actor_init(Actor *a, Run *run, int index, uint64_t env_seed)
{
    const int N = run->N, T = run->T;
    memset(a, 0, sizeof *a);
    a->run = run;
    a->index = index;
    ArcEnvConfig env_cfg = arc_env_config_default();
    env_cfg.sticky_prob = run->cfg->sticky;
    ARC_CHECK(arc_vec_env_init(&a->vec, run->game, N, &env_cfg, env_seed + (uint64_t)index, NULL) == ARC_OK,
              "vec env");
    arc_rng_seed(&a->rng, arc_vec_env_seed(env_seed + (uint64_t)index, N));
    ArcErr err;
    a->net = arc_net_init(&run->net_cfg, arc_backend_cpu(), N * T, 0, &err);
    ARC_CHECK(a->net, "%s", err.msg);
    size_t obs_size = a->vec.obs_size, steps = (size_t)T * N;
    a->obs = arc_xmalloc((steps + N) * obs_size);
    a->actions = arc_xmalloc(steps * sizeof *a->actions);
    a->step_actions = arc_xmalloc((size_t)N * sizeof *a->step_actions);
    a->rewards = arc_xmalloc(steps * sizeof(float));
    a->values = arc_xmalloc(steps * sizeof(float));
    a->returns = arc_xmalloc(steps * sizeof(float));
    a->advantages = arc_xmalloc(steps * sizeof(float));
    a->dones = arc_xmalloc(steps);
    a->terminals = arc_xmalloc((size_t)N);
    a->truncations = arc_xmalloc((size_t)N);
    a->out = arc_xmalloc((size_t)N * (ARC_NUM_ACTIONS + 1) * sizeof(float));
    a->bootstrap = arc_xmalloc((size_t)N * sizeof(float));
    arc_vec_env_reset(&a->vec, a->obs);
}

static void actor_free(Actor *a)
{
    arc_net_free(a->net);
    arc_vec_env_free(&a->vec);
    free(a->obs), free(a->actions), free(a->step_actions), free(a->rewards), free(a->values);
    free(a->returns), free(a->advantages), free(a->dones), free(a->terminals);
    free(a->truncations), free(a->out), free(a->bootstrap);
}

/* ---------------------------------------------------------------- the run */

static char *config_text(const ArcTrainConfig *cfg)
{
    char *text = NULL;
    size_t size = 0;
    FILE *mem = open_memstream(&text, &size);
    arc_train_config_write(cfg, mem);
    fclose(mem);
    return text;
}

static int write_config_file(const Run *run, ArcErr *err)
{
    char path[600];
    arc_run_log_path(&run->log, "config.ini", path, sizeof path);
    FILE *f = fopen(path, "w");
    if (!f || fputs(run->config_ini, f) < 0 || fclose(f) != 0)
        return arc_err_set(err, ARC_ERR_IO, "%s: cannot write", path);
    return ARC_OK;
}

/* Restores the learner from DIR/checkpoints/latest.safetensors; returns its frames. */
static int resume_from(Run *run, int64_t *frames, int64_t *episodes, ArcErr *err)
{
    char path[700];
    snprintf(path, sizeof path, "%s/checkpoints/latest.safetensors", run->cfg->out);
    ArcCheckpoint ck;
    int status = arc_checkpoint_load(path, &ck, err);
    if (status) return status;
    if (strcmp(ck.algo, "a3c") != 0 || strcmp(ck.game, run->game->name) != 0 ||
        ck.num_params != run->learner.master->num_params || !ck.opt_v)
        status = arc_err_set(err, ARC_ERR_FORMAT,
                             "%s: holds a %s %s network of %zu parameters%s; this run trains a3c on %s "
                             "with %zu", path, ck.algo, ck.game, ck.num_params,
                             ck.opt_v ? "" : " without optimizer state", run->game->name,
                             run->learner.master->num_params);
    if (!status) {
        arc_learner_restore(&run->learner, ck.params, ck.opt_m, ck.opt_v, ck.updates);
        *frames = ck.frames;
        *episodes = ck.episodes;
    }
    arc_checkpoint_free(&ck);
    return status;
}

static int run_init(Run *run, const ArcTrainConfig *cfg, const ArcTrainOptions *opt, ArcErr *err)
{
    memset(run, 0, sizeof *run);
    run->cfg = cfg;
    run->game = opt->game ? opt->game : arc_game_find(cfg->game);
    if (!run->game)
        return arc_err_set(err, ARC_ERR_ARG, "unknown game '%s' (expected one of: %s)", cfg->game,
                           arc_game_names());
    run->num_actors = (int)cfg->threads;
    run->N = (int)cfg->envs_per_thread;
    run->T = (int)cfg->rollout;
    run->frame_target = cfg->frames;
    arc_net_config_minatar(&run->net_cfg, run->game->channels, ARC_HEAD_A3C, (float)cfg->k);
    ArcOptimConfig optim = arc_optim_rmsprop((float)cfg->lr, false);
    optim.alpha = (float)cfg->rms_alpha;
    optim.eps = (float)cfg->rms_eps;
    ArcUpdateMode mode = strcmp(cfg->update, "locked") == 0 ? ARC_UPDATE_LOCKED : ARC_UPDATE_HOGWILD;
    int status = arc_learner_init(&run->learner, &run->net_cfg, arc_backend_cpu(), &optim, mode,
                                  (float)cfg->clip, (uint32_t)cfg->seed, err);
    if (status) return status;
    run->config_ini = config_text(cfg);
    size_t P = run->learner.master->num_params;
    run->snap_params = arc_xmalloc(P * sizeof(float));
    run->snap_v = arc_xmalloc(P * sizeof(float));
    pthread_mutex_init(&run->checkpoint_lock, NULL);
    return ARC_OK;
}

static void run_free(Run *run)
{
    for (int i = 0; run->actors && i < run->num_actors; i++) actor_free(&run->actors[i]);
    free(run->actors);
    arc_run_log_close(&run->log);
    if (run->learner.master) arc_learner_free(&run->learner);
    free(run->config_ini), free(run->snap_params), free(run->snap_m), free(run->snap_v);
    pthread_mutex_destroy(&run->checkpoint_lock);
}

static void sleep_seconds(double s)
{
    struct timespec ts = {(time_t)s, (long)((s - (time_t)s) * 1e9)};
    nanosleep(&ts, NULL);
}

/* Reports, logs and (async mode) checkpoints until every actor has stopped. */
static void watch_actors(Run *run, const ArcTrainOptions *opt, int64_t start_frames, double start)
{
    ArcProgress progress;
    arc_progress_init(&progress, stderr, "a3c", run->frame_target, 10.0);
    double every = opt->metrics_every > 0 ? opt->metrics_every : 1.0, last_row = start;
    int64_t every_frames = run->cfg->checkpoint_every;
    int64_t next_checkpoint = every_frames > 0 ? (start_frames / every_frames + 1) * every_frames : 0;
    while (atomic_load(&run->running) > 0) {
        sleep_seconds(0.02);
        int64_t frames = atomic_load(&run->frames);
        double now = arc_seconds(), fps = (frames - start_frames) / (now - start);
        if ((opt->stop && atomic_load(opt->stop)) || (opt->max_seconds > 0 && now - start >= opt->max_seconds))
            atomic_store(&run->stop_requested, true);
        if (!opt->quiet) {
            char extra[64];
            snprintf(extra, sizeof extra, "return %.2f", arc_run_log_recent_mean(&run->log));
            arc_progress_update(&progress, frames, extra);
        }
        if (now - last_row >= every) {
            arc_run_log_metrics_row(&run->log, frames, now - start, fps);
            last_row = now;
        }
        if (!run->cfg->sync && every_frames > 0 && frames >= next_checkpoint &&
            frames < run->frame_target) {
            periodic_checkpoint(run, frames);
            next_checkpoint = (frames / every_frames + 1) * every_frames;
        }
    }
    if (!opt->quiet) {
        char extra[64];
        snprintf(extra, sizeof extra, "return %.2f", arc_run_log_recent_mean(&run->log));
        arc_progress_finish(&progress, atomic_load(&run->frames), extra);
    }
}

int arc_a3c_train(const ArcTrainConfig *cfg, const ArcTrainOptions *opt, ArcTrainResult *result,
                  ArcErr *err)
{
    memset(result, 0, sizeof *result);
    Run run;
    int status = run_init(&run, cfg, opt, err);
    int64_t start_frames = 0, start_episodes = 0;
    if (!status && opt->resume) status = resume_from(&run, &start_frames, &start_episodes, err);
    if (!status)
        status = arc_run_log_open(&run.log, cfg->out, stat_names, NUM_STATS,
                                  opt->resume ? start_frames : -1, err);
    if (!status) status = write_config_file(&run, err);
    if (status) {
        run_free(&run);
        return status;
    }
    run.log.episodes_total = start_episodes;
    atomic_init(&run.frames, start_frames);
    atomic_init(&run.finish, start_frames >= run.frame_target);
    atomic_init(&run.stop_requested, false);
    atomic_init(&run.running, run.num_actors);
    run.sync_done = false;
    run.next_checkpoint = cfg->checkpoint_every > 0
                              ? (start_frames / cfg->checkpoint_every + 1) * cfg->checkpoint_every
                              : 0;

    uint64_t env_seed = arc_splitmix64(((uint64_t)cfg->seed << 32) ^ (uint64_t)start_frames);
    run.actors = arc_xcalloc((size_t)run.num_actors, sizeof *run.actors);
    for (int i = 0; i < run.num_actors; i++) actor_init(&run.actors[i], &run, i, env_seed);
    if (cfg->sync) pthread_barrier_init(&run.barrier, NULL, (unsigned)run.num_actors);

    double start = arc_seconds();
    int started = 0;
    for (; started < run.num_actors; started++)
        if (pthread_create(&run.actors[started].thread, NULL, cfg->sync ? actor_sync : actor_async,
                           &run.actors[started]))
            break;
    if (started < run.num_actors) {
        /* async actors stop on the flag; sync actors could not all meet, so none started */
        ARC_CHECK(!cfg->sync || started == 0, "could not start sync actor %d", started);
        atomic_store(&run.finish, true);
        atomic_fetch_sub(&run.running, run.num_actors - started);
        status = arc_err_set(err, ARC_ERR_THREAD, "could not start actor thread %d of %d", started,
                             run.num_actors);
    }
    watch_actors(&run, opt, start_frames, start);
    for (int i = 0; i < started; i++) pthread_join(run.actors[i].thread, NULL);
    if (cfg->sync) pthread_barrier_destroy(&run.barrier);

    double wall = arc_seconds() - start;
    int64_t frames = atomic_load(&run.frames);
    arc_run_log_metrics_row(&run.log, frames, wall, (frames - start_frames) / wall);
    result->frames = frames;
    result->updates = atomic_load(&run.learner.version);
    result->episodes = arc_run_log_episodes(&run.log);
    result->wall_seconds = wall;
    result->frames_per_second = (frames - start_frames) / wall;
    result->final_return_mean100 = arc_run_log_recent_mean(&run.log);
    result->interrupted = atomic_load(&run.stop_requested) && frames < run.frame_target;
    int final_status = save_checkpoint(&run, frames, "final", err);
    snprintf(result->checkpoint, sizeof result->checkpoint, "%s/checkpoints/final.safetensors", cfg->out);
    if (!status) status = final_status;
    if (!status && run.checkpoint_status) {
        *err = run.checkpoint_err;
        status = run.checkpoint_status;
    }
    if (!status)
        status = arc_run_log_summary(&run.log, run.game->name, "a3c", frames, wall,
                                     result->interrupted, err);
    if (!status) {
        char title[96];
        snprintf(title, sizeof title, "A3C on %s", run.game->name);
        ArcErr plot_err;
        if (arc_run_log_plot(&run.log, title, &plot_err) && !opt->quiet)
            fprintf(stderr, "note: %s\n", plot_err.msg);
    }
    run_free(&run);
    return status;
}
