/* returns.c — n-step backups (see returns.h). */
#include "returns.h"

void arc_nstep_returns(float *returns, const float *rewards, const uint8_t *dones,
                       const float *bootstrap, int T, int N, float gamma)
{
    for (int i = 0; i < N; i++) {
        float next = bootstrap[i];
        for (int t = T - 1; t >= 0; t--) {
            int k = t * N + i;
            next = rewards[k] + (dones[k] ? 0.0f : gamma * next);
            returns[k] = next;
        }
    }
}

void arc_advantages(float *advantages, const float *returns, const float *values, int n)
{
    for (int k = 0; k < n; k++) advantages[k] = returns[k] - values[k];
}
