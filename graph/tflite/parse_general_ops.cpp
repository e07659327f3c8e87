// Parsers of every supported op that is not conv-like: elementwise, pooling, concat, pad, mean,
// reshape, resize, softmax, depth-to-space, activations, and the load-time DEQUANTIZE / DENSIFY.
// Constant operands (paddings, axes, sizes, shapes) become attributes and leave the input list.
#include <algorithm>

#include "graph/tflite/op_parsers.h"

namespace hetsched::tflite_import {
namespace {

template <typename Options>
void parse_binary(const OpContext& ctx, Op& op, OpType type) {
  ctx.expect_inputs(2, 2);
  BinaryAttributes a;
  if (const Options* o = ctx.options<Options>()) a.activation = to_activation(ctx, o->fused_activation_function());
  set_op(op, type, {ctx.input(0), ctx.input(1)}, a);
}

void parse_add(const OpContext& c, Op& op) { parse_binary<tflite::AddOptions>(c, op, OpType::kAdd); }
void parse_sub(const OpContext& c, Op& op) { parse_binary<tflite::SubOptions>(c, op, OpType::kSub); }
void parse_mul(const OpContext& c, Op& op) { parse_binary<tflite::MulOptions>(c, op, OpType::kMul); }
void parse_div(const OpContext& c, Op& op) { parse_binary<tflite::DivOptions>(c, op, OpType::kDiv); }

void parse_pool(const OpContext& ctx, Op& op, OpType type) {
  ctx.expect_inputs(1, 1);
  const auto& o = ctx.required_options<tflite::Pool2DOptions>();
  Pool2DAttributes a;
  a.filter_h = positive(ctx, o.filter_height(), "filter_height");
  a.filter_w = positive(ctx, o.filter_width(), "filter_width");
  read_window_options(ctx, o, a);
  set_op(op, type, {ctx.input(0)}, a);
}
void parse_avg_pool(const OpContext& c, Op& op) { parse_pool(c, op, OpType::kAveragePool2D); }
void parse_max_pool(const OpContext& c, Op& op) { parse_pool(c, op, OpType::kMaxPool2D); }

void parse_concatenation(const OpContext& ctx, Op& op) {
  ctx.expect_inputs(1, 1 << 16);
  const auto& o = ctx.required_options<tflite::ConcatenationOptions>();
  ConcatenationAttributes a;
  a.axis = to_axis4(o.axis(), int(ctx.output_tensor().shape.size()));
  a.activation = to_activation(ctx, o.fused_activation_function());
  std::vector<int> inputs;
  for (int i = 0; i < ctx.input_count(); ++i) inputs.push_back(ctx.input(i));
  set_op(op, OpType::kConcatenation, std::move(inputs), a);
}

void parse_depth_to_space(const OpContext& ctx, Op& op) {
  ctx.expect_inputs(1, 1);
  const auto& o = ctx.required_options<tflite::DepthToSpaceOptions>();
  const int input = ctx.input(0);  // checked before the block size, as the op's fields are filled
  set_op(op, OpType::kDepthToSpace, {input}, DepthToSpaceAttributes{positive(ctx, o.block_size(), "block_size")});
}

// {input, paddings [rank, 2]} -> PadAttributes on 4D axes.
void parse_pad(const OpContext& ctx, Op& op) {
  ctx.expect_inputs(2, 2);
  const int rank = int(ctx.tensor(ctx.input(0)).shape.size());
  const std::vector<int64_t> p = ctx.const_ints(1);
  if (p.size() != size_t(2 * rank)) ctx.invalid("paddings hold {} values for an input of rank {}", p.size(), rank);
  PadAttributes a;
  for (int axis = 0; axis < rank; ++axis) {
    const int64_t before = p[size_t(2 * axis)], after = p[size_t(2 * axis + 1)];
    if (before < 0 || after < 0 || before > (1 << 20) || after > (1 << 20))
      ctx.invalid("padding ({}, {}) of axis {} is out of range", before, after, axis);
    a.pads[size_t(to_axis4(axis, rank))] = {int(before), int(after)};
  }
  set_op(op, OpType::kPad, {ctx.input(0)}, a);
}

// {input, axes} -> MeanAttributes with sorted, unique 4D axes.
void parse_mean(const OpContext& ctx, Op& op) {
  ctx.expect_inputs(2, 2);
  const int rank = int(ctx.tensor(ctx.input(0)).shape.size());
  MeanAttributes a;
  for (int64_t axis : ctx.const_ints(1)) {
    if (axis < -rank || axis >= rank) ctx.invalid("axis {} out of range for rank {}", axis, rank);
    a.axes.push_back(to_axis4(int(axis), rank));
  }
  std::sort(a.axes.begin(), a.axes.end());
  a.axes.erase(std::unique(a.axes.begin(), a.axes.end()), a.axes.end());
  if (const auto* o = ctx.options<tflite::ReducerOptions>()) a.keep_dims = o->keep_dims();
  set_op(op, OpType::kMean, {ctx.input(0)}, a);
}

// The shape operand (or option) is dropped: the output tensor's shape is the truth.
void parse_reshape(const OpContext& ctx, Op& op) {
  ctx.expect_inputs(1, 2);
  set_op(op, OpType::kReshape, {ctx.input(0)}, ReshapeAttributes{});
}

// {input, size [2]} -> out_h, out_w; align_corners / half_pixel_centers from the options
// (MediaPipe sets half_pixel_centers even in op version 1, so the version is not consulted).
void parse_resize_bilinear(const OpContext& ctx, Op& op) {
  ctx.expect_inputs(2, 2);
  const std::vector<int64_t> size = ctx.const_ints(1);
  if (size.size() != 2) ctx.invalid("size holds {} values, expected 2", size.size());
  if (size[0] < 1 || size[1] < 1 || size[0] > (1 << 20) || size[1] > (1 << 20))
    ctx.invalid("size ({}, {}) is out of range", size[0], size[1]);
  ResizeBilinearAttributes a;
  a.out_h = int(size[0]);
  a.out_w = int(size[1]);
  if (const auto* o = ctx.options<tflite::ResizeBilinearOptions>()) {
    a.align_corners = o->align_corners();
    a.half_pixel_centers = o->half_pixel_centers();
  }
  if (a.align_corners && a.half_pixel_centers) ctx.invalid("align_corners and half_pixel_centers are both set");
  set_op(op, OpType::kResizeBilinear, {ctx.input(0)}, a);
}

void parse_softmax(const OpContext& ctx, Op& op) {
  ctx.expect_inputs(1, 1);
  const float beta = ctx.required_options<tflite::SoftmaxOptions>().beta();
  set_op(op, OpType::kSoftmax, {ctx.input(0)}, SoftmaxAttributes{beta});
}

void parse_prelu(const OpContext& ctx, Op& op) {
  ctx.expect_inputs(2, 2);
  set_op(op, OpType::kPrelu, {ctx.input(0), ctx.input(1)}, NoAttributes{});
}

template <OpType kType>
void parse_unary(const OpContext& ctx, Op& op) {
  ctx.expect_inputs(1, 1);
  set_op(op, kType, {ctx.input(0)}, NoAttributes{});
}

}  // namespace

void add_general_parsers(std::vector<BuiltinParser>& b) {
  using B = tflite::BuiltinOperator;
  b.push_back({B::ADD, parse_add});
  b.push_back({B::SUB, parse_sub});
  b.push_back({B::MUL, parse_mul});
  b.push_back({B::DIV, parse_div});
  b.push_back({B::AVERAGE_POOL_2D, parse_avg_pool});
  b.push_back({B::MAX_POOL_2D, parse_max_pool});
  b.push_back({B::CONCATENATION, parse_concatenation});
  b.push_back({B::DEPTH_TO_SPACE, parse_depth_to_space});
  b.push_back({B::PAD, parse_pad});
  b.push_back({B::MEAN, parse_mean});
  b.push_back({B::RESHAPE, parse_reshape});
  b.push_back({B::RESIZE_BILINEAR, parse_resize_bilinear});
  b.push_back({B::SOFTMAX, parse_softmax});
  b.push_back({B::PRELU, parse_prelu});
  b.push_back({B::HARD_SWISH, parse_unary<OpType::kHardSwish>});
  b.push_back({B::LOGISTIC, parse_unary<OpType::kLogistic>});
  b.push_back({B::TANH, parse_unary<OpType::kTanh>});
  b.push_back({B::RELU, parse_unary<OpType::kRelu>});
  b.push_back({B::RELU6, parse_unary<OpType::kRelu6>});
  b.push_back({B::DEQUANTIZE, parse_unary<OpType::kDequantize>});
  b.push_back({B::DENSIFY, parse_unary<OpType::kDensify>});
}

}  // namespace hetsched::tflite_import
