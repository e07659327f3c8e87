// The CPU kernel shared by CONV_2D and TRANSPOSE_CONV: the packed implicit GEMM of
// cpu/gemm/conv_gemm.h over the op's data input, weights packed into micro-kernel panels once, at
// creation. Each op only says its geometry.
#pragma once
#include <memory>

#include "cpu/gemm/conv_gemm.h"
#include "cpu/kernel.h"

namespace hetsched::cpu {

// The fields CONV_2D and TRANSPOSE_CONV share (shapes, kernel size from the O-KH-KW-I weights,
// strides, resolved pads, activation); the op sets the rest (dilation, transposed).
template <class Attributes>
gemm::ConvGeometry gemm_geometry(const Graph& graph, const Op& op, const Attributes& a) {
  const Tensor& wt = graph.tensors[size_t(op.inputs[1])];
  gemm::ConvGeometry g;
  g.in = graph.tensors[size_t(op.inputs[0])].shape4();
  g.out = graph.tensors[size_t(op.outputs[0])].shape4();
  g.kh = wt.shape[1];
  g.kw = wt.shape[2];
  g.stride_h = a.stride_h;
  g.stride_w = a.stride_w;
  g.pad_top = a.pads.top;
  g.pad_left = a.pads.left;
  g.activation = a.activation;
  return g;
}

// The kernel of `op` (inputs: data, O-KH-KW-I weights, optional bias at position 2) with `geometry`.
std::unique_ptr<CpuKernel> create_gemm_conv_kernel(const Graph& graph, const Op& op, const gemm::ConvGeometry& geometry);

}  // namespace hetsched::cpu
