// DEPTHWISE_CONV_2D (multiplier 1) inner loops with Highway, two paths chosen by the shape.
// Three paths chosen by the shape (depthwise_rows_impl). Stride 1, 3x3 and 5x5 (in-place path,
// rows_inplace; stride 2 likewise on AVX2 / AVX-512, rows_s2_inplace, each vector of output pixels
// from two loads and a shuffle of their even 128-bit blocks): the input read where it lies, two rows at once through the row-pair kernel with its
// row pointers on the input rows (a row of zeros above and below the map), the vectors at both
// ends of a row loading the pixels outside the map as 0 (masked loads). Maps narrower than a
// vector and shapes the others decline (clipped path): the input read in place; border pixels
// clip their taps; interior pixels of stride 1 in full vectors. Everything else (padded path):
// per slice and chunk of output rows,
// the input rows the chunk reads are copied once, zero-padded, into `stride_w` phase planes
// (phase f holds padded columns f, f + sw, f + 2sw, ...): output pixel x at tap kx reads phase
// (kx*dw) % sw at column x + (kx*dw) / sw, so consecutive output pixels read consecutive pixels
// of one phase row, whatever the stride, and no pixel needs a bounds check. 4 consecutive pixels
// are 16 contiguous floats (one AVX-512 vector; 2 pixels per AVX2 vector) and a tap's weights one
// 4-float group repeated (LoadDup128): 4 vectors per register block, then the row's remaining
// vectors as one block, the last ending at the row's last pixel (overlapping the one before: those
// pixels are computed twice the same way), single pixels only in rows narrower than a vector
// (4-float GCC vectors; every pixel on the 1-lane scalar target). Every output is
// bias + its taps in ky-major order, multiply then add, no FMA (see the header; this file is
// compiled with -ffp-contract=off) (padded and in-place paths: padding taps add 0 * w); the path of a pixel
// depends only on the op's shape and the pixel's column, never on the range. Bias + activation
// fused in the store.
#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "cpu/kernels/depthwise_conv2d_simd.cpp"
#include "hwy/foreach_target.h"  // IWYU pragma: keep
#include "hwy/highway.h"

#include <algorithm>
#include <cstdint>
#include <utility>
#include <cstring>
#include <vector>

#include "cpu/kernels/conv2d_common.h"
#include "cpu/kernels/depthwise_conv2d_simd.h"

HWY_BEFORE_NAMESPACE();
namespace hetsched::cpu::HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;

