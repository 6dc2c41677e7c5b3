/* a3c_batched.c — actors that only act, one learner that batches their rollouts (see
 * a3c_batched.h).
 *
 * How the threads meet. Actors own their envs, streams, policy copy and current
 * observations; they fill rollouts acquired from the queue and push them. The learner
 * (the calling thread) pops T rollouts, trains the master net on them, and publishes the
 * parameters through three host buffers: it downloads them into a buffer that is neither
 * the published one nor being read, then makes it the published one with its version.
 * An actor takes a reference to the published buffer under publish_lock and copies it
 * without the lock (at k = 16 a copy is 134 MB), so neither side waits for the other's
 * copy. Shared state is therefore the queue (its own lock), the buffers' published index
 * and reader counts (publish_lock), and atomics (frames, versions, flags). Checkpoints and
 * the monitor run in the learner thread between updates, so the master net and the GPU
 * are only used by one thread.
 *
 * Stopping: actors stop at their next rollout when the frame budget is spent or a stop
 * was requested; when the last one has stopped the learner closes the queue, trains on
 * what is left in it (a smaller batch), and the run finishes as in a3c.c.
 */
#include "a3c_batched.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../env/snapshot.h"
#include "../env/vec_env.h"
#include "actor_state.h"
#include "agent.h"
#include "rollout_queue.h"
#include "run.h"
#include "vtrace.h"

enum { STAT_POLICY_LOSS, STAT_VALUE_LOSS, STAT_ENTROPY, STAT_GRAD_NORM, STAT_PARAM_LAG, NUM_STATS };
static const char *const stat_names[NUM_STATS] = {"policy_loss", "value_loss", "entropy",
                                                  "grad_norm", "param_lag"};

/* IMPALA's truncation levels of the importance weights */
#define RHO_BAR 1.0f
#define C_BAR 1.0f
/* how long the learner waits for a batch before it looks after the run */
#define POP_TIMEOUT_S 0.02

typedef struct Batched Batched;

typedef struct Actor {
    Batched *run;
    int index;
    pthread_t thread;
    ArcNet *net;              /* CPU policy copy for N rows */
    long long version;        /* published version of net's parameters; -1: none yet */
    ArcVecEnv vec;
    ArcRng rng;               /* action sampling */
    uint8_t *obs;             /* (N, C, 10, 10) what the envs show now */
    int *step_actions;        /* (N) */
    uint8_t *terminals;       /* (N) */
    uint8_t *truncations;     /* (N) */
    float *out;               /* (N, A+1) */
    ArcEnvSnapshot snap;      /* scratch for checkpointing the envs */
    uint32_t rng_words[ARC_RNG_WORDS];
} Actor;

struct Batched {
    ArcRun base;
    Actor *actors;
    int num_actors, N, T;
    size_t obs_size;
    ArcRolloutQueue queue;
    atomic_bool finish;          /* actors stop at their next rollout */
    atomic_int running;          /* actors still running */
    /* parameter publication */
    pthread_mutex_t publish_lock;
    pthread_cond_t released;     /* a buffer's last reader finished */
    float *params[3];            /* (P) host copies of the parameters */
    int readers[3];              /* actors copying from each (under publish_lock) */
    int published;               /* the one actors copy (under publish_lock) */
    atomic_llong published_version;
    /* learner scratch, host memory, for up to chunk_max rollouts */
    int chunk_max;               /* rollouts per forward */
    ArcRollout **batch;          /* (num_actors) popped rollouts */
    uint8_t *obs, *boot_obs;     /* (chunk * T * N, obs) and (chunk * N, obs) */
    int32_t *actions;            /* (chunk * T * N) */
    float *out;                  /* (chunk * T * N, A+1) */
    float *bootstrap;            /* (chunk * N) V(s_T) */
    float *values, *log_rhos;    /* (chunk * T * N) */
    float *vs, *advantages;      /* (chunk * T * N) V-trace targets */
};

/* ---------------------------------------------------------------- publication */

