// FULLY_CONNECTED on every executor (CPU, GPU fp32, GPU fp16) vs the float64 reference for inputs
// of every rank (flattened in NHWC order, keep_num_dims), rows that cover several pixels or split
// them, partial ranges on poisoned buffers; shape inference and errors.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include "base/error.h"
#include "tests/support/expect_error.h"
#include "tests/support/kernel_bench.h"
#include "tests/support/op_check.h"

namespace hetsched {
namespace {

using test::pick;

class FullyConnected : public test::OpTest {};

// Inputs of every rank (flattened in NHWC order, keep_num_dims), rows of one pixel, of the whole
// input or of another divisor (rows that split a pixel take the GPU's gather path).
TEST_P(FullyConnected, RandomCasesMatchReference) {
  for_each_trial("FULLY_CONNECTED", {.cpu = 200, .gpu = 30, .fp16 = 2}, [&](std::mt19937_64& rng, int) {
    const int rank = pick(rng, {1, 2, 2, 3, 4, 4});
    std::vector<int> shape;
    // At most ~17^3 elements: a float32 dot of I terms has a relative error ~ sqrt(I) * 6e-8.
    for (int d = 0; d < rank; ++d) shape.push_back(d == 0 && rank == 4 ? pick(rng, {1, 2}) : pick(rng, {1, 2, 3, 5, 8, 13, 17}));
    FullyConnectedAttributes a;
    a.keep_num_dims = rank > 1 && pick(rng, {false, true});
    a.activation = pick(rng, {Activation::kNone, Activation::kRelu, Activation::kRelu6, Activation::kTanh});
    size_t elements = 1;
    for (int d : shape) elements *= size_t(d);
    // I: the last dim (one row per pixel), the whole input (one row), or another divisor of the size.
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
    const int O = pick(rng, {1, 3, 4, 5, 8, 13, 17, 33});
    const bool bias = pick(rng, {true, true, false});
    SCOPED_TRACE(fmt::format("in {} w [{},{}] keep_num_dims {} {} bias {}", test::shape_str(shape), O, I,
                             a.keep_num_dims, to_string(a.activation), bias));
    test::GraphBuilder g("fc_random");
    const int x = g.input("x", shape);
    const int wt = g.random_constant(rng, "w", {O, I});
    const int b = bias ? g.random_constant(rng, "b", {O}) : -1;
    g.add_op(OpType::kFullyConnected, {x, wt, b}, a);
    // A float32 dot of I terms in [-1,1]^2 is off by ~I * 1e-8 at worst; with a few small outputs
    // (ReLU survivors, cancellation) that can exceed the relative bound.
    test::OpCheckOptions options;
    options.abs_floor = 3e-8 * I;
    return check(g.graph(), rng, options);
  }, test::OnFailure::kStop);
}

// MobileNet's classifier head: [1,1280] x [1001,1280].
TEST_P(FullyConnected, ClassifierHead) {
  auto rng = this->rng();
  test::GraphBuilder g("fc_head");
  const int x = g.input("x", {1, 1280});
  g.add_op(OpType::kFullyConnected, {x, g.random_constant(rng, "w", {1001, 1280}), g.random_constant(rng, "b", {1001})},
           FullyConnectedAttributes{});
  const test::OpCheck r = check(g.graph(), rng);
  fmt::print("FULLY_CONNECTED 1280->1001 {}: relative L2 {:.3g}, max-abs {:.3g}\n", test::to_string(executor()),
             r.rel_l2, r.max_abs);
}

// Rows of one pixel's 32+ channels (hand_landmark_full's 1152 -> 1 and -> 63 heads): on the GPU a
// matrix-vector product whose output vec4s each get a workgroup (conv2d_splitk.comp); batch rows,
// a 4D one-pixel input, fused activations, partial slice ranges on poisoned buffers.
TEST_P(FullyConnected, MatrixVectorRows) {
  auto rng = this->rng();
  for (const auto& [in_shape, O, act] : {std::tuple{std::vector<int>{2, 1152}, 63, Activation::kNone},
                                         std::tuple{std::vector<int>{1, 1, 1, 1152}, 1, Activation::kTanh},
                                         std::tuple{std::vector<int>{3, 129}, 17, Activation::kRelu6}}) {
    const int I = in_shape.back();
    SCOPED_TRACE(fmt::format("{} -> {} {}", test::shape_str(in_shape), O, to_string(act)));
    test::GraphBuilder g("fc_rows");
    const int x = g.input("x", in_shape);
    FullyConnectedAttributes a;
    a.activation = act;
    g.add_op(OpType::kFullyConnected, {x, g.random_constant(rng, "w", {O, I}), g.random_constant(rng, "b", {O})}, a);
    check(g.graph(), rng);
  }
}

HETSCHED_OP_TEST_ON_ALL_EXECUTORS(FullyConnected);

TEST(FullyConnectedBench, DISABLED_Throughput) {
  auto rng = test::make_rng(33);
  for (auto [rows, I, O] : {std::tuple{1, 1280, 1001}, {1, 3136, 10}, {64, 256, 256}}) {
    test::GraphBuilder g("fc_bench");
    const int x = g.input("x", {rows, I});
    g.add_op(OpType::kFullyConnected, {x, g.random_constant(rng, "w", {O, I}), g.random_constant(rng, "b", {O})},
             FullyConnectedAttributes{});
    Graph& graph = g.graph();
    const double best = test::best_cpu_kernel_seconds(graph, rng, 8);
    fmt::print("FULLY_CONNECTED [{},{}] -> {}: {:.3f} ms, {:.2f} GFLOP/s\n", rows, I, O, best * 1e3,
               test::gflops(graph, best));
  }
}

Graph fc_graph(std::vector<int> in_shape, int O, int I, FullyConnectedAttributes a, bool const_weights = true) {
  test::GraphBuilder g("fc_shape");
  const int x = g.input("x", in_shape);
  std::vector<float> wv(size_t(O) * I, 0.25f);
  const int wt = const_weights ? g.constant("w", {O, I}, wv) : g.input("w", {O, I});
  g.add_op(OpType::kFullyConnected, {x, wt, -1}, a);
  return g.graph();
}

TEST(FullyConnectedShapes, InferenceMatchesTFLite) {
  struct Case {
    std::vector<int> in;
    int O, I;
    bool keep;
    std::vector<int> out;
  };
  const Case cases[] = {
      {{1, 1280}, 1000, 1280, false, {1, 1000}},
      {{1, 7, 7, 64}, 10, 3136, false, {1, 10}},
      {{4, 16}, 8, 32, false, {2, 8}},  // TFLite: batch = elements / I
      {{2, 5, 16}, 8, 16, false, {10, 8}},
      {{2, 5, 16}, 8, 16, true, {2, 5, 8}},
      {{1, 3, 3, 16}, 4, 16, true, {1, 3, 3, 4}},
      {{16}, 4, 16, false, {1, 4}},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(test::shape_str(c.in));
    FullyConnectedAttributes a;
    a.keep_num_dims = c.keep;
    Graph g = fc_graph(c.in, c.O, c.I, a);
    infer_shapes(g);
    EXPECT_EQ(g.tensors[size_t(g.ops[0].outputs[0])].shape, c.out);
    size_t elements = 1;
    for (int d : c.in) elements *= size_t(d);
    EXPECT_EQ(total_macs(g), int64_t(elements) * c.O);
  }
}

void expect_error(Graph g, ErrorKind kind, const std::string& needle) {
  test::expect_infer_error(std::move(g), kind, {"op 0 (FULLY_CONNECTED)", needle});
}

TEST(FullyConnectedShapes, Errors) {
  expect_error(fc_graph({1, 10}, 4, 10, {}, false), ErrorKind::kUnsupported, "'w'");
  expect_error(fc_graph({1, 10}, 4, 3, {}), ErrorKind::kInvalidModel, "'x'");  // 10 % 3 != 0
  FullyConnectedAttributes keep;
  keep.keep_num_dims = true;
  expect_error(fc_graph({2, 10}, 4, 5, keep), ErrorKind::kInvalidModel, "'x'");
  Graph g = fc_graph({1, 10}, 4, 10, {});
  g.ops[0].inputs.resize(1);
  expect_error(g, ErrorKind::kInvalidModel, "inputs");
}

}  // namespace
}  // namespace hetsched
