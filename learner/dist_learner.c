/* dist_learner.c — the synchronous learner across MPI ranks (see dist_learner.h). */
#include "dist_learner.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "../common/clock.h"
#include "../common/dist.h"

bool arc_dist_mode_parse(const char *name, ArcDistMode *mode)
{
    if (strcmp(name, "allreduce") == 0) *mode = ARC_DIST_ALLREDUCE;
    else if (strcmp(name, "ps") == 0) *mode = ARC_DIST_PS;
    else return false;
    return true;
}

void arc_dist_learner_init(ArcDistLearner *d, ArcLearner *learner, ArcDistMode mode,
                           int64_t check_every)
{
    memset(d, 0, sizeof *d);
    d->learner = learner;
    d->mode = mode;
    d->rank = arc_dist_rank();
    d->size = arc_dist_size();
    d->num_params = learner->master->num_params;
    d->check_every = check_every;
    size_t floats = d->num_params + ARC_DIST_EXTRA;
    d->buf = arc_xcalloc(floats, sizeof(float));
    if (mode == ARC_DIST_PS && d->rank == 0) d->incoming = arc_xcalloc(floats, sizeof(float));
}

void arc_dist_learner_free(ArcDistLearner *d)
{
    free(d->buf);
    free(d->incoming);
    memset(d, 0, sizeof *d);
}

void arc_dist_learner_broadcast(ArcDistLearner *d, int64_t *counter)
{
    ArcLearner *l = d->learner;
    size_t P = d->num_params, bytes = P * sizeof(float);
    float *m = arc_xmalloc(bytes), *v = arc_xmalloc(bytes);
    long long version = arc_learner_snapshot(l, d->buf, m, v);
    int64_t header[2] = {version, *counter};
    arc_dist_broadcast(header, sizeof header, 0);
    arc_dist_broadcast(d->buf, bytes, 0);
    arc_dist_broadcast(m, bytes, 0);
    arc_dist_broadcast(v, bytes, 0);
    if (d->rank != 0) arc_learner_restore(l, d->buf, m, v, header[0]);
    *counter = header[1];
    free(m), free(v);
}

/* Allreduce: every rank ends with the sum of all ranks' buffers. */
static void exchange_allreduce(ArcDistLearner *d)
{
    arc_dist_allreduce_sum(d->buf, d->num_params + ARC_DIST_EXTRA);
}

/* Parameter server, rank 0: adds the workers' buffers to its own in rank order. */
static void server_gather(ArcDistLearner *d)
{
    size_t floats = d->num_params + ARC_DIST_EXTRA;
    for (int r = 1; r < d->size; r++) {
        arc_dist_recv(d->incoming, floats * sizeof(float), r);
        for (size_t i = 0; i < floats; i++) d->buf[i] += d->incoming[i];
    }
}

double arc_dist_learner_apply_sum(ArcDistLearner *d, ArcNet *const *workers, int n, float lr,
                                  bool *stop)
{
    ArcLearner *l = d->learner;
    ArcNet *sum = workers[0];
    ArcBackend *be = sum->be;
    const size_t P = d->num_params, floats = P + ARC_DIST_EXTRA;
    for (int i = 1; i < n; i++) arc_be_axpy(be, sum->grads, 1.0f, workers[i]->grads, P);
    arc_be_download(be, d->buf, sum->grads, P * sizeof(float));
    d->buf[P] = *stop ? 1.0f : 0.0f;
    d->buf[P + 1] = 0.0f;

    double t0 = arc_seconds(), norm;
    const bool server = d->mode == ARC_DIST_PS && d->rank == 0;
    if (d->mode == ARC_DIST_ALLREDUCE || d->size == 1) exchange_allreduce(d);
    else if (server) server_gather(d);
    else arc_dist_send(d->buf, floats * sizeof(float), 0);
    d->comm_seconds += arc_seconds() - t0;

    if (d->mode == ARC_DIST_ALLREDUCE || server || d->size == 1) {
        *stop = d->buf[P] > 0.0f;
        arc_be_upload(be, sum->grads, d->buf, P * sizeof(float));
        int total = n * d->size;
        if (total > 1) arc_be_scale(be, sum->grads, 1.0f / (float)total, P);
        norm = arc_learner_apply(l, sum, lr);
        if (server && d->size > 1) {
            t0 = arc_seconds();
            arc_net_get_params(l->master, d->buf);
            d->buf[P] = *stop ? 1.0f : 0.0f;
            d->buf[P + 1] = (float)norm;
            for (int r = 1; r < d->size; r++) arc_dist_send(d->buf, floats * sizeof(float), r);
            d->comm_seconds += arc_seconds() - t0;
        }
    } else { /* parameter-server worker: the server's parameters replace ours */
        t0 = arc_seconds();
        arc_dist_recv(d->buf, floats * sizeof(float), 0);
        d->comm_seconds += arc_seconds() - t0;
        *stop = d->buf[P] > 0.0f;
        norm = d->buf[P + 1];
        if (isfinite(norm)) {
            arc_net_set_params(l->master, d->buf);
            atomic_fetch_add(&l->version, 1);
        }
    }
    d->updates++;
    return norm;
}

uint64_t arc_dist_learner_fingerprint(const ArcDistLearner *d)
{
    arc_net_get_params(d->learner->master, d->buf);
    return arc_dist_fingerprint(d->buf, d->num_params);
}

int arc_dist_learner_check(ArcDistLearner *d, ArcErr *err)
{
    if (d->check_every <= 0 || d->updates % d->check_every != 0) return ARC_OK;
    uint64_t stack[64], *all = d->size <= 64 ? stack : arc_xmalloc((size_t)d->size * sizeof *all);
    arc_dist_allgather_u64(arc_dist_learner_fingerprint(d), all);
    int status = ARC_OK;
    for (int r = 1; r < d->size && !status; r++)
        if (all[r] != all[0])
            status = arc_err_set(err, ARC_ERR_NUMERIC,
                                 "after update %lld the parameters of rank %d differ from rank 0's "
                                 "(fingerprints %016llx and %016llx): the ranks fell out of step "
                                 "(different binaries or CPU instruction sets?)",
                                 (long long)d->updates, r, (unsigned long long)all[r],
                                 (unsigned long long)all[0]);
    if (all != stack) free(all);
    return status;
}