/* Learner: the master's parameters become what actors pull, with the learner version. */
static void publish(Batched *b)
{
    pthread_mutex_lock(&b->publish_lock);
    int next = -1;
    for (;;) { /* both others are busy only while an actor still copies a version two
                  publications old */
        for (int i = 0; i < 3 && next < 0; i++)
            if (i != b->published && b->readers[i] == 0) next = i;
        if (next >= 0) break;
        pthread_cond_wait(&b->released, &b->publish_lock);
    }
    pthread_mutex_unlock(&b->publish_lock);
    /* no actor reads `next`: it is not published and has no readers */
    arc_net_get_params(b->base.learner.master, b->params[next]);
    pthread_mutex_lock(&b->publish_lock);
    b->published = next;
    atomic_store(&b->published_version, atomic_load(&b->base.learner.version));
    pthread_mutex_unlock(&b->publish_lock);
}

/* Actor: copies the published parameters when their version moved. */
static void refresh(Actor *a)
{
    Batched *b = a->run;
    if (atomic_load(&b->published_version) == a->version) return;
    pthread_mutex_lock(&b->publish_lock);
    int i = b->published;
    b->readers[i]++;
    long long version = atomic_load(&b->published_version);
    pthread_mutex_unlock(&b->publish_lock);
    arc_net_set_params(a->net, b->params[i]);
    pthread_mutex_lock(&b->publish_lock);
    if (--b->readers[i] == 0) pthread_cond_signal(&b->released);
    pthread_mutex_unlock(&b->publish_lock);
    a->version = version;
}

/* ---------------------------------------------------------------- actors */

/* Steps the envs T times with the actor's policy copy, writing rollout r in place. */
static void act(Actor *a, ArcRollout *r)
{
    Batched *b = a->run;
    const int N = b->N, T = b->T, A = ARC_NUM_ACTIONS, dim = A + 1;
    const size_t obs_size = b->obs_size;
    memcpy(r->obs, a->obs, (size_t)N * obs_size);
    for (int t = 0; t < T; t++) {
        uint8_t *obs_t = r->obs + (size_t)t * N * obs_size;
        arc_net_forward_host(a->net, a->out, obs_t, N);
        for (int i = 0; i < N; i++) {
            const float *row = a->out + (size_t)i * dim;
            int action = arc_agent_sample(row, A, arc_rng_uniform(&a->rng), NULL);
            a->step_actions[i] = action;
            r->actions[t * N + i] = action;
            r->log_mu[t * N + i] = arc_log_prob(row, A, action);
        }
        arc_vec_env_step(&a->vec, a->step_actions, obs_t + (size_t)N * obs_size,
                         r->rewards + (size_t)t * N, a->terminals, a->truncations, NULL);
        for (int i = 0; i < N; i++) r->dones[t * N + i] = a->terminals[i] | a->truncations[i];
        for (int k = 0; k < a->vec.num_finished; k++)
            arc_run_log_episode(&b->base.log, a->index, a->vec.finished[k].ret,
                                a->vec.finished[k].length);
    }
    memcpy(a->obs, r->obs + (size_t)T * N * obs_size, (size_t)N * obs_size);
}

static void *actor_thread(void *arg)
{
    Actor *a = arg;
    Batched *b = a->run;
    ArcRun *base = &b->base;
    const int64_t frames_per_rollout = (int64_t)b->N * b->T;
    while (!atomic_load(&b->finish) && !atomic_load(&base->stop_requested)) {
        ArcRollout *r = arc_rollout_queue_acquire(&b->queue);
        if (!r) break;
        refresh(a);
        r->version = a->version;
        r->actor = a->index;
        act(a, r);
        arc_rollout_queue_push(&b->queue, r);
        int64_t frames = atomic_fetch_add(&base->frames, frames_per_rollout) + frames_per_rollout;
        if (frames >= base->frame_target) atomic_store(&b->finish, true);
    }
    atomic_fetch_sub(&b->running, 1);
    return NULL;
}