namespace {

constexpr int kChunkRows = 32;  // padded path: output rows per copy of the input rows they read

inline int floor_div(int a, int b) { return a >= 0 ? a / b : -((-a + b - 1) / b); }
inline int ceil_div(int a, int b) { return -floor_div(-a, b); }

// What the store does after the accumulation: the activations that are a clamp, in-register;
// padding lanes of the last slice forced to 0 by a bit mask; tanh and sigmoid per value.
struct Epilogue {
  Activation act = Activation::kNone;
  int lanes = 4;
  alignas(16) int32_t lane_bits[4] = {-1, -1, -1, -1};
};

template <class D>
HWY_INLINE void store_out(D d, hn::Vec<D> v, const Epilogue& e, float* p) {
  switch (e.act) {
    case Activation::kRelu: v = hn::Max(v, hn::Zero(d)); break;
    case Activation::kRelu6: v = hn::Min(hn::Max(v, hn::Zero(d)), hn::Set(d, 6.0f)); break;
    case Activation::kReluN1To1: v = hn::Min(hn::Max(v, hn::Set(d, -1.0f)), hn::Set(d, 1.0f)); break;
    default: break;
  }
  if (e.lanes < 4) {
    const hn::RebindToSigned<D> di;
    v = hn::And(v, hn::BitCast(d, hn::LoadDup128(di, e.lane_bits)));
  }
  hn::StoreU(v, d, p);
  if (e.act == Activation::kTanh || e.act == Activation::kSigmoid)
    for (size_t i = 0; i < hn::Lanes(d); ++i) p[i] = e.lane_bits[i % 4] ? apply_activation(e.act, p[i]) : 0.0f;
}

// Calls f(std::integral_constant<int, i>) for i = 0..N-1, unrolled at compile time, so that arrays
// indexed by i stay in registers (plain loops left masked_block_2rows' accumulators on the stack; padded_block_2rows measured no
// faster unrolled this way).
template <int N, class F>
HWY_INLINE void Unroll(F&& f) {
  [&]<int... I>(std::integer_sequence<int, I...>) __attribute__((always_inline)) HWY_ATTR {
    (f(std::integral_constant<int, I>()), ...);
  }(std::make_integer_sequence<int, N>());
}

// Padded path: R vectors (4 / 2 pixels each) from output pixel x.
template <int R, class D>
HWY_INLINE void padded_block(D d, int taps, const float* const* tap_row, const float* w, hn::Vec<D> bias, const Epilogue& e,
                           float* out_row, int x) {
  const size_t N = hn::Lanes(d);
  hn::Vec<D> acc[R];
  for (int r = 0; r < R; ++r) acc[r] = bias;
  for (int k = 0; k < taps; ++k) {
    const float* ip = tap_row[k] + size_t(x) * 4;
    const hn::Vec<D> wv = hn::LoadDup128(d, w + size_t(k) * 4);
    for (int r = 0; r < R; ++r) acc[r] = hn::Add(hn::Mul(hn::LoadU(d, ip + size_t(r) * N), wv), acc[r]);
  }
  for (int r = 0; r < R; ++r) store_out(d, acc[r], e, out_row + size_t(x) * 4 + size_t(r) * N);
}

// Padded path: one pixel, one 4-float vector.
HWY_INLINE void padded_pixel(int taps, const float* const* tap_row, const float* w, const float* bias, Activation act, int lanes,
                      float* out_row, int x) {
  using conv_kernels::v4;
  v4 acc = conv_kernels::load4(bias);
  for (int k = 0; k < taps; ++k) acc += conv_kernels::load4(tap_row[k] + size_t(x) * 4) * conv_kernels::load4(w + size_t(k) * 4);
  conv_kernels::store_output(out_row + size_t(x) * 4, acc, act, lanes);
}

// Padded path, two output rows y and y + 1 at once (KH x KW taps, row stride SH, no row
// dilation): padded input rows r = 0 .. KH - 1 + SH; row r is tap ky = r of row y and ky = r - SH
// of row y + 1, so each input vector is loaded once for both rows, and the two rows' 2R
// accumulator chains run side by side (the add latency, not the loads, bounds one row of R).
// row_ptr[r * KW + kx]: the phase row of tap column kx at padded row r. Each output is still bias
// + its taps in ky-major order, multiply then add, exactly as padded_block computes it.
// The R vectors start at pixels xs[0..R) (a row's last vectors), or with xs == nullptr at x, x + one
// vector, ... (the blocks of a row: their loads then take constant offsets).
template <int KH, int KW, int SH, int R, class D>
HWY_INLINE void padded_block_2rows(D d, const float* const* row_ptr, const hn::Vec<D>* wv, hn::Vec<D> bias,
                                   const Epilogue& e, float* out0, float* out1, int x, const int* xs) {
  const size_t N = hn::Lanes(d);
  size_t off[R];
  for (int i = 0; i < R; ++i) off[i] = xs ? size_t(xs[i]) * 4 : size_t(x) * 4 + size_t(i) * N;
  hn::Vec<D> acc0[R], acc1[R];
  for (int i = 0; i < R; ++i) acc0[i] = acc1[i] = bias;
  for (int r = 0; r < KH + SH; ++r) {
    for (int kx = 0; kx < KW; ++kx) {
      const float* ip = row_ptr[r * KW + kx];
      hn::Vec<D> in[R];
      for (int i = 0; i < R; ++i) in[i] = hn::LoadU(d, ip + off[i]);
      if (r < KH)
        for (int i = 0; i < R; ++i) acc0[i] = hn::Add(hn::Mul(in[i], wv[r * KW + kx]), acc0[i]);
      if (r >= SH)
        for (int i = 0; i < R; ++i) acc1[i] = hn::Add(hn::Mul(in[i], wv[(r - SH) * KW + kx]), acc1[i]);
    }
  }
  for (int i = 0; i < R; ++i) {
    store_out(d, acc0[i], e, out0 + off[i]);
    if (out1) store_out(d, acc1[i], e, out1 + off[i]);  // nullptr: row y + 1 is not in the range
  }
}

// Output pixels [x_lo, x_hi) of rows y and y + 1 in full vectors through padded_block_2rows: blocks
// of kBlock vectors, then the remaining vectors as one block, the last of them ending at pixel
// x_hi - 1 (it overlaps the one before when the pixels are not a multiple of a vector: those
// pixels are computed twice, the same way, and stored twice; a row of 7 or 14 pixels is 2 or 4
// vectors whose accumulator chains run side by side). Returns the first pixel not computed: x_lo
// when there are fewer pixels than one vector.
template <int KH, int KW, int SH, int kBlock, class D>
HWY_INLINE int row_pair_vectors(D d, const float* const* row_ptr, const hn::Vec<D>* wv, hn::Vec<D> bias,
                                const Epilogue& e, float* out0, float* out1, int x_lo, int x_hi) {
  const int ppv = int(hn::Lanes(d) / 4);
  if (x_hi - x_lo < ppv) return x_lo;
  int x = x_lo;
  for (; x + kBlock * ppv <= x_hi; x += kBlock * ppv)
    padded_block_2rows<KH, KW, SH, kBlock>(d, row_ptr, wv, bias, e, out0, out1, x, nullptr);
  if (x == x_hi) return x_hi;
  int xs[kBlock];
  int n = 0;
  for (; x + ppv <= x_hi; x += ppv) xs[n++] = x;
  if (x < x_hi) xs[n++] = x_hi - ppv;
  switch (n) {  // n <= kBlock: fewer than kBlock vectors were left, plus the overlapping one
    case 1: padded_block_2rows<KH, KW, SH, 1>(d, row_ptr, wv, bias, e, out0, out1, 0, xs); break;
    case 2: padded_block_2rows<KH, KW, SH, 2>(d, row_ptr, wv, bias, e, out0, out1, 0, xs); break;
    case 3: if constexpr (kBlock >= 3) padded_block_2rows<KH, KW, SH, 3>(d, row_ptr, wv, bias, e, out0, out1, 0, xs); break;
    default: if constexpr (kBlock >= 4) padded_block_2rows<KH, KW, SH, 4>(d, row_ptr, wv, bias, e, out0, out1, 0, xs); break;
  }
  return x_hi;
}

// Output rows y and y + 1 of one slice through padded_block_2rows (full vectors; the rest of the
// row, fewer than one vector of pixels, pixel by pixel). planes: the chunk's phase planes; r0:
// the chunk row of padded row y * SH.
template <int KH, int KW, int SH, class D>
void padded_row_pair(D d, const DepthwiseParams& p, const float* planes, size_t phase_row, int r0, const float* w,
                     const float* bias, hn::Vec<D> bias_wide, const Epilogue& e, float* out0, float* out1) {
  const int OW = p.out.w, sw = p.stride_w;
  const float* row_ptr[(KH + SH) * KW];
  for (int r = 0; r < KH + SH; ++r)
    for (int kx = 0; kx < KW; ++kx) {
      const int col = kx * p.dilation_w;
      row_ptr[r * KW + kx] = planes + (size_t(r0 + r) * sw + size_t(col % sw)) * phase_row + size_t(col / sw) * 4;
    }
  hn::Vec<D> wv[KH * KW];
  for (int k = 0; k < KH * KW; ++k) wv[k] = hn::LoadDup128(d, w + size_t(k) * 4);
  constexpr int kBlock = 4;  // 5x5 too (25 weight vectors + 16 accumulators: some weights come from L1): 14x14x672 0.19 -> 0.18 ms
  int x = row_pair_vectors<KH, KW, SH, kBlock>(d, row_ptr, wv, bias_wide, e, out0, out1, 0, OW);
  const float* const* rows1 = row_ptr + SH * KW;  // row y + 1's taps start SH padded rows lower
  for (; x < OW; ++x) {
    padded_pixel(KH * KW, row_ptr, w, bias, p.activation, e.lanes, out0, x);
    padded_pixel(KH * KW, rows1, w, bias, p.activation, e.lanes, out1, x);
  }
}

// The row-pair kernel for this shape, or nullptr (then rows go one at a time).
template <class D>
using RowPairFn = void (*)(D, const DepthwiseParams&, const float*, size_t, int, const float*, const float*,
                           hn::Vec<D>, const Epilogue&, float*, float*);
template <class D>
RowPairFn<D> row_pair_kernel(const DepthwiseParams& p) {
  if (p.dilation_h != 1 || hn::Lanes(D()) < 4) return nullptr;
  if (p.kh == 3 && p.kw == 3 && p.stride_h == 1) return &padded_row_pair<3, 3, 1, D>;
  if (p.kh == 3 && p.kw == 3 && p.stride_h == 2) return &padded_row_pair<3, 3, 2, D>;
  if (p.kh == 5 && p.kw == 5 && p.stride_h == 1) return &padded_row_pair<5, 5, 1, D>;
  if (p.kh == 5 && p.kw == 5 && p.stride_h == 2) return &padded_row_pair<5, 5, 2, D>;
  return nullptr;
}

// Padded path: dst pixel c = src pixel c * sw for c in [0, n) (one phase row of a strided conv).
// Stride 2 on AVX2 / AVX-512: 2 vectors of input pixels -> 1 vector of every other pixel (their
// even 128-bit blocks), reading no pixel past src pixel 2n - 2; the rest one pixel at a time.
template <class D>
HWY_INLINE void copy_strided_pixels(D d, const float* src, int sw, float* dst, int n) {
  int c = 0;
#if HWY_ARCH_X86 && HWY_TARGET <= HWY_AVX2
  constexpr int kPx = int(hn::MaxLanes(D())) / 4;  // pixels per vector
  const size_t N = hn::Lanes(d);
  if (sw == 2)
    for (; c + kPx <= n - 1; c += kPx) {  // reads src pixels 2c .. 2c + 2 kPx - 1 <= 2n - 2
      const auto a = hn::LoadU(d, src + size_t(c) * 8), b = hn::LoadU(d, src + size_t(c) * 8 + N);
#if HWY_TARGET <= HWY_AVX3
      hn::StoreU(decltype(a){_mm512_shuffle_f32x4(a.raw, b.raw, 0x88)}, d, dst + size_t(c) * 4);
#else
      hn::StoreU(decltype(a){_mm256_permute2f128_ps(a.raw, b.raw, 0x20)}, d, dst + size_t(c) * 4);
#endif
    }
#else
  (void)d;
#endif
  for (; c < n; ++c) conv_kernels::store4(dst + size_t(c) * 4, conv_kernels::load4(src + size_t(c) * size_t(sw) * 4));
}

// Clipped path: everything fixed for one (batch, slice, output row).
struct RowContext {
  const float* plane;  // input slice plane [H][W][4]
  const float* w;      // [KH][KW][4] of the slice
  float* out_row;      // output row [OW][4]
  int iy0;             // input row of tap ky = 0
  int ky_lo, ky_hi;    // taps inside the input
};

// Clipped path: R full vectors of 16/8/4 floats (4/2/1 pixels each) from output pixel x; stride 1, interior.
template <int R, class D>
HWY_INLINE void clipped_block(D d, const DepthwiseParams& p, const RowContext& c, hn::Vec<D> bias, const Epilogue& e,
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
      for (int r = 0; r < R; ++r) acc[r] = hn::Add(hn::Mul(hn::LoadU(d, ip + size_t(r) * N), wv), acc[r]);
    }
  }
  for (int r = 0; r < R; ++r) store_out(d, acc[r], e, c.out_row + size_t(x) * 4 + size_t(r) * N);
}

