// DEPTHWISE_CONV_2D's GPU kernel vs the float64 reference (and the CPU kernel) on random awkward
// shapes and depth multipliers, through the GPU op harness (whole, empty and partial ranges).
#include <fmt/format.h>
#include <gtest/gtest.h>

#include "tests/support/general_op_harness.h"
#include "tests/support/gpu_op_harness.h"

namespace hetsched {
namespace {

using test::pick;

TEST(DepthwiseConv2DGpu, RandomCasesMatchReference) {
  HETSCHED_SKIP_WITHOUT_GPU();
  auto rng = test::rng_for_current_test();
  test::ErrorSummary summary;
  for (int n = 0; n < 28;) {
    const int batch = pick(rng, {1, 1, 2});
    const int h = test::uniform_int(rng, 1, 13), w = test::uniform_int(rng, 1, 13);
    const int c = test::random_channels(rng), m = pick(rng, {1, 1, 2, 3});
    const int kh = pick(rng, {1, 3, 5}), kw = pick(rng, {kh, kh, 1, 3});
    DepthwiseConv2DAttributes a;
    a.depth_multiplier = m;
    a.stride_h = pick(rng, {1, 2, 3});
    a.stride_w = pick(rng, {1, 2, 3, a.stride_h});
    a.dilation_h = pick(rng, {1, 1, 2});
    a.dilation_w = pick(rng, {1, 1, 2});
    a.padding = pick(rng, {Padding::kSame, Padding::kValid});
    a.activation = pick(rng, {Activation::kNone, Activation::kRelu, Activation::kRelu6, Activation::kReluN1To1,
                              Activation::kTanh, Activation::kSigmoid});
    const bool bias = pick(rng, {true, true, false});
    if (a.padding == Padding::kValid && ((kh - 1) * a.dilation_h + 1 > h || (kw - 1) * a.dilation_w + 1 > w)) continue;
    ++n;
    SCOPED_TRACE(fmt::format("in [{},{},{},{}] k {}x{} multiplier {} stride {}x{} dilation {}x{} {} {} bias {}", batch,
                             h, w, c, kh, kw, m, a.stride_h, a.stride_w, a.dilation_h, a.dilation_w,
                             a.padding == Padding::kSame ? "SAME" : "VALID", to_string(a.activation), bias));
    test::GraphBuilder g("depthwise_gpu_random");
    const int x = g.input("x", {batch, h, w, c});
    const int wt = g.random_constant(rng, "w", {1, kh, kw, c * m});
    const int b = bias ? g.random_constant(rng, "b", {c * m}) : -1;
    g.add_op(OpType::kDepthwiseConv2D, {x, wt, b}, a);
    summary.add(test::check_gpu_op(g.graph(), rng));
    if (HasFailure()) break;
  }
  fmt::print("DEPTHWISE_CONV_2D GPU: {}\n", summary.to_string());
}

// MobileNet's depthwise layer: 3x3, stride 1 and 2, 32 channels, ReLU6.
TEST(DepthwiseConv2DGpu, MobileNetLayer) {
  HETSCHED_SKIP_WITHOUT_GPU();
  auto rng = test::rng_for_current_test();
  for (int stride : {1, 2}) {
    SCOPED_TRACE(fmt::format("stride {}", stride));
    test::GraphBuilder g("depthwise_gpu_mobilenet");
    DepthwiseConv2DAttributes a;
    a.padding = Padding::kSame;
    a.stride_h = a.stride_w = stride;
    a.activation = Activation::kRelu6;
    const int x = g.input("x", {1, 16, 16, 32});
    g.add_op(OpType::kDepthwiseConv2D,
             {x, g.random_constant(rng, "w", {1, 3, 3, 32}), g.random_constant(rng, "b", {32})}, a);
    const test::OpCheck r = test::check_gpu_op(g.graph(), rng);
    EXPECT_LT(r.rel_l2, test::kGpuDefaultMaxRelL2);
  }
}

}  // namespace
}  // namespace hetsched
