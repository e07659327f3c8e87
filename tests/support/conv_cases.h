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

// SAME-padded window attributes (Conv2DAttributes, DepthwiseConv2DAttributes) with equal strides,
// no dilation and a fused activation: the layers of the throughput tests.
template <class Attributes>
Attributes same_padded(int stride, Activation activation) {
  Attributes a;
  a.stride_h = a.stride_w = stride;
  a.padding = Padding::kSame;
  a.activation = activation;
  return a;
}

// A random convolution case of awkward shape. channels_a/channels_b: CONV_2D's input and output
// channels, DEPTHWISE_CONV_2D's channels and depth multiplier.
template <class Attributes>
struct ConvCase {
  int batch, h, w, channels_a, channels_b, kh, kw;
  Attributes a;
  bool bias;
};

// Draws, in this order: batch (1 or 2), h and w from the lists, the two channel counts, a kernel
// kh of 1, 2, 3 or 5 by kw (mostly square, else 1 or 3), the window (random_window), a bias two
// times in three; and draws again until the VALID window fits.
template <class Attributes>
ConvCase<Attributes> random_conv_case(std::mt19937_64& rng, std::initializer_list<int> heights,
                                      std::initializer_list<int> widths, std::initializer_list<int> channels_a,
                                      std::initializer_list<int> channels_b) {
  for (;;) {
    ConvCase<Attributes> c;
    c.batch = pick(rng, {1, 1, 2});
    c.h = pick(rng, heights);
    c.w = pick(rng, widths);
    c.channels_a = pick(rng, channels_a);
    c.channels_b = pick(rng, channels_b);
    c.kh = pick(rng, {1, 2, 3, 5});
    c.kw = pick(rng, {c.kh, c.kh, 1, 3});
    random_window(rng, c.a);
    c.bias = pick(rng, {true, true, false});
    if (window_fits(c.a, c.kh, c.kw, c.h, c.w)) return c;
  }
}

}  // namespace hetsched::test
