/* vtrace.h — V-trace off-policy targets (Espeholt et al. 2018, IMPALA) for rollouts that
 * were acted by an older policy than the one being trained.
 *
 * A rollout holds T steps of N envs, time-major as in returns.h: element (t, i) at
 * t * N + i. The behaviour policy mu acted; the learner's current policy pi and value V
 * are evaluated on the same observations. With log_rhos = log pi(a_t|s_t) - log mu(a_t|s_t),
 * rho_t = min(rho_bar, e^log_rho), c_t = min(c_bar, e^log_rho) and the per-step discount
 * g_t = gamma * (1 - done_t) (an episode end cuts the backup, as in returns.h):
 *
 *   delta_t = rho_t (r_t + g_t V(s_{t+1}) - V(s_t))             V(s_T) = bootstrap
 *   v_t     = V(s_t) + delta_t + g_t c_t (v_{t+1} - V(s_{t+1}))  v_T    = V(s_T)
 *   adv_t   = rho_t (r_t + g_t v_{t+1} - V(s_t))                 (policy-gradient advantage)
 *
 * v_t is the value target, adv_t the advantage of the policy-gradient term. On-policy
 * (log_rhos = 0) with rho_bar, c_bar >= 1, v_t is the n-step return of returns.h and
 * adv_t = v_t - V(s_t): the A3C targets. IMPALA's defaults are rho_bar = c_bar = 1. */
#ifndef ARC_VTRACE_H
#define ARC_VTRACE_H

#include <stdint.h>

void arc_vtrace(float *vs /* (T, N) */, float *advantages /* (T, N) */,
                const float *rewards /* (T, N) */, const uint8_t *dones /* (T, N) */,
                const float *values /* (T, N) V(s_t) */, const float *bootstrap /* (N) V(s_T) */,
                const float *log_rhos /* (T, N) */, int T, int N, float gamma, float rho_bar,
                float c_bar);

/* log softmax(logits)[a] over A logits, computed stably (never -inf for finite logits);
 * what both the behaviour policy (actors) and the target policy (learner) use. */
float arc_log_prob(const float *logits /* (A) */, int A, int a);

#endif
