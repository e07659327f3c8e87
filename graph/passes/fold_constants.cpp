// Constant folding: DEQUANTIZE/DENSIFY natively, other ops through their float64 reference.
#include "graph/passes/fold_constants.h"

#include <fmt/format.h>

#include <cstring>

#include "base/error.h"
#include "base/fp16.h"
#include "graph/op_registry.h"

namespace hetsched {
namespace {

bool all_inputs_constant(const Graph& g, const Op& op) {
  bool any = false;
  for (int t : op.inputs) {
    if (t < 0) continue;
    if (!g.tensors[size_t(t)].is_constant) return false;
    any = true;
  }
  return any;
}

bool is_model_output(const Graph& g, int t) {
  for (int o : g.outputs)
    if (o == t) return true;
  return false;
}

void check_same_elements(const Graph& g, const Op& op, const Tensor& in, const Tensor& out) {
  if (in.elements() != out.elements())
    fail(ErrorKind::kInvalidModel, "model '{}': {} maps '{}' {} to '{}' {} (element counts differ)", g.model_name,
         g.describe(op), in.name, in.shape_string(), out.name, out.shape_string());
}

// DEQUANTIZE / DENSIFY of a constant: the output becomes a constant (DENSIFY's input is already
// dense: the importer densifies sparse buffers when it reads them).
void fold_transient(Graph& g, const Op& op) {
  const Tensor& in = g.tensors[size_t(op.inputs[0])];
  Tensor& out = g.tensors[size_t(op.outputs[0])];
  check_same_elements(g, op, in, out);
  if (op.type == OpType::kDequantize) {
    out.data = constant_to_f32_bytes(g, in);
    out.dtype = DataType::kFloat32;
  } else {
    if (in.data.size() != in.elements() * size_of(in.dtype))
      fail(ErrorKind::kInvalidModel, "model '{}': {} input '{}' holds {} bytes, expected {}", g.model_name,
           g.describe(op), in.name, in.data.size(), in.elements() * size_of(in.dtype));
    out.data = in.data;
    out.dtype = in.dtype;
  }
  out.is_constant = true;
}

RefTensor to_ref(const Tensor& t) {
  RefTensor r{t.shape4(), {}};
  const std::span<const float> f = t.f32();
  r.data.assign(f.begin(), f.end());
  return r;
}

// Evaluates an all-constant op with its reference kernel. Returns false (with a reason) if it can't.
bool fold_with_reference(Graph& g, Op& op, std::string* why) {
  if (!has_descriptor(op.type)) {
    *why = fmt::format("{} has no op descriptor", to_string(op.type));
    return false;
  }
  const OpDescriptor& d = describe_op(op.type);
  if (!d.reference || op.outputs.size() != 1) {
    *why = fmt::format("{} has no reference kernel", to_string(op.type));
    return false;
  }
  for (int t : op.inputs)
    if (t >= 0 && g.tensors[size_t(t)].dtype != DataType::kFloat32) {
      *why = fmt::format("{} reads a non-float32 constant", g.describe(op));
      return false;
    }
  infer_op_shape(g, op);
  std::vector<RefTensor> inputs;
  for (int t : op.inputs) inputs.push_back(t >= 0 ? to_ref(g.tensors[size_t(t)]) : RefTensor{});
  Tensor& out = g.tensors[size_t(op.outputs[0])];
  RefTensor result{out.shape4(), std::vector<double>(out.elements(), 0.0)};
  run_reference(g, op, inputs, result);
  if (result.data.size() != out.elements())
    fail(ErrorKind::kInternal, "model '{}': the reference of {} produced {} values for '{}' {}", g.model_name,
         g.describe(op), result.data.size(), out.name, out.shape_string());
  std::vector<float> f(result.data.begin(), result.data.end());
  out.data.resize(f.size() * sizeof(float));
  std::memcpy(out.data.data(), f.data(), out.data.size());
  out.dtype = DataType::kFloat32;
  out.is_constant = true;
  return true;
}

}  // namespace

std::vector<uint8_t> constant_to_f32_bytes(const Graph& g, const Tensor& t) {
  const size_t n = t.elements();
  if (t.data.size() != n * size_of(t.dtype))
    fail(ErrorKind::kInvalidModel, "model '{}': constant '{}' {} holds {} bytes, expected {}", g.model_name, t.name,
         t.shape_string(), t.data.size(), n * size_of(t.dtype));
  std::vector<uint8_t> out(n * sizeof(float));
  if (t.dtype == DataType::kFloat32) {
    std::memcpy(out.data(), t.data.data(), out.size());
  } else if (t.dtype == DataType::kFloat16) {
    for (size_t i = 0; i < n; ++i) {
      uint16_t h;
      std::memcpy(&h, t.data.data() + 2 * i, 2);
      const float f = half_to_float(h);
      std::memcpy(out.data() + 4 * i, &f, 4);
    }
  } else {
    fail(ErrorKind::kUnsupported, "model '{}': constant '{}' is {}: only float16 constants are dequantized",
         g.model_name, t.name, to_string(t.dtype));
  }
  return out;
}

PassResult fold_constants(Graph& g, FoldScope scope) {
  std::vector<Op> kept;
  kept.reserve(g.ops.size());
  int folded = 0;
  std::string last_skip;
  for (Op& op : g.ops) {
    const bool transient = op.type == OpType::kDequantize || op.type == OpType::kDensify;
    bool fold = false;
    if (transient) {
      if (op.inputs.size() == 1 && op.outputs.size() == 1 && op.inputs[0] >= 0 && all_inputs_constant(g, op)) {
        fold_transient(g, op);
        fold = true;
      }
    } else if (scope == FoldScope::kAll && !op.outputs.empty() && all_inputs_constant(g, op)) {
      if (is_model_output(g, op.outputs[0])) last_skip = fmt::format("{} writes a model output", g.describe(op));
      else fold = fold_with_reference(g, op, &last_skip);
    }
    if (fold) ++folded;
    else kept.push_back(std::move(op));
  }
  g.ops = std::move(kept);
  if (folded == 0) return {false, last_skip.empty() ? "no constant op" : last_skip};
  return {true, fmt::format("folded {} ops", folded)};
}

}  // namespace hetsched