static void actor_init(Actor *a, Batched *b, int index, uint64_t env_seed)
{
    const int N = b->N;
    memset(a, 0, sizeof *a);
    a->run = b;
    a->index = index;
    a->version = -1;
    arc_actor_envs_init(&a->vec, &a->rng, b->base.game, b->base.cfg, N, env_seed, index);
    ArcErr err;
    a->net = arc_net_init(&b->base.net_cfg, arc_backend_cpu(), N, 0, &err);
    ARC_CHECK(a->net, "%s", err.msg);
    a->obs = arc_xmalloc((size_t)N * a->vec.obs_size);
    a->step_actions = arc_xmalloc((size_t)N * sizeof *a->step_actions);
    a->terminals = arc_xmalloc((size_t)N);
    a->truncations = arc_xmalloc((size_t)N);
    a->out = arc_xmalloc((size_t)N * (ARC_NUM_ACTIONS + 1) * sizeof(float));
    arc_vec_env_reset(&a->vec, a->obs);
    arc_env_snapshot_init(&a->snap, N);
}

static void actor_free(Actor *a)
{
    arc_net_free(a->net);
    arc_vec_env_free(&a->vec);
    arc_env_snapshot_free(&a->snap);
    free(a->obs), free(a->step_actions), free(a->terminals), free(a->truncations), free(a->out);
}

/* Checkpoint hook (only called while the actors are stopped: the final checkpoint), with
 * the tensor names of a3c.c, so either learner resumes the other's run. */
static void add_actor_state(void *ctx, ArcStWriter *w, ArcErr *err)
{
    Batched *b = ctx;
    for (int i = 0; i < b->num_actors; i++) {
        Actor *a = &b->actors[i];
        arc_actor_state_add(w, i, &a->snap, &a->vec, a->obs, &a->rng, a->rng_words, err);
    }
}

static int restore_actor_state(Batched *b, const ArcStFile *f, ArcErr *err)
{
    if (!arc_actor_state_present(f)) return ARC_OK;
    for (int i = 0; i < b->num_actors; i++) {
        Actor *a = &b->actors[i];
        int status = arc_actor_state_restore(f, i, &a->vec, a->obs, &a->rng, err);
        if (status) return status;
    }
    return ARC_OK;
}

/* ---------------------------------------------------------------- learner */

/* The largest divisor of n that is at most max: chunks of equal size, so the mean of the
 * chunks' mean gradients is the batch's mean gradient. */
static int chunk_size(int n, int max)
{
    for (int d = n < max ? n : max; d > 1; d--)
        if (n % d == 0) return d;
    return 1;
}

/* Loss gradients of `count` rollouts, run as one batch, ACCUMULATED into the master's
 * grads; *stats receives the batch's loss terms. */
static void train_chunk(Batched *b, ArcRollout *const *rs, int count, ArcA3CStats *stats)
{
    ArcNet *net = b->base.learner.master;
    const ArcTrainConfig *cfg = b->base.cfg;
    const int N = b->N, T = b->T, TN = T * N, A = ARC_NUM_ACTIONS, dim = A + 1;
    const size_t obs_size = b->obs_size;
    for (int j = 0; j < count; j++) {
        memcpy(b->obs + (size_t)j * TN * obs_size, rs[j]->obs, (size_t)TN * obs_size);
        memcpy(b->boot_obs + (size_t)j * N * obs_size, rs[j]->obs + (size_t)TN * obs_size,
               (size_t)N * obs_size);
        memcpy(b->actions + (size_t)j * TN, rs[j]->actions, (size_t)TN * sizeof *b->actions);
    }
    /* V(s_T) first: the second forward's activations are the ones backward needs */
    arc_net_forward_host(net, b->out, b->boot_obs, count * N);
    for (int k = 0; k < count * N; k++) b->bootstrap[k] = b->out[(size_t)k * dim + A];
    arc_net_forward_host(net, b->out, b->obs, count * TN);
    for (int j = 0; j < count; j++) {
        size_t first = (size_t)j * TN;
        for (int k = 0; k < TN; k++) {
            const float *row = b->out + (first + k) * dim;
            b->values[first + k] = row[A];
            b->log_rhos[first + k] = arc_log_prob(row, A, b->actions[first + k]) - rs[j]->log_mu[k];
        }
        arc_vtrace(b->vs + first, b->advantages + first, rs[j]->rewards, rs[j]->dones,
                   b->values + first, b->bootstrap + (size_t)j * N, b->log_rhos + first, T, N,
                   (float)cfg->gamma, RHO_BAR, C_BAR);
    }
    arc_net_a3c_backward(net, stats, b->actions, b->advantages, b->vs, count * TN,
                         (float)cfg->value_coef,
                         arc_run_entropy(&b->base, atomic_load(&b->base.frames)));
}

