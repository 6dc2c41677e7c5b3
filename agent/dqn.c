/* dqn.c — DQN actors, learner and run loop (see dqn.h). */
#include "dqn.h"

#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../env/vec_env.h"
#include "../replay/replay.h"
#include "run.h"

enum { STAT_TD_LOSS, STAT_Q_MEAN, STAT_EPSILON, STAT_GRAD_NORM, NUM_STATS };
static const char *const stat_names[NUM_STATS] = {"td_loss", "q_mean", "epsilon", "grad_norm"};

typedef struct Dqn Dqn;

typedef struct Actor {
    Dqn *dqn;
    int index;
    pthread_t thread;
    ArcNet *net;          /* its own copy (threaded) or the learner's master (one thread) */
    long long version;    /* learner version of net's parameters */
    ArcVecEnv vec;
    ArcRng rng;           /* exploration */
    uint8_t *obs[2];      /* (N, C, 10, 10) double buffer: obs[cur] is what the envs show */
    int cur;
    uint8_t *final_obs;   /* (N, C, 10, 10) last observations of ended episodes */
    int *actions;         /* (N) */
    float *rewards;       /* (N) */
    uint8_t *terminals;   /* (N) */
    uint8_t *truncations; /* (N) */
    float *q;             /* (N, A) */
} Actor;

struct Dqn {
    ArcRun base;
    const ArcTrainConfig *cfg;
    ArcReplay replay;
    ArcReplayBatch batch;
    ArcNet *target;
    ArcRng rng;              /* the learner's sampling stream */
    float *y, *td, *dones;   /* (B) */
    Actor *actors;
    int num_actors, N;
    int64_t updates, start_updates;
    int64_t learn_from;      /* frames at which learning (re)starts */
    atomic_int running;
    /* threaded runs: the actors keep to the replay ratio by the learner's version (which
     * counts the applied updates, = updates) and this flag */
    atomic_bool starved;       /* the last update found no complete transition to sample */
};

/* Threaded runs: how many updates the learner may owe before the actors wait for it. */
enum { ACTOR_LEAD_UPDATES = 64 };

double arc_dqn_epsilon(const ArcTrainConfig *cfg, int64_t frames, int actor, int num_actors)
{
    if (frames < cfg->learn_start) return 1.0;
    double t = cfg->eps_frames > 0 ? (double)(frames - cfg->learn_start) / (double)cfg->eps_frames : 1.0;
    double eps = t >= 1 ? cfg->eps_end : cfg->eps_start + t * (cfg->eps_end - cfg->eps_start);
    if (num_actors > 1) eps = pow(eps, 1.0 + 2.0 * actor / (num_actors - 1));
    return eps;
}

/* ---------------------------------------------------------------- actors */

/* One epsilon-greedy step of the actor's envs, pushed to replay. */
static void actor_step(Actor *a)
{
    Dqn *d = a->dqn;
    const int N = d->N, A = ARC_NUM_ACTIONS;
    int64_t frames = atomic_load(&d->base.frames);
    double epsilon = arc_dqn_epsilon(d->cfg, frames, a->index, d->num_actors);
    uint8_t *obs = a->obs[a->cur], *next = a->obs[a->cur ^ 1];
    if (epsilon < 1.0) arc_net_forward_host(a->net, a->q, obs, N);
    for (int i = 0; i < N; i++) {
        if (arc_rng_uniform(&a->rng) < epsilon) {
            a->actions[i] = (int)arc_rng_int(&a->rng, 0, A);
            continue;
        }
        const float *row = a->q + (size_t)i * A;
        int best = 0;
        for (int j = 1; j < A; j++) best = row[j] > row[best] ? j : best;
        a->actions[i] = best;
    }
    arc_vec_env_step(&a->vec, a->actions, next, a->rewards, a->terminals, a->truncations,
                     a->final_obs);
    arc_replay_push(&d->replay, a->index * N, N, obs, a->actions, a->rewards, a->terminals,
                    a->truncations, next, a->final_obs);
    for (int k = 0; k < a->vec.num_finished; k++)
        arc_run_log_episode(&d->base.log, a->index, a->vec.finished[k].ret,
                            a->vec.finished[k].length);
    a->cur ^= 1;
    atomic_fetch_add(&d->base.frames, N);
}

