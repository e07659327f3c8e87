// Validation and shape helpers shared by the shape inference and reference kernels of the general
// (non-conv) ops: arity and dtype checks with the op named in the message, 4D <-> logical shapes,
// NumPy broadcasting, NHWC indexing of RefTensors.
#pragma once
#include <cstddef>
#include <variant>
#include <vector>

#include "base/error.h"
#include "graph/graph.h"
#include "graph/op_registry.h"

namespace hetsched::general_ops {

// Checks min_inputs <= inputs <= max_inputs (none absent) and exactly one output.
void expect_arity(const Graph& g, const Op& op, size_t min_inputs, size_t max_inputs);
// Input i: float32, rank <= 4, every dimension >= 1. Throws kInvalidModel/kUnsupported naming the op.
const Tensor& float_input(const Graph& g, const Op& op, size_t i);
// Input i, which must be a float32 constant (same checks as float_input).
const Tensor& constant_input(const Graph& g, const Op& op, size_t i);
// Sets output 0 to `shape`, float32.
void set_output(Graph& g, const Op& op, std::vector<int> shape);

// The attributes of `op`; throws kInternal if they have another type.
template <typename A>
const A& attributes_of(const Graph& g, const Op& op) {
  if (!std::holds_alternative<A>(op.attributes))
    fail(ErrorKind::kInternal, "model '{}': {} has attributes of the wrong type", g.model_name, g.describe(op));
  return std::get<A>(op.attributes);
}

// The logical shape of rank `rank` whose 4D shape (phwc4.h rule) is `s`; false if the dimensions
// that rank drops are not 1.
bool from_shape4(const Shape4& s, int rank, std::vector<int>* out);
// True if the 4D axis exists in a tensor of logical rank `rank` (e.g. H does not for rank 3).
bool axis4_exists(int axis4, int rank);

// NumPy broadcasting of two 4D shapes (each dimension equal, or one of them 1); false if incompatible.
bool broadcast4(const Shape4& a, const Shape4& b, Shape4* out);

// Offset of (b, y, x, c) in a NHWC RefTensor.
inline size_t nhwc_index(const Shape4& s, int b, int y, int x, int c) {
  return ((size_t(b) * s.h + y) * s.w + x) * s.c + c;
}

// Offset of (b, y, x, c) in a NHWC RefTensor of shape `s` broadcast to a larger shape: index 0 on
// the dimensions where s has size 1.
inline size_t broadcast_index(const Shape4& s, int b, int y, int x, int c) {
  return nhwc_index(s, s.n == 1 ? 0 : b, s.h == 1 ? 0 : y, s.w == 1 ? 0 : x, s.c == 1 ? 0 : c);
}

// f(n, y, x, c) for every element of `s`, in NHWC order.
template <typename F>
void for_each_nhwc(const Shape4& s, F&& f) {
  for (int n = 0; n < s.n; ++n)
    for (int y = 0; y < s.h; ++y)
      for (int x = 0; x < s.w; ++x)
        for (int c = 0; c < s.c; ++c) f(n, y, x, c);
}

}  // namespace hetsched::general_ops
