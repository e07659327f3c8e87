// A conv-like op (CONV_2D, FULLY_CONNECTED, TRANSPOSE_CONV) with two implementations where the device
// has cooperative matrices: its tuned shader (conv2d.comp and kin) and the tensor-core kernel
// (conv2d_coopmat.comp). Workgroup tuning times both kernels' candidates and keeps the faster
// (WorkgroupSize::kernel says which); untuned, the shader runs. create_gpu_kernel builds it from the
// kernel table's row (GpuKernelEntry::tensor_cores). At batch 1 neither wins everywhere:
// tensor cores on layers with many pixels, the shader (or its split-K) on small maps with long
// reductions (bench/results/coopmat_h100_*).
#pragma once
#include <memory>

#include "gpu/gpu_kernel.h"

namespace hetsched::gpu {

// `shader` alone when `tensor_cores` is null (no cooperative matrices, or the op does not fit them),
// `tensor_cores` alone when `shader` is null, else a kernel that holds both (two descriptor sets,
// both weight copies) and records the one tuning picked. HETSCHED_TENSOR_CORES_ONLY=1: `tensor_cores`
// alone wherever it exists (gpu/coopmat_support.h).
std::unique_ptr<GpuKernel> with_tensor_core_choice(std::unique_ptr<GpuKernel> tensor_cores,
                                                   std::unique_ptr<GpuKernel> shader);

}  // namespace hetsched::gpu
