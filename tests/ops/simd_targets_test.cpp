// The Highway fast paths on every SIMD target compiled in and supported here (AVX-512, AVX2+FMA as
// on the GPU machine's Xeon, SSE4, SSSE3, the scalar fallback), not only the one dispatch picks:
// depthwise conv (both paths), Winograd conv and the elementwise loops vs the float64 reference,
// with partial ranges on poisoned buffers.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include "cpu/kernels/conv2d_winograd.h"
#include "tests/support/conv_cases.h"
#include "tests/support/op_check.h"
#include "tests/support/simd_targets.h"

namespace hetsched {
namespace {

Activation random_activation(std::mt19937_64& rng) { return test::pick(rng, test::kFusedActivations); }

void depthwise_cases(std::mt19937_64& rng, test::ErrorSummary& summary) {
  for (auto [h, w, c, k, stride, dil] : {std::tuple{5, 30, 7, 3, 1, 1}, {6, 57, 16, 5, 1, 1}, {7, 40, 9, 3, 2, 1},
                                         {4, 13, 5, 3, 1, 2}, {9, 26, 12, 5, 2, 1}, {3, 9, 4, 3, 1, 1},
                                         // 3x3 stride 1: row pairs read in place (odd heights, tails of
                                         // every vector size); stride 2 on odd widths: the vectorized phase copy
                                         {11, 37, 13, 3, 1, 1}, {8, 64, 16, 3, 1, 1}, {2, 19, 6, 3, 1, 1},
                                         {8, 61, 8, 3, 2, 1}, {9, 30, 4, 5, 2, 1},
                                         // small maps on the padded path: rows of 1-3 vectors plus an
                                         // overlapping tail vector (7, 14, 6, 5 wide), narrower than a vector
                                         // (3 wide: clipped on AVX-512, padded on AVX2), stride 2 down to 7
                                         {7, 7, 9, 5, 1, 1}, {7, 7, 13, 3, 1, 1}, {14, 14, 6, 5, 1, 1},
                                         {6, 6, 5, 3, 1, 1}, {5, 5, 8, 5, 1, 1}, {3, 3, 7, 3, 1, 1},
                                         {14, 14, 9, 5, 2, 1}, {7, 10, 4, 3, 1, 2}}) {
    DepthwiseConv2DAttributes a;
    a.stride_h = a.stride_w = stride;
    a.dilation_h = a.dilation_w = dil;
    a.padding = Padding::kSame;
    a.activation = random_activation(rng);
    SCOPED_TRACE(fmt::format("depthwise [1,{},{},{}] k {} stride {} dilation {} {}", h, w, c, k, stride, dil,
                             to_string(a.activation)));
    test::GraphBuilder g("dw_targets");
    const int x = g.input("x", {1, h, w, c});
    g.add_op(OpType::kDepthwiseConv2D,
             {x, g.random_constant(rng, "w", {1, k, k, c}), g.random_constant(rng, "b", {c})}, a);
    test::OpCheckOptions o;
    o.partial_ranges = 12;  // single rows and odd row counts (the in-place and padded row pairs' last row)
    summary.add(test::check_op(test::Executor::kCpu, g.graph(), rng, o));
  }
}

void winograd_cases(std::mt19937_64& rng, test::ErrorSummary& summary) {
  for (auto [h, w, ic, oc, pad] : {std::tuple{7, 9, 5, 13, Padding::kSame}, {10, 19, 17, 40, Padding::kSame},
                                   {6, 6, 8, 3, Padding::kValid}, {3, 35, 12, 24, Padding::kSame}}) {
    Conv2DAttributes a;
    a.padding = pad;
    a.activation = random_activation(rng);
    SCOPED_TRACE(fmt::format("winograd [1,{},{},{}] out {} {}", h, w, ic, oc, to_string(a.activation)));
    test::GraphBuilder g("winograd_targets");
    const int x = g.input("x", {1, h, w, ic});
    g.add_op(OpType::kConv2D, {x, g.random_constant(rng, "w", {oc, 3, 3, ic}), g.random_constant(rng, "b", {oc})}, a);
    test::OpCheckOptions o;
    o.make_kernel = cpu::create_conv2d_winograd_kernel;
    o.abs_floor = 1e-6;
    summary.add(test::check_op(test::Executor::kCpu, g.graph(), rng, o));
  }
}

void elementwise_cases(std::mt19937_64& rng, test::ErrorSummary& summary) {
  for (OpType t : {OpType::kLogistic, OpType::kTanh, OpType::kHardSwish}) {
    SCOPED_TRACE(to_string(t));
    test::GraphBuilder g("unary_targets");
    const int x = g.input("x", {1, 5, 11, 7});
    g.add_op(t, {x}, NoAttributes{});
    test::OpCheckOptions o;
    o.input_lo = -8.0;
    o.input_hi = 8.0;
    summary.add(test::check_op(test::Executor::kCpu, g.graph(), rng, o));
  }
  for (OpType t : {OpType::kAdd, OpType::kMul, OpType::kPrelu}) {
    for (const std::vector<int>& sb : {std::vector<int>{1, 5, 11, 9}, std::vector<int>{1, 1, 1, 9}}) {
      SCOPED_TRACE(fmt::format("{} b {}", to_string(t), test::shape_str(sb)));
      test::GraphBuilder g("binary_targets");
      const int x = g.input("x", {1, 5, 11, 9});
      const int y = g.random_constant(rng, "y", sb);
      OpAttributes attrs = NoAttributes{};
      if (t != OpType::kPrelu) attrs = BinaryAttributes{Activation::kRelu6};
      g.add_op(t, {x, y}, attrs);
      summary.add(test::check_op(test::Executor::kCpu, g.graph(), rng));
    }
  }
}

TEST(SimdTargets, FastPathsMatchReferenceOnEveryTarget) {
  auto rng = test::make_rng(31);
  test::for_each_simd_target(test::OnFailure::kStop, [&](const char* target) {
    test::ErrorSummary summary;
    depthwise_cases(rng, summary);
    winograd_cases(rng, summary);
    elementwise_cases(rng, summary);
    fmt::print("{}: {}\n", target, summary.to_string());
  });
}

}  // namespace
}  // namespace hetsched
