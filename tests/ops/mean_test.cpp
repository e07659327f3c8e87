// Tests of MEAN over axes {1,2}, {3}, {1,2,3}, {2}, {0,3} with keep_dims on and off (output rank
// as TFLite gives it), ranks 2-4; CPU kernel vs the float64 reference, partial row ranges.
#include <gtest/gtest.h>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "graph/error.h"
#include "tests/support/general_op_harness.h"

namespace hetsched {
namespace {

using test::pick;

TEST(Mean, Rank4AxesAndKeepDims) {
  std::mt19937_64 rng = test::rng_for_current_test();
  test::ErrorSummary summary;
  for (int trial = 0; trial < 60; ++trial) {
    const int n = test::random_batch(rng), h = test::random_spatial(rng), w = test::random_spatial(rng);
    const int c = test::random_channels(rng);
    const std::vector<int> axes = pick<std::vector<int>>(rng, {{1, 2}, {3}, {1, 2, 3}, {2}, {0, 3}, {2, 1}});
    const bool keep = test::uniform_int(rng, 0, 1) == 1;
    test::GraphBuilder b;
    const int x = b.input("x", {n, h, w, c});
    b.add_op(OpType::kMean, {x}, MeanAttributes{axes, keep});
    SCOPED_TRACE(fmt::format("[{},{},{},{}] axes {} keep_dims {}", n, h, w, c, fmt::join(axes, ","), keep));
    summary.add(test::check_cpu_op(b.graph(), rng));
    // TFLite's output shape: reduced axes kept as 1 or dropped.
    std::vector<int> expected;
    const std::vector<int> in = {n, h, w, c};
    for (int i = 0; i < 4; ++i) {
      const bool reduced = std::find(axes.begin(), axes.end(), i) != axes.end();
      if (!reduced) expected.push_back(in[size_t(i)]);
      else if (keep) expected.push_back(1);
    }
    EXPECT_EQ(b.graph().tensors[size_t(b.graph().ops[0].outputs[0])].shape, expected);
  }
  std::printf("%s\n", summary.to_string().c_str());
}

// Global means of wide maps (efficientnet's squeeze-excite: 112x112): the 16-pixel partial-sum
// steps of a row, their remainder, and rows summed across.
TEST(Mean, WideSpatialMeans) {
  std::mt19937_64 rng = test::rng_for_current_test();
  test::ErrorSummary summary;
  for (const auto& [h, w, c] : {std::tuple{1, 16, 5}, {3, 37, 8}, {17, 112, 3}, {56, 56, 13}}) {
    test::GraphBuilder b;
    const int x = b.input("x", {1, h, w, c});
    b.add_op(OpType::kMean, {x}, MeanAttributes{{1, 2}, true});
    SCOPED_TRACE(fmt::format("[1,{},{},{}] axes 1,2", h, w, c));
    summary.add(test::check_cpu_op(b.graph(), rng));
  }
  std::printf("%s\n", summary.to_string().c_str());
}

TEST(Mean, LowerRanks) {
  std::mt19937_64 rng = test::rng_for_current_test();
  for (int trial = 0; trial < 10; ++trial) {
    const int n = test::random_batch(rng), w = test::random_spatial(rng), c = test::random_channels(rng);
    const bool keep = test::uniform_int(rng, 0, 1) == 1;
    test::GraphBuilder b;
    // [N,W,C] over W (4D axis 2) or C (4D axis 3).
    const int axis = pick(rng, {2, 3});
    const int x = b.input("x", {n, w, c});
    b.add_op(OpType::kMean, {x}, MeanAttributes{{axis}, keep});
    SCOPED_TRACE(fmt::format("[{},{},{}] 4D axis {} keep_dims {}", n, w, c, axis, keep));
    test::check_cpu_op(b.graph(), rng);
    const std::vector<int> expected = axis == 2 ? (keep ? std::vector<int>{n, 1, c} : std::vector<int>{n, c})
                                                : (keep ? std::vector<int>{n, w, 1} : std::vector<int>{n, w});
    EXPECT_EQ(b.graph().tensors[size_t(b.graph().ops[0].outputs[0])].shape, expected);
  }
}

TEST(Mean, RejectsAxisMissingFromTheRank) {
  test::GraphBuilder b;
  const int x = b.input("x", {2, 5, 3});
  b.add_op(OpType::kMean, {x}, MeanAttributes{{1}, true});  // H does not exist in rank 3
  EXPECT_THROW(infer_shapes(b.graph()), Error);
}

}  // namespace
}  // namespace hetsched
