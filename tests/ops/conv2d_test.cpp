// CONV_2D on every executor (CPU on every SIMD target, GPU fp32, GPU fp16) vs the float64
// reference on the same random awkward shapes with partial ranges on poisoned buffers; the GPU's
// register blocks (every block the tuner may pick, and ranges starting at slices that are not a
// multiple of the block); TFLite output sizes and pads, errors, and (disabled by default)
// single-thread CPU throughput.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <array>
#include <optional>
#include <vector>

#include "cpu/kernel.h"
#include "gpu/workgroup_tuning.h"
#include "base/error.h"
#include "tests/support/conv_cases.h"
#include "tests/support/gpu_op_harness.h"
#include "tests/support/expect_error.h"
#include "tests/support/kernel_bench.h"
#include "tests/support/op_check.h"
#include "tests/support/simd_targets.h"

namespace hetsched {
namespace {

using test::pick;

// One random conv on `executor` against the float64 reference, on the whole range and on partial
// ranges: heights and widths 1..13 and 16, channels not a multiple of 4, kernels 1 to 5 and 1xk,
// strides, dilations, both paddings, every activation. On the fp16 GPU every other case runs one
// of the register blocks the tuner tries.
test::OpCheck check_random_conv(test::Executor executor, std::mt19937_64& rng, int trial) {
  const std::initializer_list<int> sizes = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 16};
  const std::initializer_list<int> channels = {1, 3, 5, 8, 13, 17};
  const auto [batch, h, w, ic, oc, kh, kw, a, bias] =
      test::random_conv_case<Conv2DAttributes>(rng, sizes, sizes, channels, channels);
  SCOPED_TRACE(fmt::format("in [{},{},{},{}] w [{},{},{},{}] stride {}x{} dilation {}x{} {} {} bias {}", batch, h, w,
                           ic, oc, kh, kw, ic, a.stride_h, a.stride_w, a.dilation_h, a.dilation_w,
                           a.padding == Padding::kSame ? "SAME" : "VALID", to_string(a.activation), bias));
  test::GraphBuilder g("conv2d_random");
  const int x = g.input("x", {batch, h, w, ic});
  const int wt = g.random_constant(rng, "w", {oc, kh, kw, ic});
  const int b = bias ? g.random_constant(rng, "b", {oc}) : -1;
  g.add_op(OpType::kConv2D, {x, wt, b}, a);
  std::optional<gpu::WorkgroupSize> block;
  const int n = trial + 1;  // the case's number from 1: odd ones take a register block
  if (executor == test::Executor::kGpuFp16 && n % 2 == 1) {
    const auto [bs, bx] = gpu::kRegisterBlocks[size_t(n) % std::size(gpu::kRegisterBlocks)];
    block = gpu::WorkgroupSize{8, 4, 1, bs, bx};
  }
  SCOPED_TRACE(block ? fmt::format("block {}x{}", block->block_s, block->block_x) : "default block");
  return test::check_op(executor, g.graph(), rng, {}, block);
}

class Conv2D : public test::OpTest {};

TEST_P(Conv2D, RandomCasesMatchReference) {
  for_each_trial("CONV_2D", {.cpu = 160, .gpu = 24, .fp16 = 12}, [&](std::mt19937_64& rng, int trial) {
    return check_random_conv(executor(), rng, trial);
  }, test::OnFailure::kStop);
}

// A 1x1 stride-1 conv takes the CPU's flat GEMM path and is the bulk of MobileNet: larger shapes,
// wider channel counts and odd widths.
TEST_P(Conv2D, Pointwise) {
  for_each_trial("CONV_2D 1x1", {.cpu = 40, .gpu = 8, .fp16 = 1}, [&](std::mt19937_64& rng, int) {
    const int batch = pick(rng, {1, 2}), h = pick(rng, {1, 5, 9, 14}), w = pick(rng, {1, 3, 7, 13, 16});
    const int ic = pick(rng, {1, 4, 13, 17, 32, 40}), oc = pick(rng, {1, 3, 8, 13, 24, 33});
    Conv2DAttributes a;
    a.padding = pick(rng, {Padding::kSame, Padding::kValid});
    a.activation = pick(rng, test::kFusedActivations);
    SCOPED_TRACE(fmt::format("1x1 in [{},{},{},{}] out {} {}", batch, h, w, ic, oc, to_string(a.activation)));
    test::GraphBuilder g("conv2d_1x1");
    const int x = g.input("x", {batch, h, w, ic});
    g.add_op(OpType::kConv2D, {x, g.random_constant(rng, "w", {oc, 1, 1, ic}), g.random_constant(rng, "b", {oc})}, a);
    return check(g.graph(), rng);
  }, test::OnFailure::kStop);
}

// A constant data input: the kernel keeps (CPU) or uploads and binds (GPU) its own PHWC4 copy
// (constant views carry no data).
// 1x1 convs on 1x1 maps (classifier heads, squeeze-excite convs): from 32 input channels the GPU
// shares each output's reduction among a workgroup (conv2d_splitk.comp); odd widths, batch 2, every
// fused activation, partial slice ranges on poisoned buffers as every case.
TEST_P(Conv2D, MatrixVectorHeads) {
  for_each_trial("CONV_2D 1x1 on 1x1", {.cpu = 8, .gpu = 8, .fp16 = 2}, [&](std::mt19937_64& rng, int trial) {
    const int batch = pick(rng, {1, 1, 2});
    const int ic = trial == 0 ? 1280 : pick(rng, {32, 61, 96, 250, 1024, 1283});
    const int oc = trial == 0 ? 1000 : pick(rng, {1, 4, 13, 24, 96, 1001});
    Conv2DAttributes a;
    a.activation = pick(rng, test::kFusedActivations);
    SCOPED_TRACE(fmt::format("1x1 in [{},1,1,{}] out {} {}", batch, ic, oc, to_string(a.activation)));
    test::GraphBuilder g("conv2d_matrix_vector");
    const int x = g.input("x", {batch, 1, 1, ic});
    g.add_op(OpType::kConv2D, {x, g.random_constant(rng, "w", {oc, 1, 1, ic}), g.random_constant(rng, "b", {oc})}, a);
    return check(g.graph(), rng);
  }, test::OnFailure::kStop);
}

// The split-K candidates tuning offers for small outputs with long reductions (conv2d_splitk.comp,
// block kSplitKBlock, 32 or 128 invocations per output vec4): kernels 1x1 and 3x3, strides,
// dilations, both paddings, input slices not a multiple of the workgroup, batch 2.
TEST_P(Conv2D, SplitKCandidates) {
  for_each_trial("CONV_2D split-K", {.cpu = 4, .gpu = 10, .fp16 = 4}, [&](std::mt19937_64& rng, int trial) {
    const int batch = pick(rng, {1, 1, 2}), h = pick(rng, {1, 3, 7, 8}), w = pick(rng, {1, 2, 7, 8});
    const int ic = pick(rng, {61, 128, 272, 513}), oc = pick(rng, {3, 13, 64, 72});
    const int k = pick(rng, {1, 3});
    Conv2DAttributes a;
    a.padding = pick(rng, {Padding::kSame, Padding::kValid});
    if (k == 3 && a.padding == Padding::kValid && (h < 3 || w < 3)) a.padding = Padding::kSame;
    a.stride_h = a.stride_w = pick(rng, {1, 1, 2});
    a.dilation_h = a.dilation_w = a.stride_h == 1 && a.padding == Padding::kSame ? pick(rng, {1, 2}) : 1;
    a.activation = pick(rng, test::kFusedActivations);
    const uint32_t group = trial % 2 == 0 ? 32 : 128;
    SCOPED_TRACE(fmt::format("in [{},{},{},{}] {}x{}x{} stride {} dilation {} {} {}, {} invocations", batch, h, w, ic,
                             oc, k, k, a.stride_h, a.dilation_h, a.padding == Padding::kSame ? "SAME" : "VALID",
                             to_string(a.activation), group));
    test::GraphBuilder g("conv2d_split_k");
    const int x = g.input("x", {batch, h, w, ic});
    g.add_op(OpType::kConv2D, {x, g.random_constant(rng, "w", {oc, k, k, ic}), g.random_constant(rng, "b", {oc})}, a);
    std::optional<gpu::WorkgroupSize> split_k;
    if (executor() != test::Executor::kCpu) split_k = gpu::WorkgroupSize{group, 1, 1, gpu::kSplitKBlock.first, gpu::kSplitKBlock.second};
    return test::check_op(executor(), g.graph(), rng, {}, split_k);
  }, test::OnFailure::kStop);
}

TEST_P(Conv2D, ConstantDataInput) {
  auto rng = this->rng();
  test::GraphBuilder g("conv2d_const_input");
  Conv2DAttributes a;
  a.padding = Padding::kSame;
  a.stride_h = 2;
  const int x = g.random_constant(rng, "x", {2, 7, 5, 6});
  g.add_op(OpType::kConv2D, {x, g.random_constant(rng, "w", {5, 3, 3, 6}), g.random_constant(rng, "b", {5})}, a);
  check(g.graph(), rng);
}

// MobileNet's stem: 3x3 stride 2 SAME on 3 channels, ReLU6, a larger map.
TEST_P(Conv2D, MobileNetStem) {
  auto rng = this->rng();
  test::GraphBuilder g("conv2d_stem");
  Conv2DAttributes a;
  a.padding = Padding::kSame;
  a.stride_h = a.stride_w = 2;
  a.activation = Activation::kRelu6;
  const int x = g.input("x", {1, 32, 32, 3});
  g.add_op(OpType::kConv2D, {x, g.random_constant(rng, "w", {32, 3, 3, 3}), g.random_constant(rng, "b", {32})}, a);
  const test::OpCheck r = check(g.graph(), rng);
  fmt::print("CONV_2D stem {}: relative L2 {:.3g}, max-abs {:.3g}\n", test::to_string(executor()), r.rel_l2, r.max_abs);
}

// A long reduction (3x3x256 = 2304 products per output): fp16's fp32 accumulators keep it in bound.
TEST_P(Conv2D, DeepReduction) {
  if (executor() == test::Executor::kGpu) GTEST_SKIP() << "an fp16 bound: run on the CPU and the fp16 GPU";
  auto rng = this->rng();
  test::GraphBuilder g("conv2d_deep");
  Conv2DAttributes a;
  a.padding = Padding::kSame;
  const int x = g.input("x", {1, 6, 7, 256});
  g.add_op(OpType::kConv2D, {x, g.random_constant(rng, "w", {18, 3, 3, 256}), g.random_constant(rng, "b", {18})}, a);
  const test::OpCheck r = check(g.graph(), rng);
  fmt::print("CONV_2D 3x3x256 {}: relative L2 {:.3g}\n", test::to_string(executor()), r.rel_l2);
  // float16 data cannot be as exact as float32 (~1e-7): an error this small means fp32 ran.
  if (executor() == test::Executor::kGpuFp16) {
    EXPECT_GT(r.rel_l2, 1e-5) << "fp16 results as exact as fp32: is the fp16 shader variant running?";
  }
}

// The pose_landmark mechanism on one op: a 1x1 conv reading a residual-stream-like tensor (values
// 200..208, as the pose models' unactivated conv/ADD outputs reach 155-309) with weights that cancel
// across input slices (channel i + 8 has minus channel i's weight), so the output (~10) is a small
// difference of large terms. Inputs and weights are exact in float16, so with fp32 block products
// the only error is the output's float16 rounding (~2.4e-4). With fp16 block products
// (f16mat4 * f16vec4) each slice's 4-term sum (~±800) is rounded to float16 (ulp 0.5) before the
// fp32 accumulator cancels it: relative L2 ~3e-2, which fails here. Measured on lavapipe. (In
// float32 every product and sum is exact: the CPU and GPU fp32 results are too.)
TEST_P(Conv2D, CancellingLargeInputs) {
  if (executor() == test::Executor::kGpu) GTEST_SKIP() << "an fp16 mechanism: run on the CPU and the fp16 GPU";
  auto rng = this->rng();
  constexpr int kIn = 16, kOut = 9;
  std::vector<float> w(size_t(kOut) * kIn);
  for (int o = 0; o < kOut; ++o)
    for (int i = 0; i < kIn / 2; ++i) {
      const float v = pick(rng, {-1.0f, -0.75f, -0.5f, 0.5f, 0.75f, 1.0f});
      w[size_t(o * kIn + i)] = v;
      w[size_t(o * kIn + i + kIn / 2)] = -v;  // cancels channel i across slices
    }
  test::GraphBuilder g("conv2d_fp16_cancelling");
  const int x = g.input("x", {1, 5, 6, kIn});
  const std::vector<float> zeros(kOut, 0.0f);
  g.add_op(OpType::kConv2D, {x, g.constant("w", {kOut, 1, 1, kIn}, w), g.constant("b", {kOut}, zeros)},
           Conv2DAttributes{});
  test::OpCheckOptions opt;
  opt.make_input = [](int, const Shape4& s, std::mt19937_64& r) {
    std::vector<double> v(s.elements());
    for (double& e : v) e = 200.0 + test::uniform_int(r, 0, 63) / 8.0;  // exact in float16
    return v;
  };
  const test::OpCheck r = check(g.graph(), rng, opt);
  fmt::print("CONV_2D 1x1x16 cancelling, inputs 200..208, {}: relative L2 {:.3g}\n", test::to_string(executor()),
             r.rel_l2);
}

HETSCHED_OP_TEST_ON_ALL_EXECUTORS(Conv2D);

// The CPU's GEMM micro-kernels are compiled per SIMD target and dispatched at run time: run the
// random cases on every target this processor supports (AVX-512, AVX2+FMA, the scalar fallback),
// not only the best one, so the paths other machines take are tested here too.
TEST(Conv2DSimd, EverySimdTarget) {
  test::run_trials_on_every_simd_target("CONV_2D", 5, 40, [](std::mt19937_64& rng, int trial) {
    return check_random_conv(test::Executor::kCpu, rng, trial);
  });
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

TEST(Conv2DShapes, InferenceMatchesTFLite) {
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
  test::expect_infer_error(std::move(g), kind, {"op 0 (CONV_2D)", needle});
}

TEST(Conv2DShapes, Errors) {
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
  const int x = g.input("x", {1, h, w, ic});
  g.add_op(OpType::kConv2D, {x, g.random_constant(rng, "w", {oc, k, k, ic}), g.random_constant(rng, "b", {oc})},
           test::same_padded<Conv2DAttributes>(stride, Activation::kRelu6));
  Graph& graph = g.graph();
  const double best = test::best_cpu_kernel_seconds(graph, rng, 7, 1);
  const double gflops = test::gflops(graph, best);
  fmt::print("CONV_2D {}x{}x{} -> {} k{} s{}: {:.3f} ms, {:.2f} GFLOP/s\n", h, w, ic, oc, k, stride, best * 1e3, gflops);
  return gflops;
}

TEST(Conv2DBench, DISABLED_Throughput) {
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

// The blocks the tuner tries, then blocks it does not (the shader takes any).
std::vector<gpu::WorkgroupSize> blocks_to_check() {
  std::vector<gpu::WorkgroupSize> b;
  for (const auto& [bs, bx] : gpu::kRegisterBlocks) b.push_back({1, 1, 1, bs, bx});
  b.push_back({1, 1, 1, 1, 4});
  b.push_back({1, 1, 1, 3, 3});
  b.push_back({1, 1, 1, 4, 4});
  return b;
}

// GPU only: every block x a few local sizes (z = 1, and z > 1 where slice blocks of a workgroup differ) on
// random awkward shapes: channels not a multiple of 4, stride 2-3, dilation, SAME/VALID, batch 2,
// and 6 random partial ranges per case (slice starts anywhere).
TEST(Conv2DGpu, RegisterBlocksMatchReference) {
  HETSCHED_SKIP_WITHOUT_GPU();
  auto rng = test::rng_for_current_test();
  for (gpu::WorkgroupSize block : blocks_to_check()) {
    test::ErrorSummary summary;
    for (int n = 0; n < 8;) {
      const int batch = pick(rng, {1, 1, 2});
      const int h = test::uniform_int(rng, 1, 11), w = test::uniform_int(rng, 1, 13);
      const int ic = test::random_channels(rng), oc = pick(rng, {test::random_channels(rng), 9, 23, 30});
      const int kh = pick(rng, {1, 3, 5}), kw = pick(rng, {kh, kh, 1, 3});
      Conv2DAttributes a;
      test::random_window(rng, a);
      if (!test::window_fits(a, kh, kw, h, w)) continue;
      ++n;
      const auto [lx, ly, lz] = pick(rng, {std::array<uint32_t, 3>{8, 8, 1}, {4, 2, 1}, {2, 2, 4}, {1, 1, 1}});
      block.x = lx, block.y = ly, block.z = lz;
      SCOPED_TRACE(fmt::format("block {}x{} local {}x{}x{}: in [{},{},{},{}] w [{},{},{},{}] stride {}x{} dilation "
                               "{}x{} {} {}",
                               block.block_s, block.block_x, lx, ly, lz, batch, h, w, ic, oc, kh, kw, ic, a.stride_h,
                               a.stride_w, a.dilation_h, a.dilation_w, a.padding == Padding::kSame ? "SAME" : "VALID",
                               to_string(a.activation)));
      test::GraphBuilder g("conv2d_blocked");
      const int x = g.input("x", {batch, h, w, ic});
      g.add_op(OpType::kConv2D,
               {x, g.random_constant(rng, "w", {oc, kh, kw, ic}), g.random_constant(rng, "b", {oc})}, a);
      test::OpCheckOptions o;
      o.partial_ranges = 6;
      summary.add(test::check_op(test::Executor::kGpu, g.graph(), rng, o, block));
      if (HasFailure()) break;
    }
    fmt::print("CONV_2D GPU block {}x{}: {}\n", block.block_s, block.block_x, summary.to_string());
    if (HasFailure()) break;
  }
}

// GPU only: slice ranges starting at every slice (odd ones included) with blocks of 2 and 4 slices: each
// range's values equal the unblocked kernel's whole-range result bit for bit, and nothing outside
// the range is written (the poison survives).
TEST(Conv2DGpu, BlockedRangesAtEverySliceStart) {
  HETSCHED_SKIP_WITHOUT_GPU();
  auto rng = test::rng_for_current_test();
  test::GraphBuilder g("conv2d_block_ranges");
  Conv2DAttributes a;
  a.padding = Padding::kSame;
  a.stride_w = 2;
  const Shape4 in{2, 6, 11, 10};
  const int x = g.input("x", {in.n, in.h, in.w, in.c});
  g.add_op(OpType::kConv2D, {x, g.random_constant(rng, "w", {27, 3, 3, 10}), g.random_constant(rng, "b", {27})}, a);
  Graph& graph = g.graph();
  infer_shapes(graph);
  const Op& op = graph.ops[0];
  const Shape4 out = graph.tensors[size_t(op.outputs[0])].shape4();
  ASSERT_EQ(out.slices(), 7);
  std::vector<float> input(in.phwc4_elements());
  {
    std::vector<double> v = test::random_doubles(rng, in.elements(), -1, 1);
    input = test::to_phwc4(RefTensor{in, v});
  }
  const cpu::ConstView view{input.data(), in};
  const std::vector<cpu::ConstView> views = {view, {}, {}};
  gpu::VulkanDevice& dev = *test::test_gpu_device();
  std::vector<float> want(out.phwc4_elements(), test::kPoison);
  test::GpuOpRunner(dev, graph, op).run(views, cpu::MutableView{want.data(), out}, OutputRange::whole(out));
  for (const gpu::WorkgroupSize block : {gpu::WorkgroupSize{4, 2, 1, 2, 1}, gpu::WorkgroupSize{4, 2, 1, 4, 2},
                                         gpu::WorkgroupSize{2, 2, 2, 4, 1}}) {
    test::GpuOpRunner runner(dev, graph, op, block);
    for (int begin = 0; begin < out.slices(); ++begin)
      for (const int end : {begin + 1, std::min(begin + 3, out.slices()), out.slices()}) {
        const OutputRange r{begin, end, 1, out.h - 1};
        SCOPED_TRACE(fmt::format("block {}x{} local z {}: {}", block.block_s, block.block_x, block.z, test::range_str(r)));
        std::vector<float> got(out.phwc4_elements(), test::kPoison);
        runner.run(views, cpu::MutableView{got.data(), out}, r);
        EXPECT_EQ(test::check_written_range(got, out, r), "");
        EXPECT_EQ(test::count_differing_in_range(got, want, out, r), 0u);
      }
  }
}

}  // namespace
}  // namespace hetsched
