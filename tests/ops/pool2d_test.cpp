// Tests of AVERAGE_POOL_2D (padding excluded from the count) and MAX_POOL_2D: strides 1-3, SAME and
// VALID, global windows, fused activations; CPU kernel vs the float64 reference, partial ranges.
#include <gtest/gtest.h>

#include <fmt/format.h>

#include "graph/error.h"
#include "tests/support/general_op_harness.h"

namespace hetsched {
namespace {

using test::pick;

void run_pool_cases(OpType type) {
  std::mt19937_64 rng = test::rng_for_current_test();
  test::ErrorSummary summary;
  for (int trial = 0; trial < 60; ++trial) {
    const int n = test::random_batch(rng), h = test::random_spatial(rng), w = test::random_spatial(rng);
    const int c = test::random_channels(rng);
    Pool2DAttributes a;
    const bool global = trial % 6 == 0;
    a.filter_h = global ? h : test::uniform_int(rng, 1, 4);
    a.filter_w = global ? w : test::uniform_int(rng, 1, 4);
    a.stride_h = global ? 1 : test::uniform_int(rng, 1, 3);
    a.stride_w = global ? 1 : test::uniform_int(rng, 1, 3);
    a.padding = pick(rng, {Padding::kSame, Padding::kValid});
    if (a.padding == Padding::kValid && (a.filter_h > h || a.filter_w > w)) a.padding = Padding::kSame;
    // Explicit VALID pads (kept by shape inference, as for convolutions) in some cases.
    if (a.padding == Padding::kValid && !global && test::uniform_int(rng, 0, 3) == 0)
      a.pads = {test::uniform_int(rng, 0, 1), test::uniform_int(rng, 0, 1), test::uniform_int(rng, 0, 1),
                test::uniform_int(rng, 0, 1)};
    a.activation = pick(rng, {Activation::kNone, Activation::kRelu, Activation::kRelu6});
    test::GraphBuilder b;
    const int x = b.input("x", {n, h, w, c});
    b.add_op(type, {x}, a);
    SCOPED_TRACE(fmt::format("{} [{},{},{},{}] filter {}x{} stride {}x{} {} pads {}/{}/{}/{} act {}", to_string(type),
                             n, h, w, c, a.filter_h, a.filter_w, a.stride_h, a.stride_w,
                             a.padding == Padding::kSame ? "SAME" : "VALID", a.pads.top, a.pads.bottom, a.pads.left,
                             a.pads.right, to_string(a.activation)));
    const test::OpCheck r = test::check_cpu_op(b.graph(), rng);
    summary.add(r);
    if (global && a.padding == Padding::kValid) {
      EXPECT_EQ(r.output_shape, (Shape4{n, 1, 1, c}));
    }
  }
  std::printf("%s\n", summary.to_string().c_str());
}

TEST(Pool2D, Average) { run_pool_cases(OpType::kAveragePool2D); }
TEST(Pool2D, Max) { run_pool_cases(OpType::kMaxPool2D); }

// The selfie model's SE blocks: global averages over up to 128x128 windows.
TEST(Pool2D, LargeGlobalAverage) {
  std::mt19937_64 rng = test::rng_for_current_test();
  for (int size : {32, 128}) {
    test::GraphBuilder b;
    const int x = b.input("x", {1, size, size, 6});
    Pool2DAttributes a;
    a.filter_h = a.filter_w = size;
    b.add_op(OpType::kAveragePool2D, {x}, a);
    test::OpCheckOptions opt;
    opt.input_lo = 0.0;  // post-ReLU activations
    opt.input_hi = 4.0;
    SCOPED_TRACE(fmt::format("global {}x{}", size, size));
    const test::OpCheck r = test::check_cpu_op(b.graph(), rng, opt);
    std::printf("global %dx%d average: relative L2 %.3g, max-abs %.3g\n", size, size, r.rel_l2, r.max_abs);
  }
}

TEST(Pool2D, SamePadsFollowTfLite) {
  test::GraphBuilder b;
  const int x = b.input("x", {1, 7, 8, 3});
  Pool2DAttributes a;
  a.filter_h = a.filter_w = 3;
  a.stride_h = a.stride_w = 2;
  a.padding = Padding::kSame;
  b.add_op(OpType::kMaxPool2D, {x}, a);
  infer_shapes(b.graph());
  const Op& op = b.graph().ops[0];
  EXPECT_EQ(b.graph().tensors[size_t(op.outputs[0])].shape, (std::vector<int>{1, 4, 4, 3}));
  // H: out 4, total (4-1)*2+3-7 = 2 -> 1/1; W: total (4-1)*2+3-8 = 1 -> 0/1 (extra at the end).
  EXPECT_EQ(op.attrs<Pool2DAttributes>().pads, (Padding2D{1, 1, 0, 1}));
}

TEST(Pool2D, AverageExcludesPaddingFromTheCount) {
  test::GraphBuilder b;
  const int x = b.input("x", {1, 3, 3, 1});
  Pool2DAttributes a;
  a.filter_h = a.filter_w = 3;
  a.padding = Padding::kSame;
  b.add_op(OpType::kAveragePool2D, {x}, a);
  std::mt19937_64 rng = test::rng_for_current_test();
  test::OpCheckOptions opt;
  opt.make_input = [](int, const Shape4& s, std::mt19937_64&) { return std::vector<double>(s.elements(), 1.0); };
  const test::OpCheck r = test::check_cpu_op(b.graph(), rng, opt);
  EXPECT_EQ(r.max_abs, 0.0);  // every window averages ones only: 1 everywhere, corners included
}

TEST(Pool2D, RejectsWindowLargerThanValidInput) {
  test::GraphBuilder b;
  const int x = b.input("x", {1, 3, 3, 2});
  Pool2DAttributes a;
  a.filter_h = a.filter_w = 4;
  a.padding = Padding::kValid;
  b.add_op(OpType::kAveragePool2D, {x}, a);
  EXPECT_THROW(infer_shapes(b.graph()), Error);
}

}  // namespace
}  // namespace hetsched
