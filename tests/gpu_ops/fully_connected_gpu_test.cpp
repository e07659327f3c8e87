// FULLY_CONNECTED's GPU kernel vs the float64 reference (and the CPU kernel) on random input
// ranks, row lengths (whole pixels or not) and keep_num_dims, through the GPU op harness.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include "tests/support/general_op_harness.h"
#include "tests/support/gpu_op_harness.h"

namespace hetsched {
namespace {

using test::pick;

TEST(FullyConnectedGpu, RandomCasesMatchReference) {
  HETSCHED_SKIP_WITHOUT_GPU();
  auto rng = test::rng_for_current_test();
  test::ErrorSummary summary;
  for (int n = 0; n < 30; ++n) {
    const int rank = pick(rng, {1, 2, 2, 3, 4, 4});
    std::vector<int> shape;
    for (int d = 0; d < rank; ++d)
      shape.push_back(d == 0 && rank == 4 ? pick(rng, {1, 2}) : pick(rng, {1, 2, 3, 5, 13, 17}));
    FullyConnectedAttributes a;
    a.keep_num_dims = rank > 1 && pick(rng, {false, true});
    a.activation = pick(rng, {Activation::kNone, Activation::kRelu, Activation::kRelu6, Activation::kTanh});
    size_t elements = 1;
    for (int d : shape) elements *= size_t(d);
    // I: the last dim (one row per pixel), the whole input (one row), or another divisor of the size
    // (rows that split a pixel take the gather path).
    int I = shape.back();
    if (!a.keep_num_dims) {
      std::vector<int> divisors;
      for (size_t d = 1; d <= elements; ++d)
        if (elements % d == 0) divisors.push_back(int(d));
      const int choice = pick(rng, {0, 1, 2});
      I = choice == 0 ? shape.back()
          : choice == 1 ? int(elements)
                        : divisors[std::uniform_int_distribution<size_t>(0, divisors.size() - 1)(rng)];
    }
    const int O = pick(rng, {1, 3, 4, 5, 13, 17, 33});
    const bool bias = pick(rng, {true, true, false});
    SCOPED_TRACE(fmt::format("in {} w [{},{}] keep_num_dims {} {} bias {}", test::shape_str(shape), O, I,
                             a.keep_num_dims, to_string(a.activation), bias));
    test::GraphBuilder g("fc_gpu_random");
    const int x = g.input("x", shape);
    const int wt = g.random_constant(rng, "w", {O, I});
    const int b = bias ? g.random_constant(rng, "b", {O}) : -1;
    g.add_op(OpType::kFullyConnected, {x, wt, b}, a);
    // Long dots with small surviving outputs: relative error is ill-conditioned (as the CPU test).
    test::OpCheckOptions options;
    options.abs_floor = 3e-8 * I;
    summary.add(test::check_gpu_op(g.graph(), rng, options));
    if (HasFailure()) break;
  }
  fmt::print("FULLY_CONNECTED GPU: {}\n", summary.to_string());
}

// MobileNet's classifier head: 1280 -> 1001, one row.
TEST(FullyConnectedGpu, ClassifierHead) {
  HETSCHED_SKIP_WITHOUT_GPU();
  auto rng = test::rng_for_current_test();
  test::GraphBuilder g("fc_gpu_head");
  const int x = g.input("x", {1, 1280});
  g.add_op(OpType::kFullyConnected, {x, g.random_constant(rng, "w", {1001, 1280}), g.random_constant(rng, "b", {1001})},
           FullyConnectedAttributes{});
  const test::OpCheck r = test::check_gpu_op(g.graph(), rng);
  EXPECT_LT(r.rel_l2, test::kGpuDefaultMaxRelL2);
  fmt::print("FULLY_CONNECTED GPU 1280->1001: relative L2 {:.3g}, max-abs {:.3g}\n", r.rel_l2, r.max_abs);
}

}  // namespace
}  // namespace hetsched
