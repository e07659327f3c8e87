// The fp16 shader variants (float16 tensors and weights, float32 arithmetic and accumulators) vs
// the float64 reference on random awkward shapes, with the fp16 bound (kGpuFp16MaxRelL2): whole,
// empty and partial ranges on poisoned buffers, as for fp32.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include "gpu/workgroup_tuning.h"
#include "tests/support/general_op_harness.h"
#include "tests/support/gpu_op_harness.h"

namespace hetsched {
namespace {

using test::pick;

TEST(Fp16Gpu, Conv2DRandomCases) {
  HETSCHED_SKIP_WITHOUT_GPU();
  auto rng = test::rng_for_current_test();
  test::ErrorSummary summary;
  for (int n = 0; n < 12;) {
    const int h = test::uniform_int(rng, 1, 13), w = test::uniform_int(rng, 1, 13);
    const int ic = test::random_channels(rng), oc = test::random_channels(rng);
    const int k = pick(rng, {1, 3, 5});
    Conv2DAttributes a;
    a.stride_h = a.stride_w = pick(rng, {1, 2});
    a.dilation_h = a.dilation_w = pick(rng, {1, 1, 2});
    a.padding = pick(rng, {Padding::kSame, Padding::kValid});
    a.activation = pick(rng, {Activation::kNone, Activation::kRelu6, Activation::kSigmoid});
    if (a.padding == Padding::kValid && (k - 1) * a.dilation_h + 1 > std::min(h, w)) continue;
    ++n;
    SCOPED_TRACE(fmt::format("in [1,{},{},{}] w [{},{},{},{}] stride {} dilation {} {}", h, w, ic, oc, k, k, ic,
                             a.stride_h, a.dilation_h, a.padding == Padding::kSame ? "SAME" : "VALID"));
    test::GraphBuilder g("conv2d_fp16");
    const int x = g.input("x", {1, h, w, ic});
    g.add_op(OpType::kConv2D, {x, g.random_constant(rng, "w", {oc, k, k, ic}), g.random_constant(rng, "b", {oc})}, a);
    // Every other case with one of the register blocks the tuner tries (the fp16 variant shares the source).
    const auto [bs, bx] = gpu::kRegisterBlocks[size_t(n) % std::size(gpu::kRegisterBlocks)];
    SCOPED_TRACE(fmt::format("block {}x{}", bs, bx));
    summary.add(test::check_gpu_op_fp16(g.graph(), rng, {}, test::kGpuFp16MaxRelL2,
                                        n % 2 ? std::optional(gpu::WorkgroupSize{8, 4, 1, bs, bx}) : std::nullopt));
    if (HasFailure()) break;
  }
  fmt::print("CONV_2D GPU fp16: {}\n", summary.to_string());
}

// A long reduction (3x3x256 = 2304 products per output): fp32 accumulators keep it in bound.
TEST(Fp16Gpu, Conv2DDeepReduction) {
  HETSCHED_SKIP_WITHOUT_GPU();
  auto rng = test::rng_for_current_test();
  test::GraphBuilder g("conv2d_fp16_deep");
  Conv2DAttributes a;
  a.padding = Padding::kSame;
  const int x = g.input("x", {1, 6, 7, 256});
  g.add_op(OpType::kConv2D, {x, g.random_constant(rng, "w", {18, 3, 3, 256}), g.random_constant(rng, "b", {18})}, a);
  const test::OpCheck r = test::check_gpu_op_fp16(g.graph(), rng);
  fmt::print("CONV_2D 3x3x256 GPU fp16: relative L2 {:.3g}\n", r.rel_l2);
  // float16 data cannot be as exact as float32 (~1e-7): an error this small means fp32 ran.
  EXPECT_GT(r.rel_l2, 1e-5) << "fp16 results as exact as fp32: is the fp16 shader variant running?";
}

// The pose_landmark mechanism on one op: a 1x1 conv reading a residual-stream-like tensor (values
// 200..208, as the pose models' unactivated conv/ADD outputs reach 155-309) with weights that cancel
// across input slices (channel i + 8 has minus channel i's weight), so the output (~10) is a small
// difference of large terms. Inputs and weights are exact in float16, so with fp32 block products
// the only error is the output's float16 rounding (~2.4e-4). With fp16 block products
// (f16mat4 * f16vec4) each slice's 4-term sum (~±800) is rounded to float16 (ulp 0.5) before the
// fp32 accumulator cancels it: relative L2 ~3e-2, which fails here. Measured on lavapipe.
TEST(Fp16Gpu, Conv2DCancellingLargeInputs) {
  HETSCHED_SKIP_WITHOUT_GPU();
  auto rng = test::rng_for_current_test();
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
  const test::OpCheck r = test::check_gpu_op_fp16(g.graph(), rng, opt);
  fmt::print("CONV_2D 1x1x16 cancelling, inputs 200..208, GPU fp16: relative L2 {:.3g}\n", r.rel_l2);
}

// (The fp16 cases of the other ops: tests/ops/<op>_test.cpp.)

}  // namespace
}  // namespace hetsched
