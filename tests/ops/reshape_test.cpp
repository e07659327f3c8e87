// RESHAPE as a PHWC4 re-layout that keeps the NHWC flat order, on every executor (CPU, GPU fp32,
// GPU fp16) vs the float64 reference on the same random cases: same 4D shape (a copy), same
// channels, and channel-changing reshapes (e.g. [1,H,W,k*C] -> [1,H*W*k,C] of the detector heads),
// constant input; partial row ranges on poisoned buffers; errors.
#include <gtest/gtest.h>

#include <fmt/format.h>

#include "base/error.h"
#include "tests/support/op_check.h"

namespace hetsched {
namespace {

class Reshape : public test::OpTest {};

TEST_P(Reshape, Random) {
  for_each_trial("RESHAPE", {.cpu = 60, .gpu = 20, .fp16 = 2}, [&](std::mt19937_64& rng, int trial) {
    const int n = test::random_batch(rng), h = test::random_spatial(rng), w = test::random_spatial(rng);
    const int k = test::pick(rng, {1, 2, 3}), c = test::random_channels(rng);
    const std::vector<int> in = {n, h, w, k * c};
    const std::vector<std::vector<int>> outs = {
        {n, h * w * k, c},  // detector heads
        {n, h * w * k * c}, {n, w, h, k * c}, {n * h, w, k, c}, {n * h * w * k * c}, {n, 1, 1, h * w * k * c},
        {n, h * w, k * c},  {n, h, w * k * c},  {n, h * w * k, 1, c}, {n, h, w, k * c}};
    const std::vector<int> out = outs[size_t(trial) % outs.size()];
    test::GraphBuilder b;
    const int x = b.input("x", in);
    const int op = b.add_op(OpType::kReshape, {x}, ReshapeAttributes{});
    b.graph().tensors[size_t(b.graph().ops[size_t(op)].outputs[0])].shape = out;  // set by the importer
    SCOPED_TRACE(fmt::format("{} -> {}", test::shape_str(in), test::shape_str(out)));
    return check(b.graph(), rng);
  });
}

TEST_P(Reshape, ConstantInput) {
  std::mt19937_64 rng = this->rng();
  test::GraphBuilder b;
  const int x = b.random_constant(rng, "c", {1, 3, 5, 7});
  const int op = b.add_op(OpType::kReshape, {x}, ReshapeAttributes{});
  b.graph().tensors[size_t(b.graph().ops[size_t(op)].outputs[0])].shape = {1, 15, 7};
  check(b.graph(), rng);
}

HETSCHED_OP_TEST_ON_ALL_EXECUTORS(Reshape);

TEST(ReshapeShapes, RejectsElementCountMismatch) {
  test::GraphBuilder b;
  const int x = b.input("x", {1, 4, 4, 3});
  const int op = b.add_op(OpType::kReshape, {x}, ReshapeAttributes{});
  b.graph().tensors[size_t(b.graph().ops[size_t(op)].outputs[0])].shape = {1, 47};
  EXPECT_THROW(infer_shapes(b.graph()), Error);
}

}  // namespace
}  // namespace hetsched
