// Input validation and window geometry of the conv-like ops (see conv_checks.h).
#include "graph/ops/conv_checks.h"

#include <fmt/format.h>

#include <utility>

#include "base/error.h"

namespace hetsched::conv_checks {

std::string where(const Graph& graph, const Op& op) {
  return fmt::format("model '{}': {}", graph.model_name, graph.describe(op));
}

void expect_io_count(const Graph& graph, const Op& op, int min_inputs, int max_inputs) {
  const int n = int(op.inputs.size());
  if (n < min_inputs || n > max_inputs) {
    if (min_inputs == max_inputs)
      fail(ErrorKind::kInvalidModel, "{}: expects {} inputs, got {}", where(graph, op), min_inputs, n);
    fail(ErrorKind::kInvalidModel, "{}: expects {} to {} inputs, got {}", where(graph, op), min_inputs, max_inputs, n);
  }
  if (op.outputs.size() != 1)
    fail(ErrorKind::kInvalidModel, "{}: expects 1 output, got {}", where(graph, op), op.outputs.size());
  for (int t : op.outputs)
    if (t < 0 || size_t(t) >= graph.tensors.size())
      fail(ErrorKind::kInvalidModel, "{}: output tensor index {} out of range ({} tensors)", where(graph, op), t,
           graph.tensors.size());
}

namespace {
const Tensor& present_input(const Graph& graph, const Op& op, int pos, const char* role) {
  const int t = pos < int(op.inputs.size()) ? op.inputs[size_t(pos)] : -1;
  if (t < 0) fail(ErrorKind::kInvalidModel, "{}: the {} input (position {}) is missing", where(graph, op), role, pos);
  if (size_t(t) >= graph.tensors.size())
    fail(ErrorKind::kInvalidModel, "{}: {} tensor index {} out of range ({} tensors)", where(graph, op), role, t,
         graph.tensors.size());
  return graph.tensors[size_t(t)];
}

void expect_float32(const Graph& graph, const Op& op, const Tensor& t, const char* role) {
  if (t.dtype != DataType::kFloat32)
    fail(ErrorKind::kUnsupported, "{}: {} '{}' is {}, expected float32", where(graph, op), role, t.name,
         to_string(t.dtype));
}
}  // namespace

const Tensor& activation_input(const Graph& graph, const Op& op, int pos, int min_rank, int max_rank) {
  const Tensor& t = present_input(graph, op, pos, "data");
  expect_float32(graph, op, t, "input");
  const int rank = int(t.shape.size());
  if (rank < min_rank || rank > max_rank) {
    if (min_rank == max_rank)
      fail(ErrorKind::kInvalidModel, "{}: input '{}' has shape {}, expected rank {}", where(graph, op), t.name,
           t.shape_string(), min_rank);
    fail(ErrorKind::kInvalidModel, "{}: input '{}' has shape {}, expected rank {} to {}", where(graph, op), t.name,
         t.shape_string(), min_rank, max_rank);
  }
  for (int d : t.shape)
    if (d <= 0)
      fail(ErrorKind::kInvalidModel, "{}: input '{}' has an empty shape {}", where(graph, op), t.name,
           t.shape_string());
  return t;
}

const Tensor& constant_weights(const Graph& graph, const Op& op, int pos, int rank) {
  const Tensor& t = present_input(graph, op, pos, "weights");
  if (!t.is_constant)
    fail(ErrorKind::kUnsupported, "{}: weights '{}' are not constant (only constant weights are supported)",
         where(graph, op), t.name);
  expect_float32(graph, op, t, "weights");
  if (int(t.shape.size()) != rank)
    fail(ErrorKind::kInvalidModel, "{}: weights '{}' have shape {}, expected rank {}", where(graph, op), t.name,
         t.shape_string(), rank);
  for (int d : t.shape)
    if (d <= 0)
      fail(ErrorKind::kInvalidModel, "{}: weights '{}' have an empty shape {}", where(graph, op), t.name,
           t.shape_string());
  if (t.data.size() != t.elements() * sizeof(float))
    fail(ErrorKind::kInvalidModel, "{}: weights '{}' {} hold {} bytes, expected {}", where(graph, op), t.name,
         t.shape_string(), t.data.size(), t.elements() * sizeof(float));
  return t;
}

const Tensor* optional_bias(const Graph& graph, const Op& op, int pos, int channels) {
  if (pos >= int(op.inputs.size()) || op.inputs[size_t(pos)] < 0) return nullptr;
  const Tensor& t = present_input(graph, op, pos, "bias");
  if (!t.is_constant)
    fail(ErrorKind::kUnsupported, "{}: bias '{}' is not constant (only a constant bias is supported)",
         where(graph, op), t.name);
  expect_float32(graph, op, t, "bias");
  if (t.elements() != size_t(channels))
    fail(ErrorKind::kInvalidModel, "{}: bias '{}' has shape {}, expected [{}]", where(graph, op), t.name,
         t.shape_string(), channels);
  if (t.data.size() != t.elements() * sizeof(float))
    fail(ErrorKind::kInvalidModel, "{}: bias '{}' holds {} bytes, expected {}", where(graph, op), t.name,
         t.data.size(), t.elements() * sizeof(float));
  return &t;
}

InputAndWeights input_and_weights(const Graph& graph, const Op& op, int min_rank, int max_rank, int weight_rank) {
  expect_io_count(graph, op, 2, 3);
  const Tensor& input = activation_input(graph, op, 0, min_rank, max_rank);
  return {input, constant_weights(graph, op, 1, weight_rank)};
}

void check_window(const Graph& graph, const Op& op, int stride_h, int stride_w, int dilation_h, int dilation_w) {
  if (stride_h < 1 || stride_w < 1)
    fail(ErrorKind::kInvalidModel, "{}: strides must be >= 1, got {}x{}", where(graph, op), stride_h, stride_w);
  if (dilation_h < 1 || dilation_w < 1)
    fail(ErrorKind::kInvalidModel, "{}: dilations must be >= 1, got {}x{}", where(graph, op), dilation_h,
         dilation_w);
}

int window_output(const Graph& graph, const Op& op, const char* axis, int in, int kernel, int stride, int dilation,
                  Padding padding, int* pad_before, int* pad_after) {
  int out = 0;
  if (padding == Padding::kSame) {
    out = conv_output_size(in, kernel, stride, dilation, Padding::kSame);
    same_padding(in, out, kernel, stride, dilation, pad_before, pad_after);
  } else {
    if (*pad_before < 0 || *pad_after < 0)
      fail(ErrorKind::kInvalidModel, "{}: negative {} padding {}/{}", where(graph, op), axis, *pad_before, *pad_after);
    const int dk = (kernel - 1) * dilation + 1;
    const int padded = in + *pad_before + *pad_after;
    out = padded >= dk ? (padded - dk) / stride + 1 : 0;
  }
  if (out <= 0)
    fail(ErrorKind::kInvalidModel, "{}: empty output along {}: input {} with kernel {} (dilation {}) and padding {}/{}",
         where(graph, op), axis, in, kernel, dilation, *pad_before, *pad_after);
  return out;
}

void set_output(Graph& graph, const Op& op, std::vector<int> shape) {
  Tensor& t = graph.tensors[size_t(op.outputs[0])];
  t.dtype = DataType::kFloat32;
  t.shape = std::move(shape);
}

bool reads_own_row_only(const Tensor& w, int stride_h, int stride_w, const Padding2D& pads) {
  return w.shape.size() == 4 && w.shape[1] == 1 && w.shape[2] == 1 && stride_h == 1 && stride_w == 1 &&
         pads == Padding2D{};
}

}  // namespace hetsched::conv_checks
