// GPU tests of DEPTH_TO_SPACE (depth_to_space.comp): block sizes 2-3, output channel counts that are
// and are not multiples of 4; reference vs CPU vs GPU, partial ranges on poisoned buffers.
#include <gtest/gtest.h>

#include <fmt/format.h>

#include "tests/support/general_op_harness.h"
#include "tests/support/gpu_op_harness.h"

namespace hetsched {
namespace {

using test::pick;

TEST(DepthToSpaceGpu, Random) {
  HETSCHED_SKIP_WITHOUT_GPU();
  std::mt19937_64 rng = test::rng_for_current_test();
  test::ErrorSummary summary;
  for (int trial = 0; trial < 16; ++trial) {
    const int n = test::random_batch(rng), h = test::uniform_int(rng, 1, 7), w = test::uniform_int(rng, 1, 7);
    const int block = pick(rng, {2, 2, 3});
    const int c_out = pick(rng, {1, 3, 4, 5, 8, 13});
    test::GraphBuilder b;
    const int x = b.input("x", {n, h, w, c_out * block * block});
    b.add_op(OpType::kDepthToSpace, {x}, DepthToSpaceAttributes{block});
    SCOPED_TRACE(fmt::format("[{},{},{},{}] block {}", n, h, w, c_out * block * block, block));
    const test::OpCheck r = test::check_gpu_op(b.graph(), rng);
    summary.add(r);
    EXPECT_EQ(r.output_shape, (Shape4{n, h * block, w * block, c_out}));
  }
  std::printf("%s\n", summary.to_string().c_str());
}

}  // namespace
}  // namespace hetsched
