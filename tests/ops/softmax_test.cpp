// SOFTMAX over channels with beta on every executor (CPU, GPU fp32, GPU fp16) vs the float64
// reference on the same random cases: ranks 2-4, odd channel counts up to 1001, large logits (the
// max subtraction keeps exp finite); partial row ranges on poisoned buffers.
#include <gtest/gtest.h>

#include <fmt/format.h>

#include "tests/support/op_check.h"

namespace hetsched {
namespace {

class Softmax : public test::OpTest {};

TEST_P(Softmax, Random) {
  for_each_trial("SOFTMAX", {.cpu = 40, .gpu = 16, .fp16 = 2}, [&](std::mt19937_64& rng, int) {
    const int rank = test::pick(rng, {2, 3, 4, 4});
    const auto [n, h, w, c] = test::random_nhwc(rng);
    const std::vector<int> shape = rank == 4   ? std::vector<int>{n, h, w, c}
                                   : rank == 3 ? std::vector<int>{n, w, c}
                                               : std::vector<int>{n, c};
    const float beta = test::pick(rng, {1.0f, 0.5f, 2.0f});
    test::GraphBuilder b;
    const int x = b.input("x", shape);
    b.add_op(OpType::kSoftmax, {x}, SoftmaxAttributes{beta});
    test::OpCheckOptions opt;
    opt.input_lo = -5.0;
    opt.input_hi = 5.0;
    SCOPED_TRACE(fmt::format("{} beta {}", test::shape_str(shape), beta));
    return check(b.graph(), rng, opt);
  });
}

// A classifier head ([2,1001]) with large logits, 37 channels over three rows, and wide maps (a
// workgroup per pixel on the GPU from 64 channels on: 1000 classes, 131 and 64 channels over rows).
TEST_P(Softmax, ClassifierHeads) {
  std::mt19937_64 rng = this->rng();
  for (const auto& [shape, lo, hi] : {std::tuple{std::vector<int>{2, 1001}, 50.0, 120.0},
                                      std::tuple{std::vector<int>{1, 3, 1, 37}, -1.0, 1.0},
                                      std::tuple{std::vector<int>{1, 1000}, -8.0, 8.0},
                                      std::tuple{std::vector<int>{2, 5, 3, 131}, -5.0, 5.0},
                                      std::tuple{std::vector<int>{1, 4, 2, 64}, -5.0, 5.0}}) {
    // float16 inputs near 120 are rounded by up to 0.03: a few percent of exp, the format's limit.
    if (executor() == test::Executor::kGpuFp16 && hi > 8) continue;
    test::GraphBuilder b;
    const int x = b.input("x", shape);
    b.add_op(OpType::kSoftmax, {x}, SoftmaxAttributes{1.0f});
    test::OpCheckOptions opt;
    opt.input_lo = lo;
    opt.input_hi = hi;
    SCOPED_TRACE(fmt::format("{} logits in [{},{})", test::shape_str(shape), lo, hi));
    check(b.graph(), rng, opt);
  }
}

HETSCHED_OP_TEST_ON_ALL_EXECUTORS(Softmax);

}  // namespace
}  // namespace hetsched
