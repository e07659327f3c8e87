// CPU kernel of AVERAGE_POOL_2D (padding excluded from the count) and MAX_POOL_2D: per output pixel,
// a 4-lane SIMD reduction over the window clipped to the input (window_simd.h), then the fused
// activation.
#include <memory>

#include "cpu/kernels/general_kernel_util.h"
#include "cpu/kernels/general_kernels.h"
#include "cpu/kernels/window_simd.h"

namespace hetsched::cpu {
namespace {

template <bool kMax>
class Pool2DKernel final : public CpuKernel {
 public:
  Pool2DKernel(const Graph& g, const Op& op) : inputs_(g, op), a_(op.attrs<Pool2DAttributes>()) {
    const Shape4 I = inputs_.shape(0);
    w_ = {I.h, I.w, a_.filter_h, a_.filter_w, a_.stride_h, a_.stride_w, a_.pads.top, a_.pads.left};
  }

  void run(std::span<const ConstView> views, const MutableView& out, const OutputRange& r) const override {
    const Shape4 I = inputs_.shape(0);
    const float* in = inputs_.data(views, 0);
    general_kernels::for_each_row(out, r, [&](int n, int s, int y, float* row) {
      const float* plane = in + I.offset(n, s, 0, 0);
      if constexpr (kMax) {
        max_pool_row(w_, plane, y, out.shape.w, row);
      } else {
        average_pool_row(w_, plane, y, out.shape.w, row);
      }
      general_kernels::apply_activation_span(a_.activation, row, size_t(out.shape.w) * kSliceWidth);
    });
  }

 private:
  general_kernels::KernelInputs inputs_;
  Pool2DAttributes a_;
  PoolWindow w_;
};

}  // namespace

std::unique_ptr<CpuKernel> create_pool2d_kernel(const Graph& g, const Op& op) {
  if (op.type == OpType::kMaxPool2D) return std::make_unique<Pool2DKernel<true>>(g, op);
  return std::make_unique<Pool2DKernel<false>>(g, op);
}

}  // namespace hetsched::cpu