// Clipped path: PX pixels from x, one 4-float vector each, any stride; taps kx in [kx_lo, kx_hi).
template <int PX>
HWY_INLINE void clipped_pixels(const DepthwiseParams& p, const RowContext& c, int x, int kx_lo, int kx_hi,
                             const float* bias, int lanes) {
  using conv_kernels::v4;
  v4 acc[PX];
  for (int i = 0; i < PX; ++i) acc[i] = conv_kernels::load4(bias);
  const size_t row_floats = size_t(p.in.w) * 4;
  const size_t px_step = size_t(p.stride_w) * 4;
  for (int ky = c.ky_lo; ky < c.ky_hi; ++ky) {
    const float* row = c.plane + size_t(c.iy0 + ky * p.dilation_h) * row_floats;
    const float* wrow = c.w + size_t(ky) * p.kw * 4;
    for (int kx = kx_lo; kx < kx_hi; ++kx) {
      const float* ip = row + size_t(x * p.stride_w - p.pad_left + kx * p.dilation_w) * 4;
      const v4 wv = conv_kernels::load4(wrow + size_t(kx) * 4);
      for (int i = 0; i < PX; ++i) acc[i] += conv_kernels::load4(ip + size_t(i) * px_step) * wv;
    }
  }
  for (int i = 0; i < PX; ++i) conv_kernels::store_output(c.out_row + size_t(x + i) * 4, acc[i], p.activation, lanes);
}

// Clipped path, stride 1: output rows y and y + 1 (c: row y's context; out1: row y + 1) over the
// full vectors of interior columns [x_lo, x_hi), through padded_block_2rows with its row pointers
// on the input rows in place (every tap of an interior pixel inside the input). Returns the first
// interior column not computed (x_lo when there are fewer than one vector, else x_hi).
template <int KH, int KW, class D>
int clipped_row_pair(D d, const DepthwiseParams& p, const RowContext& c, int x_lo, int x_hi, hn::Vec<D> bias_wide,
                      const Epilogue& e, float* out1) {
  const size_t row_floats = size_t(p.in.w) * 4;
  const float* row_ptr[(KH + 1) * KW];
  for (int r = 0; r < KH + 1; ++r)
    for (int kx = 0; kx < KW; ++kx)  // at output column x the kernel reads row_ptr + 4x: input column x - pad_left + kx
      row_ptr[r * KW + kx] = c.plane + size_t(c.iy0 + r) * row_floats + ptrdiff_t(kx - p.pad_left) * 4;
  hn::Vec<D> wv[KH * KW];
  for (int k = 0; k < KH * KW; ++k) wv[k] = hn::LoadDup128(d, c.w + size_t(k) * 4);
  constexpr int kBlock = 4;
  return row_pair_vectors<KH, KW, 1, kBlock>(d, row_ptr, wv, bias_wide, e, c.out_row, out1, x_lo, x_hi);
}

