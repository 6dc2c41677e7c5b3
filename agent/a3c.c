/* a3c.c — actor threads, the synchronous variant, and the run's main loop (see a3c.h). */
#include "a3c.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../common/dist.h"
#include "../env/snapshot.h"
#include "../env/vec_env.h"
#include "a3c_batched.h"
#include "actor_state.h"
#include "agent.h"
#include "dist_run.h"
#include "returns.h"
#include "run.h"

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
    ArcEnvSnapshot snap;      /* scratch for checkpointing the envs */
    uint32_t rng_words[ARC_RNG_WORDS];
} Actor;

struct Run {
    ArcRun base;               /* learner, outputs, frames, stop request */
    Actor *actors;
    int num_actors, N, T;
    atomic_bool finish;        /* async actors stop at their next rollout */
    atomic_int running;        /* actors still running */
    pthread_barrier_t barrier; /* sync mode */
    bool sync_done;            /* sync mode: set by actor 0 between the two barriers */
    ArcDistLearner *dist;      /* sync mode across MPI ranks (data-parallel), else NULL */
    int ranks;                 /* ranks whose actors make each update (1 without dist) */
    int64_t next_checkpoint;   /* sync mode: actor 0 writes the periodic checkpoints */
};

/* ---------------------------------------------------------------- actors */

static void log_update(Run *run, const ArcA3CStats *stats, double grad_norm, long long lag)
{
    double values[NUM_STATS] = {stats->policy_loss, stats->value_loss, stats->entropy, grad_norm,
                                (double)lag};
    arc_run_log_stats(&run->base.log, values);
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
        for (int k = 0; k < a->vec.num_finished; k++)
            arc_run_log_episode(&run->base.log, a->index, a->vec.finished[k].ret,
                                a->vec.finished[k].length);
    }
    const uint8_t *last = a->obs + (size_t)T * N * obs_size;
    arc_net_forward_host(a->net, a->out, last, N);
    for (int i = 0; i < N; i++) a->bootstrap[i] = a->out[(size_t)i * dim + A];
    arc_nstep_returns(a->returns, a->rewards, a->dones, a->bootstrap, T, N, (float)run->base.cfg->gamma);
    arc_advantages(a->advantages, a->returns, a->values, T * N);

    arc_net_zero_grad(a->net);
    arc_net_forward(a->net, a->obs, T * N);
    arc_net_a3c_backward(a->net, &a->stats, a->actions, a->advantages, a->returns, T * N,
                         (float)run->base.cfg->value_coef,
                         arc_run_entropy(&run->base, atomic_load(&run->base.frames)));
    memmove(a->obs, last, (size_t)N * obs_size);
}

static void *actor_async(void *arg)
{
    Actor *a = arg;
    Run *run = a->run;
    const int64_t frames_per_rollout = (int64_t)run->N * run->T;
    ArcRun *base = &run->base;
    while (!atomic_load(&run->finish) && !atomic_load(&base->stop_requested) &&
           !arc_run_rollback_pending(base)) {
        a->pulled_version = arc_learner_pull(&base->learner, a->net);
        rollout(a);
        int64_t frames = atomic_fetch_add(&base->frames, frames_per_rollout) + frames_per_rollout;
        double norm = arc_learner_apply(&base->learner, a->net, arc_run_lr(base, frames));
        if (!arc_run_check_gradient(base, norm, frames)) break;
        long long lag = atomic_load(&base->learner.version) - 1 - a->pulled_version;
        log_update(run, &a->stats, norm, lag);
        if (frames >= base->frame_target) atomic_store(&run->finish, true);
    }
    atomic_fetch_sub(&run->running, 1);
    return NULL;
}

/* Sync mode, actor 0: one update from every actor's gradients, across the ranks when the
 * run is distributed. *stop: this rank's stop request in, the one all ranks agreed out. */
static double apply_round(Run *run, ArcNet *const *nets, float lr, bool *stop)
{
    ArcRun *base = &run->base;
    if (!run->dist) return arc_learner_apply_sum(&base->learner, nets, run->num_actors, lr);
    double norm = arc_dist_learner_apply_sum(run->dist, nets, run->num_actors, lr, stop);
    if (*stop) atomic_store(&base->stop_requested, true); /* another rank's Ctrl-C */
    ArcErr err;
    int status = arc_dist_learner_check(run->dist, &err);
    if (status) arc_run_fault(base, status, &err);
    return norm;
}

