/* gpu_api.h — the C entry points of the HIP kernels (the .hip files here), called by
 * kernels/gpu_backend.c. Plain C types only: this header is read by the C compiler and by
 * hipcc/nvcc (as C++), so it includes nothing of the project. Every pointer is device
 * memory except where marked host. Launches go to the default stream, in order; functions
 * that return host values synchronise.
 */
#ifndef ARC_GPU_API_H
#define ARC_GPU_API_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* layers.hip: device, memory and layer kernels */
/* Selects the device; 0 on success, else -1 with one line in msg (host). Also writes the
 * device's name and warp size into msg on success. */
int arc_gpu_open(int device, char *msg, size_t msg_len);
int arc_gpu_warp_size(void);
void *arc_gpu_malloc(size_t bytes); /* zero-filled; aborts on failure */
void arc_gpu_free(void *p);
void arc_gpu_upload(void *dst, const void *host_src, size_t bytes);
void arc_gpu_download(void *host_dst, const void *src, size_t bytes);
void arc_gpu_copy(void *dst, const void *src, size_t bytes);
void arc_gpu_sync(void);
void arc_gpu_fill(float *x /* (n) */, float value, size_t n);
void arc_gpu_scale(float *x /* (n) */, float factor, size_t n);
void arc_gpu_axpy(float *y /* (n) */, float a, const float *x /* (n) */, size_t n);
void arc_gpu_obs_to_float(float *x /* (B, H, W, C) */, const uint8_t *obs /* (B, C, H, W) */,
                          int B, int C, int H, int W);
void arc_gpu_im2col(float *cols /* (B*Ho*Wo, k*k*I) */, const float *x /* (B, H, W, I) */,
                    int B, int H, int W, int I, int k, int pad, int Ho, int Wo);
void arc_gpu_col2im(float *dx /* (B, H, W, I) */, const float *dcols /* (B*Ho*Wo, k*k*I) */,
                    int B, int H, int W, int I, int k, int pad, int Ho, int Wo);
void arc_gpu_bias_rows(float *y /* (M, O) */, const float *b /* (O) */, int M, int O);
void arc_gpu_bias_grad(float *db /* (O) += */, const float *dy /* (M, O) */, int M, int O);
void arc_gpu_act_forward(float *y /* (n) */, const float *x /* (n) */, size_t n, int act);
void arc_gpu_act_backward(float *dx /* (n) */, const float *dy /* (n) */, const float *x /* (n) */,
                          size_t n, int act);
/* layers.hip: row-major C (M, N) = alpha op(A) op(B) + beta C; op = transpose when t* != 0.
 * beta == 0 never reads C. */
void arc_gpu_gemm(int trans_a, int trans_b, int M, int N, int K, float alpha, const float *A,
                  int lda, const float *B, int ldb, float beta, float *C, int ldc);

/* train.hip: losses (one thread per batch row; per-row terms go to `partial`, summed on
 * the host), the gradient norm and the optimizer steps */
void arc_gpu_log_softmax(float *logp /* (B, A) */, float *entropy /* (B) or NULL */,
                         const float *logits /* (B, ld) */, int B, int A, int ld);
void arc_gpu_a3c_loss(float *dout /* (B, A+1) */, float *partial /* (B, 3) */,
                      const float *out /* (B, A+1) */, const int32_t *actions, const float *adv,
                      const float *ret, int B, int A, float vc, float ec);
void arc_gpu_dueling_forward(float *q /* (B, A) */, const float *out /* (B, A+1) */, int B, int A);
void arc_gpu_dueling_backward(float *dout /* (B, A+1) */, const float *dq /* (B, A) */, int B, int A);
void arc_gpu_gather(float *qa /* (B) */, const float *q /* (B, A) */, const int32_t *actions, int B, int A);
void arc_gpu_dqn_targets(float *y /* (B) */, const float *q_next /* (B, A) */,
                         const float *q_next_online /* (B, A) or NULL */, const float *rewards,
                         const float *dones, float gamma, int B, int A);
void arc_gpu_dqn_loss(float *dq /* (B, A) */, float *td /* (B) or NULL */, float *partial /* (B, 2) */,
                      const float *q /* (B, A) */, const int32_t *actions, const float *targets,
                      const float *weights /* (B) or NULL */, float delta, int B, int A);

/* Sum of squares of g: per-block partials in `partials` (device, >= blocks floats), summed
 * on the host in double. */
double arc_gpu_sq_norm(float *partials, float *host_partials, int max_partials,
                       const float *g /* (n) */, size_t n);
/* kind 0 RMSProp (m = mean gradient when centered), 1 Adam; c1, c2 the bias corrections. */
void arc_gpu_optim_step(float *params, float *m, float *v, const float *grads, size_t n, int kind,
                        float lr, float alpha, int centered, float beta1, float beta2, float eps,
                        float c1, float c2);

#ifdef __cplusplus
}
#endif

#endif
