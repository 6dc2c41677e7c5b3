/* learner.c — shared master parameters and optimizer (see learner.h). */
#include "learner.h"

#include <math.h>
#include <string.h>

int arc_learner_init(ArcLearner *learner, const ArcNetConfig *cfg, ArcBackend *be,
                     const ArcOptimConfig *optim, ArcUpdateMode mode, float clip, int max_batch,
                     uint32_t seed, ArcErr *err)
{
    memset(learner, 0, sizeof *learner);
    learner->master = arc_net_init(cfg, be, max_batch, seed, err);
    if (!learner->master) return ARC_ERR_ARG;
    learner->optim = *optim;
    learner->mode = mode;
    learner->clip = clip;
    pthread_mutex_init(&learner->lock, NULL);
    atomic_init(&learner->version, 0);
    return ARC_OK;
}

void arc_learner_free(ArcLearner *learner)
{
    if (!learner->master) return;
    arc_net_free(learner->master);
    pthread_mutex_destroy(&learner->lock);
    memset(learner, 0, sizeof *learner);
}

long long arc_learner_pull(ArcLearner *learner, ArcNet *worker)
{
    bool locked = learner->mode == ARC_UPDATE_LOCKED;
    if (locked) pthread_mutex_lock(&learner->lock);
    long long version = atomic_load(&learner->version);
    arc_net_copy_params(worker, learner->master);
    if (locked) pthread_mutex_unlock(&learner->lock);
    return version;
}

/* One optimizer step from grads; the caller holds the lock if the mode needs it. */
static void step_master(ArcLearner *learner, const float *grads, float lr)
{
    ArcOptimConfig optim = learner->optim;
    optim.lr = lr;
    long long version = atomic_fetch_add(&learner->version, 1) + 1;
    arc_net_optim_step(learner->master, grads, &optim, (long)version);
}

double arc_learner_apply(ArcLearner *learner, ArcNet *worker, float lr)
{
    double norm = arc_net_clip_grad_norm(worker, learner->clip);
    if (!isfinite(norm)) return norm; /* never applied */
    bool locked = learner->mode == ARC_UPDATE_LOCKED;
    if (locked) pthread_mutex_lock(&learner->lock);
    step_master(learner, worker->grads, lr);
    if (locked) pthread_mutex_unlock(&learner->lock);
    return norm;
}

double arc_learner_apply_sum(ArcLearner *learner, ArcNet *const *workers, int n, float lr)
{
    ArcNet *sum = workers[0];
    ArcBackend *be = sum->be;
    for (int i = 1; i < n; i++)
        arc_be_axpy(be, sum->grads, 1.0f, workers[i]->grads, sum->num_params);
    if (n > 1) arc_be_scale(be, sum->grads, 1.0f / (float)n, sum->num_params);
    double norm = arc_net_clip_grad_norm(sum, learner->clip);
    if (!isfinite(norm)) return norm; /* never applied */
    pthread_mutex_lock(&learner->lock);
    step_master(learner, sum->grads, lr);
    pthread_mutex_unlock(&learner->lock);
    return norm;
}

long long arc_learner_snapshot(ArcLearner *learner, float *params, float *m, float *v)
{
    ArcNet *net = learner->master;
    size_t bytes = net->num_params * sizeof(float);
    pthread_mutex_lock(&learner->lock);
    long long version = atomic_load(&learner->version);
    arc_be_download(net->be, params, net->params, bytes);
    if (m) arc_be_download(net->be, m, net->opt_m, bytes);
    arc_be_download(net->be, v, net->opt_v, bytes);
    pthread_mutex_unlock(&learner->lock);
    return version;
}

void arc_learner_restore(ArcLearner *learner, const float *params, const float *m,
                         const float *v, long long version)
{
    ArcNet *net = learner->master;
    size_t bytes = net->num_params * sizeof(float);
    arc_be_upload(net->be, net->params, params, bytes);
    if (m) arc_be_upload(net->be, net->opt_m, m, bytes);
    arc_be_upload(net->be, net->opt_v, v, bytes);
    atomic_store(&learner->version, version);
}
