// Tests of the elementwise ops (ADD, SUB, MUL, DIV with broadcasting and constant operands, PRELU,
// and the unary activations): CPU kernel vs the float64 reference on random awkward shapes, and
// random partial slice x row ranges on poisoned outputs.
#include <gtest/gtest.h>

#include <fmt/format.h>

#include "graph/error.h"
#include "tests/support/general_op_harness.h"

namespace hetsched {
namespace {

using test::pick;
std::mt19937_64 rng_for_test() { return test::rng_for_current_test(); }

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

void run_binary_cases(OpType type, double lo_b, double hi_b) {
  std::mt19937_64 rng = rng_for_test();
  test::ErrorSummary summary;
  for (int trial = 0; trial < 40; ++trial) {
    const int n = pick(rng, {1, 2}), h = pick(rng, {1, 3, 7, 13}), w = pick(rng, {1, 3, 7, 13});
    const int c = pick(rng, {1, 3, 5, 13, 17});
    const int variant = std::uniform_int_distribution<int>(0, 7)(rng);
    const bool constant = std::uniform_int_distribution<int>(0, 1)(rng) == 1;
    const bool swap = type != OpType::kPrelu && std::uniform_int_distribution<int>(0, 3)(rng) == 0;
    const Activation act =
        pick(rng, {Activation::kNone, Activation::kRelu, Activation::kRelu6, Activation::kReluN1To1});
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
    summary.add(test::check_cpu_op(b.graph(), rng, opt));
  }
  std::printf("%s\n", summary.to_string().c_str());
}

TEST(Binary, Add) { run_binary_cases(OpType::kAdd, -1.0, 1.0); }
TEST(Binary, Sub) { run_binary_cases(OpType::kSub, -1.0, 1.0); }
TEST(Binary, Mul) { run_binary_cases(OpType::kMul, -2.0, 2.0); }
TEST(Binary, Div) { run_binary_cases(OpType::kDiv, 0.5, 2.0); }

TEST(Binary, BothOperandsBroadcast) {
  std::mt19937_64 rng = rng_for_test();
  for (int trial = 0; trial < 10; ++trial) {
    const int n = pick(rng, {1, 2}), h = pick(rng, {3, 7, 13}), w = pick(rng, {3, 7, 13}), c = pick(rng, {1, 5, 17});
    test::GraphBuilder b;
    const int x = b.input("x", {n, h, 1, c});
    const int y = b.input("y", {1, 1, w, 1});
    b.add_op(OpType::kMul, {x, y}, BinaryAttributes{Activation::kNone});
    SCOPED_TRACE(fmt::format("[{},{},1,{}] x [1,1,{},1]", n, h, c, w));
    const test::OpCheck r = test::check_cpu_op(b.graph(), rng);
    EXPECT_EQ(r.output_shape, (Shape4{n, h, w, c}));
  }
}

TEST(Binary, OutputRankIsTheLargerInputRank) {
  test::GraphBuilder b;
  const int x = b.input("x", {2, 5});
  const int y = b.input("y", {5});
  b.add_op(OpType::kAdd, {x, y}, BinaryAttributes{});
  infer_shapes(b.graph());
  EXPECT_EQ(b.graph().tensors[size_t(b.graph().ops[0].outputs[0])].shape, (std::vector<int>{2, 5}));
}

TEST(Binary, RejectsIncompatibleShapes) {
  test::GraphBuilder b;
  const int x = b.input("x", {1, 4, 4, 3});
  const int y = b.input("y", {1, 4, 4, 5});
  b.add_op(OpType::kAdd, {x, y}, BinaryAttributes{});
  try {
    infer_shapes(b.graph());
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kInvalidModel);
    EXPECT_NE(std::string(e.what()).find("ADD"), std::string::npos) << e.what();
  }
}

TEST(Binary, RejectsOperandWhose4DMappingDiffersFromNumPy) {
  test::GraphBuilder b;
  const int x = b.input("x", {1, 4, 6, 3});
  const int y = b.input("y", {6, 3});  // NumPy: [1,1,6,3]; 4D mapping: [6,1,1,3]
  b.add_op(OpType::kMul, {x, y}, BinaryAttributes{});
  try {
    infer_shapes(b.graph());
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kUnsupported);
  }
}

