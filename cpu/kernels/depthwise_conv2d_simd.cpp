// DEPTHWISE_CONV_2D (multiplier 1) inner loops with Highway. Stride 1: 4 consecutive output pixels
// of a slice are 16 contiguous floats, as are their input pixels at each tap, and a tap's weights
// are one 4-float group repeated (LoadDup128): a full vector (4 pixels on AVX-512, 2 on AVX2) per
// multiply-add, 4 vectors per register block. Other strides, border pixels and the scalar fallback
// target: one 4-float vector per pixel (GCC vector extension, 8-pixel blocks), border pixels
// clipping their taps. Bias + activation fused in the store. A pixel's path depends only on its
// column, never on the range.
#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "cpu/kernels/depthwise_conv2d_simd.cpp"
#include "hwy/foreach_target.h"  // IWYU pragma: keep
#include "hwy/highway.h"

#include <algorithm>
#include <cstdint>

#include "cpu/kernels/conv2d_common.h"
#include "cpu/kernels/depthwise_conv2d_simd.h"

HWY_BEFORE_NAMESPACE();
namespace hetsched::cpu::HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;

namespace {

inline int floor_div(int a, int b) { return a >= 0 ? a / b : -((-a + b - 1) / b); }
inline int ceil_div(int a, int b) { return -floor_div(-a, b); }

// What the store does after the accumulation: the activations that are a clamp, in-register;
// padding lanes of the last slice forced to 0 by a bit mask.
struct Epilogue {
  Activation act = Activation::kNone;
  bool mask_lanes = false;
  alignas(16) int32_t lane_bits[4] = {-1, -1, -1, -1};
};

template <class D>
HWY_INLINE void store_out(D d, hn::Vec<D> v, const Epilogue& e, float* p) {
  switch (e.act) {
    case Activation::kRelu: v = hn::Max(v, hn::Zero(d)); break;
    case Activation::kRelu6: v = hn::Min(hn::Max(v, hn::Zero(d)), hn::Set(d, 6.0f)); break;
    case Activation::kReluN1To1: v = hn::Min(hn::Max(v, hn::Set(d, -1.0f)), hn::Set(d, 1.0f)); break;
    default: break;  // kNone; tanh and sigmoid per value after the store
  }
  if (e.mask_lanes) {
    const hn::RebindToSigned<D> di;
    v = hn::And(v, hn::BitCast(d, hn::LoadDup128(di, e.lane_bits)));
  }
  hn::StoreU(v, d, p);
  if (e.act == Activation::kTanh || e.act == Activation::kSigmoid)
    for (size_t i = 0; i < hn::Lanes(d); ++i) p[i] = e.lane_bits[i % 4] ? apply_activation(e.act, p[i]) : 0.0f;
}

// Everything fixed for one (batch, slice, output row).
struct RowContext {
  const float* plane;  // input slice plane [H][W][4]
  const float* w;      // [KH][KW][4] of the slice
  float* out_row;      // output row [OW][4]
  int iy0;             // input row of tap ky = 0
  int ky_lo, ky_hi;    // taps inside the input
};

// R full vectors of 16/8/4 floats (4/2/1 pixels each) from output pixel x; stride 1, interior.
template <int R, class D>
HWY_INLINE void block_wide(D d, const DepthwiseParams& p, const RowContext& c, hn::Vec<D> bias, const Epilogue& e,
                           int x) {
  const size_t N = hn::Lanes(d);
  hn::Vec<D> acc[R];
  for (int r = 0; r < R; ++r) acc[r] = bias;
  const size_t row_floats = size_t(p.in.w) * 4;
  for (int ky = c.ky_lo; ky < c.ky_hi; ++ky) {
    const float* row = c.plane + size_t(c.iy0 + ky * p.dilation_h) * row_floats;
    const float* wrow = c.w + size_t(ky) * p.kw * 4;
    for (int kx = 0; kx < p.kw; ++kx) {
      const float* ip = row + size_t(x - p.pad_left + kx * p.dilation_w) * 4;
      const hn::Vec<D> wv = hn::LoadDup128(d, wrow + size_t(kx) * 4);
      for (int r = 0; r < R; ++r) acc[r] = hn::MulAdd(hn::LoadU(d, ip + size_t(r) * N), wv, acc[r]);
    }
  }
  for (int r = 0; r < R; ++r) store_out(d, acc[r], e, c.out_row + size_t(x) * 4 + size_t(r) * N);
}

// PX pixels from x, one 4-float vector each, any stride; taps kx in [kx_lo, kx_hi).
template <int PX>
HWY_INLINE void block_narrow(const DepthwiseParams& p, const RowContext& c, int x, int kx_lo, int kx_hi,
                             const float* bias, int lanes) {
  using convk::v4;
  v4 acc[PX];
  for (int i = 0; i < PX; ++i) acc[i] = convk::load4(bias);
  const size_t row_floats = size_t(p.in.w) * 4;
  const size_t px_step = size_t(p.stride_w) * 4;
  for (int ky = c.ky_lo; ky < c.ky_hi; ++ky) {
    const float* row = c.plane + size_t(c.iy0 + ky * p.dilation_h) * row_floats;
    const float* wrow = c.w + size_t(ky) * p.kw * 4;
    for (int kx = kx_lo; kx < kx_hi; ++kx) {
      const float* ip = row + size_t(x * p.stride_w - p.pad_left + kx * p.dilation_w) * 4;
      const v4 wv = convk::load4(wrow + size_t(kx) * 4);
      for (int i = 0; i < PX; ++i) acc[i] += convk::load4(ip + size_t(i) * px_step) * wv;
    }
  }
  for (int i = 0; i < PX; ++i) convk::store_output(c.out_row + size_t(x + i) * 4, acc[i], p.activation, lanes);
}

}  // namespace

