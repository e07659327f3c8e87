// CONV_2D's GPU kernel vs the float64 reference (and the CPU kernel) on random awkward shapes,
// through the GPU op harness: whole range, empty range and partial slice x row ranges.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include "tests/support/general_op_harness.h"
#include "tests/support/gpu_op_harness.h"

namespace hetsched {
namespace {

using test::pick;

constexpr std::initializer_list<Activation> kActivations = {Activation::kNone, Activation::kRelu,
                                                            Activation::kRelu6, Activation::kReluN1To1,
                                                            Activation::kTanh, Activation::kSigmoid};

TEST(Conv2DGpu, RandomCasesMatchReference) {
  HETSCHED_SKIP_WITHOUT_GPU();
  auto rng = test::rng_for_current_test();
  test::ErrorSummary summary;
  for (int n = 0; n < 24;) {
    const int batch = pick(rng, {1, 1, 2});
    const int h = test::uniform_int(rng, 1, 13), w = test::uniform_int(rng, 1, 13);
    const int ic = test::random_channels(rng), oc = test::random_channels(rng);
    const int kh = pick(rng, {1, 3, 5}), kw = pick(rng, {kh, kh, 1, 3});
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
    SCOPED_TRACE(fmt::format("in [{},{},{},{}] w [{},{},{},{}] stride {}x{} dilation {}x{} {} {} bias {}", batch, h, w,
                             ic, oc, kh, kw, ic, a.stride_h, a.stride_w, a.dilation_h, a.dilation_w,
                             a.padding == Padding::kSame ? "SAME" : "VALID", to_string(a.activation), bias));
    test::GraphBuilder g("conv2d_gpu_random");
    const int x = g.input("x", {batch, h, w, ic});
    const int wt = g.random_constant(rng, "w", {oc, kh, kw, ic});
    const int b = bias ? g.random_constant(rng, "b", {oc}) : -1;
    g.add_op(OpType::kConv2D, {x, wt, b}, a);
    summary.add(test::check_gpu_op(g.graph(), rng));
    if (HasFailure()) break;
  }
  fmt::print("CONV_2D GPU: {}\n", summary.to_string());
}

// 1x1 convs (the bulk of MobileNet) with wider channel counts.
TEST(Conv2DGpu, Pointwise) {
  HETSCHED_SKIP_WITHOUT_GPU();
  auto rng = test::rng_for_current_test();
  test::ErrorSummary summary;
  for (int n = 0; n < 8; ++n) {
    const int batch = pick(rng, {1, 2}), h = pick(rng, {1, 5, 9}), w = pick(rng, {1, 3, 7, 13});
    const int ic = pick(rng, {1, 13, 17, 32, 40}), oc = pick(rng, {1, 3, 13, 24, 33});
    Conv2DAttributes a;
    a.activation = pick(rng, kActivations);
    SCOPED_TRACE(fmt::format("1x1 in [{},{},{},{}] out {} {}", batch, h, w, ic, oc, to_string(a.activation)));
    test::GraphBuilder g("conv2d_gpu_1x1");
    const int x = g.input("x", {batch, h, w, ic});
    g.add_op(OpType::kConv2D, {x, g.random_constant(rng, "w", {oc, 1, 1, ic}), g.random_constant(rng, "b", {oc})}, a);
    summary.add(test::check_gpu_op(g.graph(), rng));
    if (HasFailure()) break;
  }
  fmt::print("CONV_2D 1x1 GPU: {}\n", summary.to_string());
}

// A constant data input: the kernel uploads and binds its own PHWC4 copy.
TEST(Conv2DGpu, ConstantDataInput) {
  HETSCHED_SKIP_WITHOUT_GPU();
  auto rng = test::rng_for_current_test();
  test::GraphBuilder g("conv2d_gpu_const_input");
  Conv2DAttributes a;
  a.padding = Padding::kSame;
  a.stride_h = 2;
  const int x = g.random_constant(rng, "x", {2, 7, 5, 6});
  g.add_op(OpType::kConv2D, {x, g.random_constant(rng, "w", {5, 3, 3, 6}), g.random_constant(rng, "b", {5})}, a);
  const test::OpCheck r = test::check_gpu_op(g.graph(), rng);
  EXPECT_LT(r.rel_l2, test::kGpuDefaultMaxRelL2);
}

// MobileNet's stem: 3x3 stride 2 SAME on 3 channels, ReLU6, a larger map.
TEST(Conv2DGpu, MobileNetStem) {
  HETSCHED_SKIP_WITHOUT_GPU();
  auto rng = test::rng_for_current_test();
  test::GraphBuilder g("conv2d_gpu_stem");
  Conv2DAttributes a;
  a.padding = Padding::kSame;
  a.stride_h = a.stride_w = 2;
  a.activation = Activation::kRelu6;
  const int x = g.input("x", {1, 32, 32, 3});
  g.add_op(OpType::kConv2D, {x, g.random_constant(rng, "w", {32, 3, 3, 3}), g.random_constant(rng, "b", {32})}, a);
  const test::OpCheck r = test::check_gpu_op(g.graph(), rng);
  fmt::print("CONV_2D GPU stem: relative L2 {:.3g}, max-abs {:.3g}\n", r.rel_l2, r.max_abs);
}

}  // namespace
}  // namespace hetsched