template <class D>
using ClippedPairFn = int (*)(D, const DepthwiseParams&, const RowContext&, int, int, hn::Vec<D>, const Epilogue&, float*);
template <class D>
ClippedPairFn<D> clipped_pair_kernel(const DepthwiseParams& p) {
  if (p.stride_h != 1 || p.stride_w != 1 || p.dilation_h != 1 || p.dilation_w != 1 || hn::Lanes(D()) < 4) return nullptr;
  if (p.kh == 3 && p.kw == 3) return &clipped_row_pair<3, 3, D>;
  return nullptr;  // 5x5: slower than the padded row pairs on 14x14 and larger, and than single rows on 7x7
}

// In-place path (stride 1, 3x3 or 5x5, no dilation): the input read where it lies, every pixel in
// full vectors. Input rows above or below the map read a row of zeros; the vectors at the row's
// two ends, whose taps reach columns outside [0, W), load those pixels as 0 (masked loads, which
// neither read nor fault there). Each output is then bias + every tap in ky-major order, the
// outside ones adding 0 * w, as on the padded path, without its copy and with no pixel on its own.

// R vectors of pixels [xs[i], xs[i] + ppv) of rows y and y + 1 (out1 == nullptr: row y only),
// vector i's tap column kx loaded under masks[i][kx].
template <int KH, int KW, int R, class D>
HWY_INLINE void masked_block_2rows(D d, const float* const* row_ptr, const hn::Vec<D>* wv, hn::Vec<D> bias,
                                   const Epilogue& e, float* out0, float* out1, const int* xs,
                                   const hn::Mask<D> (*masks)[KW]) {
  hn::Vec<D> acc0[R], acc1[R];
  Unroll<R>([&](auto i) __attribute__((always_inline)) HWY_ATTR { acc0[i] = acc1[i] = bias; });
  Unroll<KH + 1>([&](auto r) __attribute__((always_inline)) HWY_ATTR {
    Unroll<KW>([&](auto kx) __attribute__((always_inline)) HWY_ATTR {
      Unroll<R>([&](auto i) __attribute__((always_inline)) HWY_ATTR {
        const hn::Vec<D> in = hn::MaskedLoad(masks[i][kx], d, row_ptr[r * KW + kx] + size_t(xs[i]) * 4);
        if constexpr (r < KH) acc0[i] = hn::Add(hn::Mul(in, wv[r * KW + kx]), acc0[i]);
        if constexpr (r >= 1) acc1[i] = hn::Add(hn::Mul(in, wv[(r - 1) * KW + kx]), acc1[i]);
      });
    });
  });
  for (int i = 0; i < R; ++i) {
    store_out(d, acc0[i], e, out0 + size_t(xs[i]) * 4);
    if (out1) store_out(d, acc1[i], e, out1 + size_t(xs[i]) * 4);
  }
}

// One channel slice's epilogue (the lanes past the channels masked), bias and taps, each tap's 4
// weights repeated across the vector (the in-place paths).
template <int KH, int KW, class D>
struct SliceTaps {
  Epilogue e;
  hn::Vec<D> bias;
  hn::Vec<D> wv[KH * KW];
  SliceTaps(D d, const DepthwiseParams& p, int s) : bias(hn::LoadDup128(d, p.bias + size_t(s) * 4)) {
    e.act = p.activation;
    e.lanes = std::min(4, p.out.c - 4 * s);
    for (int l = e.lanes; l < 4; ++l) e.lane_bits[l] = 0;
    const float* w = p.weights + size_t(s) * KH * KW * 4;
    for (int k = 0; k < KH * KW; ++k) wv[k] = hn::LoadDup128(d, w + size_t(k) * 4);
  }
};

// The rows of `range` as pairs (y, y + 1): pair(y, true); an odd last row runs as the pair ending
// there (row y - 1 again, the same way) or, in a one-row range, alone (pair(y, false)).
template <class F>
void for_each_row_pair(const OutputRange& range, F&& pair) {
  int y = range.row_begin;
  for (; y + 1 < range.row_end; y += 2) pair(y, true);
  if (y < range.row_end) {
    if (range.row_end - range.row_begin >= 2) pair(range.row_end - 2, true);
    else pair(y, false);
  }
}

// Row pointers of a row pair read in place: input rows iy0 .. iy0 + ROWS - 1 of `plane` (the row
// of zeros for those outside [0, H)), tap column kx at row r in row_ptr[r * KW + kx], shifted by
// kx - pl pixels.
template <int ROWS, int KW>
HWY_INLINE void inplace_row_ptrs(const float** row_ptr, const float* plane, int iy0, int H, size_t row_floats,
                                 const float* zero_row, int pl) {
  for (int r = 0; r < ROWS; ++r) {
    const int iy = iy0 + r;
    const float* row = iy >= 0 && iy < H ? plane + size_t(iy) * row_floats : zero_row;
    for (int kx = 0; kx < KW; ++kx) row_ptr[r * KW + kx] = row + ptrdiff_t(kx - pl) * 4;
  }
}

// The lanes of a vector of pixels starting at input column c0 (pixel_of_lane: 0,0,0,0,1,1,1,1,...)
// whose column lies inside [0, W): the mask of an in-place path's load at a row's ends.
template <class D, class DI>
HWY_INLINE hn::Mask<D> columns_inside(D d, DI di, hn::Vec<DI> pixel_of_lane, int c0, int W) {
  const auto col = hn::Add(pixel_of_lane, hn::Set(di, c0));
  return hn::RebindMask(d, hn::And(hn::Gt(col, hn::Set(di, -1)), hn::Lt(col, hn::Set(di, W))));
}

// The in-place path applies: stride 1, no dilation, a row-pair kernel size, rows of at least one
// vector whose interior (pixels with every tap column inside) holds one, and padding of at most one
// vector on each side (so one masked vector covers each end).
template <class D>
bool inplace_applies(D d, const DepthwiseParams& p) {
  const int ppv = int(hn::Lanes(d) / 4);
  if (ppv < 1 || p.stride_h != 1 || p.stride_w != 1 || p.dilation_h != 1 || p.dilation_w != 1) return false;
  if (!((p.kh == 3 && p.kw == 3) || (p.kh == 5 && p.kw == 5))) return false;
  const int x_lo = p.pad_left, x_hi = p.in.w - p.kw + 1 + p.pad_left;  // interior output pixels
  return p.out.w >= ppv && x_hi - x_lo >= ppv && x_lo <= ppv && p.out.w - x_hi <= ppv && p.pad_left >= 0 &&
         x_hi <= p.out.w;
}

