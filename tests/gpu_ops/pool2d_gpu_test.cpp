// GPU tests of AVERAGE_POOL_2D and MAX_POOL_2D (pool2d.comp): strides 1-3, SAME and VALID (with
// explicit VALID pads), global windows (the selfie SE blocks' 16x16 .. 128x128 ones at a modest size),
// fused activations; reference vs CPU vs GPU, partial ranges on poisoned buffers.
#include <gtest/gtest.h>

#include <fmt/format.h>

#include "tests/support/general_op_harness.h"
#include "tests/support/gpu_op_harness.h"

namespace hetsched {
namespace {

using test::pick;

void run_pool_cases(OpType type, int trials) {
  std::mt19937_64 rng = test::rng_for_current_test();
  test::ErrorSummary summary;
  for (int trial = 0; trial < trials; ++trial) {
    const int n = test::random_batch(rng), h = test::uniform_int(rng, 1, 13), w = test::uniform_int(rng, 1, 13);
    const int c = test::random_channels(rng);
    Pool2DAttributes a;
    const bool global = trial % 5 == 0;
    a.filter_h = global ? h : test::uniform_int(rng, 1, 4);
    a.filter_w = global ? w : test::uniform_int(rng, 1, 4);
    a.stride_h = global ? 1 : test::uniform_int(rng, 1, 3);
    a.stride_w = global ? 1 : test::uniform_int(rng, 1, 3);
    a.padding = global ? Padding::kValid : pick(rng, {Padding::kSame, Padding::kValid});
    if (a.padding == Padding::kValid && (a.filter_h > h || a.filter_w > w)) a.padding = Padding::kSame;
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
    const test::OpCheck r = test::check_gpu_op(b.graph(), rng);
    summary.add(r);
    if (global) {
      EXPECT_EQ(r.output_shape, (Shape4{n, 1, 1, c}));
    }
  }
  std::printf("%s\n", summary.to_string().c_str());
}

TEST(Pool2DGpu, Average) {
  HETSCHED_SKIP_WITHOUT_GPU();
  run_pool_cases(OpType::kAveragePool2D, 20);
}
TEST(Pool2DGpu, Max) {
  HETSCHED_SKIP_WITHOUT_GPU();
  run_pool_cases(OpType::kMaxPool2D, 20);
}

// A large global average (the selfie SE block shape at 48x48, 16 channels): the float sum stays
// within tolerance of the float64 reference, also for inputs with a large common offset.
TEST(Pool2DGpu, LargeGlobalAverage) {
  HETSCHED_SKIP_WITHOUT_GPU();
  std::mt19937_64 rng = test::rng_for_current_test();
  test::GraphBuilder b;
  const int x = b.input("x", {1, 48, 48, 16});
  Pool2DAttributes a;
  a.filter_h = a.filter_w = 48;
  b.add_op(OpType::kAveragePool2D, {x}, a);
  test::OpCheckOptions opt;
  opt.input_lo = 2.0;
  opt.input_hi = 4.0;
  const test::OpCheck r = test::check_gpu_op(b.graph(), rng, opt);
  EXPECT_EQ(r.output_shape, (Shape4{1, 1, 1, 16}));
}

TEST(Pool2DGpu, AverageExcludesPaddingFromTheCount) {
  HETSCHED_SKIP_WITHOUT_GPU();
  test::GraphBuilder b;
  const int x = b.input("x", {1, 5, 4, 3});
  Pool2DAttributes a;
  a.filter_h = a.filter_w = 3;
  a.padding = Padding::kSame;
  b.add_op(OpType::kAveragePool2D, {x}, a);
  std::mt19937_64 rng = test::rng_for_current_test();
  test::OpCheckOptions opt;
  opt.make_input = [](int, const Shape4& s, std::mt19937_64&) { return std::vector<double>(s.elements(), 1.0); };
  const test::OpCheck r = test::check_gpu_op(b.graph(), rng, opt);
  EXPECT_EQ(r.max_abs, 0.0);  // every window averages ones only
}

}  // namespace
}  // namespace hetsched
