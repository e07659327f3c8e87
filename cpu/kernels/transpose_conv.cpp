// TRANSPOSE_CONV on PHWC4 in gather form, so that any output range can be computed alone:
//   out[y,x,o] = act(bias[o] + sum over taps with y + pt - ky = iy*sh, x + pl - kx = ix*sw of
//                in[iy,ix,:] . w[o,ky,kx,:])
// run as the packed GEMM of cpu/gemm/conv_gemm.h (per output row and column phase, a conv over
// consecutive input pixels), through the kernel shared with CONV_2D (gemm_conv_kernel.h).
#include "cpu/kernels/transpose_conv.h"

#include "cpu/kernels/gemm_conv_kernel.h"

namespace hetsched::cpu {

std::unique_ptr<CpuKernel> create_transpose_conv_kernel(const Graph& graph, const Op& op) {
  return create_gemm_conv_kernel(graph, op, conv_geometry(graph, op));
}

}  // namespace hetsched::cpu
