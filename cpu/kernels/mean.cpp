// CPU kernel of MEAN. When the output's 4D shape is the reduced 4D shape and C is not reduced
// (spatial means, keep_dims or [N,C] outputs): a 4-lane sum per output pixel over the reduced
// region of the same slice. Otherwise each output element maps, through the shared NHWC flat
// order, to its position in the reduced shape and is summed channel by channel.
#include <algorithm>
#include <memory>

#include "cpu/kernels/general_kernel_util.h"
#include "cpu/kernels/general_kernels.h"
#include "graph/ops/mean.h"

namespace hetsched::cpu {
namespace {

// Adds the per-lane sums of `count` consecutive 4-float pixels from p to acc: float partial sums in
// 64 independent chains (16 pixels per step, which the compiler vectorizes), then added to the
// double accumulators once per call (a row), so a long row is not one dependent add chain. A row
// of fewer than 16 pixels (the SE blocks' 7x7 and 14x14 maps) goes straight into the doubles:
// zeroing and folding 64 partials cost more than its adds.
void add_pixel_sums(const float* p, int count, double (&acc)[kSliceWidth]) {
  if (count < 16) {
    for (int i = 0; i < count; ++i)
      for (int l = 0; l < kSliceWidth; ++l) acc[l] += double(p[size_t(i) * kSliceWidth + size_t(l)]);
    return;
  }
  float part[16 * kSliceWidth] = {};
  int i = 0;
  for (; i + 16 <= count; i += 16)
    for (int k = 0; k < 16 * kSliceWidth; ++k) part[k] += p[size_t(i) * kSliceWidth + size_t(k)];
  for (; i < count; ++i)
    for (int l = 0; l < kSliceWidth; ++l) part[l] += p[size_t(i) * kSliceWidth + size_t(l)];
  for (int k = 0; k < 16 * kSliceWidth; ++k) acc[k % kSliceWidth] += double(part[k]);
}

class MeanKernel final : public CpuKernel {
 public:
  MeanKernel(const Graph& g, const Op& op) : inputs_(g, op) {
    const MeanAttributes& a = op.attrs<MeanAttributes>();
    for (int ax : a.axes) reduce_[size_t(ax)] = true;
    reduced_ = mean_reduced_shape(inputs_.shape(0), a.axes);
    const Shape4 O = g.tensors.at(size_t(op.outputs.at(0))).shape4();
    fast_ = O == reduced_ && !reduce_[3];
    inv_count_ = double(reduced_.elements()) / double(inputs_.shape(0).elements());
  }

  void run(std::span<const ConstView> views, const MutableView& out, const OutputRange& r) const override {
    const Shape4 I = inputs_.shape(0), O = out.shape;
    const float* in = inputs_.data(views, 0);
    general_kernels::for_each_row(out, r, [&](int n, int s, int y, float* ro) {
      for (int x = 0; x < O.w; ++x) {
        float* po = ro + size_t(x) * kSliceWidth;
        if (fast_) {
          double acc[kSliceWidth] = {0, 0, 0, 0};  // double across rows: means of large regions
          for (int in_n = lo(0, n), n1 = hi(0, n, I.n); in_n < n1; ++in_n)
            for (int iy = lo(1, y), y1 = hi(1, y, I.h); iy < y1; ++iy) {
              const int x0 = lo(2, x);
              add_pixel_sums(in + I.offset(in_n, s, iy, x0), hi(2, x, I.w) - x0, acc);
            }
          for (int l = 0; l < kSliceWidth; ++l) po[l] = float(acc[l] * inv_count_);
        } else {
          for (int l = 0; l < kSliceWidth; ++l) {
            const int c = s * kSliceWidth + l;
            po[l] = c < O.c ? element(in, I, ((size_t(n) * O.h + y) * O.w + x) * O.c + size_t(c)) : 0.0f;
          }
        }
      }
    });
  }

 private:
  // The reduced range of axis `ax` for output coordinate `o`: all of it, or just o.
  int lo(int ax, int o) const { return reduce_[size_t(ax)] ? 0 : o; }
  int hi(int ax, int o, int size) const { return reduce_[size_t(ax)] ? size : o + 1; }

  // The mean of the output element at NHWC flat index f (the same index in the reduced shape).
  float element(const float* in, const Shape4& I, size_t f) const {
    const Shape4& R = reduced_;
    const int rc = int(f % size_t(R.c));
    f /= size_t(R.c);
    const int rx = int(f % size_t(R.w));
    f /= size_t(R.w);
    const int ry = int(f % size_t(R.h));
    const int rn = int(f / size_t(R.h));
    double acc = 0.0;
    for (int in_n = lo(0, rn), n1 = hi(0, rn, I.n); in_n < n1; ++in_n)
      for (int iy = lo(1, ry), y1 = hi(1, ry, I.h); iy < y1; ++iy)
        for (int ix = lo(2, rx), x1 = hi(2, rx, I.w); ix < x1; ++ix)
          for (int c = lo(3, rc), c1 = hi(3, rc, I.c); c < c1; ++c) acc += in[I.offset_of_channel(in_n, iy, ix, c)];
    return float(acc * inv_count_);
  }

  general_kernels::KernelInputs inputs_;
  bool reduce_[4] = {false, false, false, false};
  Shape4 reduced_;
  bool fast_ = false;
  double inv_count_ = 1.0;
};

}  // namespace

std::unique_ptr<CpuKernel> create_mean_kernel(const Graph& g, const Op& op) {
  return std::make_unique<MeanKernel>(g, op);
}

}  // namespace hetsched::cpu
