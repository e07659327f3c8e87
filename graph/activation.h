// Fused activations (TFLite's fused_activation_function), applied by every kernel's epilogue.
#pragma once
#include <algorithm>
#include <cmath>

namespace hetsched {

enum class Activation { kNone, kRelu, kReluN1To1, kRelu6, kTanh, kSigmoid };

const char* to_string(Activation a);

template <typename T>
inline T apply_activation(Activation a, T v) {
  switch (a) {
    case Activation::kNone: return v;
    case Activation::kRelu: return std::max(v, T(0));
    case Activation::kReluN1To1: return std::min(std::max(v, T(-1)), T(1));
    case Activation::kRelu6: return std::min(std::max(v, T(0)), T(6));
    case Activation::kTanh: return std::tanh(v);
    case Activation::kSigmoid: return T(1) / (T(1) + std::exp(-v));
  }
  return v;
}

}  // namespace hetsched
