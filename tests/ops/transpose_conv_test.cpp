// TRANSPOSE_CONV on every executor (CPU: packed GEMM on every SIMD target; GPU fp32 and fp16:
// gather form) vs the float64 reference (TFLite's scatter form) on the same random awkward shapes
// with partial ranges on poisoned buffers; TFLite output pads, and errors.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include "base/error.h"
#include "tests/support/expect_error.h"
#include "tests/support/kernel_bench.h"
#include "tests/support/op_check.h"
#include "tests/support/simd_targets.h"

namespace hetsched {
namespace {

using test::pick;

// The output size TFLite's converter writes for a transpose conv: SAME in*s, VALID (in-1)*s + k.
int natural_out(int in, int k, int s, Padding p) { return p == Padding::kSame ? in * s : (in - 1) * s + k; }

// One random transpose conv on `executor` against the float64 reference, whole and partial
// ranges: heights 1..9 and 13, widths also 16, channels not a multiple of 4.
test::OpCheck check_random_transpose_conv(test::Executor executor, std::mt19937_64& rng) {
  const int batch = pick(rng, {1, 1, 2});
  const int h = pick(rng, {1, 2, 3, 4, 5, 6, 7, 8, 9, 13}), w = pick(rng, {1, 2, 3, 4, 5, 6, 7, 8, 9, 13, 16});
  const int ic = pick(rng, {1, 3, 5, 8, 13, 17}), oc = pick(rng, {1, 3, 5, 8, 13, 17});
  const int kh = pick(rng, {1, 2, 3, 4, 5}), kw = pick(rng, {kh, kh, 1, 3});
  TransposeConvAttributes a;
  a.stride_h = pick(rng, {1, 2, 3});
  a.stride_w = pick(rng, {1, 2, 3, a.stride_h});
  a.padding = pick(rng, {Padding::kSame, Padding::kValid});
  a.activation = pick(rng, {Activation::kNone, Activation::kRelu, Activation::kRelu6, Activation::kSigmoid});
  a.out_h = natural_out(h, kh, a.stride_h, a.padding);
  a.out_w = natural_out(w, kw, a.stride_w, a.padding);
  // Also the other output sizes that are consistent with the input (SAME: ceil(out/s) == in).
  if (a.padding == Padding::kSame && a.stride_h > 1 && pick(rng, {false, true})) a.out_h -= a.stride_h - 1;
  a.out_c = oc;
  const bool bias = pick(rng, {true, true, false});
  SCOPED_TRACE(fmt::format("in [{},{},{},{}] w [{},{},{},{}] stride {}x{} {} out {}x{} {} bias {}", batch, h, w, ic,
                           oc, kh, kw, ic, a.stride_h, a.stride_w, a.padding == Padding::kSame ? "SAME" : "VALID",
                           a.out_h, a.out_w, to_string(a.activation), bias));
  test::GraphBuilder g("transpose_conv_random");
  const int x = g.input("x", {batch, h, w, ic});
  const int wt = g.random_constant(rng, "w", {oc, kh, kw, ic});
  const int b = bias ? g.random_constant(rng, "b", {oc}) : -1;
  g.add_op(OpType::kTransposeConv, {x, wt, b}, a);
  return test::check_op(executor, g.graph(), rng);
}

class TransposeConv : public test::OpTest {};

TEST_P(TransposeConv, RandomCasesMatchReference) {
  for_each_trial("TRANSPOSE_CONV", {.cpu = 160, .gpu = 24, .fp16 = 2}, [&](std::mt19937_64& rng, int) {
    return check_random_transpose_conv(executor(), rng);
  }, test::OnFailure::kStop);
}

HETSCHED_OP_TEST_ON_ALL_EXECUTORS(TransposeConv);

// The CPU's packed GEMM is dispatched per SIMD target: check every one this processor supports.
TEST(TransposeConvSimd, EverySimdTarget) {
  test::run_trials_on_every_simd_target("TRANSPOSE_CONV", 23, 40, [](std::mt19937_64& rng, int) {
    return check_random_transpose_conv(test::Executor::kCpu, rng);
  });
}

TEST(TransposeConvBench, DISABLED_Throughput) {
  auto rng = test::make_rng(22);
  for (auto [h, ic, oc, k] : {std::tuple{32, 64, 32, 4}, {64, 32, 16, 3}, {128, 16, 8, 2}}) {
    test::GraphBuilder g("tconv_bench");
    TransposeConvAttributes a;
    a.stride_h = a.stride_w = 2;
    a.padding = Padding::kSame;
    a.out_h = a.out_w = 2 * h;
    a.out_c = oc;
    const int x = g.input("x", {1, h, h, ic});
    g.add_op(OpType::kTransposeConv, {x, g.random_constant(rng, "w", {oc, k, k, ic}), g.random_constant(rng, "b", {oc})}, a);
    Graph& graph = g.graph();
    const double best = test::best_cpu_kernel_seconds(graph, rng, 5);
    fmt::print("TRANSPOSE_CONV {}x{}x{} -> {}x{}x{} k{} s2: {:.3f} ms, {:.2f} GFLOP/s\n", h, h, ic, 2 * h, 2 * h, oc, k,
               best * 1e3, test::gflops(graph, best));
  }
}

Graph tconv_graph(int h, int w, int c, int oc, int k, TransposeConvAttributes a, bool const_weights = true) {
  test::GraphBuilder g("tconv_shape");
  const int x = g.input("x", {1, h, w, c});
  std::vector<float> wv(size_t(oc) * k * k * c, 0.5f);
  const int wt = const_weights ? g.constant("w", {oc, k, k, c}, wv) : g.input("w", {oc, k, k, c});
  g.add_op(OpType::kTransposeConv, {x, wt, -1}, a);
  return g.graph();
}

TEST(TransposeConvShapes, InferenceMatchesTFLite) {
  struct Case {
    int in, k, s;
    Padding p;
    int out, pad_before, pad_after;
  };
  // Pads as TFLite's transpose_conv.cc computes them from the output size.
  const Case cases[] = {
      {8, 4, 2, Padding::kSame, 16, 1, 1},  // a typical 2x upsampling (e.g. MediaPipe segmentation)
      {8, 3, 2, Padding::kSame, 16, 0, 1},
      {8, 3, 2, Padding::kSame, 15, 1, 1},
      {8, 2, 2, Padding::kSame, 16, 0, 0},
      {7, 3, 1, Padding::kSame, 7, 1, 1},
      {8, 3, 2, Padding::kValid, 17, 0, 0},
      {5, 5, 3, Padding::kValid, 17, 0, 0},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(fmt::format("in {} k {} s {} out {}", c.in, c.k, c.s, c.out));
    TransposeConvAttributes a;
    a.stride_h = a.stride_w = c.s;
    a.padding = c.p;
    a.out_h = a.out_w = c.out;
    a.out_c = 6;
    Graph g = tconv_graph(c.in, c.in, 3, 6, c.k, a);
    infer_shapes(g);
    EXPECT_EQ(g.tensors[size_t(g.ops[0].outputs[0])].shape, (std::vector<int>{1, c.out, c.out, 6}));
    EXPECT_EQ(g.ops[0].attrs<TransposeConvAttributes>().pads, (Padding2D{c.pad_before, c.pad_after, c.pad_before, c.pad_after}));
    EXPECT_EQ(total_macs(g), int64_t(c.in) * c.in * 3 * 6 * c.k * c.k);
  }
}

void expect_error(Graph g, ErrorKind kind, const std::string& needle) {
  test::expect_infer_error(std::move(g), kind, {"op 0 (TRANSPOSE_CONV)", needle});
}

TEST(TransposeConvShapes, Errors) {
  TransposeConvAttributes a;
  a.stride_h = a.stride_w = 2;
  a.out_h = a.out_w = 16;
  a.out_c = 4;
  expect_error(tconv_graph(8, 8, 3, 4, 3, a, false), ErrorKind::kUnsupported, "'w'");
  expect_error(tconv_graph(8, 8, 3, 5, 3, a), ErrorKind::kInvalidModel, "'w'");  // out_c 4 vs weights 5
  Graph g = tconv_graph(8, 8, 3, 4, 3, a);
  g.ops[0].inputs.resize(1);
  expect_error(g, ErrorKind::kInvalidModel, "inputs");
  a.out_h = 0;
  expect_error(tconv_graph(8, 8, 3, 4, 3, a), ErrorKind::kInvalidModel, "output shape");
}

}  // namespace
}  // namespace hetsched
