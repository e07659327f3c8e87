// CONV_2D on PHWC4: an implicit GEMM over the input slices (cpu/gemm/conv_gemm.h, through the
// kernel shared with TRANSPOSE_CONV, gemm_conv_kernel.h).
#include "cpu/kernels/conv2d.h"

#include "cpu/kernels/gemm_conv_kernel.h"

namespace hetsched::cpu {

std::unique_ptr<CpuKernel> create_conv2d_kernel(const Graph& graph, const Op& op) {
  return create_gemm_conv_kernel(graph, op, conv_geometry(graph, op));
}

}  // namespace hetsched::cpu
