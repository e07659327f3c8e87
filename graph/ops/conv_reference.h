// What the float64 references of the conv-like ops (CONV_2D, DEPTHWISE_CONV_2D, TRANSPOSE_CONV,
// FULLY_CONNECTED) share: their operands {input, weights, bias or absent} read once with the output
// sized and zeroed, and the loop nest of the two gather-form window ops.
#pragma once
#include <span>
#include <vector>

#include "graph/op_registry.h"

namespace hetsched {

struct ConvReferenceOperands {
  const RefTensor& input;
  const std::vector<int>& weight_shape;  // the weights tensor's shape as the model has it
  const std::vector<double>& weights;
  std::span<const double> bias;  // empty when the op has none
  Shape4 out;                    // the output's 4D shape

  double bias_at(int o) const { return bias.empty() ? 0.0 : bias[size_t(o)]; }
};

// Reads inputs {input, weights, bias} of `op` and sets `output` to its shape, zero-filled.
ConvReferenceOperands conv_reference_operands(const Graph& graph, const Op& op, std::span<const RefTensor> inputs,
                                              RefTensor& output);

// out[b,y,x,o] = act(bias[o] + sum over the taps (ky, kx) that fall inside the input), where each tap
// calls tap(acc, pixel, ky, kx, o) with `pixel` the channels of input pixel
// (b, y*sh - pt + ky*dh, x*sw - pl + kx*dw). `a` holds the strides, dilations, pads and activation
// (CONV_2D's or DEPTHWISE_CONV_2D's attributes); the kernel is KH x KW.
template <typename A, typename Tap>
void gather_window_reference(const ConvReferenceOperands& r, const A& a, int KH, int KW, RefTensor& output, Tap tap) {
  const Shape4& is = r.input.shape;
  const Shape4& os = r.out;
  for (int b = 0; b < os.n; ++b)
    for (int y = 0; y < os.h; ++y)
      for (int x = 0; x < os.w; ++x)
        for (int o = 0; o < os.c; ++o) {
          double acc = r.bias_at(o);
          for (int ky = 0; ky < KH; ++ky) {
            const int iy = y * a.stride_h - a.pads.top + ky * a.dilation_h;
            if (iy < 0 || iy >= is.h) continue;
            for (int kx = 0; kx < KW; ++kx) {
              const int ix = x * a.stride_w - a.pads.left + kx * a.dilation_w;
              if (ix < 0 || ix >= is.w) continue;
              tap(acc, &r.input.data[((size_t(b) * is.h + iy) * is.w + ix) * size_t(is.c)], ky, kx, o);
            }
          }
          output.data[((size_t(b) * os.h + y) * os.w + x) * size_t(os.c) + size_t(o)] =
              apply_activation(a.activation, acc);
        }
}

}  // namespace hetsched