/* A2C: every actor rolls out from the same parameters; actor 0 applies the mean gradient
 * (summed in actor order) between two barriers and decides whether to go on. */
static void *actor_sync(void *arg)
{
    Actor *a = arg;
    Run *run = a->run;
    ArcRun *base = &run->base;
    const int64_t frames_per_round = (int64_t)run->N * run->T * run->num_actors * run->ranks;
    for (;;) {
        a->pulled_version = arc_learner_pull(&base->learner, a->net);
        rollout(a);
        pthread_barrier_wait(&run->barrier);
        if (a->index == 0) {
            int64_t frames = atomic_fetch_add(&base->frames, frames_per_round) + frames_per_round;
            ArcNet *nets[256];
            for (int i = 0; i < run->num_actors; i++) nets[i] = run->actors[i].net;
            bool stop = atomic_load(&base->stop_requested);
            double norm = apply_round(run, nets, arc_run_lr(base, frames), &stop);
            arc_run_check_gradient(base, norm, frames); /* a fault stops the run below */
            if (arc_run_rollback_pending(base)) arc_run_rollback(base); /* the others wait */
            for (int i = 0; i < run->num_actors; i++) log_update(run, &run->actors[i].stats, norm, 0);
            if (run->next_checkpoint > 0 && frames >= run->next_checkpoint &&
                frames < base->frame_target) {
                arc_run_periodic_checkpoint(base, frames, true); /* the others wait */
                run->next_checkpoint = arc_train_config_next_checkpoint(base->cfg, frames);
            }
            run->sync_done = frames >= base->frame_target || stop || atomic_load(&base->faulted);
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
    arc_actor_envs_init(&a->vec, &a->rng, run->base.game, run->base.cfg, N, env_seed, index);
    ArcErr err;
    a->net = arc_net_init(&run->base.net_cfg, arc_backend_cpu(), N * T, 0, &err);
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
    arc_env_snapshot_init(&a->snap, N);
}

static void actor_free(Actor *a)
{
    arc_net_free(a->net);
    arc_vec_env_free(&a->vec);
    arc_env_snapshot_free(&a->snap);
    free(a->obs), free(a->actions), free(a->step_actions), free(a->rewards), free(a->values);
    free(a->returns), free(a->advantages), free(a->dones), free(a->terminals);
    free(a->truncations), free(a->out), free(a->bootstrap);
}

/* ---------------------------------------------------------------- actor state */

/* Checkpoint hook: every actor's envs, current observations and action stream. Called
 * only while the actors are quiet (sync: at the barrier; both: after they stopped). */
static void add_actor_state(void *ctx, ArcStWriter *w, ArcErr *err)
{
    Run *run = ctx;
    for (int i = 0; i < run->num_actors; i++) {
        Actor *a = &run->actors[i];
        arc_actor_state_add(w, i, &a->snap, &a->vec, a->obs, &a->rng, a->rng_words, err);
    }
}

/* Resuming: actors continue from the checkpoint's actor state when it has one (final
 * checkpoints and sync runs' periodic ones); otherwise they start fresh episodes. */
static int restore_actor_state(Run *run, const ArcStFile *f, ArcErr *err)
{
    if (!arc_actor_state_present(f)) return ARC_OK;
    for (int i = 0; i < run->num_actors; i++) {
        Actor *a = &run->actors[i];
        int status = arc_actor_state_restore(f, i, &a->vec, a->obs, &a->rng, err);
        if (status) return status;
    }
    return ARC_OK;
}

/* ---------------------------------------------------------------- the run */

int arc_a3c_train(const ArcTrainConfig *cfg, const ArcTrainOptions *opt, ArcTrainResult *result,
                  ArcErr *err)
{
    if (strcmp(cfg->learner, "batched") == 0) return arc_a3c_batched_train(cfg, opt, result, err);
    Run run;
    memset(&run, 0, sizeof run);
    ArcOptimConfig optim = arc_optim_rmsprop((float)cfg->lr, false);
    optim.alpha = (float)cfg->rms_alpha;
    optim.eps = (float)cfg->rms_eps;
    ArcRun *base = &run.base;
    bool distributed = !opt->local && arc_dist_size() > 1;
    if (distributed && !cfg->sync)
        return arc_err_set(err, ARC_ERR_ARG, "training across %d MPI ranks needs --sync "
                           "(data-parallel synchronous updates)", arc_dist_size());
    ArcUpdateMode mode = strcmp(cfg->update, "locked") == 0 ? ARC_UPDATE_LOCKED : ARC_UPDATE_HOGWILD;
    int status = arc_run_init(base, cfg, opt, "a3c", ARC_HEAD_A3C, arc_backend_cpu(), &optim, mode,
                              1, stat_names, NUM_STATS, err);
    if (distributed) status = arc_run_join_ranks(base, &run.dist, status, err);
    if (status) return status;
    run.ranks = run.dist ? run.dist->size : 1;
    run.num_actors = (int)cfg->threads;
    run.N = (int)cfg->envs_per_thread;
    run.T = (int)cfg->rollout;
    atomic_init(&run.finish, base->start_frames >= base->frame_target);
    atomic_init(&run.running, 0);
    base->monitor_checkpoints = !cfg->sync;
    base->rollback_ok = true; /* the actors stop (async) or wait (sync) for arc_run_rollback */
    run.next_checkpoint = base->next_checkpoint;

    uint64_t env_seed = arc_splitmix64(((uint64_t)cfg->seed << 32) ^ (uint64_t)base->start_frames);
    run.actors = arc_xcalloc((size_t)run.num_actors, sizeof *run.actors);
    /* across ranks, rank r's actors are actors r*T .. r*T+T-1 of one big run */
    uint64_t first_actor = run.dist ? (uint64_t)run.dist->rank * (uint64_t)run.num_actors : 0;
    for (int i = 0; i < run.num_actors; i++) actor_init(&run.actors[i], &run, i, env_seed + first_actor);
    base->add_state = add_actor_state;
    base->state_ctx = &run;
    status = restore_actor_state(&run, base->resume_file, err);
    if (run.dist) status = arc_dist_agree(status, err);
    if (status) { /* the message names the checkpoint and the tensor */
        for (int i = 0; i < run.num_actors; i++) actor_free(&run.actors[i]);
        free(run.actors);
        arc_run_leave_ranks(&run.dist);
        arc_run_free(base);
        return status;
    }
    if (cfg->sync) pthread_barrier_init(&run.barrier, NULL, (unsigned)run.num_actors);

    bool again = true; /* async actors stop for a rollback, then start again */
    while (again && !status) {
        atomic_store(&run.running, run.num_actors);
        int started = 0;
        for (; started < run.num_actors; started++)
            if (pthread_create(&run.actors[started].thread, NULL, cfg->sync ? actor_sync : actor_async,
                               &run.actors[started]))
                break;
        if (started < run.num_actors) {
            /* async actors stop on the flag; sync actors could not all meet, so none started */
            ARC_CHECK(!cfg->sync || started == 0, "could not start sync actor %d", started);
            ARC_CHECK(!run.dist, "could not start actor %d; the other ranks would wait forever", started);
            atomic_store(&run.finish, true);
            atomic_fetch_sub(&run.running, run.num_actors - started);
            status = arc_err_set(err, ARC_ERR_THREAD, "could not start actor thread %d of %d", started,
                                 run.num_actors);
        }
        while (atomic_load(&run.running) > 0) {
            struct timespec pause = {0, 20 * 1000 * 1000};
            nanosleep(&pause, NULL);
            arc_run_monitor(base);
        }
        for (int i = 0; i < started; i++) pthread_join(run.actors[i].thread, NULL);
        again = arc_run_rollback_pending(base);
        if (again) arc_run_rollback(base);
    }
    if (cfg->sync) pthread_barrier_destroy(&run.barrier);

    status = arc_run_finish(base, atomic_load(&base->learner.version), result, status, err);
    for (int i = 0; i < run.num_actors; i++) actor_free(&run.actors[i]);
    free(run.actors);
    arc_run_leave_ranks(&run.dist);
    arc_run_free(base);
    return status;
}