template <int KH, int KW>
void rows_inplace(const DepthwiseParams& p, const float* in, float* out, int b, const OutputRange& range) {
  const hn::ScalableTag<float> d;
  const hn::RebindToSigned<decltype(d)> di;
  const int ppv = int(hn::Lanes(d) / 4);
  const int W = p.in.w, H = p.in.h, OW = p.out.w, pl = p.pad_left;
  const size_t row_floats = size_t(W) * 4;
  // A row of zeros for input rows outside the map, read at columns -pl .. OW + KW (+ a vector).
  thread_local std::vector<float> zeros;
  zeros.assign(size_t(OW + KW + 2 * ppv + pl) * 4, 0.0f);
  const float* zero_row = zeros.data() + size_t(pl + ppv) * 4;
  // The row's vectors start at 0, ppv, 2 ppv, ... and, when ppv does not divide OW, at OW - ppv.
  // The first 4 and the last 4 (fewer in short rows) load under masks (pixel x + i at tap kx reads
  // input column x + i - pl + kx; all true for vectors inside): they hold every vector reaching
  // outside (the first; the last two at most, as OW - x_hi <= ppv). The ones between, a whole
  // number of vectors, load plainly through row_pair_vectors.
  const int full = OW / ppv, vecs = full + (OW % ppv ? 1 : 0);
  auto start = [&](int v) { return v < full ? v * ppv : OW - ppv; };
  const int first_n = std::min(4, vecs), last_begin = std::max(first_n, vecs - 4);
  const auto pixel_of_lane = hn::ShiftRight<2>(hn::Iota(di, 0));
  struct EndBlock {
    int n = 0;
    int xs[4] = {};
    hn::Mask<decltype(d)> m[4][KW];
  };
  auto end_block = [&](int first_vec, int n, EndBlock& eb) {
    eb.n = n;
    for (int i = 0; i < eb.n; ++i) {
      eb.xs[i] = start(first_vec + i);
      for (int kx = 0; kx < KW; ++kx) eb.m[i][kx] = columns_inside(d, di, pixel_of_lane, eb.xs[i] - pl + kx, W);
    }
  };
  EndBlock first, last;
  end_block(0, first_n, first);
  end_block(last_begin, vecs - last_begin, last);
  auto run_masked = [&](const EndBlock& eb, const float* const* row_ptr, const hn::Vec<decltype(d)>* wv,
                        hn::Vec<decltype(d)> bias, const Epilogue& e, float* out0, float* out1) {
    switch (eb.n) {
      case 1: masked_block_2rows<KH, KW, 1>(d, row_ptr, wv, bias, e, out0, out1, eb.xs, eb.m); break;
      case 2: masked_block_2rows<KH, KW, 2>(d, row_ptr, wv, bias, e, out0, out1, eb.xs, eb.m); break;
      case 3: masked_block_2rows<KH, KW, 3>(d, row_ptr, wv, bias, e, out0, out1, eb.xs, eb.m); break;
      default: masked_block_2rows<KH, KW, 4>(d, row_ptr, wv, bias, e, out0, out1, eb.xs, eb.m); break;
    }
  };
  for (int s = range.slice_begin; s < range.slice_end; ++s) {
    const SliceTaps<KH, KW, decltype(d)> taps(d, p, s);
    const Epilogue& e = taps.e;
    const auto bias_wide = taps.bias;
    const auto* wv = taps.wv;
    const float* plane = in + p.in.offset(b, s, 0, 0);
    // Rows y and y + 1 (row y + 1 not stored when out1 is nullptr).
    auto pair = [&](int y, bool both) {
      const float* row_ptr[(KH + 1) * KW];
      inplace_row_ptrs<KH + 1, KW>(row_ptr, plane, y - p.pad_top, H, row_floats, zero_row, pl);
      float* out0 = out + p.out.offset(b, s, y, 0);
      float* out1 = both ? out + p.out.offset(b, s, y + 1, 0) : nullptr;
      run_masked(first, row_ptr, wv, bias_wide, e, out0, out1);
      if (last_begin > first_n)
        row_pair_vectors<KH, KW, 1, 4>(d, row_ptr, wv, bias_wide, e, out0, out1, first_n * ppv, last_begin * ppv);
      if (last.n > 0) run_masked(last, row_ptr, wv, bias_wide, e, out0, out1);
    };
    for_each_row_pair(range, pair);
  }
}

#if HWY_ARCH_X86 && HWY_TARGET <= HWY_AVX2
// Stride 2 in place (x86 AVX2 / AVX-512): output pixels x, x + 1, ... at tap kx read input columns
// c, c + 2, ... (c = 2x - pl + kx): two loads of consecutive pixels from c and their even 128-bit
// blocks (one block shuffle), instead of the padded path's phase copy. Rows as in rows_inplace (a
// row of zeros outside the map); the first and last 4 vectors load under masks (each of the two
// loads with its own), the ones between plainly.
template <class D>
HWY_INLINE hn::Vec<D> EvenPixels(hn::Vec<D> a, hn::Vec<D> b) {
#if HWY_TARGET <= HWY_AVX3
  return hn::Vec<D>{_mm512_shuffle_f32x4(a.raw, b.raw, 0x88)};
#else
  return hn::Vec<D>{_mm256_permute2f128_ps(a.raw, b.raw, 0x20)};
#endif
}

