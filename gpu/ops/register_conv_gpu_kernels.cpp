// Registers the GPU kernels of the conv-like ops.
#include "gpu/gpu_kernel.h"

namespace hetsched::gpu {
void register_conv_gpu_kernels(GpuKernelFactory* /*table*/) {}
}  // namespace hetsched::gpu
