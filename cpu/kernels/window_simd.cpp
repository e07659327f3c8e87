// Highway row loops of the window kernels (see window_simd.h): one 4-float vector per output pixel.
#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "cpu/kernels/window_simd.cpp"
#include "hwy/foreach_target.h"  // IWYU pragma: keep
#include "hwy/highway.h"

#include <algorithm>
#include <cstddef>
#include <limits>

#include "cpu/kernels/window_simd.h"

HWY_BEFORE_NAMESPACE();
namespace hetsched::cpu::HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;

namespace {

using D4 = hn::CappedTag<float, 4>;  // one pixel (4 lanes), in Lanes(D4) pieces on the scalar target
using D2 = hn::CappedTag<float, 2>;  // half a pixel, promoted to doubles for averages
using DD = hn::Rebind<double, D2>;

// The clipped window [y0, y1) x [x0, x1) of output pixel (y, x).
struct Clip {
  int y0, y1, x0, x1;
};
HWY_INLINE Clip clip(const PoolWindow& w, int y, int x) {
  const int ys = y * w.stride_h - w.pad_top, xs = x * w.stride_w - w.pad_left;
  return {std::max(0, ys), std::min(w.in_h, ys + w.filter_h), std::max(0, xs), std::min(w.in_w, xs + w.filter_w)};
}

}  // namespace

void MaxPoolRow(const PoolWindow& w, const float* plane, int y, int out_w, float* out) {
  const D4 d;
  const size_t N = hn::Lanes(d);
  for (int x = 0; x < out_w; ++x) {
    const Clip c = clip(w, y, x);
    float* po = out + size_t(x) * 4;
    const bool empty = c.y0 >= c.y1 || c.x0 >= c.x1;
    for (size_t l = 0; l < 4; l += N) {
      auto acc = hn::Set(d, std::numeric_limits<float>::lowest());
      for (int iy = c.y0; iy < c.y1; ++iy) {
        const float* p = plane + (size_t(iy) * size_t(w.in_w) + size_t(c.x0)) * 4 + l;
        for (int ix = c.x0; ix < c.x1; ++ix, p += 4) acc = hn::Max(acc, hn::LoadU(d, p));
      }
      hn::StoreU(empty ? hn::Zero(d) : acc, d, po + l);
    }
  }
}

void AveragePoolRow(const PoolWindow& w, const float* plane, int y, int out_w, float* out) {
  const D2 d2;
  const DD dd;
  const size_t N = hn::Lanes(d2);
  for (int x = 0; x < out_w; ++x) {
    const Clip c = clip(w, y, x);
    float* po = out + size_t(x) * 4;
    const int count = std::max(0, c.y1 - c.y0) * std::max(0, c.x1 - c.x0);
    // Averages accumulate in double: global windows reach 128x128 in the selfie models.
    const auto divisor = hn::Set(dd, double(std::max(1, count)));
    for (size_t l = 0; l < 4; l += N) {
      auto acc = hn::Zero(dd);
      for (int iy = c.y0; iy < c.y1; ++iy) {
        const float* p = plane + (size_t(iy) * size_t(w.in_w) + size_t(c.x0)) * 4 + l;
        for (int ix = c.x0; ix < c.x1; ++ix, p += 4) acc = hn::Add(acc, hn::PromoteTo(dd, hn::LoadU(d2, p)));
      }
      hn::StoreU(hn::DemoteTo(d2, hn::Div(acc, divisor)), d2, po + l);
    }
  }
}

void ResizeBilinearRow(const float* r0, const float* r1, float fy, const int* x_lo, const int* x_hi, const float* fx,
                       int out_w, float* out) {
  const D4 d;
  const size_t N = hn::Lanes(d);
  for (int x = 0; x < out_w; ++x) {
    const float f = fx[x];
    // TFLite's weights: (1-fy)(1-fx) on (y0,x0), fy(1-fx) on (y1,x0), (1-fy)fx on (y0,x1), fy fx on (y1,x1).
    const auto w00 = hn::Set(d, (1 - fy) * (1 - f)), w10 = hn::Set(d, fy * (1 - f));
    const auto w01 = hn::Set(d, (1 - fy) * f), w11 = hn::Set(d, fy * f);
    const size_t a = size_t(x_lo[x]) * 4, b = size_t(x_hi[x]) * 4;
    for (size_t l = 0; l < 4; l += N) {
      auto v = hn::Mul(hn::LoadU(d, r0 + a + l), w00);
      v = hn::Add(v, hn::Mul(hn::LoadU(d, r1 + a + l), w10));
      v = hn::Add(v, hn::Mul(hn::LoadU(d, r0 + b + l), w01));
      v = hn::Add(v, hn::Mul(hn::LoadU(d, r1 + b + l), w11));
      hn::StoreU(v, d, out + size_t(x) * 4 + l);
    }
  }
}

}  // namespace hetsched::cpu::HWY_NAMESPACE
HWY_AFTER_NAMESPACE();

#if HWY_ONCE
namespace hetsched::cpu {
HWY_EXPORT(MaxPoolRow);
HWY_EXPORT(AveragePoolRow);
HWY_EXPORT(ResizeBilinearRow);
void max_pool_row(const PoolWindow& w, const float* plane, int y, int out_w, float* out) {
  HWY_DYNAMIC_DISPATCH(MaxPoolRow)(w, plane, y, out_w, out);
}
void average_pool_row(const PoolWindow& w, const float* plane, int y, int out_w, float* out) {
  HWY_DYNAMIC_DISPATCH(AveragePoolRow)(w, plane, y, out_w, out);
}
void resize_bilinear_row(const float* r0, const float* r1, float fy, const int* x_lo, const int* x_hi,
                         const float* fx, int out_w, float* out) {
  HWY_DYNAMIC_DISPATCH(ResizeBilinearRow)(r0, r1, fy, x_lo, x_hi, fx, out_w, out);
}
}  // namespace hetsched::cpu
#endif