// R vectors from output pixels xs[i] of rows y and y + 1 (out1 == nullptr: row y only); with
// kMasked, vector i's two loads at tap column kx go under lo[i][kx] and hi[i][kx].
template <int KH, int KW, int R, bool kMasked, class D>
HWY_INLINE void s2_block_2rows(D d, const float* const* row_ptr, const hn::Vec<D>* wv, hn::Vec<D> bias, const Epilogue& e,
                               float* out0, float* out1, const int* xs, const hn::Mask<D> (*lo)[KW],
                               const hn::Mask<D> (*hi)[KW]) {
  const size_t N = hn::Lanes(d);
  hn::Vec<D> acc0[R], acc1[R];
  Unroll<R>([&](auto i) __attribute__((always_inline)) HWY_ATTR { acc0[i] = acc1[i] = bias; });
  Unroll<KH + 2>([&](auto r) __attribute__((always_inline)) HWY_ATTR {
    Unroll<KW>([&](auto kx) __attribute__((always_inline)) HWY_ATTR {
      Unroll<R>([&](auto i) __attribute__((always_inline)) HWY_ATTR {
        const float* ip = row_ptr[r * KW + kx] + size_t(xs[i]) * 8;
        hn::Vec<D> a, b;
        if constexpr (kMasked) {
          a = hn::MaskedLoad(lo[i][kx], d, ip);
          b = hn::MaskedLoad(hi[i][kx], d, ip + N);
        } else {
          a = hn::LoadU(d, ip);
          b = hn::LoadU(d, ip + N);
        }
        const hn::Vec<D> in = EvenPixels<D>(a, b);
        if constexpr (r < KH) acc0[i] = hn::Add(hn::Mul(in, wv[r * KW + kx]), acc0[i]);
        if constexpr (r >= 2) acc1[i] = hn::Add(hn::Mul(in, wv[(r - 2) * KW + kx]), acc1[i]);
      });
    });
  });
  for (int i = 0; i < R; ++i) {
    store_out(d, acc0[i], e, out0 + size_t(xs[i]) * 4);
    if (out1) store_out(d, acc1[i], e, out1 + size_t(xs[i]) * 4);
  }
}

template <class D>
bool s2_inplace_applies(D d, const DepthwiseParams& p) {
  const int ppv = int(hn::Lanes(d) / 4);
  if (ppv < 2 || p.stride_h != 2 || p.stride_w != 2 || p.dilation_h != 1 || p.dilation_w != 1) return false;
  if (!((p.kh == 3 && p.kw == 3) || (p.kh == 5 && p.kw == 5))) return false;
  if (p.pad_left < 0 || p.pad_left > 2 || p.pad_top < 0) return false;
  // Vectors reading outside the input: the first (2x - pl < 0) and those with 2x + 2 ppv + KW - 2 - pl
  // >= W; both within the masked first and last 4 when the row has 8 vectors or fewer of them.
  const int vecs = (p.out.w + ppv - 1) / ppv;
  const int right_edge = std::max(0, (p.in.w - 2 * ppv - p.kw + 2 + p.pad_left + 1) / 2);  // first x reaching out
  const int right_vecs = vecs - std::min(vecs, right_edge / ppv);
  return p.out.w >= ppv && right_vecs <= 3 && vecs >= 1;
}

template <int KH, int KW>
void rows_s2_inplace(const DepthwiseParams& p, const float* in, float* out, int b, const OutputRange& range) {
  const hn::ScalableTag<float> d;
  const hn::RebindToSigned<decltype(d)> di;
  const int ppv = int(hn::Lanes(d) / 4);
  const int W = p.in.w, H = p.in.h, OW = p.out.w, pl = p.pad_left;
  const size_t row_floats = size_t(W) * 4;
  thread_local std::vector<float> zeros;
  zeros.assign(size_t(2 * OW + KW + 4 * ppv + pl) * 4, 0.0f);
  const float* zero_row = zeros.data() + size_t(pl + 2 * ppv) * 4;
  const int full = OW / ppv, vecs = full + (OW % ppv ? 1 : 0);
  auto start = [&](int v) { return v < full ? v * ppv : OW - ppv; };
  const int first_n = std::min(4, vecs), last_begin = std::max(first_n, vecs - 4);
  const auto pixel_of_lane = hn::ShiftRight<2>(hn::Iota(di, 0));
  struct EndBlock {
    int n = 0;
    int xs[4] = {};
    hn::Mask<decltype(d)> lo[4][KW], hi[4][KW];
  };
  auto valid = [&](int c0) { return columns_inside(d, di, pixel_of_lane, c0, W); };
  auto end_block = [&](int first_vec, int n, EndBlock& eb) {
    eb.n = n;
    for (int i = 0; i < n; ++i) {
      eb.xs[i] = start(first_vec + i);
      for (int kx = 0; kx < KW; ++kx) {
        eb.lo[i][kx] = valid(2 * eb.xs[i] - pl + kx);
        eb.hi[i][kx] = valid(2 * eb.xs[i] - pl + kx + ppv);
      }
    }
  };
  EndBlock first, last;
  end_block(0, first_n, first);
  end_block(last_begin, vecs - last_begin, last);
  for (int s = range.slice_begin; s < range.slice_end; ++s) {
    const SliceTaps<KH, KW, decltype(d)> taps(d, p, s);
    const Epilogue& e = taps.e;
    const auto bias = taps.bias;
    const auto* wv = taps.wv;
    const float* plane = in + p.in.offset(b, s, 0, 0);
    auto masked = [&](const EndBlock& eb, const float* const* rp, float* o0, float* o1) {
      switch (eb.n) {
        case 1: s2_block_2rows<KH, KW, 1, true>(d, rp, wv, bias, e, o0, o1, eb.xs, eb.lo, eb.hi); break;
        case 2: s2_block_2rows<KH, KW, 2, true>(d, rp, wv, bias, e, o0, o1, eb.xs, eb.lo, eb.hi); break;
        case 3: s2_block_2rows<KH, KW, 3, true>(d, rp, wv, bias, e, o0, o1, eb.xs, eb.lo, eb.hi); break;
        case 4: s2_block_2rows<KH, KW, 4, true>(d, rp, wv, bias, e, o0, o1, eb.xs, eb.lo, eb.hi); break;
        default: break;
      }
    };
    auto pair = [&](int y, bool both) {
      const float* row_ptr[(KH + 2) * KW];
      inplace_row_ptrs<KH + 2, KW>(row_ptr, plane, 2 * y - p.pad_top, H, row_floats, zero_row, pl);
      float* out0 = out + p.out.offset(b, s, y, 0);
      float* out1 = both ? out + p.out.offset(b, s, y + 1, 0) : nullptr;
      masked(first, row_ptr, out0, out1);
      int v = first_n;
      for (; v + 4 <= last_begin; v += 4) {
        const int xs[4] = {v * ppv, (v + 1) * ppv, (v + 2) * ppv, (v + 3) * ppv};
        s2_block_2rows<KH, KW, 4, false>(d, row_ptr, wv, bias, e, out0, out1, xs, nullptr, nullptr);
      }
      for (; v < last_begin; ++v) {
        const int xs[1] = {v * ppv};
        s2_block_2rows<KH, KW, 1, false>(d, row_ptr, wv, bias, e, out0, out1, xs, nullptr, nullptr);
      }
      if (last_begin < vecs) masked(last, row_ptr, out0, out1);
    };
    for_each_row_pair(range, pair);
  }
}
#endif

