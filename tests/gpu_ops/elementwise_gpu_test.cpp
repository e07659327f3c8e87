// GPU tests of the elementwise ops (elementwise_binary.comp, unary.comp): ADD, SUB, MUL, DIV with
// every broadcast variant and constant operands on either side, PRELU with activation and constant
// alphas, and the unary activations; reference vs CPU vs GPU, partial ranges on poisoned buffers.
#include <gtest/gtest.h>

#include <fmt/format.h>

#include "tests/support/general_op_harness.h"
#include "tests/support/gpu_op_harness.h"

namespace hetsched {
namespace {

using test::pick;

// The second operand's shape for a broadcast variant of an [n,h,w,c] first operand.
std::vector<int> operand_shape(int variant, int n, int h, int w, int c) {
  switch (variant) {
    case 0: return {n, h, w, c};   // same shape
    case 1: return {1, 1, 1, c};   // per channel (SE blocks: [1,H,W,C] x [1,1,1,C])
    case 2: return {n, h, w, 1};   // broadcast over channels
    case 3: return {n, 1, 1, c};   // per batch and channel
    case 4: return {c};            // rank 1
    case 5: return {1};            // scalar
    case 6: return {n, 1, w, c};   // broadcast over rows
    default: return {n, h, 1, c};  // broadcast over columns
  }
}

void run_binary_cases(OpType type, double lo_b, double hi_b, int trials) {
  std::mt19937_64 rng = test::rng_for_current_test();
  test::ErrorSummary summary;
  for (int trial = 0; trial < trials; ++trial) {
    const int n = test::random_batch(rng), h = test::random_spatial(rng), w = test::random_spatial(rng);
    const int c = test::random_channels(rng);
    const int variant = trial < 8 ? trial : test::uniform_int(rng, 0, 7);  // every variant at least once
    const bool constant = test::uniform_int(rng, 0, 1) == 1;
    const bool swap = type != OpType::kPrelu && test::uniform_int(rng, 0, 2) == 0;
    const Activation act = pick(rng, {Activation::kNone, Activation::kRelu, Activation::kRelu6,
                                      Activation::kReluN1To1, Activation::kSigmoid});
    const std::vector<int> sa = {n, h, w, c}, sb = operand_shape(variant, n, h, w, c);
    test::GraphBuilder b(fmt::format("{}_gpu_test", to_string(type)));
    const int x = b.input("x", sa);
    const int y = constant ? b.random_constant(rng, "y", sb, lo_b, hi_b) : b.input("y", sb);
    test::OpCheckOptions opt;
    opt.input_domains = {{swap ? lo_b : -1.0, swap ? hi_b : 1.0}, {lo_b, hi_b}};
    OpAttributes attrs = NoAttributes{};
    if (type != OpType::kPrelu) attrs = BinaryAttributes{act};
    b.add_op(type, swap ? std::vector<int>{y, x} : std::vector<int>{x, y}, attrs);
    SCOPED_TRACE(fmt::format("{} {} {} {}{} act {}", to_string(type), test::shape_str(swap ? sb : sa),
                             test::shape_str(swap ? sa : sb), constant ? "const " : "", swap ? "swapped" : "",
                             to_string(type == OpType::kPrelu ? Activation::kNone : act)));
    summary.add(test::check_gpu_op(b.graph(), rng, opt));
  }
  std::printf("%s\n", summary.to_string().c_str());
}

TEST(BinaryGpu, Add) {
  HETSCHED_SKIP_WITHOUT_GPU();
  run_binary_cases(OpType::kAdd, -1.0, 1.0, 16);
}
TEST(BinaryGpu, Sub) {
  HETSCHED_SKIP_WITHOUT_GPU();
  run_binary_cases(OpType::kSub, -1.0, 1.0, 12);
}
TEST(BinaryGpu, Mul) {
  HETSCHED_SKIP_WITHOUT_GPU();
  run_binary_cases(OpType::kMul, -2.0, 2.0, 16);
}
TEST(BinaryGpu, Div) {
  HETSCHED_SKIP_WITHOUT_GPU();
  run_binary_cases(OpType::kDiv, 0.5, 2.0, 12);
}
TEST(PreluGpu, AlphaBroadcast) {
  HETSCHED_SKIP_WITHOUT_GPU();
  run_binary_cases(OpType::kPrelu, -1.0, 1.0, 12);
}

TEST(BinaryGpu, BothOperandsBroadcast) {
  HETSCHED_SKIP_WITHOUT_GPU();
  std::mt19937_64 rng = test::rng_for_current_test();
  for (int trial = 0; trial < 4; ++trial) {
    const int n = test::random_batch(rng), h = pick(rng, {3, 7, 13}), w = pick(rng, {3, 7, 13});
    const int c = pick(rng, {1, 5, 17});
    test::GraphBuilder b;
    const int x = b.input("x", {n, h, 1, c});
    const int y = b.input("y", {1, 1, w, 1});
    b.add_op(OpType::kMul, {x, y}, BinaryAttributes{Activation::kNone});
    SCOPED_TRACE(fmt::format("[{},{},1,{}] x [1,1,{},1]", n, h, c, w));
    const test::OpCheck r = test::check_gpu_op(b.graph(), rng);
    EXPECT_EQ(r.output_shape, (Shape4{n, h, w, c}));
  }
}

TEST(BinaryGpu, SameTensorTwice) {
  HETSCHED_SKIP_WITHOUT_GPU();
  std::mt19937_64 rng = test::rng_for_current_test();
  test::GraphBuilder b;
  const int x = b.input("x", {2, 5, 7, 13});
  b.add_op(OpType::kMul, {x, x}, BinaryAttributes{Activation::kNone});
  test::check_gpu_op(b.graph(), rng);
}

TEST(PreluGpu, ConstantAlphaPerChannel) {
  HETSCHED_SKIP_WITHOUT_GPU();
  std::mt19937_64 rng = test::rng_for_current_test();
  test::ErrorSummary summary;
  for (int trial = 0; trial < 8; ++trial) {
    const int n = test::random_batch(rng), h = test::random_spatial(rng), w = test::random_spatial(rng);
    const int c = test::random_channels(rng);
    const std::vector<int> alpha_shape = pick<std::vector<int>>(rng, {{1, 1, c}, {c}, {1, 1, 1, c}, {1}});
    test::GraphBuilder b;
    const int x = b.input("x", {n, h, w, c});
    const int a = b.random_constant(rng, "alpha", alpha_shape, 0.0, 0.5);
    b.add_op(OpType::kPrelu, {x, a}, NoAttributes{});
    SCOPED_TRACE(fmt::format("PRELU [{},{},{},{}] alpha {}", n, h, w, c, test::shape_str(alpha_shape)));
    summary.add(test::check_gpu_op(b.graph(), rng));
  }
  std::printf("%s\n", summary.to_string().c_str());
}

void run_unary_cases(OpType type, double lo, double hi) {
  std::mt19937_64 rng = test::rng_for_current_test();
  test::ErrorSummary summary;
  for (int trial = 0; trial < 8; ++trial) {
    const int rank = pick(rng, {2, 3, 4, 4, 4});
    const int n = test::random_batch(rng), h = test::random_spatial(rng), w = test::random_spatial(rng);
    const int c = test::random_channels(rng);
    const std::vector<int> shape = rank == 4   ? std::vector<int>{n, h, w, c}
                                   : rank == 3 ? std::vector<int>{n, w, c}
                                               : std::vector<int>{n, c};
    test::GraphBuilder b;
    const int x = b.input("x", shape);
    b.add_op(type, {x}, NoAttributes{});
    test::OpCheckOptions opt;
    opt.input_lo = lo;
    opt.input_hi = hi;
    SCOPED_TRACE(fmt::format("{} {}", to_string(type), test::shape_str(shape)));
    summary.add(test::check_gpu_op(b.graph(), rng, opt));
  }
  std::printf("%s\n", summary.to_string().c_str());
}

TEST(UnaryGpu, HardSwish) {
  HETSCHED_SKIP_WITHOUT_GPU();
  run_unary_cases(OpType::kHardSwish, -5.0, 5.0);
}
TEST(UnaryGpu, Logistic) {
  HETSCHED_SKIP_WITHOUT_GPU();
  run_unary_cases(OpType::kLogistic, -6.0, 6.0);
}
TEST(UnaryGpu, Tanh) {
  HETSCHED_SKIP_WITHOUT_GPU();
  run_unary_cases(OpType::kTanh, -3.0, 3.0);
}
TEST(UnaryGpu, Relu) {
  HETSCHED_SKIP_WITHOUT_GPU();
  run_unary_cases(OpType::kRelu, -2.0, 2.0);
}
TEST(UnaryGpu, Relu6) {
  HETSCHED_SKIP_WITHOUT_GPU();
  run_unary_cases(OpType::kRelu6, -3.0, 9.0);
}

// Saturating inputs: logistic and tanh of large magnitudes stay finite (no inf/inf in tanh).
TEST(UnaryGpu, SaturatingInputs) {
  HETSCHED_SKIP_WITHOUT_GPU();
  std::mt19937_64 rng = test::rng_for_current_test();
  for (OpType type : {OpType::kLogistic, OpType::kTanh}) {
    test::GraphBuilder b;
    const int x = b.input("x", {1, 3, 5, 6});
    b.add_op(type, {x}, NoAttributes{});
    test::OpCheckOptions opt;
    opt.input_lo = -100.0;
    opt.input_hi = 100.0;
    SCOPED_TRACE(to_string(type));
    test::check_gpu_op(b.graph(), rng, opt);
  }
}

}  // namespace
}  // namespace hetsched
