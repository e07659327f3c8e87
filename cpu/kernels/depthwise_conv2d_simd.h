// The SIMD inner loops of DEPTHWISE_CONV_2D with depth multiplier 1 on PHWC4 (Highway, dispatched
// at run time to AVX-512, AVX2+FMA, SSE4 or the portable fallback).
#pragma once

#include "graph/activation.h"
#include "graph/phwc4.h"

namespace hetsched::cpu {

// One depthwise conv (multiplier 1, pads already resolved). weights: [slice][KH][KW][4]; bias:
// [slice][4], zero-padded.
struct DepthwiseParams {
  Shape4 in, out;
  int kh = 1, kw = 1, stride_h = 1, stride_w = 1, dilation_h = 1, dilation_w = 1, pad_top = 0, pad_left = 0;
  Activation activation = Activation::kNone;
  const float* weights = nullptr;
  const float* bias = nullptr;
};

// Computes output slices and rows `range` of batch b (in/out: the whole PHWC4 tensors). Every
// output value is bias + the taps in ky-major order, each a multiply then an add (no FMA: the
// rounding of the previous kernel; with FMA, pose_landmark_full's [1,1] flag output drifted to
// 1.1e-4 from LiteRT, failing conformance on 1 seed in 30, at no measured speed gain), whichever
// register block or range it falls in: results do not depend on the range.
void depthwise_rows(const DepthwiseParams& p, const float* in, float* out, int b, const OutputRange& range);

}  // namespace hetsched::cpu