// Small maps: the input read in place, border pixels clip their taps, interior pixels of stride 1
// in full vectors.
void rows_clipped(const DepthwiseParams& p, const float* in, float* out, int b, const OutputRange& range) {
  const hn::ScalableTag<float> d;
  const ClippedPairFn<decltype(d)> row_pair = clipped_pair_kernel<decltype(d)>(p);
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
    e.lanes = lanes;
    for (int l = lanes; l < 4; ++l) e.lane_bits[l] = 0;
    const float* bias = p.bias + size_t(s) * 4;
    const auto bias_wide = hn::LoadDup128(d, bias);
    auto border_of = [&](const RowContext& rc, int x) {
      const int ix0 = x * p.stride_w - p.pad_left;
      const int kx_lo = std::max(0, ceil_div(-ix0, p.dilation_w));
      const int kx_hi = std::min(p.kw, floor_div(W - 1 - ix0, p.dilation_w) + 1);
      clipped_pixels<1>(p, rc, x, kx_lo, kx_hi, bias, lanes);
    };
    for (int y = range.row_begin; y < range.row_end; ++y) {
      RowContext c;
      c.plane = in + p.in.offset(b, s, 0, 0);
      c.w = p.weights + size_t(s) * taps * 4;
      c.out_row = out + p.out.offset(b, s, y, 0);
      c.iy0 = y * p.stride_h - p.pad_top;
      c.ky_lo = std::max(0, ceil_div(-c.iy0, p.dilation_h));
      c.ky_hi = std::min(p.kh, floor_div(p.in.h - 1 - c.iy0, p.dilation_h) + 1);
      auto border = [&](int x) { border_of(c, x); };
      if (row_pair && y + 1 < range.row_end && c.ky_lo == 0 && c.ky_hi == p.kh &&
          (y + 1) * p.stride_h - p.pad_top + (p.kh - 1) < p.in.h) {
        // Rows y and y + 1 with every ky tap inside: interior columns through the row-pair kernel
        // reading the input rows in place, border columns (and interiors of less than one vector) one
        // pixel at a time, each row on its own.
        RowContext c1 = c;
        c1.out_row = out + p.out.offset(b, s, y + 1, 0);
        c1.iy0 = c.iy0 + p.stride_h;
        const int done = row_pair(d, p, c, x_lo, x_hi, bias_wide, e, c1.out_row);
        auto rest = [&](const RowContext& rc) {
          for (int x = 0; x < x_lo; ++x) border_of(rc, x);
          for (int x = done; x < x_hi; ++x) clipped_pixels<1>(p, rc, x, 0, p.kw, bias, lanes);
          for (int x = x_hi; x < OW; ++x) border_of(rc, x);
        };
        rest(c);
        rest(c1);
        ++y;
        continue;
      }
      int x = 0;
      for (; x < x_lo; ++x) border(x);
      if (p.stride_w == 1 && px_per_vec >= 1) {  // not on the 1-lane scalar target
        for (; x + 4 * px_per_vec <= x_hi; x += 4 * px_per_vec) clipped_block<4>(d, p, c, bias_wide, e, x);
        for (; x + px_per_vec <= x_hi; x += px_per_vec) clipped_block<1>(d, p, c, bias_wide, e, x);
      }
      for (; x + 8 <= x_hi; x += 8) clipped_pixels<8>(p, c, x, 0, p.kw, bias, lanes);
      for (; x < x_hi; ++x) clipped_pixels<1>(p, c, x, 0, p.kw, bias, lanes);
      for (; x < OW; ++x) border(x);
    }
  }
}

