// Constant packing of the general CPU kernels (see general_kernel_util.h).
#include "cpu/kernels/general_kernel_util.h"

namespace hetsched::cpu::general_kernels {

KernelInputs::KernelInputs(const Graph& graph, const Op& op) {
  for (int t : op.inputs) {
    if (t < 0) {
      shapes_.emplace_back();
      packed_.emplace_back();
      continue;
    }
    const Tensor& tensor = graph.tensors.at(size_t(t));
    const Shape4 s = tensor.shape4();
    shapes_.push_back(s);
    packed_.emplace_back();
    if (tensor.is_constant) {
      const std::span<const float> f = tensor.f32();
      packed_.back().resize(s.phwc4_elements());
      nhwc_to_phwc4(f.data(), s, packed_.back().data());
    }
  }
}

}  // namespace hetsched::cpu::general_kernels
