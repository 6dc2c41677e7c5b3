/* vtrace.c — V-trace targets and advantages (see vtrace.h). */
#include "vtrace.h"

#include <math.h>

void arc_vtrace(float *vs, float *advantages, const float *rewards, const uint8_t *dones,
                const float *values, const float *bootstrap, const float *log_rhos, int T, int N,
                float gamma, float rho_bar, float c_bar)
{
    for (int i = 0; i < N; i++) {
        float next_value = bootstrap[i]; /* V(s_{t+1}) */
        float next_vs = bootstrap[i];    /* v_{t+1} */
        for (int t = T - 1; t >= 0; t--) {
            int k = t * N + i;
            float ratio = expf(log_rhos[k]);
            float rho = ratio < rho_bar ? ratio : rho_bar;
            float c = ratio < c_bar ? ratio : c_bar;
            float discount = dones[k] ? 0.0f : gamma;
            float delta = rho * (rewards[k] + discount * next_value - values[k]);
            vs[k] = values[k] + delta + discount * c * (next_vs - next_value);
            advantages[k] = rho * (rewards[k] + discount * next_vs - values[k]);
            next_value = values[k];
            next_vs = vs[k];
        }
    }
}

float arc_log_prob(const float *logits, int A, int a)
{
    float max = logits[0];
    for (int j = 1; j < A; j++) max = logits[j] > max ? logits[j] : max;
    double sum = 0;
    for (int j = 0; j < A; j++) sum += exp((double)(logits[j] - max));
    return (float)((double)(logits[a] - max) - log(sum));
}
