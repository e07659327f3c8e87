// CONCATENATION on every executor (CPU, GPU fp32, GPU fp16) vs the float64 reference on the same
// random cases: every 4D axis with 2-3 inputs of odd sizes (channel counts not multiples of 4, so
// output slices take lanes from two inputs), constant inputs, ranks 2-4, up to the GPU kernel's 8
// inputs, fused activations; partial ranges on poisoned buffers; errors.
#include <gtest/gtest.h>

#include <fmt/format.h>

#include "base/error.h"
#include "tests/support/expect_error.h"
#include "tests/support/gpu_op_harness.h"
#include "tests/support/op_check.h"

namespace hetsched {
namespace {

class Concatenation : public test::OpTest {};

TEST_P(Concatenation, RandomAxesAndSizes) {
  for_each_trial("CONCATENATION", {.cpu = 60, .gpu = 24, .fp16 = 2}, [&](std::mt19937_64& rng, int trial) {
    const int axis = trial % 2 == 0 ? 3 : trial % 6 == 1 ? 1 : trial % 6 == 3 ? 2 : 0;  // channels half the time
    const int inputs = test::uniform_int(rng, 2, 3);
    const std::vector<int> base = test::random_nhwc(rng, 13).shape();
    test::GraphBuilder b;
    std::vector<int> ids;
    std::string desc = fmt::format("axis {}:", axis);
    for (int i = 0; i < inputs; ++i) {
      std::vector<int> s = base;
      s[size_t(axis)] = axis == 3   ? test::pick(rng, {1, 3, 4, 5, 8, 13, 17})
                        : axis == 0 ? test::random_batch(rng)
                                    : test::uniform_int(rng, 1, 13);
      const bool constant = test::uniform_int(rng, 0, 4) == 0;
      ids.push_back(constant ? b.random_constant(rng, fmt::format("c{}", i), s) : b.input(fmt::format("x{}", i), s));
      desc += fmt::format(" {}{}", constant ? "const " : "", test::shape_str(s));
    }
    ConcatenationAttributes a;
    a.axis = axis;
    a.activation = test::pick(rng, {Activation::kNone, Activation::kRelu, Activation::kRelu6, Activation::kSigmoid});
    b.add_op(OpType::kConcatenation, ids, a);
    SCOPED_TRACE(desc + " act " + to_string(a.activation));
    return check(b.graph(), rng);
  });
}

TEST_P(Concatenation, LowerRanks) {
  for_each_trial({.cpu = 10, .gpu = 4, .fp16 = 1}, [&](std::mt19937_64& rng, int trial) {
    const int n = test::random_batch(rng), w = test::random_spatial(rng);
    const int c1 = test::random_channels(rng), c2 = test::random_channels(rng);
    test::GraphBuilder b;
    const bool rank3 = trial % 2 == 0;
    const int x = b.input("x", rank3 ? std::vector<int>{n, w, c1} : std::vector<int>{n, c1});
    const int y = b.input("y", rank3 ? std::vector<int>{n, w, c2} : std::vector<int>{n, c2});
    b.add_op(OpType::kConcatenation, {x, y}, ConcatenationAttributes{3, Activation::kNone});
    SCOPED_TRACE(fmt::format("rank {} channels {}+{}", rank3 ? 3 : 2, c1, c2));
    check(b.graph(), rng);
    const Tensor& out = b.graph().tensors[size_t(b.graph().ops[0].outputs[0])];
    EXPECT_EQ(out.shape, rank3 ? (std::vector<int>{n, w, c1 + c2}) : (std::vector<int>{n, c1 + c2}));
  });
}

// Eight inputs (the GPU kernel's maximum), channel counts 1..17: lanes of one output slice from up
// to four inputs; the first input constant so that the binding order differs from the op's.
TEST_P(Concatenation, EightInputsOnChannels) {
  std::mt19937_64 rng = this->rng();
  test::GraphBuilder b;
  std::vector<int> ids;
  const int channels[8] = {1, 3, 1, 2, 5, 13, 1, 17};
  for (int i = 0; i < 8; ++i) {
    const std::vector<int> s = {2, 3, 5, channels[i]};
    ids.push_back(i == 0 ? b.random_constant(rng, "c0", s) : b.input(fmt::format("x{}", i), s));
  }
  b.add_op(OpType::kConcatenation, ids, ConcatenationAttributes{3, Activation::kNone});
  const test::OpCheck r = check(b.graph(), rng);
  EXPECT_EQ(r.output_shape, (Shape4{2, 3, 5, 43}));
}

HETSCHED_OP_TEST_ON_ALL_EXECUTORS(Concatenation);

TEST(ConcatenationShapes, RejectsMismatchedShapes) {
  test::GraphBuilder b;
  const int x = b.input("x", {1, 4, 4, 3});
  const int y = b.input("y", {1, 5, 4, 3});
  b.add_op(OpType::kConcatenation, {x, y}, ConcatenationAttributes{3, Activation::kNone});
  EXPECT_THROW(infer_shapes(b.graph()), Error);
}

TEST(ConcatenationGpu, RejectsMoreThanEightInputs) {
  HETSCHED_SKIP_WITHOUT_GPU();
  test::GraphBuilder b;
  std::vector<int> ids;
  for (int i = 0; i < 9; ++i) ids.push_back(b.input(fmt::format("x{}", i), {1, 2, 2, 3}));
  b.add_op(OpType::kConcatenation, ids, ConcatenationAttributes{3, Activation::kNone});
  infer_shapes(b.graph());
  test::expect_error_from(
      [&] {
        gpu::create_gpu_kernel(gpu::GpuKernelContext{*test::test_gpu_device(), nullptr}, b.graph(), b.graph().ops[0]);
      },
      ErrorKind::kUnsupported, {"CONCATENATION"});
}

}  // namespace
}  // namespace hetsched
