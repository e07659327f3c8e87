// CONV_2D: CPU kernel vs the float64 reference on random awkward shapes and partial ranges,
// TFLite output sizes and pads, errors, and (disabled by default) single-thread throughput.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <chrono>

#include "hwy/targets.h"

#include "cpu/kernel.h"
#include "cpu/simd/simd_target.h"
#include "graph/error.h"
#include "tests/support/op_test_harness.h"

namespace hetsched {
namespace {

template <typename T>
T pick(std::mt19937_64& rng, std::initializer_list<T> v) {
  return *(v.begin() + std::uniform_int_distribution<size_t>(0, v.size() - 1)(rng));
}

constexpr std::initializer_list<Activation> kActivations = {Activation::kNone, Activation::kRelu,
                                                            Activation::kRelu6, Activation::kReluN1To1,
                                                            Activation::kTanh, Activation::kSigmoid};

// `count` random convs (awkward shapes, strides, dilations, both paddings, every activation)
// against the float64 reference, each on the whole range and on partial ranges.
void check_random_convs(std::mt19937_64& rng, int count, test::ErrorSummary& summary) {
  for (int n = 0; n < count;) {
    const int batch = pick(rng, {1, 1, 2});
    const int h = pick(rng, {1, 3, 7, 13, 16}), w = pick(rng, {1, 3, 7, 13, 16});
    const int ic = pick(rng, {1, 3, 5, 8, 13, 17}), oc = pick(rng, {1, 3, 5, 8, 13, 17});
    const int k = pick(rng, {1, 2, 3, 5});
    const int kh = k, kw = pick(rng, {k, k, 1, 3});
    Conv2DAttributes a;
    a.stride_h = pick(rng, {1, 2, 3});
    a.stride_w = pick(rng, {1, 2, 3, a.stride_h});
    a.dilation_h = pick(rng, {1, 1, 2});
    a.dilation_w = pick(rng, {1, 1, 2});
    a.padding = pick(rng, {Padding::kSame, Padding::kValid});
    a.activation = pick(rng, kActivations);
    const bool bias = pick(rng, {true, true, false});
    if (a.padding == Padding::kValid && ((kh - 1) * a.dilation_h + 1 > h || (kw - 1) * a.dilation_w + 1 > w)) continue;
    ++n;
    const std::string desc =
        fmt::format("in [{},{},{},{}] w [{},{},{},{}] stride {}x{} dilation {}x{} {} {} bias {}", batch, h, w, ic, oc,
                    kh, kw, ic, a.stride_h, a.stride_w, a.dilation_h, a.dilation_w,
                    a.padding == Padding::kSame ? "SAME" : "VALID", to_string(a.activation), bias);
    SCOPED_TRACE(desc);
    test::GraphBuilder g("conv2d_random");
    const int x = g.input("x", {batch, h, w, ic});
    const int wt = g.random_constant(rng, "w", {oc, kh, kw, ic});
    const int b = bias ? g.random_constant(rng, "b", {oc}) : -1;
    g.add_op(OpType::kConv2D, {x, wt, b}, a);
    summary.add(test::check_cpu_op(g.graph(), rng));
    if (::testing::Test::HasFailure()) break;
  }
}

TEST(Conv2D, RandomCasesMatchReference) {
  auto rng = test::make_rng(1);
  test::ErrorSummary summary;
  check_random_convs(rng, 160, summary);
  fmt::print("CONV_2D: {}\n", summary.to_string());
}

// The GEMM micro-kernels are compiled per SIMD target and dispatched at run time: run the random
// cases on every target this processor supports (AVX-512, AVX2+FMA, the scalar fallback), not
// only the best one, so the paths other machines take are tested here too.
TEST(Conv2D, EverySimdTarget) {
  int tested = 0;
  for (const int64_t target : cpu::simd_compiled_targets()) {
    hwy::SetSupportedTargetsForTest(target);
    SCOPED_TRACE(hwy::TargetName(target));
    EXPECT_EQ(cpu::simd_target_name(), hwy::TargetName(target));
    auto rng = test::make_rng(5);
    test::ErrorSummary summary;
    check_random_convs(rng, 40, summary);
    fmt::print("CONV_2D on {}: {}\n", hwy::TargetName(target), summary.to_string());
    ++tested;
  }
  hwy::SetSupportedTargetsForTest(0);
  EXPECT_GE(tested, 2);
}

// A 1x1 stride-1 conv takes the flat GEMM path; cover it with larger shapes and odd widths.
TEST(Conv2D, Pointwise) {
  auto rng = test::make_rng(2);
  test::ErrorSummary summary;
  for (int n = 0; n < 40; ++n) {
    const int batch = pick(rng, {1, 2}), h = pick(rng, {1, 5, 9, 14}), w = pick(rng, {1, 3, 7, 13, 16});
    const int ic = pick(rng, {1, 4, 13, 17, 32, 40}), oc = pick(rng, {1, 3, 8, 13, 24, 33});
    Conv2DAttributes a;
    a.padding = pick(rng, {Padding::kSame, Padding::kValid});
    a.activation = pick(rng, kActivations);
    SCOPED_TRACE(fmt::format("1x1 in [{},{},{},{}] out {} {}", batch, h, w, ic, oc, to_string(a.activation)));
    test::GraphBuilder g("conv2d_1x1");
    const int x = g.input("x", {batch, h, w, ic});
    g.add_op(OpType::kConv2D, {x, g.random_constant(rng, "w", {oc, 1, 1, ic}), g.random_constant(rng, "b", {oc})}, a);
    summary.add(test::check_cpu_op(g.graph(), rng));
    if (HasFailure()) break;
  }
  fmt::print("CONV_2D 1x1: {}\n", summary.to_string());
}

// A constant data input: the kernel keeps its own PHWC4 copy (constant views carry no data).
TEST(Conv2D, ConstantDataInput) {
  auto rng = test::make_rng(4);
  test::GraphBuilder g("conv2d_const_input");
  Conv2DAttributes a;
  a.padding = Padding::kSame;
  a.stride_h = 2;
  const int x = g.random_constant(rng, "x", {2, 7, 5, 6});
  g.add_op(OpType::kConv2D, {x, g.random_constant(rng, "w", {5, 3, 3, 6}), g.random_constant(rng, "b", {5})}, a);
  const test::OpCheck r = test::check_cpu_op(g.graph(), rng);
  EXPECT_LT(r.rel_l2, 1e-5);
}

// A graph of one conv on [1,h,w,c] with weights [oc,k,k,c].
Graph conv_graph(int h, int w, int c, int oc, int k, Conv2DAttributes a, bool const_weights = true) {
  test::GraphBuilder g("conv2d_shape");
  const int x = g.input("x", {1, h, w, c});
  std::vector<float> wv(size_t(oc) * k * k * c, 0.5f);
  int wt;
  if (const_weights) {
    wt = g.constant("w", {oc, k, k, c}, wv);
  } else {
    wt = g.input("w", {oc, k, k, c});
  }
  g.add_op(OpType::kConv2D, {x, wt, -1}, a);
  return g.graph();
}

TEST(Conv2D, ShapeInferenceMatchesTFLite) {
  struct Case {
    int in, k, stride, dilation;
    Padding padding;
    int out, pad_before, pad_after;
  };
  // Output sizes as TFLite computes them (ComputeOutSize / ComputePaddingHeightWidth).
  const Case cases[] = {
      {224, 3, 2, 1, Padding::kSame, 112, 0, 1},  // MobileNet stem
      {224, 3, 2, 1, Padding::kValid, 111, 0, 0},
      {112, 3, 1, 1, Padding::kSame, 112, 1, 1},
      {13, 5, 3, 1, Padding::kSame, 5, 2, 2},
      {13, 5, 3, 1, Padding::kValid, 3, 0, 0},
      {7, 3, 1, 2, Padding::kValid, 3, 0, 0},
      {7, 3, 1, 2, Padding::kSame, 7, 2, 2},
      {16, 2, 2, 1, Padding::kSame, 8, 0, 0},
      {15, 2, 2, 1, Padding::kSame, 8, 0, 1},
      {1, 1, 1, 1, Padding::kValid, 1, 0, 0},
      {257, 7, 2, 1, Padding::kSame, 129, 3, 3},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(fmt::format("in {} k {} s {} d {} {}", c.in, c.k, c.stride, c.dilation,
                             c.padding == Padding::kSame ? "SAME" : "VALID"));
    Conv2DAttributes a;
    a.stride_h = a.stride_w = c.stride;
    a.dilation_h = a.dilation_w = c.dilation;
    a.padding = c.padding;
    Graph g = conv_graph(c.in, c.in, 3, 8, c.k, a);
    infer_shapes(g);
    EXPECT_EQ(g.tensors[size_t(g.ops[0].outputs[0])].shape, (std::vector<int>{1, c.out, c.out, 8}));
    EXPECT_EQ(g.tensors[size_t(g.ops[0].outputs[0])].dtype, DataType::kFloat32);
    const Padding2D& p = g.ops[0].attrs<Conv2DAttributes>().pads;
    EXPECT_EQ(p, (Padding2D{c.pad_before, c.pad_after, c.pad_before, c.pad_after}));
    EXPECT_EQ(total_macs(g), int64_t(c.out) * c.out * 8 * c.k * c.k * 3);
  }
  // Non-square: height and width resolved separately; explicit VALID pads (PAD folding) are kept.
  Conv2DAttributes a;
  a.stride_h = 2;
  a.stride_w = 1;
  a.padding = Padding::kValid;
  a.pads = {1, 2, 0, 3};
  Graph g = conv_graph(10, 6, 3, 4, 3, a);
  infer_shapes(g);
  EXPECT_EQ(g.tensors[size_t(g.ops[0].outputs[0])].shape, (std::vector<int>{1, 6, 7, 4}));
  EXPECT_EQ(g.ops[0].attrs<Conv2DAttributes>().pads, (Padding2D{1, 2, 0, 3}));
}

// Expects infer_shapes to throw an Error of `kind` whose message names the op and `needle`.
void expect_error(Graph g, ErrorKind kind, const std::string& needle) {
  try {
    infer_shapes(g);
    ADD_FAILURE() << "no error, expected one naming " << needle;
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), kind) << e.what();
    EXPECT_NE(std::string(e.what()).find("op 0 (CONV_2D)"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find(needle), std::string::npos) << e.what();
  }
}

TEST(Conv2D, Errors) {
  Conv2DAttributes a;
  {
    Graph g = conv_graph(8, 8, 3, 4, 3, a, /*const_weights=*/false);
    expect_error(g, ErrorKind::kUnsupported, "'w'");
  }
  {
    Graph g = conv_graph(8, 8, 3, 4, 3, a);
    g.ops[0].inputs = {g.ops[0].inputs[0]};
    expect_error(g, ErrorKind::kInvalidModel, "inputs");
  }
  {
    Graph g = conv_graph(8, 8, 3, 4, 3, a);
    g.ops[0].inputs.push_back(0);
    g.ops[0].inputs.push_back(0);
    expect_error(g, ErrorKind::kInvalidModel, "inputs");
  }
  {
    Graph g = conv_graph(8, 8, 3, 4, 3, a);
    g.ops[0].inputs[1] = -1;
    expect_error(g, ErrorKind::kInvalidModel, "weights");
  }
  {
    Graph g = conv_graph(8, 8, 3, 4, 3, a);
    g.tensors[size_t(g.ops[0].inputs[0])].shape = {1, 8, 8, 5};  // channels differ from the weights
    expect_error(g, ErrorKind::kUnsupported, "'w'");
  }
  {
    test::GraphBuilder b("conv2d_bias");
    std::vector<float> wv(4 * 9 * 3, 0.f), bv(5, 0.f);
    const int x = b.input("x", {1, 8, 8, 3});
    b.add_op(OpType::kConv2D, {x, b.constant("w", {4, 3, 3, 3}, wv), b.constant("bias", {5}, bv)}, a);
    expect_error(b.graph(), ErrorKind::kInvalidModel, "'bias'");
  }
  {
    Conv2DAttributes v;
    v.padding = Padding::kValid;
    expect_error(conv_graph(2, 8, 3, 4, 3, v), ErrorKind::kInvalidModel, "height");
  }
  {
    Conv2DAttributes s;
    s.stride_w = 0;
    expect_error(conv_graph(8, 8, 3, 4, 3, s), ErrorKind::kInvalidModel, "stride");
  }
  {
    Graph g = conv_graph(8, 8, 3, 4, 3, a);
    g.tensors[size_t(g.ops[0].inputs[0])].shape = {8, 8, 3};
    expect_error(g, ErrorKind::kInvalidModel, "'x'");
  }
}

// Single-thread GFLOP/s of the CPU kernel (run with --gtest_also_run_disabled_tests).
double conv_gflops(int h, int w, int ic, int oc, int k, int stride) {
  auto rng = test::make_rng(3);
  test::GraphBuilder g("conv2d_bench");
  Conv2DAttributes a;
  a.stride_h = a.stride_w = stride;
  a.padding = Padding::kSame;
  a.activation = Activation::kRelu6;
  const int x = g.input("x", {1, h, w, ic});
  g.add_op(OpType::kConv2D, {x, g.random_constant(rng, "w", {oc, k, k, ic}), g.random_constant(rng, "b", {oc})}, a);
  Graph& graph = g.graph();
  infer_shapes(graph);
  const Shape4 is = graph.tensors[size_t(x)].shape4(), os = graph.tensors[size_t(graph.ops[0].outputs[0])].shape4();
  auto kernel = cpu::create_cpu_kernel(graph, graph.ops[0]);
  std::vector<float> in = test::to_phwc4(test::random_ref(rng, is)), out(os.phwc4_elements());
  const cpu::ConstView views[] = {{in.data(), is}, {}, {}};
  const cpu::MutableView mv{out.data(), os};
  kernel->run(views, mv, OutputRange::whole(os));
  double best = 1e30;
  for (int rep = 0; rep < 7; ++rep) {
    const auto t0 = std::chrono::steady_clock::now();
    kernel->run(views, mv, OutputRange::whole(os));
    best = std::min(best, std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
  }
  const double gflops = 2.0 * double(total_macs(graph)) / best * 1e-9;
  fmt::print("CONV_2D {}x{}x{} -> {} k{} s{}: {:.3f} ms, {:.2f} GFLOP/s\n", h, w, ic, oc, k, stride, best * 1e3, gflops);
  return gflops;
}

TEST(Conv2D, DISABLED_Throughput) {
  conv_gflops(56, 56, 64, 64, 1, 1);
  conv_gflops(56, 56, 64, 64, 3, 1);
  conv_gflops(112, 112, 32, 16, 1, 1);
  conv_gflops(28, 28, 128, 128, 3, 1);
  conv_gflops(224, 224, 3, 32, 3, 2);
  conv_gflops(7, 7, 960, 320, 1, 1);
  conv_gflops(112, 112, 16, 96, 1, 1);   // small K: store-bound
  conv_gflops(256, 256, 32, 16, 3, 1);   // one vector of output channels (unet_seg)
  conv_gflops(128, 128, 64, 32, 3, 1);
}

}  // namespace
}  // namespace hetsched
