// Validation and shape helpers of the general ops (see general_common.h).
#include "graph/ops/general_common.h"

#include <algorithm>

namespace hetsched::general_ops {

void expect_arity(const Graph& g, const Op& op, size_t min_inputs, size_t max_inputs) {
  if (op.inputs.size() < min_inputs || op.inputs.size() > max_inputs)
    fail(ErrorKind::kInvalidModel, "model '{}': {} has {} inputs, expected {}..{}", g.model_name, g.describe(op),
         op.inputs.size(), min_inputs, max_inputs);
  for (size_t i = 0; i < op.inputs.size(); ++i)
    if (op.inputs[i] < 0 || size_t(op.inputs[i]) >= g.tensors.size())
      fail(ErrorKind::kInvalidModel, "model '{}': {} input {} is absent or out of range ({})", g.model_name,
           g.describe(op), i, op.inputs[i]);
  if (op.outputs.size() != 1 || op.outputs[0] < 0 || size_t(op.outputs[0]) >= g.tensors.size())
    fail(ErrorKind::kInvalidModel, "model '{}': {} must have exactly one valid output ({} given)", g.model_name,
         g.describe(op), op.outputs.size());
}

const Tensor& float_input(const Graph& g, const Op& op, size_t i) {
  if (i >= op.inputs.size() || op.inputs[i] < 0 || size_t(op.inputs[i]) >= g.tensors.size())
    fail(ErrorKind::kInvalidModel, "model '{}': {} has no input {}", g.model_name, g.describe(op), i);
  const Tensor& t = g.tensors[size_t(op.inputs[i])];
  if (t.dtype != DataType::kFloat32)
    fail(ErrorKind::kUnsupported, "model '{}': {} input {} '{}' is {}, only float32 is supported", g.model_name,
         g.describe(op), i, t.name, to_string(t.dtype));
  if (t.shape.size() > 4)
    fail(ErrorKind::kUnsupported, "model '{}': {} input {} '{}' has rank {} (at most 4)", g.model_name,
         g.describe(op), i, t.name, t.shape.size());
  for (int d : t.shape)
    if (d < 1)
      fail(ErrorKind::kInvalidModel, "model '{}': {} input {} '{}' has shape {} (dimensions must be >= 1)",
           g.model_name, g.describe(op), i, t.name, t.shape_string());
  return t;
}

const Tensor& constant_input(const Graph& g, const Op& op, size_t i) {
  const Tensor& t = float_input(g, op, i);
  if (!t.is_constant)
    fail(ErrorKind::kUnsupported, "model '{}': {} input {} '{}' must be a constant", g.model_name, g.describe(op), i,
         t.name);
  if (t.data.size() != t.elements() * sizeof(float))
    fail(ErrorKind::kInvalidModel, "model '{}': {} constant '{}' has {} bytes, shape {} needs {}", g.model_name,
         g.describe(op), t.name, t.data.size(), t.shape_string(), t.elements() * sizeof(float));
  return t;
}

void set_output(Graph& g, const Op& op, std::vector<int> shape) {
  Tensor& t = g.tensors[size_t(op.outputs.at(0))];
  t.shape = std::move(shape);
  t.dtype = DataType::kFloat32;
}

bool from_shape4(const Shape4& s, int rank, std::vector<int>* out) {
  switch (rank) {
    case 0: *out = {}; return s.n == 1 && s.h == 1 && s.w == 1 && s.c == 1;
    case 1: *out = {s.c}; return s.n == 1 && s.h == 1 && s.w == 1;
    case 2: *out = {s.n, s.c}; return s.h == 1 && s.w == 1;
    case 3: *out = {s.n, s.w, s.c}; return s.h == 1;
    case 4: *out = {s.n, s.h, s.w, s.c}; return true;
    default: return false;
  }
}

bool axis4_exists(int axis4, int rank) {
  switch (rank) {
    case 0: return false;
    case 1: return axis4 == 3;
    case 2: return axis4 == 0 || axis4 == 3;
    case 3: return axis4 != 1;
    default: return axis4 >= 0 && axis4 < 4;
  }
}

bool broadcast4(const Shape4& a, const Shape4& b, Shape4* out) {
  auto one = [](int x, int y, int* r) {
    if (x != y && x != 1 && y != 1) return false;
    *r = std::max(x, y);
    return true;
  };
  return one(a.n, b.n, &out->n) && one(a.h, b.h, &out->h) && one(a.w, b.w, &out->w) && one(a.c, b.c, &out->c);
}

}  // namespace hetsched::general_ops
