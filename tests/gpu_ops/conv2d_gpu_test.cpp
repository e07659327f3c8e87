// CONV_2D's GPU kernel vs the float64 reference (and the CPU kernel) on random awkward shapes,
// through the GPU op harness: whole range, empty range and partial slice x row ranges; every
// register block the tuner may pick (and a few more), forced through the harness, likewise, and
// ranges starting at slices that are not a multiple of the block.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <vector>

#include "gpu/workgroup_tuning.h"
#include "tests/support/general_op_harness.h"
#include "tests/support/gpu_op_harness.h"

namespace hetsched {
namespace {

using test::pick;

constexpr std::initializer_list<Activation> kActivations = {Activation::kNone, Activation::kRelu,
                                                            Activation::kRelu6, Activation::kReluN1To1,
                                                            Activation::kTanh, Activation::kSigmoid};

// Random stride (1-3), dilation (1-2), SAME/VALID padding and activation of a conv case.
Conv2DAttributes random_attributes(std::mt19937_64& rng) {
  Conv2DAttributes a;
  a.stride_h = pick(rng, {1, 2, 3});
  a.stride_w = pick(rng, {1, 2, 3, a.stride_h});
  a.dilation_h = pick(rng, {1, 1, 2});
  a.dilation_w = pick(rng, {1, 1, 2});
  a.padding = pick(rng, {Padding::kSame, Padding::kValid});
  a.activation = pick(rng, kActivations);
  return a;
}

// False when a VALID window of kh x kw taps (dilated) does not fit an h x w input.
bool fits(const Conv2DAttributes& a, int kh, int kw, int h, int w) {
  return a.padding != Padding::kValid || ((kh - 1) * a.dilation_h + 1 <= h && (kw - 1) * a.dilation_w + 1 <= w);
}

TEST(Conv2DGpu, RandomCasesMatchReference) {
  HETSCHED_SKIP_WITHOUT_GPU();
  auto rng = test::rng_for_current_test();
  test::ErrorSummary summary;
  for (int n = 0; n < 24;) {
    const int batch = pick(rng, {1, 1, 2});
    const int h = test::uniform_int(rng, 1, 13), w = test::uniform_int(rng, 1, 13);
    const int ic = test::random_channels(rng), oc = test::random_channels(rng);
    const int kh = pick(rng, {1, 3, 5}), kw = pick(rng, {kh, kh, 1, 3});
    const Conv2DAttributes a = random_attributes(rng);
    const bool bias = pick(rng, {true, true, false});
    if (!fits(a, kh, kw, h, w)) continue;
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

// The blocks the tuner tries, then blocks it does not (the shader takes any).
std::vector<gpu::WorkgroupSize> blocks_to_check() {
  std::vector<gpu::WorkgroupSize> b;
  for (const auto& [bs, bx] : gpu::kRegisterBlocks) b.push_back({1, 1, 1, bs, bx});
  b.push_back({1, 1, 1, 1, 4});
  b.push_back({1, 1, 1, 3, 3});
  b.push_back({1, 1, 1, 4, 4});
  return b;
}

// Every block x a few local sizes (z = 1, and z > 1 where slice blocks of a workgroup differ) on
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
      const Conv2DAttributes a = random_attributes(rng);
      if (!fits(a, kh, kw, h, w)) continue;
      ++n;
      const auto [lx, ly, lz] = pick(rng, {std::array<uint32_t, 3>{8, 8, 1}, {4, 2, 1}, {2, 2, 4}, {1, 1, 1}});
      block.x = lx, block.y = ly, block.z = lz;
      SCOPED_TRACE(fmt::format("block {}x{} local {}x{}x{}: in [{},{},{},{}] w [{},{},{},{}] stride {}x{} dilation "
                               "{}x{} {} {}",
                               block.block_s, block.block_x, lx, ly, lz, batch, h, w, ic, oc, kh, kw, ic, a.stride_h,
                               a.stride_w, a.dilation_h, a.dilation_w, a.padding == Padding::kSame ? "SAME" : "VALID",
                               to_string(a.activation)));
      test::GraphBuilder g("conv2d_gpu_blocked");
      const int x = g.input("x", {batch, h, w, ic});
      g.add_op(OpType::kConv2D,
               {x, g.random_constant(rng, "w", {oc, kh, kw, ic}), g.random_constant(rng, "b", {oc})}, a);
      test::OpCheckOptions o;
      o.partial_ranges = 6;
      summary.add(test::check_gpu_op(g.graph(), rng, o, block));
      if (HasFailure()) break;
    }
    fmt::print("CONV_2D GPU block {}x{}: {}\n", block.block_s, block.block_x, summary.to_string());
    if (HasFailure()) break;
  }
}

// Slice ranges starting at every slice (odd ones included) with blocks of 2 and 4 slices: each
// range's values equal the unblocked kernel's whole-range result bit for bit, and nothing outside
// the range is written (the poison survives).
TEST(Conv2DGpu, BlockedRangesAtEverySliceStart) {
  HETSCHED_SKIP_WITHOUT_GPU();
  auto rng = test::rng_for_current_test();
  test::GraphBuilder g("conv2d_gpu_block_ranges");
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
        size_t differ = 0;
        for (int b = 0; b < out.n; ++b)
          for (int s = r.slice_begin; s < r.slice_end; ++s)
            for (int y = r.row_begin; y < r.row_end; ++y)
              for (int xx = 0; xx < out.w; ++xx)
                for (int l = 0; l < kSliceWidth; ++l) {
                  const size_t o = out.offset(b, s, y, xx) + size_t(l);
                  differ += got[o] != want[o];
                }
        EXPECT_EQ(differ, 0u);
      }
  }
}

}  // namespace
}  // namespace hetsched
