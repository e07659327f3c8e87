// GPU tests of RESHAPE (reshape.comp): same 4D shape (a copy), same channels, and channel-changing
// reshapes (the detector heads' [1,H,W,k*C] -> [1,H*W*k,C]), constant input; reference vs CPU vs
// GPU, partial row ranges on poisoned buffers.
#include <gtest/gtest.h>

#include <fmt/format.h>

#include "tests/support/general_op_harness.h"
#include "tests/support/gpu_op_harness.h"

namespace hetsched {
namespace {

using test::pick;

TEST(ReshapeGpu, Random) {
  HETSCHED_SKIP_WITHOUT_GPU();
  std::mt19937_64 rng = test::rng_for_current_test();
  test::ErrorSummary summary;
  for (int trial = 0; trial < 20; ++trial) {
    const int n = test::random_batch(rng), h = test::random_spatial(rng), w = test::random_spatial(rng);
    const int k = pick(rng, {1, 2, 3}), c = test::random_channels(rng);
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
    summary.add(test::check_gpu_op(b.graph(), rng));
  }
  std::printf("%s\n", summary.to_string().c_str());
}

TEST(ReshapeGpu, ConstantInput) {
  HETSCHED_SKIP_WITHOUT_GPU();
  std::mt19937_64 rng = test::rng_for_current_test();
  test::GraphBuilder b;
  const int x = b.random_constant(rng, "c", {1, 3, 5, 7});
  const int op = b.add_op(OpType::kReshape, {x}, ReshapeAttributes{});
  b.graph().tensors[size_t(b.graph().ops[size_t(op)].outputs[0])].shape = {1, 15, 7};
  test::check_gpu_op(b.graph(), rng);
}

}  // namespace
}  // namespace hetsched
