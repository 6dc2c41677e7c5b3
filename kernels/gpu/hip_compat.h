/* hip_compat.h — one spelling (HIP's) for the GPU code, on AMD and on NVIDIA.
 *
 * hipcc (AMD) gets the real HIP runtime. nvcc (`-x cu`) gets the handful of hip* names the
 * kernels use, mapped onto the CUDA runtime: Debian's own HIP-on-NVIDIA headers are too
 * old for CUDA 13, and this list is short enough to keep by hand. Add a name here when a
 * .hip file starts using it. Also what every .hip file shares: the error check, the block
 * size chosen from the warp size, the grid-stride loop and a shared-memory block sum.
 */
#ifndef ARC_HIP_COMPAT_H
#define ARC_HIP_COMPAT_H

#if defined(__HIPCC__) || defined(__HIP__)
#include <hip/hip_runtime.h>
#elif defined(__CUDACC__)
#include <cuda_runtime.h>
typedef cudaError_t hipError_t;
typedef cudaDeviceProp hipDeviceProp_t;
#define hipSuccess cudaSuccess
#define hipGetErrorString cudaGetErrorString
#define hipGetLastError cudaGetLastError
#define hipGetDeviceCount cudaGetDeviceCount
#define hipSetDevice cudaSetDevice
#define hipGetDeviceProperties cudaGetDeviceProperties
#define hipDeviceSynchronize cudaDeviceSynchronize
#define hipMalloc cudaMalloc
#define hipFree cudaFree
#define hipMemset cudaMemset
#define hipMemcpy cudaMemcpy
#define hipMemcpyHostToDevice cudaMemcpyHostToDevice
#define hipMemcpyDeviceToHost cudaMemcpyDeviceToHost
#define hipMemcpyDeviceToDevice cudaMemcpyDeviceToDevice
#else
#error "kernels/gpu/*.hip must be compiled by hipcc or by nvcc -x cu"
#endif

#include <stdio.h>
#include <stdlib.h>

/* Aborts with file:line and the runtime's message: a failing GPU call is a bug here
 * (device presence is checked once, in arc_gpu_open, which reports instead). */
#define ARC_GPU_CHECK(call)                                                           \
    do {                                                                              \
        hipError_t arc_gpu_err_ = (call);                                             \
        if (arc_gpu_err_ != hipSuccess) {                                             \
            fprintf(stderr, "%s:%d: %s failed: %s\n", __FILE__, __LINE__, #call,      \
                    hipGetErrorString(arc_gpu_err_));                                 \
            abort();                                                                  \
        }                                                                             \
    } while (0)

#define ARC_GPU_LAUNCHED() ARC_GPU_CHECK(hipGetLastError())

/* Threads per block for 1-D kernels: set by arc_gpu_open from the device's warp size
 * (a multiple of it, a power of two); defined in device.hip. */
extern int arc_gpu_threads;

/* Blocks for a grid-stride loop over n items. */
static inline int arc_gpu_blocks(size_t n)
{
    size_t b = (n + (size_t)arc_gpu_threads - 1) / (size_t)arc_gpu_threads;
    if (b < 1) b = 1;
    if (b > 4096) b = 4096;
    return (int)b;
}

/* for (i = this thread; i < n; i += all threads): a grid-stride loop */
#define GRID_STRIDE(i, n) \
    for (size_t i = (size_t)blockIdx.x * blockDim.x + threadIdx.x; i < (n); i += (size_t)gridDim.x * blockDim.x)

/* Tree reduction of one value per thread in shared memory; blockDim.x a power of two.
 * Returns the block's sum in thread 0. */
static __device__ inline float block_sum(float v, float *shared)
{
    shared[threadIdx.x] = v;
    __syncthreads();
    for (unsigned s = blockDim.x / 2; s > 0; s /= 2) {
        if (threadIdx.x < s) shared[threadIdx.x] += shared[threadIdx.x + s];
        __syncthreads();
    }
    return shared[0];
}

#endif
