// CPU kernel of DEPTH_TO_SPACE: output (y, x, c) reads input (y/b, x/b, ((y%b)*b + x%b)*C_out + c).
// With C_out a multiple of 4 a 4-lane copy per pixel, else a per-lane gather.
#include <memory>

#include "cpu/kernels/general_kernel_util.h"
#include "cpu/kernels/general_kernels.h"

namespace hetsched::cpu {
namespace {

class DepthToSpaceKernel final : public CpuKernel {
 public:
  DepthToSpaceKernel(const Graph& g, const Op& op)
      : inputs_(g, op), block_(op.attrs<DepthToSpaceAttributes>().block_size) {}

  void run(std::span<const ConstView> views, const MutableView& out, const OutputRange& r) const override {
    const Shape4 I = inputs_.shape(0), O = out.shape;
    const float* in = inputs_.data(views, 0);
    const int b = block_;
    const bool aligned = O.c % kSliceWidth == 0;
    for (int n = 0; n < O.n; ++n)
      for (int s = r.slice_begin; s < r.slice_end; ++s)
        for (int y = r.row_begin; y < r.row_end; ++y) {
          float* ro = out.data + O.offset(n, s, y, 0);
          for (int x = 0; x < O.w; ++x) {
            const int base = ((y % b) * b + x % b) * O.c + s * kSliceWidth;  // input channel of lane 0
            float* po = ro + size_t(x) * kSliceWidth;
            if (aligned) {
              const float* pi = in + I.offset(n, base / kSliceWidth, y / b, x / b);
              for (int l = 0; l < kSliceWidth; ++l) po[l] = pi[l];
            } else {
              for (int l = 0; l < kSliceWidth; ++l)
                po[l] = s * kSliceWidth + l < O.c ? in[I.offset_of_channel(n, y / b, x / b, base + l)] : 0.0f;
            }
          }
        }
  }

 private:
  general_kernels::KernelInputs inputs_;
  int block_;
};

}  // namespace

std::unique_ptr<CpuKernel> create_depth_to_space_kernel(const Graph& g, const Op& op) {
  return std::make_unique<DepthToSpaceKernel>(g, op);
}

}  // namespace hetsched::cpu
