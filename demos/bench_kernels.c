/* bench_kernels.c — `arcade bench kernels [--json] [--seconds S] [--backends LIST]`:
 * forward and forward+backward throughput of the MinAtar network at k = 1 and k = 4 and
 * batch sizes 1, 32 and 256 on each available backend, in samples/s and achieved
 * GFLOP/s, beside the OpenBLAS sgemm rate measured in the same run (the one-core ceiling).
 *
 * FLOPs are the network's GEMM work (multiply-add = 2; net.h's plan): forward per
 * observation, and forward+backward = forward + weight gradients + input gradients of
 * every layer but the first. Each cell runs for about S seconds (at least one iteration)
 * after one warm-up iteration; the network has C = 4 input channels (Breakout, Asterix)
 * and random 0/1 observations. One thread; OpenBLAS single-threaded.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../common/rng.h"
#include "../kernels/net.h"
#include "commands.h"

#define BENCH_CHANNELS 4

typedef struct Cell {
    const char *backend;
    float k;
    int batch;
    double fwd_sps, fwd_gflops, fb_sps, fb_gflops, fwd_flops, fb_flops;
} Cell;

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* iterations per second of forward (and backward when with_backward) */
static double time_loop(ArcNet *net, const uint8_t *obs, const float *dout, int B, bool with_backward,
                        double seconds)
{
    arc_net_forward(net, obs, B); /* warm-up */
    if (with_backward) arc_net_backward(net, dout, B);
    arc_be_sync(net->be);
    long iters = 0;
    double t0 = now_seconds(), t;
    do {
        arc_net_forward(net, obs, B);
        if (with_backward) arc_net_backward(net, dout, B);
        iters++;
        if (iters % 4 == 0 || seconds <= 0) arc_be_sync(net->be);
        t = now_seconds() - t0;
    } while (t < seconds);
    arc_be_sync(net->be);
    t = now_seconds() - t0;
    return (double)iters / t;
}

static int bench_cell(Cell *cell, ArcBackend *be, float k, int B, double seconds, ArcErr *err)
{
    ArcNetConfig cfg;
    arc_net_config_minatar(&cfg, BENCH_CHANNELS, ARC_HEAD_A3C, k);
    ArcNet *net = arc_net_init(&cfg, be, B, 1, err);
    if (!net) return ARC_ERR_ARG;
    ArcRng rng;
    arc_rng_seed(&rng, 7);
    size_t nobs = (size_t)B * BENCH_CHANNELS * 100, nout = (size_t)B * net->plan.out_dim;
    uint8_t *obs = arc_xmalloc(nobs);
    for (size_t i = 0; i < nobs; i++) obs[i] = arc_rng_uniform(&rng) < 0.2 ? 1 : 0;
    float *host_dout = arc_xmalloc(nout * sizeof(float));
    for (size_t i = 0; i < nout; i++) host_dout[i] = (float)(arc_rng_uniform(&rng) - 0.5) * 0.01f;
    float *dout = arc_be_alloc(be, nout * sizeof(float));
    arc_be_upload(be, dout, host_dout, nout * sizeof(float));

    cell->backend = arc_backend_name(be);
    cell->k = k;
    cell->batch = B;
    cell->fwd_flops = net->plan.flops_forward;
    cell->fb_flops = net->plan.flops_forward + net->plan.flops_backward;
    double fwd_ips = time_loop(net, obs, dout, B, false, seconds);
    double fb_ips = time_loop(net, obs, dout, B, true, seconds);
    cell->fwd_sps = fwd_ips * B;
    cell->fb_sps = fb_ips * B;
    cell->fwd_gflops = cell->fwd_sps * cell->fwd_flops * 1e-9;
    cell->fb_gflops = cell->fb_sps * cell->fb_flops * 1e-9;

    arc_be_free(be, dout);
    free(host_dout);
    free(obs);
    arc_net_free(net);
    return ARC_OK;
}

static void usage(FILE *out)
{
    fprintf(out, "usage: arcade bench kernels [--json] [--seconds S] [--backends cpu_ref,cpu,gpu]\n"
                 "  --seconds S    time per measurement (default 0.25; the table takes ~24 x S + ref time)\n"
                 "  --backends L   comma-separated subset of cpu_ref, cpu, gpu (default: all available)\n"
                 "  --json         one JSON object instead of the table\n");
}