// Large maps: padded phase planes, every pixel through the same full-vector loop.
void rows_padded(const DepthwiseParams& p, const float* in, float* out, int b, const OutputRange& range) {
  const hn::ScalableTag<float> d;
  const int px_per_vec = int(hn::Lanes(d) / 4);
  const int W = p.in.w, H = p.in.h, OW = p.out.w, sw = p.stride_w, sh = p.stride_h;
  const int taps = p.kh * p.kw;
  // Columns per phase row: output pixel OW-1 at the last tap reads column OW-1 + (kw-1)*dw/sw.
  const int pw = OW + (p.kw - 1) * p.dilation_w / sw;
  const size_t phase_row = size_t(pw) * 4;
  const int chunk_in_rows = (kChunkRows - 1) * sh + (p.kh - 1) * p.dilation_h + 1;
  thread_local std::vector<float> planes;
  planes.resize(size_t(chunk_in_rows) * sw * phase_row);
  // Per tap (ky, kx) of the current output row: its phase row, shifted by kx*dw/sw pixels.
  std::vector<const float*> tap_row(static_cast<size_t>(taps));
  const RowPairFn<decltype(d)> row_pair = row_pair_kernel<decltype(d)>(p);

  for (int s = range.slice_begin; s < range.slice_end; ++s) {
    Epilogue e;
    e.act = p.activation;
    e.lanes = std::min(4, p.out.c - 4 * s);
    for (int l = e.lanes; l < 4; ++l) e.lane_bits[l] = 0;
    const float* bias = p.bias + size_t(s) * 4;
    const auto bias_wide = hn::LoadDup128(d, bias);
    const float* w = p.weights + size_t(s) * taps * 4;
    const float* plane = in + p.in.offset(b, s, 0, 0);
    for (int y0 = range.row_begin; y0 < range.row_end; y0 += kChunkRows) {
      const int y1 = std::min(range.row_end, y0 + kChunkRows);
      // Padded rows [py0, py0 + rows) (padded row py = input row py - pad_top) into phase planes.
      const int py0 = y0 * sh, rows = (y1 - 1 - y0) * sh + (p.kh - 1) * p.dilation_h + 1;
      for (int r = 0; r < rows; ++r) {
        const int iy = py0 + r - p.pad_top;
        for (int f = 0; f < sw; ++f) {
          float* dst = planes.data() + (size_t(r) * sw + size_t(f)) * phase_row;
          if (iy < 0 || iy >= H) {
            std::fill(dst, dst + phase_row, 0.0f);
            continue;
          }
          // Columns c with input column c*sw + f - pad_left inside [0, W): [c_lo, c_hi).
          const int c_lo = std::clamp(ceil_div(p.pad_left - f, sw), 0, pw);
          const int c_hi = std::clamp(floor_div(W - 1 + p.pad_left - f, sw) + 1, c_lo, pw);
          std::fill(dst, dst + size_t(c_lo) * 4, 0.0f);
          std::fill(dst + size_t(c_hi) * 4, dst + phase_row, 0.0f);
          const float* src = plane + (size_t(iy) * W + size_t(c_lo * sw + f - p.pad_left)) * 4;
          if (sw == 1) std::memcpy(dst + size_t(c_lo) * 4, src, size_t(c_hi - c_lo) * 16);
          else
            copy_strided_pixels(d, src, sw, dst + size_t(c_lo) * 4, c_hi - c_lo);
        }
      }
      int y = y0;
      if (row_pair) {
        auto pair = [&](int yy) {
          row_pair(d, p, planes.data(), phase_row, (yy - y0) * sh, w, bias, bias_wide, e, out + p.out.offset(b, s, yy, 0),
                   out + p.out.offset(b, s, yy + 1, 0));
        };
        for (; y + 1 < y1; y += 2) pair(y);
        // An odd last row as the pair (y - 1, y): row y - 1 is computed again, the same way (a 7-row
        // map is 4 pairs; the single-row loop below has one accumulator chain per vector).
        if (y < y1 && y1 - y0 >= 2) {
          pair(y1 - 2);
          y = y1;
        }
      }
      for (; y < y1; ++y) {
        for (int ky = 0; ky < p.kh; ++ky)
          for (int kx = 0; kx < p.kw; ++kx) {
            const int r = (y - y0) * sh + ky * p.dilation_h, col = kx * p.dilation_w;
            tap_row[size_t(ky * p.kw + kx)] =
                planes.data() + (size_t(r) * sw + size_t(col % sw)) * phase_row + size_t(col / sw) * 4;
          }
        float* out_row = out + p.out.offset(b, s, y, 0);
        int x = 0;
        if (px_per_vec >= 1) {  // not on the 1-lane scalar target
          for (; x + 4 * px_per_vec <= OW; x += 4 * px_per_vec) padded_block<4>(d, taps, tap_row.data(), w, bias_wide, e, out_row, x);
          for (; x + px_per_vec <= OW; x += px_per_vec) padded_block<1>(d, taps, tap_row.data(), w, bias_wide, e, out_row, x);
          if (x < OW && OW >= px_per_vec) {  // the tail: one full vector ending at the last pixel
            padded_block<1>(d, taps, tap_row.data(), w, bias_wide, e, out_row, OW - px_per_vec);
            x = OW;
          }
        }
        for (; x < OW; ++x) padded_pixel(taps, tap_row.data(), w, bias, p.activation, e.lanes, out_row, x);
      }
    }
  }
}

}  // namespace

// Stride 2 (3x3, 5x5) on AVX2 / AVX-512 runs in place too (rows_s2_inplace; bench/conv_kernels_bench,
// medians of 100, same minute: 112x112x96 3x3 0.38-0.41 -> 0.31-0.32 ms, 112x112x64 0.24-0.26 ->
// 0.175, 28x28x144 0.040 -> 0.027, 14x14x384 5x5 0.062 -> 0.047, 56x56 5x5 unchanged): the phase
// copy, a pass over the whole input of its own, is gone.
// Stride 1 (3x3; 5x5 from 12 columns) runs in place with masked end vectors: bench/conv_kernels_bench
// (1 thread, medians of 100, the same minute) against the clipped/padded paths: 14x14x576 3x3 0.090
// -> 0.069 ms, 14x14x288 3x3 0.045 -> 0.034, 7x7x960 3x3 0.049 -> 0.039, 112x112x32 3x3 0.206 ->
// 0.182, 128x128x16 0.120 -> 0.108, 14x14x672 5x5 0.186 -> 0.164, 14x14x384 5x5 0.106 -> 0.093,
// 28x28x144 5x5 0.120 -> 0.115; 7x7 5x5 stays padded (in place 0.12 vs 0.115 for 1152 channels).
// Otherwise: padded phase planes cost a copy of the input per slice; on small maps (few pixels per
// copied row) the clipped path was faster, on 28x28 and larger slower; 3x3 stride 1 ran clipped
// (row pairs in place, border pixels one at a time). Since row tails run as one overlapping vector
// (row_pair_vectors), maps narrower than 12 columns run padded (7x7x672 5x5 0.107 -> 0.072 ms);
// only maps narrower than one vector (and the shapes the in-place path declines) stay clipped.
void depthwise_rows_impl(const DepthwiseParams& p, const float* in, float* out, int b, const OutputRange& range) {
  const int px_per_vec = int(hn::Lanes(hn::ScalableTag<float>()) / 4);
#if HWY_ARCH_X86 && HWY_TARGET <= HWY_AVX2
  if (s2_inplace_applies(hn::ScalableTag<float>(), p)) {
    if (p.kh == 3) return rows_s2_inplace<3, 3>(p, in, out, b, range);
    return rows_s2_inplace<5, 5>(p, in, out, b, range);
  }
#endif
  if (inplace_applies(hn::ScalableTag<float>(), p) && (p.kh == 3 || p.out.w >= 12)) {
    if (p.kh == 3) return rows_inplace<3, 3>(p, in, out, b, range);
    return rows_inplace<5, 5>(p, in, out, b, range);
  }
  if (clipped_pair_kernel<hn::ScalableTag<float>>(p) && p.out.w >= 12) rows_clipped(p, in, out, b, range);
  else if (px_per_vec >= 1 && p.out.w >= px_per_vec) rows_padded(p, in, out, b, range);
  else rows_clipped(p, in, out, b, range);
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
