// GPU tests of MEAN (mean.comp): axes {1,2}, {3}, {1,2,3}, {2}, {0,3}, {0} with keep_dims on and off
// (the output's 4D shape then differs from the reduced one), ranks 2-4, and a model-sized spatial
// mean; reference vs CPU vs GPU, partial row ranges on poisoned buffers.
#include <gtest/gtest.h>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "tests/support/general_op_harness.h"
#include "tests/support/gpu_op_harness.h"

namespace hetsched {
namespace {

using test::pick;

TEST(MeanGpu, Rank4AxesAndKeepDims) {
  HETSCHED_SKIP_WITHOUT_GPU();
  std::mt19937_64 rng = test::rng_for_current_test();
  test::ErrorSummary summary;
  const std::vector<std::vector<int>> all_axes = {{1, 2}, {3}, {1, 2, 3}, {2}, {0, 3}, {2, 1}, {0}};
  for (int trial = 0; trial < 21; ++trial) {
    const int n = test::random_batch(rng), h = test::uniform_int(rng, 1, 13), w = test::uniform_int(rng, 1, 13);
    const int c = test::random_channels(rng);
    const std::vector<int> axes = all_axes[size_t(trial) % all_axes.size()];
    const bool keep = trial / int(all_axes.size()) % 2 == 0 ? test::uniform_int(rng, 0, 1) == 1 : trial % 2 == 0;
    test::GraphBuilder b;
    const int x = b.input("x", {n, h, w, c});
    b.add_op(OpType::kMean, {x}, MeanAttributes{axes, keep});
    SCOPED_TRACE(fmt::format("[{},{},{},{}] axes {} keep_dims {}", n, h, w, c, fmt::join(axes, ","), keep));
    summary.add(test::check_gpu_op(b.graph(), rng));
  }
  std::printf("%s\n", summary.to_string().c_str());
}

TEST(MeanGpu, LowerRanks) {
  HETSCHED_SKIP_WITHOUT_GPU();
  std::mt19937_64 rng = test::rng_for_current_test();
  for (int trial = 0; trial < 6; ++trial) {
    const int n = test::random_batch(rng), w = test::random_spatial(rng), c = test::random_channels(rng);
    const bool keep = trial % 2 == 0;
    const int axis = trial % 4 < 2 ? 2 : 3;  // [N,W,C] over W or C
    test::GraphBuilder b;
    const int x = b.input("x", {n, w, c});
    b.add_op(OpType::kMean, {x}, MeanAttributes{{axis}, keep});
    SCOPED_TRACE(fmt::format("[{},{},{}] 4D axis {} keep_dims {}", n, w, c, axis, keep));
    test::check_gpu_op(b.graph(), rng);
  }
}

// The hand landmark / selfie landscape case at a modest size: a spatial mean of [1,40,40,24] with a
// common offset (float sums row by row stay well inside the tolerance).
TEST(MeanGpu, LargeSpatialMean) {
  HETSCHED_SKIP_WITHOUT_GPU();
  std::mt19937_64 rng = test::rng_for_current_test();
  for (bool keep : {false, true}) {
    test::GraphBuilder b;
    const int x = b.input("x", {1, 40, 40, 24});
    b.add_op(OpType::kMean, {x}, MeanAttributes{{1, 2}, keep});
    test::OpCheckOptions opt;
    opt.input_lo = 1.0;
    opt.input_hi = 3.0;
    SCOPED_TRACE(fmt::format("keep_dims {}", keep));
    const test::OpCheck r = test::check_gpu_op(b.graph(), rng, opt);
    EXPECT_EQ(r.output_shape, (Shape4{1, 1, 1, 24}));  // [1,1,1,24] or [1,24]
  }
}

}  // namespace
}  // namespace hetsched