int arc_bench_kernels(int argc, char **argv)
{
    bool json = false;
    double seconds = 0.25;
    char backends[64] = "cpu_ref,cpu,gpu";
    bool explicit_backends = false;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--json") == 0) {
            json = true;
        } else if (strcmp(argv[i], "--seconds") == 0 && i + 1 < argc) {
            char *end = NULL;
            seconds = strtod(argv[++i], &end);
            if (end == argv[i] || *end != '\0' || !(seconds > 0 && seconds <= 60)) {
                fprintf(stderr, "arcade bench kernels: --seconds '%s': expected a number in (0, 60]\n", argv[i]);
                return 2;
            }
        } else if (strcmp(argv[i], "--backends") == 0 && i + 1 < argc) {
            snprintf(backends, sizeof backends, "%s", argv[++i]);
            explicit_backends = true;
        } else if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            usage(stdout);
            return 0;
        } else {
            fprintf(stderr, "arcade bench kernels: unknown flag or missing value '%s' "
                            "(expected --json, --seconds S, --backends LIST)\n", argv[i]);
            return 2;
        }
    }

    ArcBackend *list[3];
    int nbe = 0;
    for (char *save = NULL, *name = strtok_r(backends, ",", &save); name; name = strtok_r(NULL, ",", &save)) {
        ArcErr err = {{0}};
        ArcBackend *be = arc_backend_find(name, &err);
        if (be && nbe < 3) {
            list[nbe++] = be;
        } else if (strcmp(name, "gpu") == 0) {
            /* the one-line notice; callers fall back to the CPU backends */
            fprintf(stderr, "arcade bench kernels: gpu backend unavailable, %s: %s\n",
                    explicit_backends ? "stopping" : "measuring the CPU backends only", err.msg);
            if (explicit_backends) return 1;
        } else {
            fprintf(stderr, "arcade bench kernels: --backends: %s\n",
                    err.msg[0] ? err.msg : "at most 3 backends (cpu_ref, cpu, gpu)");
            return 2;
        }
    }

    double sgemm = arc_backend_cpu_sgemm_gflops(512, seconds < 0.5 ? 0.5 : seconds);
    const float ks[2] = {1.0f, 4.0f};
    const int batches[3] = {1, 32, 256};
    Cell cells[3 * 2 * 3];
    int ncell = 0;
    if (!json) {
        printf("sgemm ceiling (OpenBLAS, 1 thread, 512x512x512): %.1f GFLOP/s\n", sgemm);
        for (int b = 0; b < nbe; b++) printf("%-8s %s\n", arc_backend_name(list[b]), arc_backend_describe(list[b]));
        printf("network: MinAtar conv-dense, C=%d, A3C head; %.2f s per measurement\n", BENCH_CHANNELS, seconds);
        printf("%-8s %4s %6s %14s %10s %14s %10s %9s\n", "backend", "k", "batch", "fwd samples/s", "fwd GF/s",
               "f+b samples/s", "f+b GF/s", "f+b/sgemm");
    }
    for (int b = 0; b < nbe; b++)
        for (int ki = 0; ki < 2; ki++)
            for (int bi = 0; bi < 3; bi++) {
                ArcErr err = {{0}};
                Cell *c = &cells[ncell];
                if (bench_cell(c, list[b], ks[ki], batches[bi], seconds, &err) != ARC_OK) {
                    fprintf(stderr, "arcade bench kernels: %s\n", err.msg);
                    return 1;
                }
                ncell++;
                if (!json) {
                    printf("%-8s %4g %6d %14.0f %10.2f %14.0f %10.2f %8.1f%%\n", c->backend, (double)c->k,
                           c->batch, c->fwd_sps, c->fwd_gflops, c->fb_sps, c->fb_gflops,
                           100.0 * c->fb_gflops / sgemm);
                    fflush(stdout);
                }
            }
    if (json) {
        printf("{\"sgemm_gflops\": %.3f, \"channels\": %d, \"seconds_per_measurement\": %.3f, \"results\": [",
               sgemm, BENCH_CHANNELS, seconds);
        for (int i = 0; i < ncell; i++) {
            const Cell *c = &cells[i];
            printf("%s\n  {\"backend\": \"%s\", \"k\": %g, \"batch\": %d, "
                   "\"forward_flops_per_sample\": %.0f, \"forward_backward_flops_per_sample\": %.0f, "
                   "\"forward_samples_per_second\": %.1f, \"forward_gflops\": %.3f, "
                   "\"forward_backward_samples_per_second\": %.1f, \"forward_backward_gflops\": %.3f, "
                   "\"forward_backward_fraction_of_sgemm\": %.4f}",
                   i ? "," : "", c->backend, (double)c->k, c->batch, c->fwd_flops, c->fb_flops, c->fwd_sps,
                   c->fwd_gflops, c->fb_sps, c->fb_gflops, c->fb_gflops / sgemm);
        }
        printf("\n]}\n");
    }
    return 0;
}
