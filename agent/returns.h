/* returns.h — n-step returns and advantages for actor-critic rollouts.
 *
 * A rollout holds T steps of N envs, time-major: element (t, i) at t * N + i. Rewards and
 * done flags describe the step taken from s_t; `bootstrap` is V(s_T) for each env. The
 * backup runs from the end: R_t = r_t + gamma * (1 - done_t) * R_{t+1}, R_T = V(s_T), so
 * an episode end inside the window cuts the sum (the env was auto-reset, so s_{t+1} then
 * belongs to a new episode). The advantage is R_t - V(s_t). */
#ifndef ARC_RETURNS_H
#define ARC_RETURNS_H

#include <stdint.h>

void arc_nstep_returns(float *returns /* (T, N) */, const float *rewards /* (T, N) */,
                       const uint8_t *dones /* (T, N) */, const float *bootstrap /* (N) */,
                       int T, int N, float gamma);

/* advantages = returns - values, elementwise over n = T * N entries. */
void arc_advantages(float *advantages /* (n) */, const float *returns /* (n) */,
                    const float *values /* (n) */, int n);

#endif
