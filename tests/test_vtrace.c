/* test_vtrace.c — V-trace targets against hand-computed values and against the n-step
 * returns it must reduce to on-policy; the log-probability helper. */
#include <criterion/criterion.h>
#include <math.h>

#include "../agent/returns.h"
#include "../agent/vtrace.h"

#define CLOSE(a, b) (fabsf((a) - (b)) < 1e-5f)

Test(vtrace, on_policy_is_the_n_step_return_and_its_advantage)
{
    /* T = 4, N = 2, env 0 ends at t = 1; log rho = 0 everywhere */
    enum { T = 4, N = 2 };
    const float rewards[T * N] = {1, 0, 0, 2, 1, 0, 0.5f, 1};
    const uint8_t dones[T * N] = {0, 0, 1, 0, 0, 0, 0, 0};
    const float values[T * N] = {0.3f, -1, 2, 0.1f, 0, 0.7f, 1.5f, 0.2f}, bootstrap[N] = {4, -2};
    const float log_rhos[T * N] = {0};
    float vs[T * N], adv[T * N], ret[T * N], adv_ref[T * N];
    arc_vtrace(vs, adv, rewards, dones, values, bootstrap, log_rhos, T, N, 0.9f, 1.0f, 1.0f);
    arc_nstep_returns(ret, rewards, dones, bootstrap, T, N, 0.9f);
    arc_advantages(adv_ref, ret, values, T * N);
    for (int k = 0; k < T * N; k++) {
        cr_assert(CLOSE(vs[k], ret[k]), "vs[%d] = %g, n-step return %g", k, vs[k], ret[k]);
        cr_assert(CLOSE(adv[k], adv_ref[k]), "adv[%d] = %g, expected %g", k, adv[k], adv_ref[k]);
    }
}

Test(vtrace, off_policy_by_hand)
{
    /* T = 2, N = 1, gamma 0.9, r = (1, 2), V = (0.5, 1), V(s_2) = 2,
     * pi/mu = (0.5, 2) -> rho = c = (0.5, 1) after truncation at 1.
     *   delta_1 = 1 * (2 + 0.9 * 2 - 1)          = 2.8,  v_1 = 1 + 2.8          = 3.8
     *   delta_0 = 0.5 * (1 + 0.9 * 1 - 0.5)      = 0.7,  v_0 = 0.5 + 0.7 + 0.9 * 0.5 * 2.8 = 2.46
     *   adv_1   = 1 * (2 + 0.9 * 2 - 1)          = 2.8
     *   adv_0   = 0.5 * (1 + 0.9 * 3.8 - 0.5)    = 1.96 */
    const float rewards[2] = {1, 2}, values[2] = {0.5f, 1}, bootstrap[1] = {2};
    const uint8_t dones[2] = {0, 0};
    const float log_rhos[2] = {logf(0.5f), logf(2.0f)};
    float vs[2], adv[2];
    arc_vtrace(vs, adv, rewards, dones, values, bootstrap, log_rhos, 2, 1, 0.9f, 1.0f, 1.0f);
    cr_assert(CLOSE(vs[1], 3.8f) && CLOSE(vs[0], 2.46f), "vs %g %g", vs[0], vs[1]);
    cr_assert(CLOSE(adv[1], 2.8f) && CLOSE(adv[0], 1.96f), "adv %g %g", adv[0], adv[1]);

    /* untruncated (rho_bar = c_bar = 4): rho = c = (0.5, 2)
     *   delta_1 = 2 * 2.8 = 5.6, v_1 = 6.6; delta_0 = 0.7, v_0 = 0.5 + 0.7 + 0.45 * 5.6 = 3.72
     *   adv_1 = 5.6; adv_0 = 0.5 * (1 + 0.9 * 6.6 - 0.5) = 3.22 */
    arc_vtrace(vs, adv, rewards, dones, values, bootstrap, log_rhos, 2, 1, 0.9f, 4.0f, 4.0f);
    cr_assert(CLOSE(vs[1], 6.6f) && CLOSE(vs[0], 3.72f), "vs %g %g", vs[0], vs[1]);
    cr_assert(CLOSE(adv[1], 5.6f) && CLOSE(adv[0], 3.22f), "adv %g %g", adv[0], adv[1]);
}

Test(vtrace, an_episode_end_cuts_the_trace)
{
    /* T = 2, N = 1, done at t = 0, pi/mu = (0.25, 1), gamma 0.9, r = (3, 1), V = (1, 2), V(s_2) = 5
     *   delta_1 = 1 + 4.5 - 2 = 3.5, v_1 = 5.5, adv_1 = 3.5
     *   delta_0 = 0.25 * (3 - 1) = 0.5, v_0 = 1.5 (nothing flows back), adv_0 = 0.5 */
    const float rewards[2] = {3, 1}, values[2] = {1, 2}, bootstrap[1] = {5};
    const uint8_t dones[2] = {1, 0};
    const float log_rhos[2] = {logf(0.25f), 0};
    float vs[2], adv[2];
    arc_vtrace(vs, adv, rewards, dones, values, bootstrap, log_rhos, 2, 1, 0.9f, 1.0f, 1.0f);
    cr_assert(CLOSE(vs[1], 5.5f) && CLOSE(vs[0], 1.5f), "vs %g %g", vs[0], vs[1]);
    cr_assert(CLOSE(adv[1], 3.5f) && CLOSE(adv[0], 0.5f), "adv %g %g", adv[0], adv[1]);
}

Test(vtrace, log_prob_is_a_stable_log_softmax)
{
    const float logits[3] = {1, 2, 3};
    double z = exp(1) + exp(2) + exp(3);
    for (int a = 0; a < 3; a++)
        cr_assert(fabs(arc_log_prob(logits, 3, a) - (logits[a] - log(z))) < 1e-6, "action %d", a);
    const float wide[2] = {0, -1000}; /* e^-1000 underflows; the log-probability must not */
    cr_assert(CLOSE(arc_log_prob(wide, 2, 1), -1000.0f), "%g", arc_log_prob(wide, 2, 1));
    cr_assert(CLOSE(arc_log_prob(wide, 2, 0), 0.0f));
}
