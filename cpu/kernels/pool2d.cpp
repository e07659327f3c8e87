// CPU kernel of AVERAGE_POOL_2D (padding excluded from the count) and MAX_POOL_2D: per output pixel,
// a 4-lane reduction over the window clipped to the input, then the fused activation.
#include <algorithm>
#include <limits>
#include <memory>
#include <type_traits>

#include "cpu/kernels/general_kernel_util.h"
#include "cpu/kernels/general_kernels.h"

namespace hetsched::cpu {
namespace {

template <bool kMax>
class Pool2DKernel final : public CpuKernel {
  using Acc = std::conditional_t<kMax, float, double>;

 public:
  Pool2DKernel(const Graph& g, const Op& op) : inputs_(g, op), a_(op.attrs<Pool2DAttributes>()) {}

  void run(std::span<const ConstView> views, const MutableView& out, const OutputRange& r) const override {
    const Shape4 I = inputs_.shape(0), O = out.shape;
    const float* in = inputs_.data(views, 0);
    for (int n = 0; n < O.n; ++n)
      for (int s = r.slice_begin; s < r.slice_end; ++s)
        for (int y = r.row_begin; y < r.row_end; ++y) {
          const int y0 = std::max(0, y * a_.stride_h - a_.pads.top);
          const int y1 = std::min(I.h, y * a_.stride_h - a_.pads.top + a_.filter_h);
          float* ro = out.data + O.offset(n, s, y, 0);
          for (int x = 0; x < O.w; ++x) {
            const int x0 = std::max(0, x * a_.stride_w - a_.pads.left);
            const int x1 = std::min(I.w, x * a_.stride_w - a_.pads.left + a_.filter_w);
            // Averages accumulate in double: global windows reach 128x128 in the selfie models.
            Acc acc[kSliceWidth];
            std::fill(acc, acc + kSliceWidth, kMax ? std::numeric_limits<float>::lowest() : Acc(0));
            for (int iy = y0; iy < y1; ++iy) {
              const float* p = in + I.offset(n, s, iy, 0);
              for (int ix = x0; ix < x1; ++ix)
                for (int l = 0; l < kSliceWidth; ++l) {
                  const Acc v = p[size_t(ix) * kSliceWidth + l];
                  acc[l] = kMax ? std::max(acc[l], v) : acc[l] + v;
                }
            }
            const int count = std::max(0, y1 - y0) * std::max(0, x1 - x0);
            for (int l = 0; l < kSliceWidth; ++l)
              ro[size_t(x) * kSliceWidth + l] =
                  count == 0 ? 0.0f : kMax ? float(acc[l]) : float(acc[l] / Acc(count));
          }
          general_kernels::apply_activation_span(a_.activation, ro, size_t(O.w) * kSliceWidth);
          general_kernels::zero_padding_if_last(ro, O.w, O.c, s);
        }
  }

 private:
  general_kernels::KernelInputs inputs_;
  Pool2DAttributes a_;
};

}  // namespace

std::unique_ptr<CpuKernel> create_pool2d_kernel(const Graph& g, const Op& op) {
  if (op.type == OpType::kMaxPool2D) return std::make_unique<Pool2DKernel<true>>(g, op);
  return std::make_unique<Pool2DKernel<false>>(g, op);
}

}  // namespace hetsched::cpu
