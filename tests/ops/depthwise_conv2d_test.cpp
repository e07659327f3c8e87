// DEPTHWISE_CONV_2D on every executor (CPU, GPU fp32, GPU fp16) vs the float64 reference on the
// same random awkward shapes (multipliers 1 to 3) with partial ranges on poisoned buffers; TFLite
// output sizes, errors, the CPU executor's tiles (slices first or rows) at 1-4 threads, and
// (disabled) single-thread CPU throughput.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <random>

#include "base/error.h"
#include "cpu/executor.h"
#include "tests/support/conv_cases.h"
#include "tests/support/expect_error.h"
#include "tests/support/kernel_bench.h"
#include "tests/support/op_check.h"

namespace hetsched {
namespace {

class DepthwiseConv2D : public test::OpTest {};

// Random awkward shapes: heights and widths 1..13 and 16 (widths also 21), channels not a
// multiple of 4, multipliers 1 to 3, kernels 1 to 5 (and 1xk), strides 1 to 3, dilation 2,
// SAME/VALID, every fused activation, with and without bias.
TEST_P(DepthwiseConv2D, RandomCasesMatchReference) {
  for_each_trial("DEPTHWISE_CONV_2D", {.cpu = 200, .gpu = 28, .fp16 = 3}, [&](std::mt19937_64& rng, int) {
    auto [batch, h, w, c, m, kh, kw, a, bias] = test::random_conv_case<DepthwiseConv2DAttributes>(
        rng, {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 16}, {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 16, 21},
        {1, 3, 5, 8, 13, 17}, {1, 1, 2, 3});
    a.depth_multiplier = m;
    SCOPED_TRACE(fmt::format("in [{},{},{},{}] k {}x{} multiplier {} stride {}x{} dilation {}x{} {} {} bias {}", batch,
                             h, w, c, kh, kw, m, a.stride_h, a.stride_w, a.dilation_h, a.dilation_w,
                             a.padding == Padding::kSame ? "SAME" : "VALID", to_string(a.activation), bias));
    test::GraphBuilder g("depthwise_random");
    const int x = g.input("x", {batch, h, w, c});
    const int wt = g.random_constant(rng, "w", {1, kh, kw, c * m});
    const int b = bias ? g.random_constant(rng, "b", {c * m}) : -1;
    g.add_op(OpType::kDepthwiseConv2D, {x, wt, b}, a);
    return check(g.graph(), rng);
  }, test::OnFailure::kStop);
}

// Wide rows: the full-vector register blocks of the CPU's stride-1 path (16 pixels per block on
// AVX-512), their remainders, and stride 2 / dilation beside them, with partial ranges on poisoned buffers.
TEST_P(DepthwiseConv2D, WideRowsMatchReference) {
  for_each_trial("DEPTHWISE_CONV_2D wide", {.cpu = 40, .gpu = 1, .fp16 = 1}, [&](std::mt19937_64& rng, int) {
    const int h = test::pick(rng, {2, 5, 9}), w = test::pick(rng, {17, 23, 33, 40, 57, 64});
    const int c = test::pick(rng, {4, 7, 16, 30});
    const int k = test::pick(rng, {3, 3, 5});
    DepthwiseConv2DAttributes a;
    a.stride_h = a.stride_w = test::pick(rng, {1, 1, 2});
    a.dilation_h = a.dilation_w = test::pick(rng, {1, 1, 2});
    a.padding = test::pick(rng, {Padding::kSame, Padding::kValid});
    a.activation = test::pick(rng, {Activation::kNone, Activation::kRelu6, Activation::kSigmoid});
    if (a.padding == Padding::kValid && (k - 1) * a.dilation_h + 1 > h) a.padding = Padding::kSame;
    SCOPED_TRACE(fmt::format("in [1,{},{},{}] k {} stride {} dilation {} {} {}", h, w, c, k, a.stride_h, a.dilation_h,
                             a.padding == Padding::kSame ? "SAME" : "VALID", to_string(a.activation)));
    test::GraphBuilder g("depthwise_wide");
    const int x = g.input("x", {1, h, w, c});
    g.add_op(OpType::kDepthwiseConv2D,
             {x, g.random_constant(rng, "w", {1, k, k, c}), g.random_constant(rng, "b", {c})}, a);
    test::OpCheckOptions o;
    o.partial_ranges = 5;
    return check(g.graph(), rng, o);
  }, test::OnFailure::kStop);
}

// MobileNet's depthwise layer (3x3, stride 1 and 2, 32 channels, ReLU6) and an odd one (13
// channels on 11x9, stride 2).
TEST_P(DepthwiseConv2D, MobileNetLayers) {
  auto rng = this->rng();
  for (auto [h, w, c, stride] : {std::tuple{16, 16, 32, 1}, {16, 16, 32, 2}, {11, 9, 13, 2}}) {
    SCOPED_TRACE(fmt::format("in [1,{},{},{}] stride {}", h, w, c, stride));
    test::GraphBuilder g("depthwise_mobilenet");
    const int x = g.input("x", {1, h, w, c});
    g.add_op(OpType::kDepthwiseConv2D,
             {x, g.random_constant(rng, "w", {1, 3, 3, c}), g.random_constant(rng, "b", {c})},
             test::same_padded<DepthwiseConv2DAttributes>(stride, c == 32 ? Activation::kRelu6 : Activation::kNone));
    const test::OpCheck r = check(g.graph(), rng);
    fmt::print("DEPTHWISE_CONV_2D [1,{},{},{}] s{} {}: relative L2 {:.3g}\n", h, w, c, stride,
               test::to_string(executor()), r.rel_l2);
  }
}

HETSCHED_OP_TEST_ON_ALL_EXECUTORS(DepthwiseConv2D);

Graph dw_graph(int h, int w, int c, int out_c, int k, DepthwiseConv2DAttributes a, bool const_weights = true) {
  test::GraphBuilder g("depthwise_shape");
  const int x = g.input("x", {1, h, w, c});
  std::vector<float> wv(size_t(out_c) * k * k, 0.5f);
  const int wt = const_weights ? g.constant("w", {1, k, k, out_c}, wv) : g.input("w", {1, k, k, out_c});
  g.add_op(OpType::kDepthwiseConv2D, {x, wt, -1}, a);
  return g.graph();
}

TEST(DepthwiseConv2DShapes, InferenceMatchesTFLite) {
  DepthwiseConv2DAttributes a;
  a.stride_h = a.stride_w = 2;
  a.padding = Padding::kSame;
  Graph g = dw_graph(112, 112, 96, 96, 3, a);  // MobileNetV2 block 2
  infer_shapes(g);
  EXPECT_EQ(g.tensors[size_t(g.ops[0].outputs[0])].shape, (std::vector<int>{1, 56, 56, 96}));
  EXPECT_EQ(g.ops[0].attrs<DepthwiseConv2DAttributes>().pads, (Padding2D{0, 1, 0, 1}));
  EXPECT_EQ(total_macs(g), int64_t(56) * 56 * 96 * 9);

  DepthwiseConv2DAttributes v;
  v.padding = Padding::kValid;
  v.dilation_h = v.dilation_w = 2;
  v.depth_multiplier = 1;  // stale: the shapes say 2
  Graph g2 = dw_graph(13, 9, 5, 10, 3, v);
  infer_shapes(g2);
  EXPECT_EQ(g2.tensors[size_t(g2.ops[0].outputs[0])].shape, (std::vector<int>{1, 9, 5, 10}));
  EXPECT_EQ(g2.ops[0].attrs<DepthwiseConv2DAttributes>().depth_multiplier, 2);
}

void expect_error(Graph g, ErrorKind kind, const std::string& needle) {
  test::expect_infer_error(std::move(g), kind, {"op 0 (DEPTHWISE_CONV_2D)", needle});
}

TEST(DepthwiseConv2DShapes, Errors) {
  DepthwiseConv2DAttributes a;
  expect_error(dw_graph(8, 8, 4, 4, 3, a, false), ErrorKind::kUnsupported, "'w'");
  expect_error(dw_graph(8, 8, 4, 6, 3, a), ErrorKind::kInvalidModel, "'w'");  // 6 % 4 != 0
  Graph g = dw_graph(8, 8, 4, 4, 3, a);
  g.ops[0].inputs.resize(1);
  expect_error(g, ErrorKind::kInvalidModel, "inputs");
}

// The CPU executor cuts a depthwise op into slice tiles on small maps (CpuKernel::slices_first)
// and into row tiles when each gets kMinRowsPerTile rows: at every thread count the output, on a
// poisoned buffer, is bit for bit the 1-thread output (every element written, none twice
// differently), and the 1-thread output is not trivial.
TEST(DepthwiseConv2DExecutor, TilesAtAnyThreadCountMatchOneThread) {
  auto rng = test::make_rng(14);
  for (auto [h, c, k, s] : {std::tuple{14, 96, 5, 1}, {7, 100, 3, 1}, {28, 37, 5, 2}, {56, 64, 3, 1}, {112, 24, 3, 2}}) {
    SCOPED_TRACE(fmt::format("in [1,{},{},{}] k {} stride {}", h, h, c, k, s));
    test::GraphBuilder b("dw_tiles");
    const int x = b.input("x", {1, h, h, c});
    b.add_op(OpType::kDepthwiseConv2D, {x, b.random_constant(rng, "w", {1, k, k, c}), b.random_constant(rng, "b", {c})},
             test::same_padded<DepthwiseConv2DAttributes>(s, Activation::kRelu6));
    Graph g = b.graph();
    infer_shapes(g);
    std::vector<float> in(g.tensors[size_t(g.inputs[0])].elements());
    std::uniform_real_distribution<float> u(-1.0f, 1.0f);
    for (float& v : in) v = u(rng);
    auto run = [&](int threads) {
      cpu::CpuExecutorOptions o;
      o.threads = threads;
      cpu::CpuExecutor e(g, o);
      e.set_input(0, in);
      const Shape4 os = g.tensors[size_t(g.outputs[0])].shape4();
      float* out = e.tensor_data(g.outputs[0]);
      std::fill(out, out + os.phwc4_elements(), test::kPoison);
      e.run();
      return e.output_nhwc(0);
    };
    const std::vector<float> want = run(1);
    EXPECT_TRUE(std::none_of(want.begin(), want.end(), [](float v) { return v == test::kPoison; }));
    EXPECT_GT(std::count_if(want.begin(), want.end(), [](float v) { return v > 0.0f && v < 6.0f; }), int64_t(want.size() / 4));
    for (const int threads : {2, 3, 4}) {
      const std::vector<float> got = run(threads);
      ASSERT_EQ(got.size(), want.size());
      EXPECT_EQ(std::memcmp(got.data(), want.data(), got.size() * sizeof(float)), 0) << threads << " threads";
    }
  }
}

TEST(DepthwiseConv2DBench, DISABLED_Throughput) {
  auto rng = test::make_rng(12);
  for (auto [h, c, s] : {std::tuple{112, 32, 1}, {112, 96, 2}, {56, 144, 1}, {14, 576, 1}}) {
    test::GraphBuilder g("dw_bench");
    const int x = g.input("x", {1, h, h, c});
    g.add_op(OpType::kDepthwiseConv2D, {x, g.random_constant(rng, "w", {1, 3, 3, c}), g.random_constant(rng, "b", {c})},
             test::same_padded<DepthwiseConv2DAttributes>(s, Activation::kRelu6));
    Graph& graph = g.graph();
    const double best = test::best_cpu_kernel_seconds(graph, rng, 8);
    fmt::print("DEPTHWISE {}x{}x{} s{}: {:.3f} ms, {:.2f} GFLOP/s\n", h, h, c, s, best * 1e3,
               test::gflops(graph, best));
  }
}

}  // namespace
}  // namespace hetsched
