// Tests of CONCATENATION along every 4D axis with 2-3 inputs of odd sizes (channel counts not
// multiples of 4), constant inputs, ranks 2-4, fused activations; CPU kernel vs reference.
#include <gtest/gtest.h>

#include <fmt/format.h>

#include "graph/error.h"
#include "tests/support/general_op_harness.h"

namespace hetsched {
namespace {

using test::pick;

TEST(Concatenation, RandomAxesAndSizes) {
  std::mt19937_64 rng = test::rng_for_current_test();
  test::ErrorSummary summary;
  for (int trial = 0; trial < 60; ++trial) {
    const int axis = trial % 2 == 0 ? 3 : test::uniform_int(rng, 0, 3);  // channel concat half the time
    const int inputs = test::uniform_int(rng, 2, 3);
    std::vector<int> base = {test::random_batch(rng), test::random_spatial(rng), test::random_spatial(rng),
                             test::random_channels(rng)};
    test::GraphBuilder b;
    std::vector<int> ids;
    std::string desc = fmt::format("axis {}:", axis);
    for (int i = 0; i < inputs; ++i) {
      std::vector<int> s = base;
      s[size_t(axis)] = axis == 3 ? pick(rng, {1, 3, 4, 5, 8, 13, 17}) : axis == 0 ? test::random_batch(rng)
                                                                           : test::random_spatial(rng);
      const bool constant = test::uniform_int(rng, 0, 4) == 0;
      ids.push_back(constant ? b.random_constant(rng, fmt::format("c{}", i), s) : b.input(fmt::format("x{}", i), s));
      desc += fmt::format(" {}{}", constant ? "const " : "", test::shape_str(s));
    }
    ConcatenationAttributes a;
    a.axis = axis;
    a.activation = pick(rng, {Activation::kNone, Activation::kRelu, Activation::kRelu6});
    b.add_op(OpType::kConcatenation, ids, a);
    SCOPED_TRACE(desc + " act " + to_string(a.activation));
    summary.add(test::check_cpu_op(b.graph(), rng));
  }
  std::printf("%s\n", summary.to_string().c_str());
}

TEST(Concatenation, LowerRanks) {
  std::mt19937_64 rng = test::rng_for_current_test();
  for (int trial = 0; trial < 10; ++trial) {
    const int n = test::random_batch(rng), w = test::random_spatial(rng);
    const int c1 = test::random_channels(rng), c2 = test::random_channels(rng);
    test::GraphBuilder b;
    const bool rank3 = trial % 2 == 0;
    const int x = b.input("x", rank3 ? std::vector<int>{n, w, c1} : std::vector<int>{n, c1});
    const int y = b.input("y", rank3 ? std::vector<int>{n, w, c2} : std::vector<int>{n, c2});
    b.add_op(OpType::kConcatenation, {x, y}, ConcatenationAttributes{3, Activation::kNone});
    SCOPED_TRACE(fmt::format("rank {} channels {}+{}", rank3 ? 3 : 2, c1, c2));
    test::check_cpu_op(b.graph(), rng);
    const Tensor& out = b.graph().tensors[size_t(b.graph().ops[0].outputs[0])];
    EXPECT_EQ(out.shape, rank3 ? (std::vector<int>{n, w, c1 + c2}) : (std::vector<int>{n, c1 + c2}));
  }
}

TEST(Concatenation, RejectsMismatchedShapes) {
  test::GraphBuilder b;
  const int x = b.input("x", {1, 4, 4, 3});
  const int y = b.input("y", {1, 5, 4, 3});
  b.add_op(OpType::kConcatenation, {x, y}, ConcatenationAttributes{3, Activation::kNone});
  EXPECT_THROW(infer_shapes(b.graph()), Error);
}

}  // namespace
}  // namespace hetsched
