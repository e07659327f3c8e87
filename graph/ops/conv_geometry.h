// ConvGeometry: the window of a CONV_2D or TRANSPOSE_CONV op as the implicit-GEMM kernels see it
// (the CPU's packed GEMM, cpu/gemm/conv_gemm.h, and the GPU's cooperative-matrix kernel).
#pragma once
#include "graph/activation.h"
#include "graph/graph.h"
#include "graph/phwc4.h"

namespace hetsched {

struct ConvGeometry {
  Shape4 in, out;
  int kh = 1, kw = 1;
  int stride_h = 1, stride_w = 1;
  int dilation_h = 1, dilation_w = 1;
  int pad_top = 0, pad_left = 0;  // resolved TFLite padding (PAD already folded in)
  Activation activation = Activation::kNone;
  bool transposed = false;  // TRANSPOSE_CONV: out[y,x] gathers in[iy,ix] with y + pad_top = iy*stride_h + ky
};

// Of a CONV_2D (with its dilations) or a TRANSPOSE_CONV (transposed) op: its shapes, the window of
// its O-KH-KW-I weights (input 1), strides, resolved top-left padding and fused activation.
ConvGeometry conv_geometry(const Graph& graph, const Op& op);

}  // namespace hetsched
