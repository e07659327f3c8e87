// A convolution computed as an implicit GEMM straight over PHWC4 input slices (no im2col): the
// M dimension is output pixels, N output channels (packed weight panels of 32, packed_panels.h),
// K the taps x input channels. Shared by CONV_2D, FULLY_CONNECTED (a 1x1 conv over pixels) and
// TRANSPOSE_CONV (in gather form: per output row and column phase, a conv over consecutive input
// pixels with the taps of that phase).
// run() computes any range of output slices and rows of every batch, and every output value is
// computed by the same operations in the same order whatever the range or the register tile it
// falls in (bias, then FMA over taps ky, kx, input slices, lanes), so results do not depend on
// how an op is split. The SIMD code is dispatched at run time (conv_gemm_simd.cpp).
#pragma once
#include <span>

#include "cpu/gemm/packed_panels.h"
#include "graph/activation.h"
#include "graph/ops/conv_geometry.h"
#include "graph/phwc4.h"

namespace hetsched::cpu::gemm {

using ConvGeometry = hetsched::ConvGeometry;  // graph/ops/conv_geometry.h

// Applied at the store, after the fused activation, instead of passes over the output afterwards
// (the op's residual epilogue step and a following PRELU, cpu/executor.h): out =
// prelu(operand_activation(activation(acc) + operand)), each part optional, in that order with the
// same float operations as the passes, so the values are the same.
struct StoreOps {
  const float* operand = nullptr;  // PHWC4 of the output's shape (batch 0), read at the output's elements
  Activation operand_activation = Activation::kNone;  // clamp activations only (NONE, RELU, RELU6, RELU_N1_TO_1)
  const float* alpha = nullptr;    // PRELU alphas per output channel, padded to whole panels (pack_panel_bias)
};

class ConvGemm {
 public:
  // `ohwi`: weights [out channels][kh][kw][in channels]; `bias`: out channels values or empty.
  ConvGemm(const ConvGeometry& geometry, std::span<const float> ohwi, std::span<const float> bias);

  // Computes output slices and rows of `range` of every batch of `out` (PHWC4) from `in` (PHWC4).
  void run(const float* in, float* out, const OutputRange& range, const StoreOps& store = {}) const;

  const ConvGeometry& geometry() const { return g_; }
  const PackedPanels& weights() const { return weights_; }
  const float* bias() const { return bias_.get(); }
  // 1x1, stride 1, unpadded, same size: the pixels of a row range are one contiguous run.
  bool flat() const { return flat_; }

 private:
  ConvGeometry g_;
  bool flat_ = false;
  PackedPanels weights_;
  hwy::AlignedFreeUniquePtr<float[]> bias_{nullptr, hwy::AlignedFreer()};
};

}  // namespace hetsched::cpu::gemm
