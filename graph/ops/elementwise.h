// Elementwise ops: binary ADD/SUB/MUL/DIV (NumPy broadcasting on the 4D shapes, fused activation),
// unary HARD_SWISH/LOGISTIC/TANH/RELU/RELU6, and PRELU (out = x >= 0 ? x : alpha * x, alpha
// broadcast to the input). The per-element formulas below are shared by the reference and kernels.
#pragma once
#include <algorithm>
#include <cmath>
#include <type_traits>
#include <utility>
#include <vector>

#include "base/error.h"
#include "graph/op_codes.h"
#include "graph/op_registry.h"

// The elementwise ops, one row each: X(OpType enumerator, ElementwiseKind enumerator, epilogue step
// code, GPU shader OP code), codes from graph/op_codes.h (EPILOGUE_NONE: cannot be folded into an
// epilogue). This list is the op table's rows (register_elementwise_ops) and every compile-time
// dispatch over the ops (visit_unary/visit_binary below: the reference epilogue, the CPU kernels and
// SIMD loops).
#define HETSCHED_ELEMENTWISE_OPS(X)                             \
  X(kAdd, kBinary, EPILOGUE_ADD, BINARY_ADD)                    \
  X(kSub, kBinary, EPILOGUE_SUB, BINARY_SUB)                    \
  X(kMul, kBinary, EPILOGUE_MUL, BINARY_MUL)                    \
  X(kDiv, kBinary, EPILOGUE_NONE, BINARY_DIV)                   \
  X(kPrelu, kBinary, EPILOGUE_NONE, BINARY_PRELU)               \
  X(kHardSwish, kUnary, EPILOGUE_HARD_SWISH, UNARY_HARD_SWISH)  \
  X(kLogistic, kUnary, EPILOGUE_LOGISTIC, UNARY_LOGISTIC)       \
  X(kTanh, kUnary, EPILOGUE_TANH, UNARY_TANH)                   \
  X(kRelu, kUnary, EPILOGUE_RELU, UNARY_RELU)                   \
  X(kRelu6, kUnary, EPILOGUE_RELU6, UNARY_RELU6)

namespace hetsched {

// The op type as a type, for the visitors: f(OpTag<OpType::kAdd>{}) reads it as decltype(tag)::value.
template <OpType kType>
using OpTag = std::integral_constant<OpType, kType>;

// f(OpTag<type>{}) for an elementwise op type of kind kKind; throws kInternal for another type.
template <ElementwiseKind kKind, typename F>
decltype(auto) visit_elementwise(OpType type, F&& f) {
  switch (type) {
#define HETSCHED_VISIT_CASE(op, kind, step, code)                            \
  case OpType::op:                                                           \
    if constexpr (ElementwiseKind::kind == kKind) return f(OpTag<OpType::op>{}); \
    else break;
    HETSCHED_ELEMENTWISE_OPS(HETSCHED_VISIT_CASE)
#undef HETSCHED_VISIT_CASE
    default: break;
  }
  fail(ErrorKind::kInternal, "{} is not a {} elementwise op", to_string(type),
       kKind == ElementwiseKind::kBinary ? "binary" : "unary");
}
// f(OpTag<type>{}) for a binary (resp. unary) elementwise op type; throws kInternal for another type.
template <typename F>
decltype(auto) visit_binary(OpType type, F&& f) {
  return visit_elementwise<ElementwiseKind::kBinary>(type, std::forward<F>(f));
}
template <typename F>
decltype(auto) visit_unary(OpType type, F&& f) {
  return visit_elementwise<ElementwiseKind::kUnary>(type, std::forward<F>(f));
}

// HARD_SWISH as TFLite: x * relu6(x + 3) / 6.
template <typename T>
inline T hard_swish(T x) {
  return x * std::min(std::max(x + T(3), T(0)), T(6)) / T(6);
}

// a (op) b for ADD, SUB, MUL, DIV, and PRELU (a = x, b = alpha).
template <OpType kType, typename T>
inline T binary_apply(T a, T b) {
  if constexpr (kType == OpType::kAdd) return a + b;
  else if constexpr (kType == OpType::kSub) return a - b;
  else if constexpr (kType == OpType::kMul) return a * b;
  else if constexpr (kType == OpType::kDiv) return a / b;
  else {
    static_assert(kType == OpType::kPrelu);
    return a >= T(0) ? a : a * b;
  }
}

template <OpType kType, typename T>
inline T unary_apply(T x) {
  if constexpr (kType == OpType::kHardSwish) return hard_swish(x);
  else if constexpr (kType == OpType::kLogistic) return T(1) / (T(1) + std::exp(-x));
  else if constexpr (kType == OpType::kTanh) return std::tanh(x);
  else if constexpr (kType == OpType::kRelu) return std::max(x, T(0));
  else {
    static_assert(kType == OpType::kRelu6);
    return std::min(std::max(x, T(0)), T(6));
  }
}

// ADD, SUB, MUL, DIV, PRELU and the five unary ops.
void register_elementwise_ops(std::vector<OpDescriptor>& table);

}  // namespace hetsched
