/* backend_impl.h — what a backend implements (private to kernels/).
 *
 * A backend is a constant table of functions; backend.c's arc_be_* wrappers call through
 * it. The host loops for losses, activations and optimizers (host_ops.c) are shared
 * by cpu_ref and cpu: they are elementwise, BLAS does not help them, and the compiler
 * vectorises them. They are checked against finite differences and hand-computed values
 * instead of against a second copy of themselves.
 */
#ifndef ARC_BACKEND_IMPL_H
#define ARC_BACKEND_IMPL_H

#include "backend.h"

struct ArcBackend {
    const char *name;
    const char *description; /* one line: what runs the ops */
    bool is_device;

    void *(*alloc)(size_t bytes);
    void (*free)(void *p);
    void (*upload)(void *dst, const void *src, size_t bytes);
    void (*download)(void *dst, const void *src, size_t bytes);
    void (*copy)(void *dst, const void *src, size_t bytes);
    void (*fill)(float *x, float value, size_t n);
    void (*scale)(float *x, float factor, size_t n);
    void (*axpy)(float *y, float a, const float *x, size_t n);
    void (*sync)(void);

    size_t (*conv2d_workspace)(const ArcConvShape *s);
    void (*obs_to_float)(float *x, const uint8_t *obs, int B, int C, int H, int W);
    void (*conv2d_forward)(float *y, float *ws, const float *x, const float *w, const float *b,
                           const ArcConvShape *s);
    void (*conv2d_backward)(float *dx, float *dw, float *db, float *ws, const float *dy,
                            const float *x, const float *w, const ArcConvShape *s);
    void (*dense_forward)(float *y, const float *x, const float *w, const float *b, int B, int n_in, int n_out);
    void (*dense_backward)(float *dx, float *dw, float *db, const float *dy, const float *x,
                           const float *w, int B, int n_in, int n_out);
    void (*act_forward)(float *y, const float *x, size_t n, ArcAct act);
    void (*act_backward)(float *dx, const float *dy, const float *x, size_t n, ArcAct act);
    void (*log_softmax)(float *logp, float *entropy, const float *logits, int B, int A, int ld);
    void (*a3c_loss)(float *dout, ArcA3CStats *stats, const float *out, const int32_t *actions,
                     const float *adv, const float *ret, int B, int A, float vc, float ec);
    void (*dueling_forward)(float *q, const float *out, int B, int A);
    void (*dueling_backward)(float *dout, const float *dq, int B, int A);
    void (*gather)(float *qa, const float *q, const int32_t *actions, int B, int A);
    void (*dqn_targets)(float *y, const float *q_next, const float *q_next_online,
                        const float *rewards, const float *dones, float gamma, int B, int A);
    void (*dqn_loss)(float *dq, float *td, ArcDQNStats *stats, const float *q, const int32_t *actions,
                     const float *targets, const float *weights, float delta, int B, int A);
    double (*sq_norm)(const float *g, size_t n);
    void (*optim_step)(float *params, float *m, float *v, const float *grads, size_t n,
                       const ArcOptimConfig *cfg, long step);
};

/* Host memory helpers (both CPU backends). */
void *arc_host_alloc(size_t bytes);
void arc_host_free(void *p);
void arc_host_copy(void *dst, const void *src, size_t bytes);
void arc_host_fill(float *x, float value, size_t n);
void arc_host_scale(float *x, float factor, size_t n);
void arc_host_axpy(float *y, float a, const float *x, size_t n);
void arc_host_sync(void);
void arc_host_obs_to_float(float *x, const uint8_t *obs, int B, int C, int H, int W);

/* host_ops.c: activations, softmax, losses, norms and optimizer steps on host memory. */
void arc_host_act_forward(float *y, const float *x, size_t n, ArcAct act);
void arc_host_act_backward(float *dx, const float *dy, const float *x, size_t n, ArcAct act);
void arc_host_log_softmax(float *logp, float *entropy, const float *logits, int B, int A, int ld);
void arc_host_a3c_loss(float *dout, ArcA3CStats *stats, const float *out, const int32_t *actions,
                       const float *adv, const float *ret, int B, int A, float vc, float ec);
void arc_host_dueling_forward(float *q, const float *out, int B, int A);
void arc_host_dueling_backward(float *dout, const float *dq, int B, int A);
void arc_host_gather(float *qa, const float *q, const int32_t *actions, int B, int A);
void arc_host_dqn_targets(float *y, const float *q_next, const float *q_next_online,
                          const float *rewards, const float *dones, float gamma, int B, int A);
void arc_host_dqn_loss(float *dq, float *td, ArcDQNStats *stats, const float *q,
                       const int32_t *actions, const float *targets, const float *weights,
                       float delta, int B, int A);
double arc_host_sq_norm(const float *g, size_t n);
void arc_host_optim_step(float *params, float *m, float *v, const float *grads, size_t n,
                         const ArcOptimConfig *cfg, long step);

/* gpu_backend.c */
ArcBackend *arc_gpu_backend_create(int device, ArcErr *err);

#endif
