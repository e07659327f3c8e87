// CPU kernel of PAD (zeros). Each output slice's lanes come from fixed (input slice, lane) sources
// (a channel pad that is not a multiple of 4 shifts channels across lanes); pixels outside the
// input along N, H or W are zero.
#include <array>
#include <cstring>
#include <memory>

#include "cpu/kernels/general_kernel_util.h"
#include "cpu/kernels/general_kernels.h"

namespace hetsched::cpu {
namespace {

class PadKernel final : public CpuKernel {
 public:
  PadKernel(const Graph& g, const Op& op) : inputs_(g, op), pads_(op.attrs<PadAttributes>().pads) {
    const Shape4 I = inputs_.shape(0);
    const Shape4 O = g.tensors.at(size_t(op.outputs.at(0))).shape4();
    lanes_.resize(size_t(O.slices()));
    whole_slice_.resize(size_t(O.slices()), -1);
    for (int s = 0; s < O.slices(); ++s) {
      bool whole = true;
      for (int l = 0; l < kSliceWidth; ++l) {
        const int c = s * kSliceWidth + l - pads_[3][0];
        lanes_[size_t(s)][size_t(l)] = c >= 0 && c < I.c ? c : -1;
        whole = whole && c >= 0 && c % kSliceWidth == l && (c < I.c || c / kSliceWidth == I.slices() - 1);
      }
      // The slice is input slice c/4 lane for lane (channels past I.c being the input's padding lanes,
      // zeroed again after the copy): one row copy.
      if (whole) whole_slice_[size_t(s)] = (s * kSliceWidth - pads_[3][0]) / kSliceWidth;
    }
  }

  void run(std::span<const ConstView> views, const MutableView& out, const OutputRange& r) const override {
    const Shape4 I = inputs_.shape(0), O = out.shape;
    const float* in = inputs_.data(views, 0);
    const size_t row = size_t(O.w) * kSliceWidth;
    const int left = pads_[2][0];
    for (int n = 0; n < O.n; ++n)
      for (int s = r.slice_begin; s < r.slice_end; ++s)
        for (int y = r.row_begin; y < r.row_end; ++y) {
          float* ro = out.data + O.offset(n, s, y, 0);
          std::memset(ro, 0, row * sizeof(float));
          const int in_n = n - pads_[0][0], in_y = y - pads_[1][0];
          if (in_n < 0 || in_n >= I.n || in_y < 0 || in_y >= I.h) continue;
          if (const int src = whole_slice_[size_t(s)]; src >= 0) {
            float* q = ro + size_t(left) * kSliceWidth;
            std::memcpy(q, in + I.offset(in_n, src, in_y, 0), size_t(I.w) * kSliceWidth * sizeof(float));
            for (int l = 0; l < kSliceWidth; ++l)
              if (lanes_[size_t(s)][size_t(l)] < 0)
                for (int x = 0; x < I.w; ++x) q[size_t(x) * kSliceWidth + l] = 0.0f;
            continue;
          }
          for (int l = 0; l < kSliceWidth; ++l) {
            const int c = lanes_[size_t(s)][size_t(l)];
            if (c < 0) continue;
            const float* p = in + I.offset(in_n, c / kSliceWidth, in_y, 0) + c % kSliceWidth;
            float* q = ro + size_t(left) * kSliceWidth + l;
            for (int x = 0; x < I.w; ++x) q[size_t(x) * kSliceWidth] = p[size_t(x) * kSliceWidth];
          }
        }
  }

 private:
  general_kernels::KernelInputs inputs_;
  std::array<std::array<int, 2>, 4> pads_;
  std::vector<std::array<int, 4>> lanes_;  // per output slice: input channel of each lane, or -1
  std::vector<int> whole_slice_;           // per output slice: the input slice it copies, or -1
};

}  // namespace

std::unique_ptr<CpuKernel> create_pad_kernel(const Graph& g, const Op& op) {
  return std::make_unique<PadKernel>(g, op);
}

}  // namespace hetsched::cpu
