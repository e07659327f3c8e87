// Tests of PAD with zeros: spatial pads, channel pads (aligned to 4 and not), batch pads, lower
// ranks; CPU kernel vs the float64 reference, partial slice x row ranges.
#include <gtest/gtest.h>

#include <fmt/format.h>

#include "graph/error.h"
#include "tests/support/general_op_harness.h"

namespace hetsched {
namespace {

using test::pick;

TEST(Pad, SpatialAndChannel) {
  std::mt19937_64 rng = test::rng_for_current_test();
  test::ErrorSummary summary;
  for (int trial = 0; trial < 60; ++trial) {
    const int n = test::random_batch(rng), h = test::random_spatial(rng), w = test::random_spatial(rng);
    const int c = test::random_channels(rng);
    PadAttributes a;
    const int kind = trial % 3;  // 0 spatial, 1 channel, 2 both (+ batch sometimes)
    if (kind != 1) {
      a.pads[1] = {test::uniform_int(rng, 0, 2), test::uniform_int(rng, 0, 2)};
      a.pads[2] = {test::uniform_int(rng, 0, 2), test::uniform_int(rng, 0, 2)};
    }
    if (kind != 0) a.pads[3] = {pick(rng, {0, 0, 1, 3, 4}), pick(rng, {0, 1, 5, 16})};
    if (kind == 2 && test::uniform_int(rng, 0, 3) == 0) a.pads[0] = {test::uniform_int(rng, 0, 1), 1};
    test::GraphBuilder b;
    const int x = b.input("x", {n, h, w, c});
    b.add_op(OpType::kPad, {x}, a);
    SCOPED_TRACE(fmt::format("[{},{},{},{}] pads n {}/{} h {}/{} w {}/{} c {}/{}", n, h, w, c, a.pads[0][0],
                             a.pads[0][1], a.pads[1][0], a.pads[1][1], a.pads[2][0], a.pads[2][1], a.pads[3][0],
                             a.pads[3][1]));
    const test::OpCheck r = test::check_cpu_op(b.graph(), rng);
    summary.add(r);
    EXPECT_EQ(r.output_shape, (Shape4{n + a.pads[0][0] + a.pads[0][1], h + a.pads[1][0] + a.pads[1][1],
                                      w + a.pads[2][0] + a.pads[2][1], c + a.pads[3][0] + a.pads[3][1]}));
  }
  std::printf("%s\n", summary.to_string().c_str());
}

TEST(Pad, BlazeResidualChannels) {
  std::mt19937_64 rng = test::rng_for_current_test();
  test::GraphBuilder b;
  const int x = b.input("x", {1, 7, 5, 32});
  PadAttributes a;
  a.pads[3] = {0, 16};  // 32 -> 48
  b.add_op(OpType::kPad, {x}, a);
  const test::OpCheck r = test::check_cpu_op(b.graph(), rng);
  EXPECT_EQ(r.output_shape, (Shape4{1, 7, 5, 48}));
}

TEST(Pad, Rank3) {
  std::mt19937_64 rng = test::rng_for_current_test();
  test::GraphBuilder b;
  const int x = b.input("x", {2, 7, 5});
  PadAttributes a;
  a.pads[2] = {1, 2};
  a.pads[3] = {3, 0};
  b.add_op(OpType::kPad, {x}, a);
  test::check_cpu_op(b.graph(), rng);
  EXPECT_EQ(b.graph().tensors[size_t(b.graph().ops[0].outputs[0])].shape, (std::vector<int>{2, 10, 8}));
}

TEST(Pad, RejectsNegativeOrMissingAxisPads) {
  {
    test::GraphBuilder b;
    const int x = b.input("x", {1, 4, 4, 3});
    PadAttributes a;
    a.pads[1] = {-1, 0};
    b.add_op(OpType::kPad, {x}, a);
    EXPECT_THROW(infer_shapes(b.graph()), Error);
  }
  {
    test::GraphBuilder b;
    const int x = b.input("x", {4, 3});
    PadAttributes a;
    a.pads[1] = {1, 1};  // H does not exist in rank 2
    b.add_op(OpType::kPad, {x}, a);
    EXPECT_THROW(infer_shapes(b.graph()), Error);
  }
}

}  // namespace
}  // namespace hetsched
