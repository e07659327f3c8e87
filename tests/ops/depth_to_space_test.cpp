// DEPTH_TO_SPACE (blocks 2 and 3, output channels aligned and not to 4) on every executor (CPU,
// GPU fp32, GPU fp16) vs the float64 reference on the same random cases, partial slice x row
// ranges on poisoned buffers; errors.
#include <gtest/gtest.h>

#include <fmt/format.h>

#include "base/error.h"
#include "tests/support/op_check.h"

namespace hetsched {
namespace {

class DepthToSpace : public test::OpTest {};

TEST_P(DepthToSpace, Random) {
  for_each_trial("DEPTH_TO_SPACE", {.cpu = 40, .gpu = 16, .fp16 = 2}, [&](std::mt19937_64& rng, int) {
    const int bs = test::pick(rng, {2, 3}), cout = test::pick(rng, {1, 3, 4, 5, 8, 13});
    const int n = test::random_batch(rng);
    const int h = test::pick(rng, {1, 2, 3, 4, 5, 6, 7, 13}), w = test::pick(rng, {1, 2, 3, 4, 5, 6, 7, 13});
    test::GraphBuilder b;
    const int x = b.input("x", {n, h, w, cout * bs * bs});
    b.add_op(OpType::kDepthToSpace, {x}, DepthToSpaceAttributes{bs});
    SCOPED_TRACE(fmt::format("[{},{},{},{}] block {}", n, h, w, cout * bs * bs, bs));
    const test::OpCheck r = check(b.graph(), rng);
    EXPECT_EQ(r.output_shape, (Shape4{n, h * bs, w * bs, cout}));
    return r;
  });
}

HETSCHED_OP_TEST_ON_ALL_EXECUTORS(DepthToSpace);

TEST(DepthToSpaceShapes, RejectsIndivisibleChannels) {
  test::GraphBuilder b;
  const int x = b.input("x", {1, 2, 2, 6});
  b.add_op(OpType::kDepthToSpace, {x}, DepthToSpaceAttributes{2});
  EXPECT_THROW(infer_shapes(b.graph()), Error);
}

}  // namespace
}  // namespace hetsched
