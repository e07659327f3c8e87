// CPU kernel of CONCATENATION. Along N, H or W: row copies from the input that owns the output
// position. Along C: each output slice's lanes come from (input, slice, lane) sources fixed at
// create; a slice that is one whole input slice is a row copy, else a 4-lane gather.
#include <array>
#include <cstring>
#include <memory>

#include "cpu/kernels/general_kernel_util.h"
#include "cpu/kernels/general_kernels.h"

namespace hetsched::cpu {
namespace {

struct LaneSource {
  int input = -1, slice = 0, lane = 0;  // input -1: padding lane (zero)
};

class ConcatenationKernel final : public CpuKernel {
 public:
  ConcatenationKernel(const Graph& g, const Op& op) : inputs_(g, op) {
    const ConcatenationAttributes& a = op.attrs<ConcatenationAttributes>();
    axis_ = a.axis;
    activation_ = a.activation;
    int offset = 0;
    for (size_t i = 0; i < inputs_.size(); ++i) {
      const Shape4 s = inputs_.shape(i);
      offsets_.push_back(offset);
      offset += axis_ == 0 ? s.n : axis_ == 1 ? s.h : axis_ == 2 ? s.w : s.c;
    }
    if (axis_ != 3) return;
    const int channels = offset;
    sources_.resize(size_t(slices_of(channels)));
    whole_slice_.resize(sources_.size(), false);
    for (size_t i = 0; i < inputs_.size(); ++i)
      for (int c = 0; c < inputs_.shape(i).c; ++c) {
        const int oc = offsets_[i] + c;
        sources_[size_t(oc / 4)][size_t(oc % 4)] = {int(i), c / 4, c % 4};
      }
    for (size_t s = 0; s < sources_.size(); ++s) {
      // One row copy if every lane that has a source takes the same lane of the same input slice,
      // and lanes without a source are that input's own padding lanes (zero by the PHWC4 contract).
      const LaneSource& l0 = sources_[s][0];
      bool whole = l0.input >= 0 && l0.lane == 0;
      for (int l = 1; l < kSliceWidth && whole; ++l) {
        const LaneSource& src = sources_[s][size_t(l)];
        const bool pad_of_l0 = src.input < 0 && l0.slice == inputs_.shape(size_t(l0.input)).slices() - 1;
        whole = pad_of_l0 || (src.input == l0.input && src.slice == l0.slice && src.lane == l);
      }
      whole_slice_[s] = whole;
    }
  }

  void run(std::span<const ConstView> views, const MutableView& out, const OutputRange& r) const override {
    const Shape4 O = out.shape;
    const size_t row = size_t(O.w) * kSliceWidth;
    for (int n = 0; n < O.n; ++n)
      for (int s = r.slice_begin; s < r.slice_end; ++s)
        for (int y = r.row_begin; y < r.row_end; ++y) {
          float* ro = out.data + O.offset(n, s, y, 0);
          if (axis_ == 3) {
            channel_row(views, n, s, y, ro, O.w);
          } else if (axis_ == 2) {
            for (size_t i = 0; i < inputs_.size(); ++i) {
              const Shape4 I = inputs_.shape(i);
              std::memcpy(ro + size_t(offsets_[i]) * kSliceWidth, inputs_.data(views, i) + I.offset(n, s, y, 0),
                          size_t(I.w) * kSliceWidth * sizeof(float));
            }
          } else {
            const int pos = axis_ == 0 ? n : y;
            size_t i = 0;
            while (i + 1 < inputs_.size() && pos >= offsets_[i + 1]) ++i;
            const Shape4 I = inputs_.shape(i);
            const int in_n = axis_ == 0 ? n - offsets_[i] : n, in_y = axis_ == 1 ? y - offsets_[i] : y;
            std::memcpy(ro, inputs_.data(views, i) + I.offset(in_n, s, in_y, 0), row * sizeof(float));
          }
          general_kernels::apply_activation_span(activation_, ro, row);
          general_kernels::zero_padding_if_last(ro, O.w, O.c, s);
        }
  }

 private:
  void channel_row(std::span<const ConstView> views, int n, int s, int y, float* ro, int w) const {
    const std::array<LaneSource, 4>& src = sources_[size_t(s)];
    if (whole_slice_[size_t(s)]) {
      const Shape4 I = inputs_.shape(size_t(src[0].input));
      std::memcpy(ro, inputs_.data(views, size_t(src[0].input)) + I.offset(n, src[0].slice, y, 0),
                  size_t(w) * kSliceWidth * sizeof(float));
      return;
    }
    const float* p[kSliceWidth];
    for (int l = 0; l < kSliceWidth; ++l) {
      const LaneSource& ls = src[size_t(l)];
      p[l] = ls.input < 0 ? nullptr
                          : inputs_.data(views, size_t(ls.input)) +
                                inputs_.shape(size_t(ls.input)).offset(n, ls.slice, y, 0) + ls.lane;
    }
    for (int l = 0; l < kSliceWidth; ++l) {
      if (!p[l]) {
        for (int x = 0; x < w; ++x) ro[size_t(x) * kSliceWidth + l] = 0.0f;
        continue;
      }
      for (int x = 0; x < w; ++x) ro[size_t(x) * kSliceWidth + l] = p[l][size_t(x) * kSliceWidth];
    }
  }

  general_kernels::KernelInputs inputs_;
  int axis_ = 3;
  Activation activation_ = Activation::kNone;
  std::vector<int> offsets_;                       // start of each input along the axis
  std::vector<std::array<LaneSource, 4>> sources_;  // axis 3: per output slice
  std::vector<bool> whole_slice_;
};

}  // namespace

std::unique_ptr<CpuKernel> create_concatenation_kernel(const Graph& g, const Op& op) {
  return std::make_unique<ConcatenationKernel>(g, op);
}

}  // namespace hetsched::cpu
