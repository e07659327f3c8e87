// Tests of SOFTMAX over channels with beta: ranks 2 and 4, odd channel counts; CPU kernel vs the
// float64 reference, partial row ranges.
#include <gtest/gtest.h>

#include <fmt/format.h>

#include "graph/error.h"
#include "tests/support/general_op_harness.h"

namespace hetsched {
namespace {

using test::pick;

TEST(Softmax, Random) {
  std::mt19937_64 rng = test::rng_for_current_test();
  test::ErrorSummary summary;
  for (int trial = 0; trial < 40; ++trial) {
    const int n = test::random_batch(rng), h = test::random_spatial(rng), w = test::random_spatial(rng);
    const int c = test::random_channels(rng);
    const float beta = pick(rng, {1.0f, 0.5f, 2.0f});
    const std::vector<int> shape = trial % 4 == 0 ? std::vector<int>{n, c} : std::vector<int>{n, h, w, c};
    test::GraphBuilder b;
    const int x = b.input("x", shape);
    b.add_op(OpType::kSoftmax, {x}, SoftmaxAttributes{beta});
    test::OpCheckOptions opt;
    opt.input_lo = -5.0;
    opt.input_hi = 5.0;
    SCOPED_TRACE(fmt::format("{} beta {}", test::shape_str(shape), beta));
    summary.add(test::check_cpu_op(b.graph(), rng, opt));
  }
  std::printf("%s\n", summary.to_string().c_str());
}

}  // namespace
}  // namespace hetsched
