// CPU kernel of RESHAPE: a re-layout in PHWC4 that keeps the NHWC flat order. Equal 4D shapes: row
// copies. Otherwise a cursor walks the input coordinates of the output's flat indices (divisions
// only on carries): 4-lane copies where four output lanes are one aligned input slice (always when
// the channel counts are equal), element gathers elsewhere.
#include <algorithm>
#include <cstring>
#include <memory>

#include "cpu/kernels/general_kernel_util.h"
#include "cpu/kernels/general_kernels.h"

namespace hetsched::cpu {
namespace {

// Coordinates (n, y, x, c) of a NHWC flat index in shape s.
struct Cursor {
  int n = 0, y = 0, x = 0, c = 0;

  Cursor(const Shape4& s, size_t f) {
    c = int(f % size_t(s.c));
    f /= size_t(s.c);
    x = int(f % size_t(s.w));
    f /= size_t(s.w);
    y = int(f % size_t(s.h));
    n = int(f / size_t(s.h));
  }
  // Moves k >= 0 elements forward in flat order.
  void advance(const Shape4& s, int k) {
    c += k;
    if (c < s.c) return;
    int q = c / s.c;
    c -= q * s.c;
    x += q;
    if (x < s.w) return;
    q = x / s.w;
    x -= q * s.w;
    y += q;
    if (y < s.h) return;
    q = y / s.h;
    y -= q * s.h;
    n += q;
  }
};

class ReshapeKernel final : public CpuKernel {
 public:
  ReshapeKernel(const Graph& g, const Op& op) : inputs_(g, op) {}

  void run(std::span<const ConstView> views, const MutableView& out, const OutputRange& r) const override {
    const Shape4 I = inputs_.shape(0), O = out.shape;
    const float* in = inputs_.data(views, 0);
    const size_t row = size_t(O.w) * kSliceWidth;
    for (int n = 0; n < O.n; ++n)
      for (int s = r.slice_begin; s < r.slice_end; ++s)
        for (int y = r.row_begin; y < r.row_end; ++y) {
          float* ro = out.data + O.offset(n, s, y, 0);
          if (I == O) std::memcpy(ro, in + I.offset(n, s, y, 0), row * sizeof(float));
          else gather_row(in, I, O, n, s, y, ro);
          general_kernels::zero_padding_if_last(ro, O.w, O.c, s);
        }
  }

 private:
  // Output row (n, slice s, y): lane l of pixel x is flat index ((n*H + y)*W + x)*C + 4s + l.
  static void gather_row(const float* in, const Shape4& I, const Shape4& O, int n, int s, int y, float* ro) {
    const int lanes = std::min(kSliceWidth, O.c - s * kSliceWidth);
    Cursor cur(I, (size_t(n) * O.h + y) * O.w * O.c + size_t(s) * kSliceWidth);
    for (int x = 0; x < O.w; ++x, cur.advance(I, O.c)) {
      float* po = ro + size_t(x) * kSliceWidth;
      if (cur.c % kSliceWidth == 0 && cur.c + lanes <= I.c) {
        // Lanes [0, lanes) are lanes [0, lanes) of one input slice; the rest is zeroed by the caller.
        std::memcpy(po, in + I.offset(cur.n, cur.c / kSliceWidth, cur.y, cur.x), kSliceWidth * sizeof(float));
        continue;
      }
      Cursor e = cur;
      for (int l = 0; l < lanes; ++l, e.advance(I, 1)) po[l] = in[I.offset_of_channel(e.n, e.y, e.x, e.c)];
      for (int l = lanes; l < kSliceWidth; ++l) po[l] = 0.0f;
    }
  }

  general_kernels::KernelInputs inputs_;
};

}  // namespace

std::unique_ptr<CpuKernel> create_reshape_kernel(const Graph& g, const Op& op) {
  return std::make_unique<ReshapeKernel>(g, op);
}

}  // namespace hetsched::cpu
