// PAD with zeros on every executor (CPU, GPU fp32, GPU fp16) vs the float64 reference on the same
// random cases: spatial pads, channel pads (multiples of 4 and not: lanes shift across slices;
// Blaze's 32 -> 48), batch pads, all together, symmetric ones, lower ranks; partial slice x row
// ranges on poisoned buffers; errors.
#include <gtest/gtest.h>

#include <fmt/format.h>

#include "base/error.h"
#include "tests/support/op_check.h"

namespace hetsched {
namespace {

// The pads of case `trial`, by trial % 4: 0 spatial, 1 channel, 2 everything, 3 symmetric
// (1,1)/(2,2).
PadAttributes random_pads(std::mt19937_64& rng, int trial) {
  PadAttributes a;
  const int kind = trial % 4;
  if (kind == 0 || kind == 2) {
    a.pads[1] = {test::uniform_int(rng, 0, 2), test::uniform_int(rng, 0, 2)};
    a.pads[2] = {test::uniform_int(rng, 0, 2), test::uniform_int(rng, 0, 2)};
  }
  if (kind == 1 || kind == 2) a.pads[3] = {test::pick(rng, {0, 0, 1, 2, 3, 4, 5}), test::pick(rng, {0, 1, 3, 4, 5, 16})};
  if (kind == 2) a.pads[0] = {test::uniform_int(rng, 0, 1), test::uniform_int(rng, 0, 1)};
  if (kind == 3) {
    const int p = test::uniform_int(rng, 1, 2);
    a.pads[1] = a.pads[2] = {p, p};
  }
  return a;
}

class Pad : public test::OpTest {};

TEST_P(Pad, SpatialAndChannel) {
  for_each_trial("PAD", {.cpu = 60, .gpu = 24, .fp16 = 2}, [&](std::mt19937_64& rng, int trial) {
    const auto [n, h, w, c] = test::random_nhwc(rng, 13);
    const PadAttributes a = random_pads(rng, trial);
    test::GraphBuilder b;
    const int x = b.input("x", {n, h, w, c});
    b.add_op(OpType::kPad, {x}, a);
    SCOPED_TRACE(fmt::format("[{},{},{},{}] pads n {}/{} h {}/{} w {}/{} c {}/{}", n, h, w, c, a.pads[0][0],
                             a.pads[0][1], a.pads[1][0], a.pads[1][1], a.pads[2][0], a.pads[2][1], a.pads[3][0],
                             a.pads[3][1]));
    const test::OpCheck r = check(b.graph(), rng);
    EXPECT_EQ(r.output_shape, (Shape4{n + a.pads[0][0] + a.pads[0][1], h + a.pads[1][0] + a.pads[1][1],
                                      w + a.pads[2][0] + a.pads[2][1], c + a.pads[3][0] + a.pads[3][1]}));
    return r;
  });
}

// Blaze residual: 32 -> 48 channels, zeros after.
TEST_P(Pad, BlazeResidualChannels) {
  std::mt19937_64 rng = this->rng();
  for (int h : {7, 6}) {
    test::GraphBuilder b;
    const int x = b.input("x", {1, h, 5, 32});
    PadAttributes a;
    a.pads[3] = {0, 16};  // 32 -> 48
    b.add_op(OpType::kPad, {x}, a);
    const test::OpCheck r = check(b.graph(), rng);
    EXPECT_EQ(r.output_shape, (Shape4{1, h, 5, 48}));
  }
}

TEST_P(Pad, Rank3) {
  std::mt19937_64 rng = this->rng();
  for (int c_after : {0, 1}) {
    test::GraphBuilder b;
    const int x = b.input("x", {2, 7, 5});  // [N,W,C]
    PadAttributes a;
    a.pads[2] = {1, 2};
    a.pads[3] = {3, c_after};
    b.add_op(OpType::kPad, {x}, a);
    const test::OpCheck r = check(b.graph(), rng);
    EXPECT_EQ(b.graph().tensors[size_t(b.graph().ops[0].outputs[0])].shape, (std::vector<int>{2, 10, 8 + c_after}));
    EXPECT_EQ(r.output_shape, (Shape4{2, 1, 10, 8 + c_after}));
  }
}

HETSCHED_OP_TEST_ON_ALL_EXECUTORS(Pad);

TEST(PadShapes, RejectsNegativeOrMissingAxisPads) {
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
