/* test_returns.c — n-step returns and advantages against hand-computed values. */
#include <criterion/criterion.h>
#include <math.h>

#include "../agent/returns.h"

#define CLOSE(a, b) (fabsf((a) - (b)) < 1e-6f)

Test(returns, backup_without_episode_ends)
{
    /* T = 3, N = 1, gamma 0.5: R2 = 1 + 0.5*8 = 5, R1 = 0 + 0.5*5 = 2.5, R0 = 2 + 1.25 */
    const float rewards[3] = {2, 0, 1}, bootstrap[1] = {8};
    const uint8_t dones[3] = {0, 0, 0};
    float r[3];
    arc_nstep_returns(r, rewards, dones, bootstrap, 3, 1, 0.5f);
    cr_assert(CLOSE(r[2], 5) && CLOSE(r[1], 2.5f) && CLOSE(r[0], 3.25f), "%g %g %g", r[0], r[1], r[2]);
}

Test(returns, episode_end_cuts_the_backup_per_env)
{
    /* T = 3, N = 2 (time-major). env 0 ends at t = 1; env 1 never ends. gamma 0.9 */
    const float rewards[6] = {1, 0, 1, 0, 1, 1}, bootstrap[2] = {10, 10};
    const uint8_t dones[6] = {0, 0, 1, 0, 0, 0};
    float r[6];
    arc_nstep_returns(r, rewards, dones, bootstrap, 3, 2, 0.9f);
    /* env 0: R2 = 1 + 9 = 10; R1 = 1 (done); R0 = 1 + 0.9 */
    cr_assert(CLOSE(r[4], 10) && CLOSE(r[2], 1) && CLOSE(r[0], 1.9f));
    /* env 1: R2 = 1 + 9 = 10; R1 = 0 + 9 = 9; R0 = 0 + 8.1 */
    cr_assert(CLOSE(r[5], 10) && CLOSE(r[3], 9) && CLOSE(r[1], 8.1f));
}

Test(returns, advantages_subtract_values)
{
    const float ret[3] = {1, 2, 3}, val[3] = {0.5f, 2, 4};
    float adv[3];
    arc_advantages(adv, ret, val, 3);
    cr_assert(CLOSE(adv[0], 0.5f) && CLOSE(adv[1], 0) && CLOSE(adv[2], -1));
}
