// Elementwise ops: binary ADD/SUB/MUL/DIV (NumPy broadcasting on the 4D shapes, fused activation),
// unary HARD_SWISH/LOGISTIC/TANH/RELU/RELU6, and PRELU (out = x >= 0 ? x : alpha * x, alpha
// broadcast to the input). The per-element formulas below are shared by the reference and kernels.
#pragma once
#include <algorithm>
#include <cmath>
#include <vector>

#include "graph/op_registry.h"

namespace hetsched {

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
