// Tests of RESIZE_BILINEAR with TFLite's formulas: half_pixel_centers, align_corners, neither;
// 2x and non-2x sizes, down- and upsampling; CPU kernel vs the float64 reference, partial ranges.
#include <gtest/gtest.h>

#include <fmt/format.h>

#include "graph/error.h"
#include "tests/support/general_op_harness.h"

namespace hetsched {
namespace {

using test::pick;

TEST(ResizeBilinear, Random) {
  std::mt19937_64 rng = test::rng_for_current_test();
  test::ErrorSummary summary;
  for (int trial = 0; trial < 60; ++trial) {
    const int n = test::random_batch(rng), h = test::random_spatial(rng), w = test::random_spatial(rng);
    const int c = test::random_channels(rng);
    ResizeBilinearAttributes a;
    const int mode = trial % 3;
    a.align_corners = mode == 1;
    a.half_pixel_centers = mode == 2;
    const bool twice = test::uniform_int(rng, 0, 2) == 0;
    a.out_h = twice ? 2 * h : pick(rng, {1, 2, 5, 7, 11, 26});
    a.out_w = twice ? 2 * w : pick(rng, {1, 3, 5, 9, 13, 20});
    test::GraphBuilder b;
    const int x = b.input("x", {n, h, w, c});
    b.add_op(OpType::kResizeBilinear, {x}, a);
    SCOPED_TRACE(fmt::format("[{},{},{},{}] -> {}x{} align_corners {} half_pixel_centers {}", n, h, w, c, a.out_h,
                             a.out_w, a.align_corners, a.half_pixel_centers));
    summary.add(test::check_cpu_op(b.graph(), rng));
  }
  std::printf("%s\n", summary.to_string().c_str());
}

// The MediaPipe case: exact 2x upsampling with half_pixel_centers at a model-like size.
TEST(ResizeBilinear, ModelUpsample) {
  std::mt19937_64 rng = test::rng_for_current_test();
  test::GraphBuilder b;
  const int x = b.input("x", {1, 24, 24, 30});
  b.add_op(OpType::kResizeBilinear, {x}, ResizeBilinearAttributes{48, 48, false, true});
  const test::OpCheck r = test::check_cpu_op(b.graph(), rng);
  std::printf("24x24 -> 48x48: relative L2 %.3g, max-abs %.3g\n", r.rel_l2, r.max_abs);
}

// Hand-computed TFLite values for a 1x2 -> 1x4 resize of [0, 1] (rows trivially 1 -> 1).
TEST(ResizeBilinear, MatchesTfLiteFormulas) {
  struct Case {
    bool align, half;
    std::vector<double> expected;
  };
  // none: src = x/2 -> 0, .5, 1, 1.5 (clamped hi) -> 0, .5, 1, 1
  // align: scale 1/3 -> 0, 1/3, 2/3, 1
  // half: src = (x+.5)/2-.5 -> -.25 (lo=hi=0), .25, .75, 1.25 (hi clamped) -> 0, .25, .75, 1
  const std::vector<Case> cases = {
      {false, false, {0, 0.5, 1, 1}}, {true, false, {0, 1.0 / 3, 2.0 / 3, 1}}, {false, true, {0, 0.25, 0.75, 1}}};
  for (const Case& k : cases) {
    test::GraphBuilder b;
    const int x = b.input("x", {1, 1, 2, 1});
    b.add_op(OpType::kResizeBilinear, {x}, ResizeBilinearAttributes{1, 4, k.align, k.half});
    infer_shapes(b.graph());
    const Op& op = b.graph().ops[0];
    const RefTensor in{{1, 1, 2, 1}, {0.0, 1.0}};
    RefTensor out{{1, 1, 4, 1}, {}};
    describe_op(op.type).reference(b.graph(), op, std::span<const RefTensor>(&in, 1), out);
    ASSERT_EQ(out.data.size(), 4u);
    for (size_t i = 0; i < 4; ++i)
      EXPECT_NEAR(out.data[i], k.expected[i], 1e-12) << "align " << k.align << " half " << k.half << " x " << i;
  }
}

TEST(ResizeBilinear, RejectsBothFlags) {
  test::GraphBuilder b;
  const int x = b.input("x", {1, 4, 4, 3});
  b.add_op(OpType::kResizeBilinear, {x}, ResizeBilinearAttributes{8, 8, true, true});
  EXPECT_THROW(infer_shapes(b.graph()), Error);
}

}  // namespace
}  // namespace hetsched
