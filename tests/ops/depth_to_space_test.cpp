// Tests of DEPTH_TO_SPACE (blocks 2 and 3, output channels aligned and not to 4): CPU kernel vs the
// float64 reference, partial slice x row ranges.
#include <gtest/gtest.h>

#include <fmt/format.h>

#include "graph/error.h"
#include "tests/support/general_op_harness.h"

namespace hetsched {
namespace {

using test::pick;

TEST(DepthToSpace, Random) {
  std::mt19937_64 rng = test::rng_for_current_test();
  test::ErrorSummary summary;
  for (int trial = 0; trial < 40; ++trial) {
    const int bs = pick(rng, {2, 3}), cout = pick(rng, {1, 3, 4, 5, 8, 13});
    const int n = test::random_batch(rng), h = test::random_spatial(rng), w = test::random_spatial(rng);
    test::GraphBuilder b;
    const int x = b.input("x", {n, h, w, cout * bs * bs});
    b.add_op(OpType::kDepthToSpace, {x}, DepthToSpaceAttributes{bs});
    SCOPED_TRACE(fmt::format("[{},{},{},{}] block {}", n, h, w, cout * bs * bs, bs));
    const test::OpCheck r = test::check_cpu_op(b.graph(), rng);
    summary.add(r);
    EXPECT_EQ(r.output_shape, (Shape4{n, h * bs, w * bs, cout}));
  }
  std::printf("%s\n", summary.to_string().c_str());
}

TEST(DepthToSpace, RejectsIndivisibleChannels) {
  test::GraphBuilder b;
  const int x = b.input("x", {1, 2, 2, 6});
  b.add_op(OpType::kDepthToSpace, {x}, DepthToSpaceAttributes{2});
  EXPECT_THROW(infer_shapes(b.graph()), Error);
}

}  // namespace
}  // namespace hetsched
