// Random ops with epilogues for the epilogue tests (see epilogue_cases.h).
#include "tests/support/epilogue_cases.h"

#include <fmt/format.h>

#include "graph/epilogue.h"

namespace hetsched::test {
namespace {

template <typename T>
T pick(std::mt19937_64& rng, std::initializer_list<T> v) {
  return *(v.begin() + std::uniform_int_distribution<size_t>(0, v.size() - 1)(rng));
}

}  // namespace

EpilogueCase make_epilogue_case(std::mt19937_64& rng, int i) {
  EpilogueCase c;
  GraphBuilder& b = c.builder;
  const int n = pick(rng, {1, 1, 2});
  const int h = pick(rng, {3, 7, 9}), w = pick(rng, {1, 5, 8, 11});
  const int ic = pick(rng, {1, 3, 5, 8}), oc = pick(rng, {1, 3, 5, 7, 8, 13});
  const int x = b.input("x", {n, h, w, ic});
  const int family = i % 6;
  int op = -1;
  if (family == 0) {
    Conv2DAttributes a;
    a.stride_h = a.stride_w = pick(rng, {1, 2});
    a.dilation_h = a.dilation_w = a.stride_h == 1 ? pick(rng, {1, 2}) : 1;
    a.padding = Padding::kSame;
    a.activation = pick(rng, {Activation::kNone, Activation::kRelu});
    op = b.add_op(OpType::kConv2D, {x, b.random_constant(rng, "w", {oc, 3, 3, ic}), b.random_constant(rng, "b", {oc})}, a);
  } else if (family == 1) {
    DepthwiseConv2DAttributes a;
    a.stride_h = a.stride_w = pick(rng, {1, 2});
    a.padding = w >= 3 ? pick(rng, {Padding::kSame, Padding::kValid}) : Padding::kSame;
    op = b.add_op(OpType::kDepthwiseConv2D,
                  {x, b.random_constant(rng, "w", {1, 3, 3, ic}), b.random_constant(rng, "b", {ic})}, a);
  } else if (family == 2) {
    FullyConnectedAttributes a;
    op = b.add_op(OpType::kFullyConnected,
                  {x, b.random_constant(rng, "w", {oc, h * w * ic}), b.random_constant(rng, "b", {oc})}, a);
  } else if (family == 3) {
    TransposeConvAttributes a;
    a.stride_h = a.stride_w = 2;
    a.out_h = 2 * h, a.out_w = 2 * w, a.out_c = oc;
    a.padding = Padding::kSame;
    op = b.add_op(OpType::kTransposeConv,
                  {x, b.random_constant(rng, "w", {oc, 3, 3, ic}), b.random_constant(rng, "b", {oc})}, a);
  } else if (family == 4) {
    const OpType unary[] = {OpType::kLogistic, OpType::kHardSwish, OpType::kTanh};
    op = b.add_op(unary[(i / 6) % 3], {x}, NoAttributes{});  // each type in turn: fixed case counts per op
  } else {
    BinaryAttributes a;
    a.activation = pick(rng, {Activation::kNone, Activation::kRelu6});
    const OpType binary[] = {OpType::kAdd, OpType::kMul, OpType::kSub};
    op = b.add_op(binary[(i / 6) % 3], {x, b.input("x2", {n, h, w, ic})}, a);
  }
  infer_shapes(b.graph());
  Op& o = b.graph().ops[size_t(op)];
  const std::vector<int> out_shape = b.graph().tensors[size_t(o.outputs[0])].shape;
  const int steps = std::uniform_int_distribution<int>(1, kMaxEpilogueSteps)(rng);
  int operands = 0;
  for (int s = 0; s < steps; ++s) {
    EpilogueStep step;
    step.type = pick(rng, {OpType::kAdd, OpType::kMul, OpType::kSub, OpType::kHardSwish, OpType::kLogistic,
                           OpType::kTanh, OpType::kRelu, OpType::kRelu6});
    if (step.type == OpType::kLogistic) step.times_input = pick(rng, {false, true});  // SWISH
    if (is_epilogue_binary(step.type)) {
      step.activation = pick(rng, {Activation::kNone, Activation::kRelu, Activation::kRelu6});
      if (operands < kMaxEpilogueOperands && pick(rng, {true, true, false})) {
        step.operand_input = int(o.inputs.size());
        o.inputs.push_back(b.input(fmt::format("operand{}", operands++), out_shape));
      } else {
        step.scalar = std::uniform_real_distribution<float>(-1.5f, 1.5f)(rng);
      }
    }
    o.epilogue.push_back(step);
  }
  c.description = fmt::format("{} in [{},{},{},{}] out {} epilogue {}", to_string(o.type), n, h, w, ic,
                              shape_str(out_shape), epilogue_string(b.graph(), o));
  return c;
}

}  // namespace hetsched::test
