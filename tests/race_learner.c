/* race_learner.c — ThreadSanitizer program for the shared learner and the run log.
 *
 * Several worker threads pull the master parameters, make gradients, and apply them in
 * LOCKED mode while another thread takes checkpoint snapshots and the workers log
 * episodes and statistics; then short A3C runs in locked and sync mode and a DQN run
 * with three actor threads.
 * Exits 0 when the version counter equals the number of applied updates, every
 * snapshot is finite, and the runs finish; TSan reports any data race (exit 66).
 * (Hogwild mode races on parameter floats by design and is not run here.) */
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../agent/a3c.h"
#include "../agent/dqn.h"
#include "../agent/run_log.h"
#include "../learner/learner.h"

#define WORKERS 4
#define UPDATES 200

static ArcLearner learner;
static ArcNetConfig net_cfg;
static ArcRunLog run_log;
static atomic_bool done;
static atomic_llong log_frames; /* the run log's frame counter */
static const char *const stat_names[1] = {"grad_norm"};

static void *worker(void *arg)
{
    int index = (int)(intptr_t)arg;
    ArcErr err;
    ArcNet *net = arc_net_init(&net_cfg, arc_backend_cpu(), 4, 0, &err);
    uint8_t obs[4 * 4 * 100] = {0};
    for (int u = 0; u < UPDATES; u++) {
        arc_learner_pull(&learner, net);
        arc_net_zero_grad(net);
        obs[(u * 7) % sizeof obs] = 1;
        arc_net_forward(net, obs, 4);
        int32_t actions[4] = {0, 1, 2, 3};
        float adv[4] = {1, -1, 0.5f, 0}, ret[4] = {1, 0, 1, 0};
        ArcA3CStats stats;
        arc_net_a3c_backward(net, &stats, actions, adv, ret, 4, 0.5f, 0.01f);
        double norm = arc_learner_apply(&learner, net, 1e-4f);
        arc_run_log_stats(&run_log, &norm);
        if (u % 20 == 0) arc_run_log_episode(&run_log, index, u % 5, 10);
    }
    arc_net_free(net);
    return NULL;
}

static void *snapshotter(void *arg)
{
    (void)arg;
    size_t n = learner.master->num_params;
    float *p = malloc(n * sizeof *p), *v = malloc(n * sizeof *v);
    int snapshots = 0;
    while (!atomic_load(&done)) {
        arc_learner_snapshot(&learner, p, NULL, v);
        for (size_t i = 0; i < n; i++)
            if (!isfinite(p[i]) || !isfinite(v[i])) {
                fprintf(stderr, "race_learner: snapshot %d has a non-finite value\n", snapshots);
                exit(1);
            }
        snapshots++;
        arc_run_log_recent_mean(&run_log);
    }
    free(p), free(v);
    return NULL;
}

/* DQN with three actor threads pushing to replay and refreshing from the learner. */
static int dqn_run(const char *dir)
{
    ArcTrainConfig cfg;
    arc_train_config_defaults(&cfg);
    strcpy(cfg.algo, "dqn");
    ArcErr err;
    arc_train_config_finish(&cfg, &err);
    snprintf(cfg.out, sizeof cfg.out, "%s", dir);
    cfg.frames = 3000;
    cfg.threads = 3;
    cfg.envs_per_thread = 2;
    cfg.learn_start = 500;
    cfg.replay_ratio = 0.2;
    cfg.actor_sync = 5;
    cfg.checkpoint_every = 1000;
    ArcTrainOptions opt = {.quiet = true, .metrics_every = 0.01};
    ArcTrainResult res;
    if (arc_dqn_train(&cfg, &opt, &res, &err)) {
        fprintf(stderr, "race_learner: dqn run: %s\n", err.msg);
        return 1;
    }
    return 0;
}

static int short_run(const char *dir, bool sync)
{
    ArcTrainConfig cfg;
    arc_train_config_defaults(&cfg);
    snprintf(cfg.out, sizeof cfg.out, "%s", dir);
    cfg.frames = 4000;
    cfg.threads = 3;
    cfg.envs_per_thread = 4;
    cfg.checkpoint_every = 1000;
    cfg.sync = sync;
    strcpy(cfg.update, "locked");
    ArcTrainOptions opt = {.quiet = true, .metrics_every = 0.01};
    ArcTrainResult res;
    ArcErr err;
    if (arc_a3c_train(&cfg, &opt, &res, &err)) {
        fprintf(stderr, "race_learner: %s run: %s\n", sync ? "sync" : "locked", err.msg);
        return 1;
    }
    return 0;
}

int main(void)
{
    char dir[] = "/tmp/arcade-race-XXXXXX";
    if (!mkdtemp(dir)) return 1;
    arc_net_config_minatar(&net_cfg, 4, ARC_HEAD_A3C, 0.25f);
    ArcOptimConfig optim = arc_optim_rmsprop(1e-4f, false);
    ArcErr err;
    if (arc_learner_init(&learner, &net_cfg, arc_backend_cpu(), &optim, ARC_UPDATE_LOCKED, 40, 1, 1, &err) ||
        arc_run_log_open(&run_log, dir, &log_frames, stat_names, 1, -1, &err)) {
        fprintf(stderr, "race_learner: %s\n", err.msg);
        return 1;
    }
    pthread_t threads[WORKERS], snap;
    pthread_create(&snap, NULL, snapshotter, NULL);
    for (int i = 0; i < WORKERS; i++) pthread_create(&threads[i], NULL, worker, (void *)(intptr_t)i);
    for (int i = 0; i < WORKERS; i++) pthread_join(threads[i], NULL);
    atomic_store(&done, true);
    pthread_join(snap, NULL);
    long long version = atomic_load(&learner.version);
    int64_t episodes = arc_run_log_episodes(&run_log);
    arc_run_log_close(&run_log);
    arc_learner_free(&learner);
    if (version != WORKERS * UPDATES || episodes != WORKERS * (UPDATES / 20)) {
        fprintf(stderr, "race_learner: %lld updates, %lld episodes logged\n", version, (long long)episodes);
        return 1;
    }
    int status = short_run(dir, false) || short_run(dir, true) || dqn_run(dir);
    char cmd[64];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    if (system(cmd) != 0) return 1;
    if (!status)
        printf("race_learner: %d updates from %d threads; A3C locked and sync runs, DQN with 3 "
               "actors: ok\n", WORKERS * UPDATES, WORKERS);
    return status;
}
