// CPU kernel of RESIZE_BILINEAR with TFLite's float formulas (graph/ops/resize_bilinear.h): the
// source rows/columns and weights of every output row/column are computed once at create; each
// output row is one SIMD row loop (window_simd.h).
#include <memory>
#include <vector>

#include "cpu/kernels/general_kernel_util.h"
#include "cpu/kernels/general_kernels.h"
#include "cpu/kernels/window_simd.h"
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
    const Shape4 I = inputs_.shape(0);
    const float* in = inputs_.data(views, 0);
    general_kernels::for_each_row(out, r, [&](int n, int s, int y, float* row) {
      resize_bilinear_row(in + I.offset(n, s, ys_.lo[size_t(y)], 0), in + I.offset(n, s, ys_.hi[size_t(y)], 0),
                          ys_.frac[size_t(y)], xs_.lo.data(), xs_.hi.data(), xs_.frac.data(), out.shape.w, row);
    });
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
