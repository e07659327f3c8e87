// The elementwise ops (ADD, SUB, MUL, DIV with every broadcast variant and constant operands on
// either side, PRELU with constant alphas, and the unary activations) on every executor (CPU, GPU
// fp32, GPU fp16) vs the float64 reference on the same random awkward shapes, with random partial
// slice x row ranges on poisoned outputs; shape inference and errors.
#include <gtest/gtest.h>

#include <fmt/format.h>

#include "base/error.h"
#include "tests/support/expect_error.h"
#include "tests/support/op_check.h"

namespace hetsched {
namespace {

using test::pick;

class Binary : public test::OpTest {
 protected:
  void run_binary_cases(OpType type, double lo_b, double hi_b, const test::CaseCounts& counts);
};
class Prelu : public Binary {};
class Unary : public test::OpTest {
 protected:
  void run_unary_cases(OpType type, double lo, double hi, const test::CaseCounts& counts);
};

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

void Binary::run_binary_cases(OpType type, double lo_b, double hi_b, const test::CaseCounts& counts) {
  for_each_trial(to_string(type), counts, [&](std::mt19937_64& rng, int trial) {
    const auto [n, h, w, c] = test::random_nhwc(rng);
    const int variant = trial < 8 ? trial : test::uniform_int(rng, 0, 7);  // every variant at least once
    const bool constant = test::uniform_int(rng, 0, 1) == 1;
    const bool swap = type != OpType::kPrelu && test::uniform_int(rng, 0, 2) == 0;
    const Activation act = pick(rng, {Activation::kNone, Activation::kRelu, Activation::kRelu6,
                                      Activation::kReluN1To1, Activation::kSigmoid});
    const std::vector<int> sa = {n, h, w, c}, sb = operand_shape(variant, n, h, w, c);
    test::GraphBuilder b(fmt::format("{}_test", to_string(type)));
    const int x = b.input("x", sa);
    const int y = constant ? b.random_constant(rng, "y", sb, lo_b, hi_b) : b.input("y", sb);
    test::OpCheckOptions opt;
    // Swapped, x is the second operand (the denominator of DIV): both take the operand domain.
    opt.input_domains = {{swap ? lo_b : -1.0, swap ? hi_b : 1.0}, {lo_b, hi_b}};
    OpAttributes attrs = NoAttributes{};
    if (type != OpType::kPrelu) attrs = BinaryAttributes{act};
    b.add_op(type, swap ? std::vector<int>{y, x} : std::vector<int>{x, y}, attrs);
    SCOPED_TRACE(fmt::format("{} {} {} {}{} act {}", to_string(type), test::shape_str(swap ? sb : sa),
                             test::shape_str(swap ? sa : sb), constant ? "const " : "", swap ? "swapped" : "",
                             to_string(type == OpType::kPrelu ? Activation::kNone : act)));
    return check(b.graph(), rng, opt);
  });
}

TEST_P(Binary, Add) { run_binary_cases(OpType::kAdd, -1.0, 1.0, {.cpu = 40, .gpu = 16, .fp16 = 2}); }
TEST_P(Binary, Sub) { run_binary_cases(OpType::kSub, -1.0, 1.0, {.cpu = 40, .gpu = 12, .fp16 = 2}); }
TEST_P(Binary, Mul) { run_binary_cases(OpType::kMul, -2.0, 2.0, {.cpu = 40, .gpu = 16, .fp16 = 2}); }
TEST_P(Binary, Div) { run_binary_cases(OpType::kDiv, 0.5, 2.0, {.cpu = 40, .gpu = 12, .fp16 = 2}); }

TEST_P(Binary, BothOperandsBroadcast) {
  for_each_trial({.cpu = 10, .gpu = 4, .fp16 = 1}, [&](std::mt19937_64& rng, int) {
    const int n = test::random_batch(rng), h = pick(rng, {3, 7, 13}), w = pick(rng, {3, 7, 13});
    const int c = pick(rng, {1, 5, 17});
    test::GraphBuilder b;
    const int x = b.input("x", {n, h, 1, c});
    const int y = b.input("y", {1, 1, w, 1});
    b.add_op(OpType::kMul, {x, y}, BinaryAttributes{Activation::kNone});
    SCOPED_TRACE(fmt::format("[{},{},1,{}] x [1,1,{},1]", n, h, c, w));
    const test::OpCheck r = check(b.graph(), rng);
    EXPECT_EQ(r.output_shape, (Shape4{n, h, w, c}));
  });
}

TEST_P(Binary, SameTensorTwice) {
  std::mt19937_64 rng = this->rng();
  test::GraphBuilder b;
  const int x = b.input("x", {2, 5, 7, 13});
  b.add_op(OpType::kMul, {x, x}, BinaryAttributes{Activation::kNone});
  check(b.graph(), rng);
}

HETSCHED_OP_TEST_ON_ALL_EXECUTORS(Binary);

TEST(BinaryShapes, OutputRankIsTheLargerInputRank) {
  test::GraphBuilder b;
  const int x = b.input("x", {2, 5});
  const int y = b.input("y", {5});
  b.add_op(OpType::kAdd, {x, y}, BinaryAttributes{});
  infer_shapes(b.graph());
  EXPECT_EQ(b.graph().tensors[size_t(b.graph().ops[0].outputs[0])].shape, (std::vector<int>{2, 5}));
}

TEST(BinaryShapes, RejectsIncompatibleShapes) {
  test::GraphBuilder b;
  const int x = b.input("x", {1, 4, 4, 3});
  const int y = b.input("y", {1, 4, 4, 5});
  b.add_op(OpType::kAdd, {x, y}, BinaryAttributes{});
  test::expect_infer_error(b.graph(), ErrorKind::kInvalidModel, {"ADD"});
}

TEST(BinaryShapes, RejectsOperandWhose4DMappingDiffersFromNumPy) {
  test::GraphBuilder b;
  const int x = b.input("x", {1, 4, 6, 3});
  const int y = b.input("y", {6, 3});  // NumPy: [1,1,6,3]; 4D mapping: [6,1,1,3]
  b.add_op(OpType::kMul, {x, y}, BinaryAttributes{});
  test::expect_infer_error(b.graph(), ErrorKind::kUnsupported);
}

TEST_P(Prelu, AlphaBroadcast) { run_binary_cases(OpType::kPrelu, -1.0, 1.0, {.cpu = 40, .gpu = 12, .fp16 = 2}); }

TEST_P(Prelu, ConstantAlphaPerChannel) {
  for_each_trial("PRELU constant alpha", {.cpu = 20, .gpu = 8, .fp16 = 1}, [&](std::mt19937_64& rng, int) {
    const auto [n, h, w, c] = test::random_nhwc(rng);
    const std::vector<int> alpha_shape = pick<std::vector<int>>(rng, {{1, 1, c}, {c}, {1, 1, 1, c}, {1}});
    test::GraphBuilder b;
    const int x = b.input("x", {n, h, w, c});
    const int a = b.random_constant(rng, "alpha", alpha_shape, 0.0, 0.5);
    b.add_op(OpType::kPrelu, {x, a}, NoAttributes{});
    SCOPED_TRACE(fmt::format("PRELU [{},{},{},{}] alpha {}", n, h, w, c, test::shape_str(alpha_shape)));
    return check(b.graph(), rng);
  });
}

HETSCHED_OP_TEST_ON_ALL_EXECUTORS(Prelu);

TEST(PreluShapes, RejectsAlphaLargerThanInput) {
  test::GraphBuilder b;
  const int x = b.input("x", {1, 4, 4, 1});
  const int a = b.input("alpha", {1, 1, 1, 8});
  b.add_op(OpType::kPrelu, {x, a}, NoAttributes{});
  EXPECT_THROW(infer_shapes(b.graph()), Error);
}

void Unary::run_unary_cases(OpType type, double lo, double hi, const test::CaseCounts& counts) {
  for_each_trial(fmt::format("{} in [{},{})", to_string(type), lo, hi), counts, [&](std::mt19937_64& rng, int) {
    const int rank = pick(rng, {2, 3, 4, 4, 4});
    const auto [n, h, w, c] = test::random_nhwc(rng);
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
    return check(b.graph(), rng, opt);
  });
}

constexpr test::CaseCounts kUnaryCases = {.cpu = 20, .gpu = 8, .fp16 = 1};
TEST_P(Unary, HardSwish) { run_unary_cases(OpType::kHardSwish, -5.0, 5.0, kUnaryCases); }
TEST_P(Unary, Logistic) { run_unary_cases(OpType::kLogistic, -6.0, 6.0, kUnaryCases); }
TEST_P(Unary, Tanh) { run_unary_cases(OpType::kTanh, -3.0, 3.0, kUnaryCases); }
// Far into saturation (the SIMD exp is clamped, its valid range ends near 104; no inf/inf in the
// GPU's tanh): the results stay finite.
constexpr test::CaseCounts kSaturatingCases = {.cpu = 20, .gpu = 1, .fp16 = 1};
TEST_P(Unary, Saturates) {
  run_unary_cases(OpType::kLogistic, -120.0, 120.0, kSaturatingCases);
  run_unary_cases(OpType::kTanh, -60.0, 60.0, kSaturatingCases);
}
TEST_P(Unary, Relu) { run_unary_cases(OpType::kRelu, -2.0, 2.0, kUnaryCases); }
TEST_P(Unary, Relu6) { run_unary_cases(OpType::kRelu6, -3.0, 9.0, kUnaryCases); }

HETSCHED_OP_TEST_ON_ALL_EXECUTORS(Unary);

}  // namespace
}  // namespace hetsched
