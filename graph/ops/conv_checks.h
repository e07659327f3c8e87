// Input validation and window geometry shared by the shape inference of the conv-like ops
// (CONV_2D, DEPTHWISE_CONV_2D, TRANSPOSE_CONV, FULLY_CONNECTED). Every error names the model, the
// op (graph.describe) and the tensor.
#pragma once
#include <string>
#include <vector>

#include "graph/graph.h"

namespace hetsched::conv_checks {

// "model 'm': op 3 (CONV_2D)" for messages.
std::string where(const Graph& graph, const Op& op);

// Throws kInvalidModel unless the op has [min_inputs, max_inputs] inputs and exactly one output.
void expect_io_count(const Graph& graph, const Op& op, int min_inputs, int max_inputs);

// The float32 activation input at position `pos` with rank in [min_rank, max_rank].
const Tensor& activation_input(const Graph& graph, const Op& op, int pos, int min_rank, int max_rank);

// The constant float32 weights at position `pos` with the given rank and no zero dimension
// (non-constant weights: kUnsupported).
const Tensor& constant_weights(const Graph& graph, const Op& op, int pos, int rank);

// What every conv-like op checks first: 2 or 3 inputs and one output (expect_io_count), the float32
// activation input 0 with rank in [min_rank, max_rank] (activation_input) and the constant weights 1
// of rank `weight_rank` (constant_weights).
struct InputAndWeights {
  const Tensor& input;
  const Tensor& weights;
};
InputAndWeights input_and_weights(const Graph& graph, const Op& op, int min_rank, int max_rank, int weight_rank);

// The optional bias at position `pos` (absent position or index -1: nullptr): a constant float32
// tensor of `channels` elements.
const Tensor* optional_bias(const Graph& graph, const Op& op, int pos, int channels);

// Throws kInvalidModel unless strides and dilations are >= 1.
void check_window(const Graph& graph, const Op& op, int stride_h, int stride_w, int dilation_h, int dilation_w);

// Output size of a sliding window along one axis. SAME: TFLite's ceil(in / stride), and the pads
// are set by TFLite's rule (the extra pixel at the end). VALID: the explicit pads are kept (zero
// from the importer; a PAD-folding pass may have grown them) and out = (in + pads - dk) / s + 1.
// Throws kInvalidModel if the output would be empty.
int window_output(const Graph& graph, const Op& op, const char* axis, int in, int kernel, int stride,
                  int dilation, Padding padding, int* pad_before, int* pad_after);

// Whether a window op reads only its own output row: a 1x1 kernel (weights [.,1,1,.]) with stride 1
// and no pads.
bool reads_own_row_only(const Tensor& weights, int stride_h, int stride_w, const Padding2D& pads);

// Sets output 0 of the op to float32 with the given shape.
void set_output(Graph& graph, const Op& op, std::vector<int> shape);

// The output of a dilated window op with attributes `A` (CONV_2D, DEPTHWISE_CONV_2D) over input `in`
// [N,H,W,.] with weights [.,KH,KW,.]: checks strides and dilations, resolves a.pads (window_output)
// and sets output 0 to [N, OH, OW, out_c].
template <typename A>
void set_window_output(Graph& graph, const Op& op, A& a, const Tensor& in, const Tensor& weights, int out_c) {
  check_window(graph, op, a.stride_h, a.stride_w, a.dilation_h, a.dilation_w);
  const int kh = weights.shape[1], kw = weights.shape[2];
  const int oh = window_output(graph, op, "height", in.shape[1], kh, a.stride_h, a.dilation_h, a.padding,
                               &a.pads.top, &a.pads.bottom);
  const int ow = window_output(graph, op, "width", in.shape[2], kw, a.stride_w, a.dilation_w, a.padding,
                               &a.pads.left, &a.pads.right);
  set_output(graph, op, {in.shape[0], oh, ow, out_c});
}

// OpDescriptor::row_local_for of a window op with attributes `A` and weights at input 1
// (reads_own_row_only).
template <typename A>
bool window_reads_own_row(const Graph& graph, const Op& op) {
  const A& a = op.attrs<A>();
  return reads_own_row_only(graph.tensors[size_t(op.inputs[1])], a.stride_h, a.stride_w, a.pads);
}

}  // namespace hetsched::conv_checks
