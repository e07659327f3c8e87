// CONV_2D on PHWC4: an implicit GEMM over the input slices (cpu/gemm/conv_gemm.h, through the
// kernel shared with TRANSPOSE_CONV, gemm_conv_kernel.h).
#include "cpu/kernels/conv2d.h"

#include "cpu/kernels/gemm_conv_kernel.h"

namespace hetsched::cpu {

std::unique_ptr<CpuKernel> create_conv2d_kernel(const Graph& graph, const Op& op) {
  const auto& a = op.attrs<Conv2DAttributes>();
  gemm::ConvGeometry g = gemm_geometry(graph, op, a);
  g.dilation_h = a.dilation_h;
  g.dilation_w = a.dilation_w;
  return create_gemm_conv_kernel(graph, op, g);
}

}  // namespace hetsched::cpu
