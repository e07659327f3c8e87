// Op epilogues on every executor (CPU; GPU fp32 and fp16: every producer shader, conv2d,
// depthwise_conv2d, fully_connected, transpose_conv, unary, elementwise_binary): every producer
// family with random epilogues (unary steps, binary steps with activation and scalar operands) vs
// the float64 reference on the same cases, whole range and partial slice x row ranges on poisoned
// buffers (on the CPU the executor's per-tile application, as check_op runs it); errors.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include "cpu/executor.h"
#include "graph/epilogue.h"
#include "base/error.h"
#include "tests/support/epilogue_cases.h"
#include "tests/support/op_check.h"

namespace hetsched {
namespace {

class Epilogue : public test::OpTest {};

TEST_P(Epilogue, RandomCasesMatchReference) {
  auto rng = this->rng();
  test::ErrorSummary summary;
  const int count = cases({.cpu = 120, .gpu = 60, .fp16 = 3});
  for (int i = 0; i < count; ++i) {
    test::EpilogueCase c = test::make_epilogue_case(rng, i);
    SCOPED_TRACE(c.description);
    test::OpCheckOptions o;
    o.abs_floor = 1e-5;
    summary.add(check(c.builder.graph(), rng, o));
    if (HasFailure()) break;
  }
  fmt::print("epilogues {}: {}\n", test::to_string(executor()), summary.to_string());
}

HETSCHED_OP_TEST_ON_ALL_EXECUTORS(Epilogue);

// The steps really run: a conv with and without its epilogue gives different results.
TEST(EpilogueSteps, ChangesTheResult) {
  auto rng = test::make_rng(42);
  test::EpilogueCase c = test::make_epilogue_case(rng, 0);
  Graph& g = c.builder.graph();
  Op& op = g.ops[0];
  op.inputs.resize(3);  // drop the random case's operands
  op.epilogue = {EpilogueStep{OpType::kAdd, -1, 10.0f, Activation::kNone}};
  infer_shapes(g);
  const std::vector<float> x(g.tensors[size_t(g.inputs[0])].elements(), 0.25f);
  cpu::CpuExecutor with(g, {1, true});
  with.set_input(0, x);
  with.run();
  const std::vector<float> a = with.output_nhwc(0);
  Graph plain = g;
  plain.ops[0].epilogue.clear();
  cpu::CpuExecutor without(plain, {1, true});
  without.set_input(0, x);
  without.run();
  const std::vector<float> b = without.output_nhwc(0);
  ASSERT_EQ(a.size(), b.size());
  for (size_t i = 0; i < a.size(); ++i) ASSERT_NEAR(a[i], b[i] + 10.0f, 1e-4) << i;
}

TEST(EpilogueSteps, InvalidEpiloguesAreRefused) {
  auto rng = test::make_rng(43);
  test::EpilogueCase c = test::make_epilogue_case(rng, 0);
  Graph& g = c.builder.graph();
  Op& op = g.ops[0];
  op.epilogue.clear();
  op.inputs.resize(3);
  // An operand of the wrong shape.
  op.inputs.push_back(c.builder.input("bad", {1, 1, 1, 1}));
  op.epilogue = {EpilogueStep{OpType::kAdd, 3, 0.0f, Activation::kNone}};
  EXPECT_THROW(infer_shapes(g), Error);
  // A step type that is not elementwise.
  op.inputs.resize(3);
  op.epilogue = {EpilogueStep{OpType::kSoftmax, -1, 0.0f, Activation::kNone}};
  EXPECT_THROW(infer_shapes(g), Error);
  // Too many steps.
  op.epilogue.assign(size_t(kMaxEpilogueSteps) + 1, EpilogueStep{OpType::kRelu, -1, 0.0f, Activation::kNone});
  EXPECT_THROW(infer_shapes(g), Error);
}

}  // namespace
}  // namespace hetsched
