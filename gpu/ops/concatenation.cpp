// GPU kernel of CONCATENATION (concatenation.comp): one dispatch, every input bound (at most
// kMaxConcatInputs; the shader has that many bindings, unused ones bound to some input); the
// shader finds the input of each output vec4 (N, H, W) or lane (C) from the offsets along the axis.
#include <array>
#include <memory>

#include "base/error.h"
#include "gpu/ops/general_gpu_kernel.h"

namespace hetsched::gpu {
namespace {

constexpr int kMaxConcatInputs = 8;

// Specialization constants of concatenation.comp.
struct ConcatenationSpec {
  LocalSize local;
  int32_t axis = 3;
  int32_t activation = 0;
  int32_t num_inputs = 1;
  SpecShape out;
  std::array<int32_t, kMaxConcatInputs + 1> offsets{};  // start of input k along the axis
  std::array<int32_t, kMaxConcatInputs> slots{};        // binding - 1 of op input k
};

int axis_size(const Shape4& s, int axis) { return axis == 0 ? s.n : axis == 1 ? s.h : axis == 2 ? s.w : s.c; }

}  // namespace

std::unique_ptr<GpuKernel> create_concatenation_gpu_kernel(const GpuKernelContext& ctx, const Graph& g,
                                                           const Op& op) {
  const ConcatenationAttributes& a = op.attrs<ConcatenationAttributes>();
  const int n = int(op.inputs.size());
  if (n < 1 || n > kMaxConcatInputs)
    fail(ErrorKind::kUnsupported, "model '{}': {} concatenates {} inputs; the GPU kernel takes 1 to {}",
         g.model_name, g.describe(op), n, kMaxConcatInputs);
  const Shape4 out = shape_of(g, op.outputs.at(0));
  ConcatenationSpec spec;
  spec.local = local_size_for(out);
  spec.axis = a.axis;
  spec.activation = int32_t(a.activation);
  spec.num_inputs = n;
  spec.out = spec_shape(out);
  // The host binds activations first, then constants (each in op.inputs order).
  int slot = 0;
  for (int pass = 0; pass < 2; ++pass)
    for (int k = 0; k < n; ++k) {
      if (op.inputs[size_t(k)] < 0)
        fail(ErrorKind::kInvalidModel, "model '{}': {} input {} is absent", g.model_name, g.describe(op), k);
      if (g.tensors[size_t(op.inputs[size_t(k)])].is_constant == (pass == 1)) spec.slots[size_t(k)] = slot++;
    }
  int offset = 0;
  for (int k = 0; k < n; ++k) {
    spec.offsets[size_t(k)] = offset;
    offset += axis_size(shape_of(g, op.inputs[size_t(k)]), a.axis);
  }
  for (int k = n; k <= kMaxConcatInputs; ++k) spec.offsets[size_t(k)] = offset;
  for (int k = n; k < kMaxConcatInputs; ++k) spec.slots[size_t(k)] = 0;
  if (offset != axis_size(out, a.axis))
    fail(ErrorKind::kInvalidModel, "model '{}': {} inputs sum to {} along axis {}, the output has {}", g.model_name,
         g.describe(op), offset, a.axis, axis_size(out, a.axis));
  return std::make_unique<SingleDispatchKernel>(ctx, g, op, "concatenation", spec, 1 + kMaxConcatInputs);
}

}  // namespace hetsched::gpu
