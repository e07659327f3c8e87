// Internal to the TFLite importer: per-op parsers (TFLite operator -> normalized IR Op), found
// through a table by builtin code or custom code. IsSupported is "a parser exists"; Parse fills
// the op. Parsers throw Error naming the op (the importer adds the model name).
#pragma once
#include <fmt/format.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "base/error.h"
#include "graph/graph.h"
#include "tflite_schema_generated.h"

namespace hetsched::tflite_import {

// What a parser sees: the operator, the already-imported tensors and a label for messages.
struct OpContext {
  const tflite::Operator& op;
  const Graph& graph;
  std::string label;  // "op 12 (CONV_2D)"

  int input_count() const;
  // The tensor index of input i; throws kInvalidModel if missing or absent (-1).
  int input(int i) const;
  // The tensor index of input i, or -1 if absent or beyond the list.
  int optional_input(int i) const;
  // Throws kInvalidModel unless the input count is within [lo, hi].
  void expect_inputs(int lo, int hi) const;
  const Tensor& tensor(int t) const { return graph.tensors[size_t(t)]; }
  const Tensor& output_tensor() const { return tensor(op.outputs()->Get(0)); }
  // Values of an int32/int64 constant input (shape/axes/paddings operands).
  std::vector<int64_t> const_ints(int i) const;

  template <typename T>
  const T* options() const {
    return op.builtin_options_as<T>();
  }
  template <typename T>
  const T& required_options() const {
    const T* o = op.builtin_options_as<T>();
    if (!o) fail(ErrorKind::kInvalidModel, "{}: its builtin options are missing", label);
    return *o;
  }
  template <typename... Args>
  [[noreturn]] void invalid(fmt::format_string<Args...> f, Args&&... args) const {
    fail(ErrorKind::kInvalidModel, "{}: {}", label, fmt::format(f, std::forward<Args>(args)...));
  }
};

// Fills op.type, op.inputs (normalized order) and op.attributes; op.outputs is already set.
using ParseFn = void (*)(const OpContext& ctx, Op& op);

struct BuiltinParser {
  tflite::BuiltinOperator code;
  ParseFn parse;
};
struct CustomParser {
  std::string_view custom_code;
  ParseFn parse;
};

void add_conv_parsers(std::vector<BuiltinParser>& builtins, std::vector<CustomParser>& customs);
void add_general_parsers(std::vector<BuiltinParser>& builtins);

// nullptr if the op is not supported.
ParseFn find_builtin_parser(int code);
ParseFn find_custom_parser(std::string_view custom_code);

// Shared option conversions (throw kInvalidModel / kUnsupported naming ctx.label).
Activation to_activation(const OpContext& ctx, tflite::ActivationFunctionType a);
Padding to_padding(const OpContext& ctx, tflite::Padding p);
int positive(const OpContext& ctx, int v, const char* what);

// The window options of CONV_2D, DEPTHWISE_CONV_2D, TRANSPOSE_CONV and the pools into their
// attributes: strides, dilations where the options have them, padding, fused activation.
template <typename Options, typename Attributes>
void read_window_options(const OpContext& ctx, const Options& o, Attributes& a) {
  a.stride_h = positive(ctx, o.stride_h(), "stride_h");
  a.stride_w = positive(ctx, o.stride_w(), "stride_w");
  if constexpr (requires { o.dilation_h_factor(); }) {
    a.dilation_h = positive(ctx, o.dilation_h_factor(), "dilation_h");
    a.dilation_w = positive(ctx, o.dilation_w_factor(), "dilation_w");
  }
  a.padding = to_padding(ctx, o.padding());
  a.activation = to_activation(ctx, o.fused_activation_function());
}

// What every parser ends with: the op's type, its inputs in the normalized order, its attributes.
inline void set_op(Op& op, OpType type, std::vector<int> inputs, OpAttributes attributes) {
  op.type = type;
  op.inputs = std::move(inputs);
  op.attributes = std::move(attributes);
}

}  // namespace hetsched::tflite_import
