// CPU kernel of RESIZE_BILINEAR with TFLite's float formulas (graph/ops/resize_bilinear.h): the
// source rows/columns and weights of every output row/column are computed once at create.
#include <memory>
#include <vector>

#include "cpu/kernels/general_kernel_util.h"
#include "cpu/kernels/general_kernels.h"
#include "graph/ops/resize_bilinear.h"

namespace hetsched::cpu {
namespace {

struct Taps {
  std::vector<int> lo, hi;
  std::vector<float> frac;
};

Taps make_taps(int in, int out, bool align_corners, bool half_pixel_centers) {
  Taps t;
  t.lo.resize(size_t(out));
  t.hi.resize(size_t(out));
  t.frac.resize(size_t(out));
  const float scale = resize_scale<float>(in, out, align_corners);
  for (size_t o = 0; o < size_t(out); ++o)
    resize_source(int(o), scale, half_pixel_centers, in, &t.lo[o], &t.hi[o], &t.frac[o]);
  return t;
}

class ResizeBilinearKernel final : public CpuKernel {
 public:
  ResizeBilinearKernel(const Graph& g, const Op& op) : inputs_(g, op) {
    const ResizeBilinearAttributes& a = op.attrs<ResizeBilinearAttributes>();
    const Shape4 I = inputs_.shape(0);
    ys_ = make_taps(I.h, a.out_h, a.align_corners, a.half_pixel_centers);
    xs_ = make_taps(I.w, a.out_w, a.align_corners, a.half_pixel_centers);
  }

  void run(std::span<const ConstView> views, const MutableView& out, const OutputRange& r) const override {
    const Shape4 I = inputs_.shape(0), O = out.shape;
    const float* in = inputs_.data(views, 0);
    for (int n = 0; n < O.n; ++n)
      for (int s = r.slice_begin; s < r.slice_end; ++s)
        for (int y = r.row_begin; y < r.row_end; ++y) {
          const float* __restrict r0 = in + I.offset(n, s, ys_.lo[size_t(y)], 0);
          const float* __restrict r1 = in + I.offset(n, s, ys_.hi[size_t(y)], 0);
          const float fy = ys_.frac[size_t(y)];
          float* __restrict ro = out.data + O.offset(n, s, y, 0);
          for (int x = 0; x < O.w; ++x) {
            const size_t x0 = size_t(xs_.lo[size_t(x)]) * kSliceWidth, x1 = size_t(xs_.hi[size_t(x)]) * kSliceWidth;
            const float fx = xs_.frac[size_t(x)];
            // TFLite's weights: (1-fy)(1-fx) on (y0,x0), fy(1-fx) on (y1,x0), (1-fy)fx on (y0,x1), fy fx on (y1,x1).
            const float w00 = (1 - fy) * (1 - fx), w10 = fy * (1 - fx), w01 = (1 - fy) * fx, w11 = fy * fx;
            float* po = ro + size_t(x) * kSliceWidth;
            for (int l = 0; l < kSliceWidth; ++l)
              po[l] = r0[x0 + l] * w00 + r1[x0 + l] * w10 + r0[x1 + l] * w01 + r1[x1 + l] * w11;
          }
          general_kernels::zero_padding_if_last(ro, O.w, O.c, s);
        }
  }

 private:
  general_kernels::KernelInputs inputs_;
  Taps ys_, xs_;
};

}  // namespace

std::unique_ptr<CpuKernel> create_resize_bilinear_kernel(const Graph& g, const Op& op) {
  return std::make_unique<ResizeBilinearKernel>(g, op);
}

}  // namespace hetsched::cpu
