// RESIZE_BILINEAR with TFLite's formulas on every executor (CPU, GPU fp32, GPU fp16) vs the
// float64 reference on the same random cases: half_pixel_centers, align_corners, neither; exact 2x
// (the MediaPipe case) and other sizes, down- and upsampling; partial ranges on poisoned buffers;
// hand-computed values and errors.
#include <gtest/gtest.h>

#include <fmt/format.h>

#include "base/error.h"
#include "tests/support/op_check.h"

namespace hetsched {
namespace {

class ResizeBilinear : public test::OpTest {};

TEST_P(ResizeBilinear, Random) {
  for_each_trial("RESIZE_BILINEAR", {.cpu = 60, .gpu = 24, .fp16 = 2}, [&](std::mt19937_64& rng, int trial) {
    const auto [n, h, w, c] = test::random_nhwc(rng, 13);
    ResizeBilinearAttributes a;
    const int mode = trial % 3;
    a.align_corners = mode == 1;
    a.half_pixel_centers = mode == 2;
    const bool twice = trial % 2 == 0;  // with trial % 3: every mode both ways
    a.out_h = twice ? 2 * h : test::pick(rng, {1, 2, 5, 7, 11, 26});
    a.out_w = twice ? 2 * w : test::pick(rng, {1, 3, 5, 9, 13, 20});
    test::GraphBuilder b;
    const int x = b.input("x", {n, h, w, c});
    b.add_op(OpType::kResizeBilinear, {x}, a);
    SCOPED_TRACE(fmt::format("[{},{},{},{}] -> {}x{} align_corners {} half_pixel_centers {}", n, h, w, c, a.out_h,
                             a.out_w, a.align_corners, a.half_pixel_centers));
    return check(b.graph(), rng);
  });
}

// The MediaPipe case: exact 2x upsampling with half_pixel_centers at model-like sizes.
TEST_P(ResizeBilinear, ModelUpsample) {
  std::mt19937_64 rng = this->rng();
  for (int size : {24, 16}) {
    test::GraphBuilder b;
    const int x = b.input("x", {1, size, size, 30});
    b.add_op(OpType::kResizeBilinear, {x}, ResizeBilinearAttributes{2 * size, 2 * size, false, true});
    const test::OpCheck r = check(b.graph(), rng);
    fmt::print("{0}x{0} -> {1}x{1} {2}: relative L2 {3:.3g}, max-abs {4:.3g}\n", size, 2 * size,
               test::to_string(executor()), r.rel_l2, r.max_abs);
  }
}

HETSCHED_OP_TEST_ON_ALL_EXECUTORS(ResizeBilinear);

// Hand-computed TFLite values for a 1x2 -> 1x4 resize of [0, 1] (rows trivially 1 -> 1).
TEST(ResizeBilinearReference, MatchesTfLiteFormulas) {
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

TEST(ResizeBilinearShapes, RejectsBothFlags) {
  test::GraphBuilder b;
  const int x = b.input("x", {1, 4, 4, 3});
  b.add_op(OpType::kResizeBilinear, {x}, ResizeBilinearAttributes{8, 8, true, true});
  EXPECT_THROW(infer_shapes(b.graph()), Error);
}

}  // namespace
}  // namespace hetsched
