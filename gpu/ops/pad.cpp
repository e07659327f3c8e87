// GPU kernel of PAD (pad.comp): one invocation per output vec4, zeros outside the input.
#include <memory>

#include "gpu/ops/general_gpu_kernel.h"

namespace hetsched::gpu {
namespace {

// Specialization constants of pad.comp.
struct PadSpec {
  LocalSize local;
  SpecShape before;  // pads before, per axis
  SpecShape in, out;
};

}  // namespace

std::unique_ptr<GpuKernel> create_pad_gpu_kernel(const GpuKernelContext& ctx, const Graph& g, const Op& op) {
  const PadAttributes& a = op.attrs<PadAttributes>();
  const Shape4 out = shape_of(g, op.outputs.at(0));
  PadSpec spec;
  spec.local = local_size_for(out);
  spec.before = {a.pads[0][0], a.pads[1][0], a.pads[2][0], a.pads[3][0]};
  spec.in = spec_shape(shape_of(g, op.inputs.at(0)));
  spec.out = spec_shape(out);
  return std::make_unique<SingleDispatchKernel>(ctx, g, op, "pad", spec);
}

}  // namespace hetsched::gpu
