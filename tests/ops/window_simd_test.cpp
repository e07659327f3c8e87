// The window kernels' Highway row loops (cpu/kernels/window_simd.h: MAX_POOL_2D, AVERAGE_POOL_2D,
// RESIZE_BILINEAR) on every SIMD target compiled in and supported here, not only the one dispatch
// picks, vs the float64 reference with partial ranges on poisoned buffers (check_op).
#include <fmt/format.h>
#include <gtest/gtest.h>

#include "cpu/simd/simd_target.h"
#include "hwy/highway.h"
#include "tests/support/op_check.h"

namespace hetsched {
namespace {

void window_cases(std::mt19937_64& rng, test::ErrorSummary& summary) {
  for (int trial = 0; trial < 24; ++trial) {
    const int n = test::random_batch(rng), h = test::uniform_int(rng, 1, 13), w = test::uniform_int(rng, 1, 13);
    const int c = test::random_channels(rng);
    test::GraphBuilder b;
    const int x = b.input("x", {n, h, w, c});
    if (trial % 3 == 2) {
      ResizeBilinearAttributes a;
      a.align_corners = trial % 2 == 0;
      a.half_pixel_centers = !a.align_corners && trial % 4 == 1;
      a.out_h = test::uniform_int(rng, 1, 2 * h + 1);
      a.out_w = test::uniform_int(rng, 1, 2 * w + 1);
      b.add_op(OpType::kResizeBilinear, {x}, a);
      SCOPED_TRACE(fmt::format("RESIZE_BILINEAR [{},{},{},{}] -> {}x{}", n, h, w, c, a.out_h, a.out_w));
      summary.add(test::check_op(test::Executor::kCpu, b.graph(), rng));
      continue;
    }
    Pool2DAttributes a;
    a.filter_h = test::uniform_int(rng, 1, std::min(h, 4));
    a.filter_w = test::uniform_int(rng, 1, std::min(w, 4));
    a.stride_h = test::uniform_int(rng, 1, 3);
    a.stride_w = test::uniform_int(rng, 1, 3);
    a.padding = test::pick(rng, {Padding::kSame, Padding::kValid});
    a.activation = test::pick(rng, {Activation::kNone, Activation::kRelu6});
    const OpType type = trial % 3 == 0 ? OpType::kMaxPool2D : OpType::kAveragePool2D;
    b.add_op(type, {x}, a);
    SCOPED_TRACE(fmt::format("{} [{},{},{},{}] filter {}x{} stride {}x{}", to_string(type), n, h, w, c, a.filter_h,
                             a.filter_w, a.stride_h, a.stride_w));
    summary.add(test::check_op(test::Executor::kCpu, b.graph(), rng));
  }
}

TEST(WindowSimd, EverySimdTarget) {
  int tested = 0;
  for (const int64_t target : cpu::simd_compiled_targets()) {
    hwy::SetSupportedTargetsForTest(target);
    SCOPED_TRACE(hwy::TargetName(target));
    EXPECT_EQ(cpu::simd_target_name(), hwy::TargetName(target));
    auto rng = test::make_rng(31);
    test::ErrorSummary summary;
    window_cases(rng, summary);
    fmt::print("pool/resize on {}: {}\n", hwy::TargetName(target), summary.to_string());
    ++tested;
  }
  hwy::SetSupportedTargetsForTest(0);
  EXPECT_GE(tested, 2);
}

}  // namespace
}  // namespace hetsched
