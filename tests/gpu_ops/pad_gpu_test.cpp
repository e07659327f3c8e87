// GPU tests of PAD (pad.comp): spatial pads, channel pads (multiples of 4 and not: lanes shift across
// slices; Blaze's 32 -> 48), batch pads, all together, lower ranks; reference vs CPU vs GPU, partial
// ranges on poisoned buffers.
#include <gtest/gtest.h>

#include <fmt/format.h>

#include "tests/support/general_op_harness.h"
#include "tests/support/gpu_op_harness.h"

namespace hetsched {
namespace {

using test::pick;

TEST(PadGpu, Random) {
  HETSCHED_SKIP_WITHOUT_GPU();
  std::mt19937_64 rng = test::rng_for_current_test();
  test::ErrorSummary summary;
  for (int trial = 0; trial < 24; ++trial) {
    const int n = test::random_batch(rng), h = test::uniform_int(rng, 1, 13), w = test::uniform_int(rng, 1, 13);
    const int c = test::random_channels(rng);
    PadAttributes a;
    const int kind = trial % 4;  // 0 spatial, 1 channel, 2 everything, 3 symmetric (1,1)/(2,2)
    if (kind == 0 || kind == 2) {
      a.pads[1] = {test::uniform_int(rng, 0, 2), test::uniform_int(rng, 0, 2)};
      a.pads[2] = {test::uniform_int(rng, 0, 2), test::uniform_int(rng, 0, 2)};
    }
    if (kind == 1 || kind == 2) a.pads[3] = {pick(rng, {0, 1, 2, 4, 5}), pick(rng, {0, 1, 3, 4, 16})};
    if (kind == 2) a.pads[0] = {test::uniform_int(rng, 0, 1), test::uniform_int(rng, 0, 1)};
    if (kind == 3) {
      const int p = test::uniform_int(rng, 1, 2);
      a.pads[1] = a.pads[2] = {p, p};
    }
    test::GraphBuilder b;
    const int x = b.input("x", {n, h, w, c});
    b.add_op(OpType::kPad, {x}, a);
    SCOPED_TRACE(fmt::format("[{},{},{},{}] pads n {}/{} h {}/{} w {}/{} c {}/{}", n, h, w, c, a.pads[0][0],
                             a.pads[0][1], a.pads[1][0], a.pads[1][1], a.pads[2][0], a.pads[2][1], a.pads[3][0],
                             a.pads[3][1]));
    summary.add(test::check_gpu_op(b.graph(), rng));
  }
  std::printf("%s\n", summary.to_string().c_str());
}

// Blaze residual: 32 -> 48 channels, zeros after.
TEST(PadGpu, BlazeChannelPad) {
  HETSCHED_SKIP_WITHOUT_GPU();
  std::mt19937_64 rng = test::rng_for_current_test();
  test::GraphBuilder b;
  const int x = b.input("x", {1, 6, 5, 32});
  PadAttributes a;
  a.pads[3] = {0, 16};
  b.add_op(OpType::kPad, {x}, a);
  const test::OpCheck r = test::check_gpu_op(b.graph(), rng);
  EXPECT_EQ(r.output_shape, (Shape4{1, 6, 5, 48}));
}

TEST(PadGpu, LowerRank) {
  HETSCHED_SKIP_WITHOUT_GPU();
  std::mt19937_64 rng = test::rng_for_current_test();
  test::GraphBuilder b;
  const int x = b.input("x", {2, 7, 5});  // [N,W,C]
  PadAttributes a;
  a.pads[2] = {1, 2};
  a.pads[3] = {3, 1};
  b.add_op(OpType::kPad, {x}, a);
  const test::OpCheck r = test::check_gpu_op(b.graph(), rng);
  EXPECT_EQ(r.output_shape, (Shape4{2, 1, 10, 9}));
}

}  // namespace
}  // namespace hetsched
