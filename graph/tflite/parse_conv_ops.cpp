// Parsers of the conv-like ops: CONV_2D, DEPTHWISE_CONV_2D, TRANSPOSE_CONV, FULLY_CONNECTED and
// MediaPipe's custom Convolution2DTransposeBias. Inputs are normalized to {input, weights, bias|-1}.
#include <cstring>

#include "graph/tflite/op_parsers.h"

namespace hetsched::tflite_import {
namespace {

void parse_conv2d(const OpContext& ctx, Op& op) {
  ctx.expect_inputs(2, 3);
  Conv2DAttributes a;
  read_window_options(ctx, ctx.required_options<tflite::Conv2DOptions>(), a);
  set_op(op, OpType::kConv2D, {ctx.input(0), ctx.input(1), ctx.optional_input(2)}, a);
}

void parse_depthwise(const OpContext& ctx, Op& op) {
  ctx.expect_inputs(2, 3);
  const auto& o = ctx.required_options<tflite::DepthwiseConv2DOptions>();
  DepthwiseConv2DAttributes a;
  read_window_options(ctx, o, a);
  // depth_multiplier is redundant in TFLite >= 2.1 (and sometimes 0): take it from the shapes.
  const Tensor& in = ctx.tensor(ctx.input(0));
  const Tensor& w = ctx.tensor(ctx.input(1));
  if (in.shape.size() == 4 && w.shape.size() == 4 && in.shape[3] > 0 && w.shape[3] % in.shape[3] == 0)
    a.depth_multiplier = w.shape[3] / in.shape[3];
  else
    a.depth_multiplier = positive(ctx, o.depth_multiplier(), "depth_multiplier");
  set_op(op, OpType::kDepthwiseConv2D, {ctx.input(0), ctx.input(1), ctx.optional_input(2)}, a);
}

// TFLite order {output_shape, weights, input, bias?}; output_shape is an int constant [4].
void parse_transpose_conv(const OpContext& ctx, Op& op) {
  ctx.expect_inputs(3, 4);
  TransposeConvAttributes a;
  read_window_options(ctx, ctx.required_options<tflite::TransposeConvOptions>(), a);
  const std::vector<int64_t> shape = ctx.const_ints(0);
  if (shape.size() != 4) ctx.invalid("output_shape has {} values, expected 4", shape.size());
  for (int k = 1; k < 4; ++k)
    if (shape[size_t(k)] < 1 || shape[size_t(k)] > (1 << 24)) ctx.invalid("output_shape[{}] = {}", k, shape[size_t(k)]);
  a.out_h = int(shape[1]);
  a.out_w = int(shape[2]);
  a.out_c = int(shape[3]);
  set_op(op, OpType::kTransposeConv, {ctx.input(2), ctx.input(1), ctx.optional_input(3)}, a);
}

void parse_fully_connected(const OpContext& ctx, Op& op) {
  ctx.expect_inputs(2, 3);
  FullyConnectedAttributes a;
  if (const auto* o = ctx.options<tflite::FullyConnectedOptions>()) {
    if (o->weights_format() != tflite::FullyConnectedOptionsWeightsFormat::DEFAULT)
      fail(ErrorKind::kUnsupported, "{}: shuffled weights are not supported", ctx.label);
    a.keep_num_dims = o->keep_num_dims();
    a.activation = to_activation(ctx, o->fused_activation_function());
  }
  set_op(op, OpType::kFullyConnected, {ctx.input(0), ctx.input(1), ctx.optional_input(2)}, a);
}

// MediaPipe's Convolution2DTransposeBias: inputs {input, weights [O,KH,KW,I], bias [O]};
// custom_options are a raw TfLiteTransposeConvParams: int32 padding (1 = SAME, 2 = VALID in
// TfLitePadding), int32 stride_width, int32 stride_height. The output shape is the output tensor's.
void parse_transpose_conv_bias(const OpContext& ctx, Op& op) {
  ctx.expect_inputs(3, 3);
  const auto* opts = ctx.op.custom_options();
  if (!opts || opts->size() < 12) ctx.invalid("custom options hold {} bytes, expected 12", opts ? opts->size() : 0);
  int32_t v[3];
  std::memcpy(v, opts->data(), sizeof v);
  TransposeConvAttributes a;
  if (v[0] == 1) a.padding = Padding::kSame;
  else if (v[0] == 2) a.padding = Padding::kValid;
  else ctx.invalid("custom padding {} is neither SAME (1) nor VALID (2)", v[0]);
  a.stride_w = positive(ctx, v[1], "stride_w");
  a.stride_h = positive(ctx, v[2], "stride_h");
  const Tensor& out = ctx.output_tensor();
  if (out.shape.size() != 4) ctx.invalid("output '{}' {} is not 4D", out.name, out.shape_string());
  a.out_h = out.shape[1];
  a.out_w = out.shape[2];
  a.out_c = out.shape[3];
  set_op(op, OpType::kTransposeConv, {ctx.input(0), ctx.input(1), ctx.input(2)}, a);
}

}  // namespace

void add_conv_parsers(std::vector<BuiltinParser>& builtins, std::vector<CustomParser>& customs) {
  using B = tflite::BuiltinOperator;
  builtins.push_back({B::CONV_2D, parse_conv2d});
  builtins.push_back({B::DEPTHWISE_CONV_2D, parse_depthwise});
  builtins.push_back({B::TRANSPOSE_CONV, parse_transpose_conv});
  builtins.push_back({B::FULLY_CONNECTED, parse_fully_connected});
  customs.push_back({"Convolution2DTransposeBias", parse_transpose_conv_bias});
}

}  // namespace hetsched::tflite_import
