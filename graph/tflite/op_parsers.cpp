// The parser table and the OpContext helpers shared by every op parser.
#include "graph/tflite/op_parsers.h"

#include <cstring>

namespace hetsched::tflite_import {
namespace {

struct Tables {
  std::vector<BuiltinParser> builtins;
  std::vector<CustomParser> customs;
};

const Tables& tables() {
  static const Tables t = [] {
    Tables x;
    add_conv_parsers(x.builtins, x.customs);
    add_general_parsers(x.builtins);
    return x;
  }();
  return t;
}

}  // namespace

ParseFn find_builtin_parser(int code) {
  for (const BuiltinParser& p : tables().builtins)
    if (static_cast<int>(p.code) == code) return p.parse;
  return nullptr;
}

ParseFn find_custom_parser(std::string_view custom_code) {
  for (const CustomParser& p : tables().customs)
    if (p.custom_code == custom_code) return p.parse;
  return nullptr;
}

int OpContext::input_count() const { return op.inputs() ? int(op.inputs()->size()) : 0; }

int OpContext::optional_input(int i) const {
  if (i < 0 || i >= input_count()) return -1;
  return op.inputs()->Get(flatbuffers::uoffset_t(i));
}

int OpContext::input(int i) const {
  const int t = optional_input(i);
  if (t < 0) invalid("input {} is missing", i);
  return t;
}

void OpContext::expect_inputs(int lo, int hi) const {
  const int n = input_count();
  if (n < lo || n > hi) {
    if (lo == hi) invalid("has {} inputs, expected {}", n, lo);
    invalid("has {} inputs, expected {} to {}", n, lo, hi);
  }
}

std::vector<int64_t> OpContext::const_ints(int i) const {
  const Tensor& t = tensor(input(i));
  if (!t.is_constant) invalid("input {} ('{}') must be a constant", i, t.name);
  const size_t n = t.elements();
  std::vector<int64_t> v(n);
  if (t.dtype == DataType::kInt32 && t.data.size() == n * 4) {
    for (size_t k = 0; k < n; ++k) {
      int32_t x;
      std::memcpy(&x, t.data.data() + 4 * k, 4);
      v[k] = x;
    }
  } else if (t.dtype == DataType::kInt64 && t.data.size() == n * 8) {
    for (size_t k = 0; k < n; ++k) std::memcpy(&v[k], t.data.data() + 8 * k, 8);
  } else {
    invalid("input {} ('{}') must be an int32 or int64 constant, it is {} with {} bytes", i, t.name,
            to_string(t.dtype), t.data.size());
  }
  return v;
}

Activation to_activation(const OpContext& ctx, tflite::ActivationFunctionType a) {
  switch (a) {
    case tflite::ActivationFunctionType::NONE: return Activation::kNone;
    case tflite::ActivationFunctionType::RELU: return Activation::kRelu;
    case tflite::ActivationFunctionType::RELU_N1_TO_1: return Activation::kReluN1To1;
    case tflite::ActivationFunctionType::RELU6: return Activation::kRelu6;
    case tflite::ActivationFunctionType::TANH: return Activation::kTanh;
    default: break;
  }
  fail(ErrorKind::kUnsupported, "{}: fused activation {} is not supported", ctx.label, static_cast<int>(a));
}

Padding to_padding(const OpContext& ctx, tflite::Padding p) {
  switch (p) {
    case tflite::Padding::SAME: return Padding::kSame;
    case tflite::Padding::VALID: return Padding::kValid;
  }
  ctx.invalid("padding {} is neither SAME nor VALID", static_cast<int>(p));
}

int positive(const OpContext& ctx, int v, const char* what) {
  if (v < 1) ctx.invalid("{} is {}, must be >= 1", what, v);
  return v;
}

}  // namespace hetsched::tflite_import
