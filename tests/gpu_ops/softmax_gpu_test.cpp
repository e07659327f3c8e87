// GPU tests of SOFTMAX (softmax.comp): channel counts 1..1001, betas, ranks 2-4, large logits (the max
// subtraction keeps exp finite); reference vs CPU vs GPU, partial row ranges on poisoned buffers.
#include <gtest/gtest.h>

#include <fmt/format.h>

#include "tests/support/general_op_harness.h"
#include "tests/support/gpu_op_harness.h"

namespace hetsched {
namespace {

using test::pick;

TEST(SoftmaxGpu, Random) {
  HETSCHED_SKIP_WITHOUT_GPU();
  std::mt19937_64 rng = test::rng_for_current_test();
  test::ErrorSummary summary;
  for (int trial = 0; trial < 16; ++trial) {
    const int rank = pick(rng, {2, 3, 4, 4});
    const int n = test::random_batch(rng), h = test::random_spatial(rng), w = test::random_spatial(rng);
    const int c = test::random_channels(rng);
    const std::vector<int> shape = rank == 4   ? std::vector<int>{n, h, w, c}
                                   : rank == 3 ? std::vector<int>{n, w, c}
                                               : std::vector<int>{n, c};
    const float beta = pick(rng, {1.0f, 0.5f, 2.0f});
    test::GraphBuilder b;
    const int x = b.input("x", shape);
    b.add_op(OpType::kSoftmax, {x}, SoftmaxAttributes{beta});
    test::OpCheckOptions opt;
    opt.input_lo = -4.0;
    opt.input_hi = 4.0;
    SCOPED_TRACE(fmt::format("{} beta {}", test::shape_str(shape), beta));
    summary.add(test::check_gpu_op(b.graph(), rng, opt));
  }
  std::printf("%s\n", summary.to_string().c_str());
}

// A classifier head: [2,1001] with large logits.
TEST(SoftmaxGpu, ClassifierHeadLargeLogits) {
  HETSCHED_SKIP_WITHOUT_GPU();
  std::mt19937_64 rng = test::rng_for_current_test();
  test::GraphBuilder b;
  const int x = b.input("x", {2, 1001});
  b.add_op(OpType::kSoftmax, {x}, SoftmaxAttributes{1.0f});
  test::OpCheckOptions opt;
  opt.input_lo = 50.0;
  opt.input_hi = 120.0;
  test::check_gpu_op(b.graph(), rng, opt);
}

}  // namespace
}  // namespace hetsched