TEST(Prelu, AlphaBroadcast) { run_binary_cases(OpType::kPrelu, -1.0, 1.0); }

TEST(Prelu, ConstantAlphaPerChannel) {
  std::mt19937_64 rng = rng_for_test();
  test::ErrorSummary summary;
  for (int trial = 0; trial < 20; ++trial) {
    const int n = pick(rng, {1, 2}), h = pick(rng, {1, 3, 7, 13}), w = pick(rng, {1, 3, 7, 13});
    const int c = pick(rng, {1, 3, 5, 13, 17});
    const std::vector<int> alpha_shape = pick<std::vector<int>>(rng, {{1, 1, c}, {c}, {1, 1, 1, c}, {1}});
    test::GraphBuilder b;
    const int x = b.input("x", {n, h, w, c});
    const int a = b.random_constant(rng, "alpha", alpha_shape, 0.0, 0.5);
    b.add_op(OpType::kPrelu, {x, a}, NoAttributes{});
    SCOPED_TRACE(fmt::format("PRELU [{},{},{},{}] alpha {}", n, h, w, c, test::shape_str(alpha_shape)));
    summary.add(test::check_cpu_op(b.graph(), rng));
  }
  std::printf("%s\n", summary.to_string().c_str());
}

TEST(Prelu, RejectsAlphaLargerThanInput) {
  test::GraphBuilder b;
  const int x = b.input("x", {1, 4, 4, 1});
  const int a = b.input("alpha", {1, 1, 1, 8});
  b.add_op(OpType::kPrelu, {x, a}, NoAttributes{});
  EXPECT_THROW(infer_shapes(b.graph()), Error);
}

void run_unary_cases(OpType type, double lo, double hi) {
  std::mt19937_64 rng = rng_for_test();
  test::ErrorSummary summary;
  for (int trial = 0; trial < 20; ++trial) {
    const int rank = pick(rng, {2, 3, 4, 4, 4});
    const int n = pick(rng, {1, 2}), h = pick(rng, {1, 3, 7, 13}), w = pick(rng, {1, 3, 7, 13});
    const int c = pick(rng, {1, 3, 5, 13, 17});
    const std::vector<int> shape = rank == 4 ? std::vector<int>{n, h, w, c}
                                   : rank == 3 ? std::vector<int>{n, w, c}
                                               : std::vector<int>{n, c};
    test::GraphBuilder b;
    const int x = b.input("x", shape);
    b.add_op(type, {x}, NoAttributes{});
    test::OpCheckOptions opt;
    opt.input_lo = lo;
    opt.input_hi = hi;
    SCOPED_TRACE(fmt::format("{} {}", to_string(type), test::shape_str(shape)));
    summary.add(test::check_cpu_op(b.graph(), rng, opt));
  }
  std::printf("%s\n", summary.to_string().c_str());
}

TEST(Unary, HardSwish) { run_unary_cases(OpType::kHardSwish, -5.0, 5.0); }
TEST(Unary, Logistic) { run_unary_cases(OpType::kLogistic, -6.0, 6.0); }
TEST(Unary, Tanh) { run_unary_cases(OpType::kTanh, -3.0, 3.0); }
// Far into saturation (the SIMD exp is clamped, its valid range ends near 104).
TEST(Unary, LogisticSaturates) { run_unary_cases(OpType::kLogistic, -120.0, 120.0); }
TEST(Unary, TanhSaturates) { run_unary_cases(OpType::kTanh, -60.0, 60.0); }
TEST(Unary, Relu) { run_unary_cases(OpType::kRelu, -2.0, 2.0); }
TEST(Unary, Relu6) { run_unary_cases(OpType::kRelu6, -3.0, 9.0); }

}  // namespace
}  // namespace hetsched