/* One update from the n popped rollouts in b->batch. */
static void learn(Batched *b, int n)
{
    ArcRun *base = &b->base;
    ArcNet *net = base->learner.master;
    long long version = atomic_load(&base->learner.version);
    int chunk = chunk_size(n, b->chunk_max), chunks = n / chunk;
    arc_net_zero_grad(net);
    double sums[3] = {0, 0, 0};
    for (int c = 0; c < n; c += chunk) {
        ArcA3CStats st;
        train_chunk(b, b->batch + c, chunk, &st);
        sums[0] += st.policy_loss, sums[1] += st.value_loss, sums[2] += st.entropy;
    }
    if (chunks > 1) arc_be_scale(net->be, net->grads, 1.0f / (float)chunks, net->num_params);
    int64_t frames = atomic_load(&base->frames);
    double norm = arc_learner_apply(&base->learner, net, arc_run_lr(base, frames));
    if (!arc_run_check_gradient(base, norm, frames)) return;
    publish(b);
    for (int j = 0; j < n; j++) {
        double values[NUM_STATS] = {sums[0] / chunks, sums[1] / chunks, sums[2] / chunks, norm,
                                    (double)(version - b->batch[j]->version)};
        arc_run_log_stats(&base->log, values);
    }
}

/* Trains on batches of num_actors rollouts until the actors have stopped and the queue
 * is empty, looking after the run (progress, metrics, checkpoints, Ctrl-C) in between. */
static void learner_loop(Batched *b)
{
    ArcRun *base = &b->base;
    bool closed = false;
    for (;;) {
        int n = arc_rollout_queue_pop(&b->queue, b->batch, b->num_actors, POP_TIMEOUT_S);
        if (n == 0) {
            if (closed) break;
            if (atomic_load(&b->running) == 0) {
                arc_rollout_queue_close(&b->queue);
                closed = true;
            }
        } else {
            if (!atomic_load(&base->faulted)) learn(b, n);
            for (int j = 0; j < n; j++) arc_rollout_queue_release(&b->queue, b->batch[j]);
        }
        arc_run_monitor(base);
    }
}

/* ---------------------------------------------------------------- the run */

static void learner_scratch_init(Batched *b)
{
    const size_t rows = (size_t)b->chunk_max * b->T * b->N, boot = (size_t)b->chunk_max * b->N;
    const size_t P = b->base.learner.master->num_params;
    b->batch = arc_xcalloc((size_t)b->num_actors, sizeof *b->batch);
    b->obs = arc_xmalloc(rows * b->obs_size);
    b->boot_obs = arc_xmalloc(boot * b->obs_size);
    b->actions = arc_xmalloc(rows * sizeof *b->actions);
    b->out = arc_xmalloc(rows * (ARC_NUM_ACTIONS + 1) * sizeof *b->out);
    b->bootstrap = arc_xmalloc(boot * sizeof *b->bootstrap);
    b->values = arc_xmalloc(rows * sizeof(float));
    b->log_rhos = arc_xmalloc(rows * sizeof(float));
    b->vs = arc_xmalloc(rows * sizeof(float));
    b->advantages = arc_xmalloc(rows * sizeof(float));
    for (int i = 0; i < 3; i++) b->params[i] = arc_xmalloc(P * sizeof(float));
    b->published = 0;
    pthread_mutex_init(&b->publish_lock, NULL);
    pthread_cond_init(&b->released, NULL);
}

