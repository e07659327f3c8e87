// MEAN on every executor (CPU, GPU fp32, GPU fp16) vs the float64 reference on the same random
// cases: axes {1,2}, {3}, {1,2,3}, {2}, {0,3}, {2,1}, {0} with keep_dims on and off (output rank as
// TFLite gives it; the output's 4D shape then differs from the reduced one), ranks 2-4, wide and
// model-sized spatial means; global means over H and W (the GPU's workgroup-parallel
// global_mean.comp, counted to check the path is taken) up to 70x70 maps with batches and odd
// channel counts; partial row ranges on poisoned buffers; errors.
#include <gtest/gtest.h>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "base/error.h"
#include "gpu/ops/mean.h"
#include "tests/support/op_check.h"

namespace hetsched {
namespace {

class Mean : public test::OpTest {};

TEST_P(Mean, Rank4AxesAndKeepDims) {
  const std::vector<std::vector<int>> all_axes = {{1, 2}, {3}, {1, 2, 3}, {2}, {0, 3}, {2, 1}, {0}};
  for_each_trial("MEAN", {.cpu = 60, .gpu = 21, .fp16 = 2}, [&](std::mt19937_64& rng, int trial) {
    const auto [n, h, w, c] = test::random_nhwc(rng, 13);
    const std::vector<int> axes = all_axes[size_t(trial) % all_axes.size()];
    const bool keep = trial / int(all_axes.size()) % 2 == 0 ? test::uniform_int(rng, 0, 1) == 1 : trial % 2 == 0;
    test::GraphBuilder b;
    const int x = b.input("x", {n, h, w, c});
    b.add_op(OpType::kMean, {x}, MeanAttributes{axes, keep});
    SCOPED_TRACE(fmt::format("[{},{},{},{}] axes {} keep_dims {}", n, h, w, c, fmt::join(axes, ","), keep));
    const test::OpCheck r = check(b.graph(), rng);
    // TFLite's output shape: reduced axes kept as 1 or dropped.
    std::vector<int> expected;
    const std::vector<int> in = {n, h, w, c};
    for (int i = 0; i < 4; ++i) {
      const bool reduced = std::find(axes.begin(), axes.end(), i) != axes.end();
      if (!reduced) expected.push_back(in[size_t(i)]);
      else if (keep) expected.push_back(1);
    }
    EXPECT_EQ(b.graph().tensors[size_t(b.graph().ops[0].outputs[0])].shape, expected);
    return r;
  });
}

// Global means of wide maps (efficientnet's squeeze-excite: 112x112): the CPU's 16-pixel
// partial-sum steps of a row, their remainder, and rows summed across; and the hand landmark /
// selfie landscape case at a modest size, with a common offset (float sums row by row stay well
// inside the tolerance).
TEST_P(Mean, WideSpatialMeans) {
  std::mt19937_64 rng = this->rng();
  test::ErrorSummary summary;
  for (const auto& [h, w, c, lo, keep] : {std::tuple{1, 16, 5, -1.0, true}, {3, 37, 8, -1.0, true},
                                          {17, 112, 3, -1.0, true}, {56, 56, 13, -1.0, true},
                                          {40, 40, 24, 1.0, false}, {40, 40, 24, 1.0, true}}) {
    if (on_gpu() && lo < 0) continue;  // the CPU's row steps; the GPU reduces rows alike
    test::GraphBuilder b;
    const int x = b.input("x", {1, h, w, c});
    b.add_op(OpType::kMean, {x}, MeanAttributes{{1, 2}, keep});
    test::OpCheckOptions opt;
    opt.input_lo = lo;
    opt.input_hi = lo + 2.0;
    SCOPED_TRACE(fmt::format("[1,{},{},{}] axes 1,2 keep_dims {} inputs in [{},{})", h, w, c, keep, lo, lo + 2));
    const test::OpCheck r = check(b.graph(), rng, opt);
    summary.add(r);
    EXPECT_EQ(r.output_shape, (Shape4{1, 1, 1, c}));  // [1,1,1,c] or [1,c]
  }
  fmt::print("MEAN wide {}: {}\n", test::to_string(executor()), summary.to_string());
}

// Global means over H and W ([N,1,1,C] or [N,C]): on the GPU each output vec4 is one workgroup's
// split reduction (gpu/shaders/global_mean.comp), so maps from 1x1 to 70x70 (several pixels per
// invocation and uneven tails at 256 invocations), batches 1-3 and channel counts with padding
// lanes; on the GPU, partial slice ranges on poisoned buffers. Every case must take that kernel on the
// GPU, and a MEAN that also reduces C (or keeps H) must not.
TEST_P(Mean, GlobalMeans) {
  auto global_kernels = [&](Graph& g, std::mt19937_64& rng, const test::OpCheckOptions& opt) {
    const int before = gpu::global_mean_kernels_created();
    test::OpCheck r = check(g, rng, opt);
    return std::pair{r, gpu::global_mean_kernels_created() - before};
  };
  test::OpCheckOptions opt;
  opt.input_lo = 0.5;  // means well away from zero: the relative error measures the sums
  opt.input_hi = 2.5;
  opt.split_slices = on_gpu();  // the scheduler splits MEAN by rows only; the GPU kernel takes any slices
  opt.partial_ranges = 4;
  std::vector<std::tuple<int, int, int, int, bool>> shapes = {
      {1, 1, 1, 5, true}, {2, 1, 3, 4, false}, {1, 7, 7, 18, true}, {3, 15, 17, 3, false},
      {1, 64, 64, 32, true}, {2, 33, 31, 13, true}, {1, 70, 69, 33, false}, {2, 67, 70, 1, true}};
  std::mt19937_64 rng = this->rng();
  for (int i = 0; i < cases({.cpu = 8, .gpu = 6, .fp16 = 2}); ++i) {
    const int n = test::uniform_int(rng, 1, 3), h = test::uniform_int(rng, 1, 70), w = test::uniform_int(rng, 1, 70);
    const int c = test::uniform_int(rng, 1, 40);
    shapes.emplace_back(n, h, w, c, test::uniform_int(rng, 0, 1) == 1);
  }
  test::ErrorSummary summary;
  for (const auto& [n, h, w, c, keep] : shapes) {
    test::GraphBuilder b;
    const int x = b.input("x", {n, h, w, c});
    b.add_op(OpType::kMean, {x}, MeanAttributes{{2, 1}, keep});
    SCOPED_TRACE(fmt::format("[{},{},{},{}] axes 2,1 keep_dims {}", n, h, w, c, keep));
    const auto [r, created] = global_kernels(b.graph(), rng, opt);
    summary.add(r);
    EXPECT_EQ(r.output_shape, (Shape4{n, 1, 1, c}));
    if (on_gpu()) {
      EXPECT_GE(created, 1) << "the GPU kernel is not global_mean.comp";
    }
    if (c > 4) {
      EXPECT_FALSE(r.ranges_checked.empty()) << "no partial range was checked";
    }
  }
  for (const std::vector<int>& axes : {std::vector<int>{1, 2, 3}, std::vector<int>{1}, std::vector<int>{0, 1, 2}}) {
    test::GraphBuilder b;
    const int x = b.input("x", {2, 9, 11, 6});
    b.add_op(OpType::kMean, {x}, MeanAttributes{axes, true});
    SCOPED_TRACE(fmt::format("[2,9,11,6] axes {}", fmt::join(axes, ",")));
    const auto [r, created] = global_kernels(b.graph(), rng, opt);
    summary.add(r);
    EXPECT_EQ(created, 0) << "global_mean.comp taken for a MEAN that is not over H and W alone";
  }
  fmt::print("MEAN global {}: {}\n", test::to_string(executor()), summary.to_string());
}

TEST_P(Mean, LowerRanks) {
  for_each_trial({.cpu = 10, .gpu = 6, .fp16 = 1}, [&](std::mt19937_64& rng, int trial) {
    const int n = test::random_batch(rng), w = test::random_spatial(rng), c = test::random_channels(rng);
    const bool keep = trial % 2 == 0;
    const int axis = trial % 4 < 2 ? 2 : 3;  // [N,W,C] over W (4D axis 2) or C (4D axis 3)
    test::GraphBuilder b;
    const int x = b.input("x", {n, w, c});
    b.add_op(OpType::kMean, {x}, MeanAttributes{{axis}, keep});
    SCOPED_TRACE(fmt::format("[{},{},{}] 4D axis {} keep_dims {}", n, w, c, axis, keep));
    check(b.graph(), rng);
    const std::vector<int> expected = axis == 2 ? (keep ? std::vector<int>{n, 1, c} : std::vector<int>{n, c})
                                                : (keep ? std::vector<int>{n, w, 1} : std::vector<int>{n, w});
    EXPECT_EQ(b.graph().tensors[size_t(b.graph().ops[0].outputs[0])].shape, expected);
  });
}

HETSCHED_OP_TEST_ON_ALL_EXECUTORS(Mean);

TEST(MeanShapes, RejectsAxisMissingFromTheRank) {
  test::GraphBuilder b;
  const int x = b.input("x", {2, 5, 3});
  b.add_op(OpType::kMean, {x}, MeanAttributes{{1}, true});  // H does not exist in rank 3
  EXPECT_THROW(infer_shapes(b.graph()), Error);
}

}  // namespace
}  // namespace hetsched
