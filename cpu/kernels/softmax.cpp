// CPU kernel of SOFTMAX over channels: per pixel, the max, the exponentials (written to the output)
// and their sum over every slice, then a scale. Splits by rows only (every slice is needed).
#include <algorithm>
#include <cmath>
#include <limits>
#include <memory>

#include "cpu/kernels/general_kernel_util.h"
#include "cpu/kernels/general_kernels.h"

namespace hetsched::cpu {
namespace {

class SoftmaxKernel final : public CpuKernel {
 public:
  SoftmaxKernel(const Graph& g, const Op& op) : inputs_(g, op), beta_(op.attrs<SoftmaxAttributes>().beta) {}

  void run(std::span<const ConstView> views, const MutableView& out, const OutputRange& r) const override {
    const Shape4 O = out.shape;
    const float* in = inputs_.data(views, 0);
    const int S = O.slices();
    const size_t slice_stride = size_t(O.h) * O.w * kSliceWidth;
    for (int n = 0; n < O.n; ++n)
      for (int y = r.row_begin; y < r.row_end; ++y)
        for (int x = 0; x < O.w; ++x) {
          const size_t base = O.offset(n, 0, y, x);
          float m = std::numeric_limits<float>::lowest();
          for (int c = 0; c < O.c; ++c) m = std::max(m, in[base + size_t(c / 4) * slice_stride + c % 4]);
          float sum = 0.0f;
          for (int s = 0; s < S; ++s) {
            const float* pi = in + base + size_t(s) * slice_stride;
            float* po = out.data + base + size_t(s) * slice_stride;
            for (int l = 0; l < kSliceWidth; ++l) {
              const float e = s * kSliceWidth + l < O.c ? std::exp(beta_ * (pi[l] - m)) : 0.0f;
              po[l] = e;
              sum += e;
            }
          }
          const float inv = 1.0f / sum;
          for (int s = 0; s < S; ++s) {
            float* po = out.data + base + size_t(s) * slice_stride;
            for (int l = 0; l < kSliceWidth; ++l) po[l] *= inv;
          }
        }
  }

 private:
  general_kernels::KernelInputs inputs_;
  float beta_;
};

}  // namespace

std::unique_ptr<CpuKernel> create_softmax_kernel(const Graph& g, const Op& op) {
  return std::make_unique<SoftmaxKernel>(g, op);
}

}  // namespace hetsched::cpu