/* Updates the learner owes for the frames so far. */
static int64_t updates_due(const Dqn *d)
{
    int64_t frames = atomic_load(&d->base.frames);
    if (frames < d->learn_from) return d->start_updates;
    return d->start_updates + (int64_t)((double)(frames - d->learn_from) * d->cfg->replay_ratio);
}

/* Keeps a threaded run to its replay ratio: the actor waits while the learner owes more
 * than ACTOR_LEAD_UPDATES updates (not while it cannot learn yet, nor once stopping). */
static void wait_for_learner(Dqn *d)
{
    struct timespec pause = {0, 50 * 1000};
    while (updates_due(d) - atomic_load(&d->base.learner.version) > ACTOR_LEAD_UPDATES &&
           !atomic_load(&d->starved) && !atomic_load(&d->base.stop_requested) &&
           !atomic_load(&d->base.faulted))
        nanosleep(&pause, NULL);
}

static void *actor_thread(void *arg)
{
    Actor *a = arg;
    Dqn *d = a->dqn;
    ArcLearner *learner = &d->base.learner;
    while (atomic_load(&d->base.frames) < d->base.frame_target &&
           !atomic_load(&d->base.stop_requested)) {
        if (atomic_load(&learner->version) - a->version >= d->cfg->actor_sync)
            a->version = arc_learner_pull(learner, a->net);
        wait_for_learner(d);
        actor_step(a);
    }
    atomic_fetch_sub(&d->running, 1);
    return NULL;
}

static void actor_init(Actor *a, Dqn *d, int index, uint64_t env_seed, ArcNet *shared_net)
{
    const int N = d->N;
    memset(a, 0, sizeof *a);
    a->dqn = d;
    a->index = index;
    ArcEnvConfig env_cfg = arc_env_config_default();
    env_cfg.sticky_prob = d->cfg->sticky;
    ARC_CHECK(arc_vec_env_init(&a->vec, d->base.game, N, &env_cfg, env_seed + (uint64_t)index, NULL) == ARC_OK,
              "vec env");
    arc_vec_env_train_levels(&a->vec, d->cfg->train_levels);
    arc_rng_seed(&a->rng, arc_vec_env_seed(env_seed + (uint64_t)index, N));
    if (shared_net) {
        a->net = shared_net;
    } else {
        ArcErr err;
        a->net = arc_net_init(&d->base.net_cfg, arc_backend_cpu(), N, 0, &err);
        ARC_CHECK(a->net, "%s", err.msg);
        a->version = arc_learner_pull(&d->base.learner, a->net);
    }
    size_t obs_bytes = a->vec.obs_size * (size_t)N;
    a->obs[0] = arc_xmalloc(obs_bytes);
    a->obs[1] = arc_xmalloc(obs_bytes);
    a->final_obs = arc_xmalloc(obs_bytes);
    a->actions = arc_xmalloc((size_t)N * sizeof(int));
    a->rewards = arc_xmalloc((size_t)N * sizeof(float));
    a->terminals = arc_xmalloc((size_t)N);
    a->truncations = arc_xmalloc((size_t)N);
    a->q = arc_xmalloc((size_t)N * ARC_NUM_ACTIONS * sizeof(float));
    arc_vec_env_reset(&a->vec, a->obs[0]);
}

static void actor_free(Actor *a, bool owns_net)
{
    if (owns_net) arc_net_free(a->net);
    arc_vec_env_free(&a->vec);
    free(a->obs[0]), free(a->obs[1]), free(a->final_obs), free(a->actions), free(a->rewards);
    free(a->terminals), free(a->truncations), free(a->q);
}

/* ---------------------------------------------------------------- learner */

/* One minibatch update of the online (master) network; false when the buffer holds no
 * complete transition yet (right at the start with learn_start 0). */
