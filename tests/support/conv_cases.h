// Random cases shared by the convolution tests (CONV_2D, DEPTHWISE_CONV_2D, the SIMD-target and
// Winograd tests): the fused activations, and the window attributes (strides, dilations, padding,
// activation) drawn the same way for every convolution.
#pragma once
#include <initializer_list>
#include <random>

#include "graph/graph.h"
#include "tests/support/general_op_harness.h"

namespace hetsched::test {

// Every activation a convolution can fuse.
inline constexpr std::initializer_list<Activation> kFusedActivations = {
    Activation::kNone, Activation::kRelu, Activation::kRelu6, Activation::kReluN1To1, Activation::kTanh,
    Activation::kSigmoid};

// Random stride (1-3), dilation (1-2, mostly 1), SAME/VALID padding and fused activation of a
// Conv2DAttributes or DepthwiseConv2DAttributes, drawn in that order.
template <class Attributes>
void random_window(std::mt19937_64& rng, Attributes& a) {
  a.stride_h = pick(rng, {1, 2, 3});
  a.stride_w = pick(rng, {1, 2, 3, a.stride_h});
  a.dilation_h = pick(rng, {1, 1, 2});
  a.dilation_w = pick(rng, {1, 1, 2});
  a.padding = pick(rng, {Padding::kSame, Padding::kValid});
  a.activation = pick(rng, kFusedActivations);
}

// False when a VALID window of kh x kw taps (dilated) does not fit an h x w input.
template <class Attributes>
bool window_fits(const Attributes& a, int kh, int kw, int h, int w) {
  return a.padding != Padding::kValid || ((kh - 1) * a.dilation_h + 1 <= h && (kw - 1) * a.dilation_w + 1 <= w);
}

}  // namespace hetsched::test
