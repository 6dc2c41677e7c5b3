/* clock.h — monotonic wall-clock seconds, for benchmarks and progress. */
#ifndef ARC_CLOCK_H
#define ARC_CLOCK_H

#include <time.h>

static inline double arc_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

#endif