void depthwise_rows_impl(const DepthwiseParams& p, const float* in, float* out, int b, const OutputRange& range) {
  const hn::ScalableTag<float> d;
  const int px_per_vec = int(hn::Lanes(d) / 4);
  const int W = p.in.w, OW = p.out.w;
  // Interior output columns: every kx tap inside the input.
  const int x_lo = std::min(OW, ceil_div(p.pad_left, p.stride_w));
  const int x_hi = std::max(x_lo, std::clamp(floor_div(W - 1 + p.pad_left - (p.kw - 1) * p.dilation_w, p.stride_w) + 1, 0, OW));
  const size_t taps = size_t(p.kh) * p.kw;
  for (int s = range.slice_begin; s < range.slice_end; ++s) {
    Epilogue e;
    e.act = p.activation;
    const int lanes = std::min(4, p.out.c - 4 * s);
    e.mask_lanes = lanes < 4;
    for (int l = lanes; l < 4; ++l) e.lane_bits[l] = 0;
    const float* bias = p.bias + size_t(s) * 4;
    const auto bias_wide = hn::LoadDup128(d, bias);
    for (int y = range.row_begin; y < range.row_end; ++y) {
      RowContext c;
      c.plane = in + p.in.offset(b, s, 0, 0);
      c.w = p.weights + size_t(s) * taps * 4;
      c.out_row = out + p.out.offset(b, s, y, 0);
      c.iy0 = y * p.stride_h - p.pad_top;
      c.ky_lo = std::max(0, ceil_div(-c.iy0, p.dilation_h));
      c.ky_hi = std::min(p.kh, floor_div(p.in.h - 1 - c.iy0, p.dilation_h) + 1);
      auto border = [&](int x) {
        const int ix0 = x * p.stride_w - p.pad_left;
        const int kx_lo = std::max(0, ceil_div(-ix0, p.dilation_w));
        const int kx_hi = std::min(p.kw, floor_div(W - 1 - ix0, p.dilation_w) + 1);
        block_narrow<1>(p, c, x, kx_lo, kx_hi, bias, lanes);
      };
      int x = 0;
      for (; x < x_lo; ++x) border(x);
      if (p.stride_w == 1 && px_per_vec >= 1) {  // not on the 1-lane scalar target
        for (; x + 4 * px_per_vec <= x_hi; x += 4 * px_per_vec) block_wide<4>(d, p, c, bias_wide, e, x);
        for (; x + px_per_vec <= x_hi; x += px_per_vec) block_wide<1>(d, p, c, bias_wide, e, x);
      }
      for (; x + 8 <= x_hi; x += 8) block_narrow<8>(p, c, x, 0, p.kw, bias, lanes);
      for (; x < x_hi; ++x) block_narrow<1>(p, c, x, 0, p.kw, bias, lanes);
      for (; x < OW; ++x) border(x);
    }
  }
}

}  // namespace hetsched::cpu::HWY_NAMESPACE
HWY_AFTER_NAMESPACE();

#if HWY_ONCE
namespace hetsched::cpu {
HWY_EXPORT(depthwise_rows_impl);
void depthwise_rows(const DepthwiseParams& p, const float* in, float* out, int b, const OutputRange& range) {
  HWY_DYNAMIC_DISPATCH(depthwise_rows_impl)(p, in, out, b, range);
}
}  // namespace hetsched::cpu
#endif
