// An operator of the model IR: its type, input/output tensor indices and typed attributes.
// Attribute structs name every field; axes and pads are already mapped to 4D NHWC (see phwc4.h).
//
// Input conventions (normalized by the importer, whatever the TFLite order):
//   CONV_2D, DEPTHWISE_CONV_2D, FULLY_CONNECTED, TRANSPOSE_CONV: {input, weights, bias or -1}
//     weights as in TFLite: conv [O,KH,KW,I], depthwise [1,KH,KW,O], FC [O,I], transpose [O,KH,KW,I]
//   PRELU: {input, alpha};  binary elementwise: {a, b} (NumPy broadcasting on the 4D shapes)
//   PAD, RESHAPE, MEAN, RESIZE_BILINEAR, DEPTH_TO_SPACE, SOFTMAX, unary ops: {input}
//   CONCATENATION: {inputs...};  DEQUANTIZE, DENSIFY: {constant}
//   Any op with an epilogue: the operand tensors of its binary epilogue steps follow (see epilogue).
#pragma once
#include <array>
#include <string>
#include <variant>
#include <vector>

#include "graph/activation.h"
#include "graph/ops/conv_common.h"

namespace hetsched {

enum class OpType {
  kAdd, kSub, kMul, kDiv,
  kAveragePool2D, kMaxPool2D,
  kConcatenation,
  kConv2D, kDepthwiseConv2D, kTransposeConv, kFullyConnected,
  kDepthToSpace,
  kDequantize, kDensify,
  kHardSwish, kLogistic, kTanh, kRelu, kRelu6,
  kPrelu,
  kMean, kPad, kReshape, kResizeBilinear, kSoftmax,
  kCount
};
inline constexpr int kOpTypeCount = static_cast<int>(OpType::kCount);

const char* to_string(OpType t);

// out[b,y,x,o] = act(bias[o] + sum_{ky,kx,i} in[b, y*sh - pt + ky*dh, x*sw - pl + kx*dw, i] * w[o,ky,kx,i])
struct Conv2DAttributes {
  int stride_h = 1, stride_w = 1, dilation_h = 1, dilation_w = 1;
  Padding padding = Padding::kValid;
  Padding2D pads;  // resolved by shape inference
  Activation activation = Activation::kNone;
};

// out[b,y,x,c*m+k] = act(bias + sum_{ky,kx} in[b, ..., c] * w[0,ky,kx,c*m+k])   (m = depth_multiplier)
struct DepthwiseConv2DAttributes {
  int stride_h = 1, stride_w = 1, dilation_h = 1, dilation_w = 1, depth_multiplier = 1;
  Padding padding = Padding::kValid;
  Padding2D pads;
  Activation activation = Activation::kNone;
};

// The gradient of CONV_2D: every input pixel scatters w[o,ky,kx,i]*in into out[y*sh - pt + ky, x*sw - pl + kx, o].
// Also MediaPipe's custom Convolution2DTransposeBias (bias folded in, same semantics).
struct TransposeConvAttributes {
  int stride_h = 1, stride_w = 1;
  Padding padding = Padding::kSame;
  int out_h = 0, out_w = 0, out_c = 0;  // the explicit output shape
  Padding2D pads;                       // resolved by shape inference
  Activation activation = Activation::kNone;
};

// out[b,o] = act(bias[o] + sum_i in[b,i] * w[o,i]); the input is flattened per batch (NHWC order).
struct FullyConnectedAttributes {
  bool keep_num_dims = false;
  Activation activation = Activation::kNone;
};

// AVERAGE_POOL_2D (padding excluded from the count, as TFLite) and MAX_POOL_2D.
struct Pool2DAttributes {
  int filter_h = 1, filter_w = 1, stride_h = 1, stride_w = 1;
  Padding padding = Padding::kValid;
  Padding2D pads;
  Activation activation = Activation::kNone;
};

// ADD, SUB, MUL, DIV with broadcasting.
struct BinaryAttributes {
  Activation activation = Activation::kNone;
};

struct ConcatenationAttributes {
  int axis = 3;  // 4D axis
  Activation activation = Activation::kNone;
};

struct DepthToSpaceAttributes {
  int block_size = 2;
};

// MEAN over `axes` (4D axes); the output keeps rank as the model says (keep_dims or not).
struct MeanAttributes {
  std::vector<int> axes;
  bool keep_dims = false;
};

// PAD with zeros: pads[axis4] = {before, after}.
struct PadAttributes {
  std::array<std::array<int, 2>, 4> pads{};
};

struct ReshapeAttributes {};

struct ResizeBilinearAttributes {
  int out_h = 0, out_w = 0;
  bool align_corners = false, half_pixel_centers = false;
};

// Softmax over the channel (last) axis: exp(beta * x) / sum.
struct SoftmaxAttributes {
  float beta = 1.0f;
};

struct NoAttributes {};

// One step of an op's epilogue (graph/epilogue.h): what a fused elementwise consumer did to the
// op's output, applied element by element after the op's own fused activation.
//   unary (HARD_SWISH, LOGISTIC, TANH, RELU, RELU6):  v = f(v)
//   SWISH (LOGISTIC with times_input): v = v * logistic(v), a LOGISTIC and the MUL of its result
//     by its own input (efficientnet's swish) fused as one step
//   binary (ADD, SUB, MUL):  v = activation(v OP operand), operand = op.inputs[operand_input] (an
//     activation of the output's shape, read at the same element) or, with operand_input == -1,
//     the constant `scalar`.
struct EpilogueStep {
  OpType type = OpType::kAdd;
  int operand_input = -1;  // position in op.inputs of the operand tensor; -1: `scalar`
  float scalar = 0.0f;
  Activation activation = Activation::kNone;  // the fused activation of a binary step
  bool times_input = false;                   // LOGISTIC only: v * logistic(v) (SWISH)
};

using OpAttributes = std::variant<NoAttributes, Conv2DAttributes, DepthwiseConv2DAttributes,
                                  TransposeConvAttributes, FullyConnectedAttributes, Pool2DAttributes,
                                  BinaryAttributes, ConcatenationAttributes, DepthToSpaceAttributes,
                                  MeanAttributes, PadAttributes, ReshapeAttributes,
                                  ResizeBilinearAttributes, SoftmaxAttributes>;

struct Op {
  OpType type = OpType::kAdd;
  std::vector<int> inputs;   // tensor indices; -1 = absent optional input
  std::vector<int> outputs;  // tensor indices
  OpAttributes attributes;
  int model_index = -1;      // index of the operator in the .tflite subgraph (for messages)
  // Elementwise consumers folded into this op (graph/passes/fuse_elementwise.h), in order. Their
  // operand tensors are appended to `inputs` after the op's own inputs.
  std::vector<EpilogueStep> epilogue;

  template <typename A> A& attrs() { return std::get<A>(attributes); }
  template <typename A> const A& attrs() const { return std::get<A>(attributes); }
  // The fused activation of ops that have one (kNone otherwise).
  Activation activation() const;
  void set_activation(Activation a);  // throws if the op has no fused activation
  // Number of epilogue operand tensors at the end of `inputs`.
  int epilogue_operands() const;
  // Number of the op's own inputs (what its descriptor and kernels see): inputs minus operands.
  int own_inputs() const { return int(inputs.size()) - epilogue_operands(); }
};

}  // namespace hetsched