static void batched_free(Batched *b)
{
    for (int i = 0; i < b->num_actors; i++) actor_free(&b->actors[i]);
    free(b->actors);
    arc_rollout_queue_free(&b->queue);
    free(b->batch), free(b->obs), free(b->boot_obs), free(b->actions), free(b->out);
    free(b->bootstrap), free(b->values), free(b->log_rhos), free(b->vs), free(b->advantages);
    for (int i = 0; i < 3; i++) free(b->params[i]);
    pthread_mutex_destroy(&b->publish_lock);
    pthread_cond_destroy(&b->released);
    arc_run_free(&b->base);
}

int arc_a3c_batched_train(const ArcTrainConfig *cfg, const ArcTrainOptions *opt,
                          ArcTrainResult *result, ArcErr *err)
{
    const int64_t rows = cfg->envs_per_thread * cfg->rollout;
    if (rows > ARC_A3C_BATCHED_MAX_ROWS)
        return arc_err_set(err, ARC_ERR_ARG,
                           "--learner batched: envs-per-thread x rollout = %lld rows per rollout; "
                           "expected at most %d", (long long)rows, ARC_A3C_BATCHED_MAX_ROWS);
    ArcBackend *be = arc_backend_cpu();
    if (strcmp(cfg->device, "gpu") == 0) {
        ArcErr notice;
        be = arc_backend_gpu_or_cpu(0, &notice);
        if (notice.msg[0] && !opt->quiet) fprintf(stderr, "note: --device gpu: %s\n", notice.msg);
    }
    Batched *b = arc_xcalloc(1, sizeof *b);
    b->num_actors = (int)cfg->threads;
    b->N = (int)cfg->envs_per_thread;
    b->T = (int)cfg->rollout;
    b->chunk_max = (int)(ARC_A3C_BATCHED_MAX_ROWS / rows);
    if (b->chunk_max > b->num_actors) b->chunk_max = b->num_actors;
    ArcOptimConfig optim = arc_optim_rmsprop((float)cfg->lr, false);
    optim.alpha = (float)cfg->rms_alpha;
    optim.eps = (float)cfg->rms_eps;
    ArcRun *base = &b->base;
    int status = arc_run_init(base, cfg, opt, "a3c", ARC_HEAD_A3C, be, &optim, ARC_UPDATE_LOCKED,
                              b->chunk_max * (int)rows, stat_names, NUM_STATS, err);
    if (status) {
        free(b);
        return status;
    }
    atomic_init(&b->finish, base->start_frames >= base->frame_target);
    atomic_init(&b->running, b->num_actors);
    base->monitor_checkpoints = true;
    uint64_t env_seed = arc_splitmix64(((uint64_t)cfg->seed << 32) ^ (uint64_t)base->start_frames);
    b->actors = arc_xcalloc((size_t)b->num_actors, sizeof *b->actors);
    for (int i = 0; i < b->num_actors; i++) actor_init(&b->actors[i], b, i, env_seed);
    b->obs_size = b->actors[0].vec.obs_size;
    ARC_CHECK(arc_rollout_queue_init(&b->queue, 2 * b->num_actors, b->T, b->N, b->obs_size, err) == ARC_OK,
              "%s", err->msg);
    learner_scratch_init(b);
    atomic_init(&b->published_version, -1);
    publish(b);
    base->add_state = add_actor_state;
    base->state_ctx = b;
    status = restore_actor_state(b, base->resume_file, err);
    if (status) { /* the message names the checkpoint and the tensor */
        batched_free(b);
        free(b);
        return status;
    }

    int started = 0;
    for (; started < b->num_actors; started++)
        if (pthread_create(&b->actors[started].thread, NULL, actor_thread, &b->actors[started])) break;
    if (started < b->num_actors) {
        atomic_store(&b->finish, true);
        atomic_fetch_sub(&b->running, b->num_actors - started);
        status = arc_err_set(err, ARC_ERR_THREAD, "could not start actor thread %d of %d", started,
                             b->num_actors);
    }
    learner_loop(b);
    for (int i = 0; i < started; i++) pthread_join(b->actors[i].thread, NULL);

    status = arc_run_finish(base, atomic_load(&base->learner.version), result, status, err);
    batched_free(b);
    free(b);
    return status;
}