static bool learn(Dqn *d)
{
    const int B = (int)d->cfg->batch;
    ArcReplayBatch *b = &d->batch;
    ArcNet *online = d->base.learner.master;
    if (arc_run_rollback_pending(&d->base)) { /* this thread is the only one that applies */
        arc_run_rollback(&d->base);
        arc_net_copy_params(d->target, online);
    }
    if (arc_replay_sample(&d->replay, &d->rng, B, b) != ARC_OK) {
        atomic_store(&d->starved, true);
        return false;
    }
    atomic_store(&d->starved, false);
    /* y = R + discount * Qt(s', a*): the n-step discount (0 after a terminal) enters as
     * 1 - done with gamma 1 */
    for (int i = 0; i < B; i++) d->dones[i] = 1.0f - b->discounts[i];
    arc_net_dqn_targets(d->target, d->cfg->double_dqn ? online : NULL, d->y, b->next_obs, b->rewards,
                        d->dones, 1.0f, B);
    arc_net_zero_grad(online);
    arc_net_forward(online, b->obs, B);
    ArcDQNStats stats;
    arc_net_dqn_backward(online, &stats, d->td, b->actions, d->y,
                         d->cfg->prioritized ? b->weights : NULL, (float)d->cfg->huber, B);
    int64_t frames = atomic_load(&d->base.frames);
    if (!arc_run_check_loss(&d->base, stats.loss, frames)) return false;
    double norm = arc_learner_apply(&d->base.learner, online, arc_run_lr(&d->base, frames));
    if (!arc_run_check_gradient(&d->base, norm, frames)) return false;
    if (d->cfg->prioritized) arc_replay_update_priorities(&d->replay, b->indices, d->td, B);
    d->updates++;
    if (d->updates % d->cfg->target_every == 0) arc_net_copy_params(d->target, online);
    double epsilon = arc_dqn_epsilon(d->cfg, frames, 0, d->num_actors); /* actor 0's */
    double values[NUM_STATS] = {stats.loss, stats.mean_q, epsilon, norm};
    arc_run_log_stats(&d->base.log, values);
    return true;
}

/* One thread: actor and learner take turns, frame by frame. */
static void run_single(Dqn *d)
{
    Actor *a = &d->actors[0];
    int64_t steps = 0;
    while (atomic_load(&d->base.frames) < d->base.frame_target &&
           !atomic_load(&d->base.stop_requested)) {
        actor_step(a);
        for (int64_t due = updates_due(d); d->updates < due && !arc_run_should_stop(&d->base);)
            if (!learn(d)) break; /* owed updates wait for the first complete transition */
        if (++steps % 64 == 0) arc_run_monitor(&d->base);
    }
}

/* Several actor threads; the learner here keeps to the replay ratio. */
static int run_threaded(Dqn *d, ArcErr *err)
{
    int started = 0, status = ARC_OK;
    atomic_init(&d->running, d->num_actors);
    for (; started < d->num_actors; started++)
        if (pthread_create(&d->actors[started].thread, NULL, actor_thread, &d->actors[started])) break;
    if (started < d->num_actors) {
        atomic_store(&d->base.stop_requested, true);
        atomic_fetch_sub(&d->running, d->num_actors - started);
        status = arc_err_set(err, ARC_ERR_THREAD, "could not start actor thread %d of %d", started,
                             d->num_actors);
    }
    int64_t rounds = 0;
    while (atomic_load(&d->running) > 0) {
        if (d->updates < updates_due(d) && learn(d)) {
            /* keep learning */
        } else {
            struct timespec pause = {0, 100 * 1000};
            nanosleep(&pause, NULL);
        }
        arc_run_should_stop(&d->base); /* Ctrl-C reaches the actors between ticks (large batches) */
        if (++rounds % 64 == 0) arc_run_monitor(&d->base);
    }
    for (int i = 0; i < started; i++) pthread_join(d->actors[i].thread, NULL);
    return status;
}

