// GPU tests of RESIZE_BILINEAR (resize_bilinear.comp): half_pixel_centers, align_corners, neither;
// exact 2x (the MediaPipe case) and other sizes, down- and upsampling; reference vs CPU vs GPU,
// partial ranges on poisoned buffers.
#include <gtest/gtest.h>

#include <fmt/format.h>

#include "tests/support/general_op_harness.h"
#include "tests/support/gpu_op_harness.h"

namespace hetsched {
namespace {

using test::pick;

TEST(ResizeBilinearGpu, Random) {
  HETSCHED_SKIP_WITHOUT_GPU();
  std::mt19937_64 rng = test::rng_for_current_test();
  test::ErrorSummary summary;
  for (int trial = 0; trial < 24; ++trial) {
    const int n = test::random_batch(rng), h = test::uniform_int(rng, 1, 13), w = test::uniform_int(rng, 1, 13);
    const int c = test::random_channels(rng);
    ResizeBilinearAttributes a;
    const int mode = trial % 3;
    a.align_corners = mode == 1;
    a.half_pixel_centers = mode == 2;
    const bool twice = trial % 2 == 0;
    a.out_h = twice ? 2 * h : pick(rng, {1, 2, 5, 7, 11, 26});
    a.out_w = twice ? 2 * w : pick(rng, {1, 3, 5, 9, 13, 20});
    test::GraphBuilder b;
    const int x = b.input("x", {n, h, w, c});
    b.add_op(OpType::kResizeBilinear, {x}, a);
    SCOPED_TRACE(fmt::format("[{},{},{},{}] -> {}x{} align_corners {} half_pixel_centers {}", n, h, w, c, a.out_h,
                             a.out_w, a.align_corners, a.half_pixel_centers));
    summary.add(test::check_gpu_op(b.graph(), rng));
  }
  std::printf("%s\n", summary.to_string().c_str());
}

// The MediaPipe case: exact 2x upsampling with half_pixel_centers at a model-like size.
TEST(ResizeBilinearGpu, ModelUpsample) {
  HETSCHED_SKIP_WITHOUT_GPU();
  std::mt19937_64 rng = test::rng_for_current_test();
  test::GraphBuilder b;
  const int x = b.input("x", {1, 16, 16, 30});
  b.add_op(OpType::kResizeBilinear, {x}, ResizeBilinearAttributes{32, 32, false, true});
  const test::OpCheck r = test::check_gpu_op(b.graph(), rng);
  std::printf("16x16 -> 32x32: relative L2 %.3g, max-abs %.3g\n", r.rel_l2, r.max_abs);
}

}  // namespace
}  // namespace hetsched
