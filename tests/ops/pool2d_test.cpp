// AVERAGE_POOL_2D (padding excluded from the count) and MAX_POOL_2D on every executor (CPU, GPU
// fp32, GPU fp16) vs the float64 reference on the same random cases: strides 1-3, SAME and VALID
// (with explicit VALID pads), global windows (up to the selfie SE blocks' 128x128), fused
// activations, partial ranges on poisoned buffers; global averages on the GPU's global_mean.comp
// (batches, odd channels, activations, the path counted); TFLite's SAME pads and errors.
#include <gtest/gtest.h>

#include <fmt/format.h>

#include "base/error.h"
#include "gpu/ops/mean.h"
#include "tests/support/op_check.h"

namespace hetsched {
namespace {

class Pool2D : public test::OpTest {
 protected:
  void run_pool_cases(OpType type) {
    for_each_trial(to_string(type), {.cpu = 60, .gpu = 20, .fp16 = 2}, [&](std::mt19937_64& rng, int trial) {
      const auto [n, h, w, c] = test::random_nhwc(rng, 13);
      Pool2DAttributes a;
      const bool global = trial % 5 == 0;
      a.filter_h = global ? h : test::uniform_int(rng, 1, 4);
      a.filter_w = global ? w : test::uniform_int(rng, 1, 4);
      a.stride_h = global ? 1 : test::uniform_int(rng, 1, 3);
      a.stride_w = global ? 1 : test::uniform_int(rng, 1, 3);
      a.padding = test::pick(rng, {Padding::kSame, Padding::kValid});
      if (a.padding == Padding::kValid && (a.filter_h > h || a.filter_w > w)) a.padding = Padding::kSame;
      // Explicit VALID pads (kept by shape inference, as for convolutions) in some cases.
      if (a.padding == Padding::kValid && !global && test::uniform_int(rng, 0, 3) == 0)
        a.pads = {test::uniform_int(rng, 0, 1), test::uniform_int(rng, 0, 1), test::uniform_int(rng, 0, 1),
                  test::uniform_int(rng, 0, 1)};
      a.activation = test::pick(rng, {Activation::kNone, Activation::kRelu, Activation::kRelu6});
      test::GraphBuilder b;
      const int x = b.input("x", {n, h, w, c});
      b.add_op(type, {x}, a);
      SCOPED_TRACE(fmt::format("{} [{},{},{},{}] filter {}x{} stride {}x{} {} pads {}/{}/{}/{} act {}",
                               to_string(type), n, h, w, c, a.filter_h, a.filter_w, a.stride_h, a.stride_w,
                               a.padding == Padding::kSame ? "SAME" : "VALID", a.pads.top, a.pads.bottom,
                               a.pads.left, a.pads.right, to_string(a.activation)));
      const test::OpCheck r = check(b.graph(), rng);
      if (global && a.padding == Padding::kValid) {
        EXPECT_EQ(r.output_shape, (Shape4{n, 1, 1, c}));
      }
      return r;
    });
  }
};

TEST_P(Pool2D, Average) { run_pool_cases(OpType::kAveragePool2D); }
TEST_P(Pool2D, Max) { run_pool_cases(OpType::kMaxPool2D); }

// The selfie model's SE blocks: global averages over up to 128x128 windows; the float sum stays
// within tolerance of the float64 reference, also for inputs with a large common offset.
TEST_P(Pool2D, LargeGlobalAverage) {
  std::mt19937_64 rng = this->rng();
  for (auto [size, c, lo] : {std::tuple{32, 6, 0.0}, {128, 6, 0.0}, {48, 16, 2.0}}) {
    test::GraphBuilder b;
    const int x = b.input("x", {1, size, size, c});
    Pool2DAttributes a;
    a.filter_h = a.filter_w = size;
    b.add_op(OpType::kAveragePool2D, {x}, a);
    test::OpCheckOptions opt;
    opt.input_lo = lo;  // post-ReLU activations
    opt.input_hi = 4.0;
    SCOPED_TRACE(fmt::format("global {}x{}x{} inputs in [{},4)", size, size, c, lo));
    const test::OpCheck r = check(b.graph(), rng, opt);
    EXPECT_EQ(r.output_shape, (Shape4{1, 1, 1, c}));
    fmt::print("global {}x{} average {}: relative L2 {:.3g}, max-abs {:.3g}\n", size, size,
               test::to_string(executor()), r.rel_l2, r.max_abs);
  }
}

// A global AVERAGE_POOL_2D (one window of the whole unpadded map) runs on the GPU's workgroup-
// parallel global_mean.comp (gpu/ops/mean.h): several pixels per invocation at up to 256
// invocations, uneven tails, batches, padding lanes, the fused activation; a window short of the
// map, or a MAX_POOL_2D, stays on pool2d.comp.
TEST_P(Pool2D, GlobalAverageOnTheGlobalMeanKernel) {
  std::mt19937_64 rng = this->rng();
  test::ErrorSummary summary;
  for (const auto& [type, n, h, w, c, act, stride, global] :
       {std::tuple{OpType::kAveragePool2D, 1, 64, 64, 32, Activation::kNone, 1, true},
        {OpType::kAveragePool2D, 2, 37, 70, 13, Activation::kRelu6, 1, true},
        {OpType::kAveragePool2D, 3, 1, 1, 6, Activation::kNone, 2, true},
        {OpType::kAveragePool2D, 2, 23, 9, 3, Activation::kRelu, 1, true},
        {OpType::kAveragePool2D, 1, 9, 9, 5, Activation::kNone, 9, false},  // 8x8 window: [1,1,1,5], not global
        {OpType::kMaxPool2D, 2, 11, 12, 7, Activation::kNone, 1, false}}) {
    test::GraphBuilder b;
    const int x = b.input("x", {n, h, w, c});
    Pool2DAttributes a;
    a.filter_h = global || type == OpType::kMaxPool2D ? h : h - 1;
    a.filter_w = global || type == OpType::kMaxPool2D ? w : w - 1;
    a.stride_h = a.stride_w = stride;
    a.activation = act;
    b.add_op(type, {x}, a);
    test::OpCheckOptions opt;
    opt.input_lo = act == Activation::kNone ? 0.5 : -1.0;  // means away from zero, or around the ReLU's kink
    opt.input_hi = 2.5;
    SCOPED_TRACE(fmt::format("{} [{},{},{},{}] filter {}x{} act {}", to_string(type), n, h, w, c, a.filter_h,
                             a.filter_w, to_string(act)));
    const int before = gpu::global_mean_kernels_created();
    const test::OpCheck r = check(b.graph(), rng, opt);
    summary.add(r);
    EXPECT_EQ(r.output_shape, (Shape4{n, 1, 1, c}));
    if (on_gpu()) {
      EXPECT_EQ(gpu::global_mean_kernels_created() - before > 0, global) << "global_mean.comp taken or not";
    }
    if (c > 4) {
      EXPECT_FALSE(r.ranges_checked.empty()) << "no partial range was checked";
    }
  }
  fmt::print("global average pools {}: {}\n", test::to_string(executor()), summary.to_string());
}

TEST_P(Pool2D, AverageExcludesPaddingFromTheCount) {
  std::mt19937_64 rng = this->rng();
  for (auto [h, w, c] : {std::tuple{3, 3, 1}, {5, 4, 3}}) {
    test::GraphBuilder b;
    const int x = b.input("x", {1, h, w, c});
    Pool2DAttributes a;
    a.filter_h = a.filter_w = 3;
    a.padding = Padding::kSame;
    b.add_op(OpType::kAveragePool2D, {x}, a);
    test::OpCheckOptions opt;
    opt.make_input = [](int, const Shape4& s, std::mt19937_64&) { return std::vector<double>(s.elements(), 1.0); };
    SCOPED_TRACE(fmt::format("[1,{},{},{}]", h, w, c));
    const test::OpCheck r = check(b.graph(), rng, opt);
    EXPECT_EQ(r.max_abs, 0.0);  // every window averages ones only: 1 everywhere, corners included
  }
}

HETSCHED_OP_TEST_ON_ALL_EXECUTORS(Pool2D);

TEST(Pool2DShapes, SamePadsFollowTfLite) {
  test::GraphBuilder b;
  const int x = b.input("x", {1, 7, 8, 3});
  Pool2DAttributes a;
  a.filter_h = a.filter_w = 3;
  a.stride_h = a.stride_w = 2;
  a.padding = Padding::kSame;
  b.add_op(OpType::kMaxPool2D, {x}, a);
  infer_shapes(b.graph());
  const Op& op = b.graph().ops[0];
  EXPECT_EQ(b.graph().tensors[size_t(op.outputs[0])].shape, (std::vector<int>{1, 4, 4, 3}));
  // H: out 4, total (4-1)*2+3-7 = 2 -> 1/1; W: total (4-1)*2+3-8 = 1 -> 0/1 (extra at the end).
  EXPECT_EQ(op.attrs<Pool2DAttributes>().pads, (Padding2D{1, 1, 0, 1}));
}

TEST(Pool2DShapes, RejectsWindowLargerThanValidInput) {
  test::GraphBuilder b;
  const int x = b.input("x", {1, 3, 3, 2});
  Pool2DAttributes a;
  a.filter_h = a.filter_w = 4;
  a.padding = Padding::kValid;
  b.add_op(OpType::kAveragePool2D, {x}, a);
  EXPECT_THROW(infer_shapes(b.graph()), Error);
}

}  // namespace
}  // namespace hetsched
