// GPU kernel of RESHAPE (reshape.comp): a vec4 copy when the 4D shapes agree, else a per-lane gather
// through the NHWC flat index. A second (shape) input, if the importer kept it, is not bound.
#include <memory>

#include "base/error.h"
#include "gpu/ops/general_gpu_kernel.h"

namespace hetsched::gpu {
namespace {

// Specialization constants of reshape.comp.
struct ReshapeSpec {
  LocalSize local;
  VkBool32 same_shape = VK_FALSE;
  SpecShape in, out;
};

}  // namespace

std::unique_ptr<GpuKernel> create_reshape_gpu_kernel(const GpuKernelContext& ctx, const Graph& g, const Op& op) {
  const Shape4 in = shape_of(g, op.inputs.at(0)), out = shape_of(g, op.outputs.at(0));
  if (in.elements() != out.elements())
    fail(ErrorKind::kInvalidModel, "model '{}': {} reshapes {} elements to {}", g.model_name, g.describe(op),
         in.elements(), out.elements());
  ReshapeSpec spec;
  spec.local = local_size_for(out);
  spec.same_shape = in == out;
  spec.in = spec_shape(in);
  spec.out = spec_shape(out);
  Op data_only = op;  // bind the data input only (the shape input is constant metadata)
  data_only.inputs.resize(1);
  return std::make_unique<SingleDispatchKernel>(ctx, g, data_only, "reshape", spec);
}

}  // namespace hetsched::gpu