static int dqn_init(Dqn *d, const ArcTrainConfig *cfg, ArcErr *err)
{
    ArcRun *base = &d->base;
    d->cfg = cfg;
    d->num_actors = (int)cfg->threads;
    d->N = (int)cfg->envs_per_thread;
    ArcReplayConfig rc = arc_replay_config_default();
    rc.capacity = cfg->replay;
    rc.channels = base->game->channels;
    rc.num_streams = d->num_actors * d->N;
    rc.n_step = (int)cfg->n_step;
    rc.gamma = cfg->gamma;
    rc.prioritized = cfg->prioritized;
    rc.alpha = cfg->per_alpha;
    rc.beta0 = cfg->per_beta;
    rc.beta_steps = (int64_t)((double)(cfg->frames - cfg->learn_start) * cfg->replay_ratio);
    if (rc.beta_steps < 1) rc.beta_steps = 1;
    int status = arc_replay_init(&d->replay, &rc, err);
    if (status) return status;
    status = arc_replay_batch_init(&d->batch, &d->replay, (int)cfg->batch, err);
    if (status) {
        arc_replay_free(&d->replay);
        return status;
    }
    d->target = arc_net_init(&base->net_cfg, base->learner.master->be, (int)cfg->batch, 0, err);
    ARC_CHECK(d->target, "%s", err->msg);
    arc_net_copy_params(d->target, base->learner.master);
    arc_rng_seed(&d->rng, (uint32_t)arc_splitmix64((uint64_t)cfg->seed * 7919 + 17));
    d->y = arc_xmalloc((size_t)cfg->batch * sizeof(float));
    d->td = arc_xmalloc((size_t)cfg->batch * sizeof(float));
    d->dones = arc_xmalloc((size_t)cfg->batch * sizeof(float));
    d->start_updates = d->updates = atomic_load(&base->learner.version);
    atomic_init(&d->starved, false);
    d->learn_from = base->start_frames + cfg->learn_start;
    uint64_t env_seed = arc_splitmix64(((uint64_t)cfg->seed << 32) ^ (uint64_t)base->start_frames ^ 0xd9e);
    d->actors = arc_xcalloc((size_t)d->num_actors, sizeof *d->actors);
    for (int i = 0; i < d->num_actors; i++)
        actor_init(&d->actors[i], d, i, env_seed, d->num_actors == 1 ? base->learner.master : NULL);
    return ARC_OK;
}

static void dqn_free(Dqn *d)
{
    for (int i = 0; i < d->num_actors; i++) actor_free(&d->actors[i], d->num_actors > 1);
    free(d->actors), free(d->y), free(d->td), free(d->dones);
    arc_net_free(d->target);
    arc_replay_batch_free(&d->batch);
    arc_replay_free(&d->replay);
}

int arc_dqn_train(const ArcTrainConfig *cfg, const ArcTrainOptions *opt, ArcTrainResult *result,
                  ArcErr *err)
{
    Dqn d;
    memset(&d, 0, sizeof d);
    ArcOptimConfig optim = strcmp(cfg->optimizer, "adam") == 0 ? arc_optim_adam((float)cfg->lr)
                                                                : arc_optim_rmsprop((float)cfg->lr, true);
    if (optim.kind == ARC_OPTIM_RMSPROP) optim.alpha = (float)cfg->rms_alpha;
    optim.eps = (float)cfg->rms_eps;
    ArcBackend *be = arc_backend_cpu();
    if (strcmp(cfg->device, "gpu") == 0) {
        ArcErr notice;
        be = arc_backend_gpu_or_cpu(0, &notice);
        if (notice.msg[0] && !opt->quiet) fprintf(stderr, "note: --device gpu: %s\n", notice.msg);
    }
    int status = arc_run_init(&d.base, cfg, opt, "dqn", ARC_HEAD_DQN, be, &optim, ARC_UPDATE_LOCKED,
                              (int)cfg->batch, stat_names, NUM_STATS, err);
    if (status) return status;
    d.base.rollback_ok = true; /* learn() rolls back: the one thread that applies updates */
    status = dqn_init(&d, cfg, err);
    if (status) {
        arc_run_free(&d.base);
        return status;
    }
    if (d.num_actors == 1) run_single(&d);
    else status = run_threaded(&d, err);
    status = arc_run_finish(&d.base, d.updates, result, status, err);
    dqn_free(&d);
    arc_run_free(&d.base);
    return status;
}
