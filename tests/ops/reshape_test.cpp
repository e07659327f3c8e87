// Tests of RESHAPE as a PHWC4 re-layout that keeps the NHWC flat order: same 4D shape, same
// channels, and channel-changing reshapes (e.g. [1,H,W,k*C] -> [1,H*W*k,C] of the detector heads);
// CPU kernel vs the float64 reference, partial row ranges.
#include <gtest/gtest.h>

#include <fmt/format.h>

#include "graph/error.h"
#include "tests/support/general_op_harness.h"

namespace hetsched {
namespace {

using test::pick;

TEST(Reshape, Random) {
  std::mt19937_64 rng = test::rng_for_current_test();
  test::ErrorSummary summary;
  for (int trial = 0; trial < 60; ++trial) {
    const int n = test::random_batch(rng), h = test::random_spatial(rng), w = test::random_spatial(rng);
    const int k = pick(rng, {1, 2, 3}), c = test::random_channels(rng);
    const std::vector<int> in = {n, h, w, k * c};
    const std::vector<std::vector<int>> outs = {
        {n, h * w * k, c},  // detector heads
        {n, h * w * k * c}, {n, w, h, k * c}, {n * h, w, k, c}, {n * h * w * k * c}, {n, 1, 1, h * w * k * c},
        {n, h * w, k * c},  {n, h, w * k * c},  {n, h * w * k, 1, c}};
    const std::vector<int> out = outs[size_t(test::uniform_int(rng, 0, int(outs.size()) - 1))];
    test::GraphBuilder b;
    const int x = b.input("x", in);
    const int op = b.add_op(OpType::kReshape, {x}, ReshapeAttributes{});
    b.graph().tensors[size_t(b.graph().ops[size_t(op)].outputs[0])].shape = out;  // set by the importer
    SCOPED_TRACE(fmt::format("{} -> {}", test::shape_str(in), test::shape_str(out)));
    summary.add(test::check_cpu_op(b.graph(), rng));
  }
  std::printf("%s\n", summary.to_string().c_str());
}

TEST(Reshape, ConstantInput) {
  std::mt19937_64 rng = test::rng_for_current_test();
  test::GraphBuilder b;
  const int x = b.random_constant(rng, "c", {1, 3, 5, 7});
  const int op = b.add_op(OpType::kReshape, {x}, ReshapeAttributes{});
  b.graph().tensors[size_t(b.graph().ops[size_t(op)].outputs[0])].shape = {1, 15, 7};
  test::check_cpu_op(b.graph(), rng);
}

TEST(Reshape, RejectsElementCountMismatch) {
  test::GraphBuilder b;
  const int x = b.input("x", {1, 4, 4, 3});
  const int op = b.add_op(OpType::kReshape, {x}, ReshapeAttributes{});
  b.graph().tensors[size_t(b.graph().ops[size_t(op)].outputs[0])].shape = {1, 47};
  EXPECT_THROW(infer_shapes(b.graph()), Error);
}

}  // namespace
}  // namespace hetsched
