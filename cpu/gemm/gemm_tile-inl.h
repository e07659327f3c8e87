// The register-blocked GEMM micro-kernel over PHWC4 slices, compiled once per SIMD target (include
// it from a file that uses hwy/foreach_target.h). One call computes MR output pixels x NV vectors
// of output channels (NV * lanes / 4 slices of one weight panel) over a window of taps:
//   acc[p][v] = bias[v]; for ky, kx in the window, input slice s, lane l (the padding lanes of the
//   last input slice skipped):
//     acc[p][v] = fma(in[pixel p + tap][s][l] (broadcast), panel row (tap, s, l)[v], acc[p][v])
// then the fused activation, the store ops (a residual operand, PRELU; conv_gemm.h's StoreOps),
// padding lanes forced to 0, and the 4-channel groups of each vector stored to their output slice planes (only the slices of the range). The order of the FMAs of
// one output value is the same for every MR and NV, so a value does not depend on its tile.
// Per-target tile shape: AVX-512 8 x 2 vectors (16 zmm accumulators of 32; 12 x 2 measured no
// faster and spills one), AVX2 6 x 2 (12 of 16 ymm), 128-bit targets 4 x 2. Not compiled for
// HWY_SCALAR (1 lane): that target runs the plain loops of conv_gemm_simd.cpp. One-slice outputs
// (1-4 channels) on AVX2/AVX-512: SliceTile, vectorized over pixels instead of channels.
// One-pixel output maps: GemvTile, 4 FMA chains per vector.
#if defined(HETSCHED_CPU_GEMM_TILE_INL_H_) == defined(HWY_TARGET_TOGGLE)
#ifdef HETSCHED_CPU_GEMM_TILE_INL_H_
#undef HETSCHED_CPU_GEMM_TILE_INL_H_
#else
#define HETSCHED_CPU_GEMM_TILE_INL_H_
#endif

#include <array>
#include <cstddef>
#include <utility>

#include "cpu/gemm/packed_panels.h"
#include "graph/activation.h"
#include "hwy/cache_control.h"
#include "hwy/highway.h"

#if HWY_TARGET != HWY_SCALAR
HWY_BEFORE_NAMESPACE();
namespace hetsched::cpu::gemm::HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;

using DF = hn::ScalableTag<float>;
using VF = hn::Vec<DF>;
inline constexpr int kLanes = int(hn::MaxLanes(DF()));
inline constexpr int kVecSlices = kLanes / 4;  // output slices per vector
#if HWY_TARGET == HWY_AVX3 || HWY_TARGET == HWY_AVX3_DL
inline constexpr int kMaxMR = 8, kMaxNV = 2;
#elif HWY_TARGET == HWY_AVX2
inline constexpr int kMaxMR = 6, kMaxNV = 2;
#else
inline constexpr int kMaxMR = 4, kMaxNV = 2;
#endif
static_assert(kLanes % 4 == 0 && kPanelWidth % kLanes == 0, "a vector holds whole slices of a panel row");

// What stays fixed across the tiles of one vector group of one panel.
struct TileArgs {
  const float* in = nullptr;  // input batch base (PHWC4)
  size_t in_plane = 0;        // floats per input slice plane
  int in_slices = 0;
  int last_slice_lanes = 4;          // input channels in the last input slice (1..4)
  ptrdiff_t tap_dy = 0, tap_dx = 0;  // input offset per ky step, per kx step (floats)
  size_t w_ky = 0, w_kx = 0;         // panel offset per ky, per kx (floats)
  ptrdiff_t pixel_stride = 4;        // input floats between consecutive tile pixels
  const float* w = nullptr;          // panel row 0 at the group's first vector
  const float* bias = nullptr;       // bias at the group's first channel
  float* out = nullptr;              // output batch base at the group's first slice plane
  size_t out_plane = 0;
  size_t out_pixel_stride = 4;       // output floats between consecutive tile pixels
  int store_lo = 0, store_hi = 0;    // slices to store, relative to the group's first slice
  int valid_channels = 0;            // output channels from the group's first one (rest are padding)
  Activation activation = Activation::kNone;
  // StoreOps (conv_gemm.h): the operand at the group's first slice plane (same offsets as out),
  // the PRELU alphas at the group's first channel (like bias); nullptr: none.
  const float* operand = nullptr;
  Activation operand_activation = Activation::kNone;
  const float* alpha = nullptr;
};

// Taps ky in [ky_lo, ky_hi) x kx in [kx_lo, kx_hi) (the ones inside the input for these pixels),
// read at panel offset w_off + ky * w_ky + kx * w_kx. (A transpose conv walks its taps of one
// output phase as ky, kx = index * stride from w_off, see conv_gemm_simd.cpp.)
struct TapWindow {
  int ky_lo = 0, ky_hi = 1, kx_lo = 0, kx_hi = 1;
  size_t w_off = 0;
};

HWY_INLINE VF Activate(DF d, VF v, Activation a) {
  switch (a) {
    case Activation::kNone: return v;
    case Activation::kRelu: return hn::Max(v, hn::Zero(d));
    case Activation::kRelu6: return hn::Min(hn::Max(v, hn::Zero(d)), hn::Set(d, 6.0f));
    case Activation::kReluN1To1: return hn::Min(hn::Max(v, hn::Set(d, -1.0f)), hn::Set(d, 1.0f));
    default: {
      HWY_ALIGN float lanes[kLanes];
      hn::Store(v, d, lanes);
      for (float& x : lanes) x = apply_activation(a, x);
      return hn::Load(d, lanes);
    }
  }
}

// Stores the 4-lane slices j in [lo, hi) of v (slice j = lanes 4j..4j+3) at p + j * plane.
template <class D>
HWY_INLINE void StoreSlices(D d, hn::Vec<D> v, float* p, size_t plane, int lo, int hi) {
  constexpr int kSlices = int(hn::MaxLanes(D())) / 4;
  if constexpr (kSlices == 1) {
    if (lo <= 0 && hi > 0) hn::StoreU(v, d, p);
  } else {
    const hn::Half<D> dh;
    constexpr int kHalf = kSlices / 2;
    if (lo < kHalf) StoreSlices(dh, hn::LowerHalf(dh, v), p, plane, lo, hi);
    if (hi > kHalf) StoreSlices(dh, hn::UpperHalf(dh, v), p + size_t(kHalf) * plane, plane, lo - kHalf, hi - kHalf);
  }
}

// Loads the 4-lane slices j in [lo, hi) of a vector from p + j * plane (StoreSlices' layout); the
// other slices are 0 (never read: they may lie past the tensor).
template <class D>
HWY_INLINE hn::Vec<D> LoadSlices(D d, const float* p, size_t plane, int lo, int hi) {
  constexpr int kSlices = int(hn::MaxLanes(D())) / 4;
  if constexpr (kSlices == 1) {
    return lo <= 0 && hi > 0 ? hn::LoadU(d, p) : hn::Zero(d);
  } else {
    const hn::Half<D> dh;
    constexpr int kHalf = kSlices / 2;
    const auto low = lo < kHalf ? LoadSlices(dh, p, plane, lo, hi) : hn::Zero(dh);
    const auto high = hi > kHalf ? LoadSlices(dh, p + size_t(kHalf) * plane, plane, lo - kHalf, hi - kHalf) : hn::Zero(dh);
    return hn::Combine(d, high, low);
  }
}

// The store ops after the activation (StoreOps, conv_gemm.h): v + operand (loaded by `operand`,
// called only with one), its activation, then PRELU with the alphas `alpha` (a vector of the
// channels of v) when k.alpha is set.
template <class LoadOperand, class LoadAlpha>
HWY_INLINE VF StoreOpsApply(DF d, const TileArgs& k, VF v, LoadOperand&& operand, LoadAlpha&& alpha) {
  if (k.operand) v = Activate(d, hn::Add(v, operand()), k.operand_activation);
  if (k.alpha) v = hn::IfThenElse(hn::Ge(v, hn::Zero(d)), v, hn::Mul(v, alpha()));
  return v;
}

// Calls f(std::integral_constant<int, i>) for i = 0..N-1, unrolled at compile time: the
// accumulator arrays are then indexed by constants only, so the compiler keeps them in registers
// (loops unrolled later by the optimizer leave them partly on the stack).
template <int N, class F>
HWY_INLINE void Unroll(F&& f) {
  [&]<int... I>(std::integer_sequence<int, I...>) __attribute__((always_inline)) HWY_ATTR {
    (f(std::integral_constant<int, I>()), ...);
  }(std::make_integer_sequence<int, N>());
}

// Calls lane(l, ip, wp) for every tap (ky, kx) of the window, input slice and input lane l (an
// integral constant; the last slice's padding lanes skipped) in the order the FMAs of every output
// value follow: ky, kx, slice, lane. ip points at lane 0 of the tap's input slice (plus in_off),
// wp at the slice's panel row of lane 0.
template <class Lane>
HWY_INLINE void ForEachTapLane(const TileArgs& k, ptrdiff_t in_off, const TapWindow& t, Lane&& lane) {
  const int full_slices = k.last_slice_lanes < 4 ? k.in_slices - 1 : k.in_slices;
  for (int ky = t.ky_lo; ky < t.ky_hi; ++ky) {
    for (int kx = t.kx_lo; kx < t.kx_hi; ++kx) {
      const float* ip = k.in + (in_off + ky * k.tap_dy + kx * k.tap_dx);
      const float* wp = k.w + t.w_off + size_t(ky) * k.w_ky + size_t(kx) * k.w_kx;
      int s = 0;
      for (; s < full_slices; ++s, ip += k.in_plane, wp += 4 * kPanelWidth)
        Unroll<4>([&](auto l) __attribute__((always_inline)) HWY_ATTR { lane(l, ip, wp); });
      if (s < k.in_slices) {  // the last slice's padding lanes (input and weights 0) are skipped
        if (k.last_slice_lanes > 0) lane(std::integral_constant<int, 0>(), ip, wp);
        if (k.last_slice_lanes > 1) lane(std::integral_constant<int, 1>(), ip, wp);
        if (k.last_slice_lanes > 2) lane(std::integral_constant<int, 2>(), ip, wp);
      }
    }
  }
}

// MR pixels (input tap origins in_off + p * stride, outputs out_off + p * out_pixel_stride) x NV
// vectors. PS: the
// pixel stride in floats when known at compile time (4: stride 1, 8: stride 2), 0: runtime.
template <int MR, int NV, int PS>
HWY_NOINLINE void Tile(const TileArgs& k, ptrdiff_t in_off, size_t out_off, TapWindow t) {
  const DF d;
  const ptrdiff_t ps = PS > 0 ? PS : k.pixel_stride;
  VF acc[MR][NV];
  Unroll<NV>([&](auto v) __attribute__((always_inline)) HWY_ATTR {
    const VF b = hn::Load(d, k.bias + v * kLanes);
    Unroll<MR>([&](auto p) __attribute__((always_inline)) HWY_ATTR { acc[p][v] = b; });
  });
  // One input lane l of the current slice: NV weight vectors, MR broadcast FMAs each.
  ForEachTapLane(k, in_off, t, [&](auto l, const float* ip, const float* wp) __attribute__((always_inline)) HWY_ATTR {
    VF w[NV];
    Unroll<NV>([&](auto v) __attribute__((always_inline)) HWY_ATTR {
      w[v] = hn::Load(d, wp + l * kPanelWidth + v * kLanes);
    });
    Unroll<MR>([&](auto p) __attribute__((always_inline)) HWY_ATTR {
      const VF x = hn::Set(d, ip[p * ps + l]);
      Unroll<NV>([&](auto v) __attribute__((always_inline)) HWY_ATTR {
        acc[p][v] = hn::MulAdd(x, w[v], acc[p][v]);
      });
    });
  });
  // Store path, per vector: activation, padding lanes to 0, the slices of the range. (A later
  // per-tile epilogue, e.g. a fused residual add, applies to the stored tile after this.)
  Unroll<NV>([&](auto v) __attribute__((always_inline)) HWY_ATTR {
    const int ch0 = v * kLanes;
    const bool pad = ch0 + kLanes > k.valid_channels;
    const auto keep = hn::FirstN(d, size_t(k.valid_channels > ch0 ? k.valid_channels - ch0 : 0));
    float* o = k.out + size_t(v * kVecSlices) * k.out_plane + out_off;
    const int lo = k.store_lo - v * kVecSlices, hi = k.store_hi - v * kVecSlices;
    const size_t at = size_t(v * kVecSlices) * k.out_plane + out_off;  // offset of pixel 0 from k.out
    Unroll<MR>([&](auto p) __attribute__((always_inline)) HWY_ATTR {
      VF r = Activate(d, acc[p][v], k.activation);
      r = StoreOpsApply(
          d, k, r,
          [&]() HWY_ATTR { return LoadSlices(d, k.operand + at + size_t(p) * k.out_pixel_stride, k.out_plane, lo, hi); },
          [&]() HWY_ATTR { return hn::Load(d, k.alpha + v * kLanes); });
      if (pad) r = hn::IfThenElseZero(keep, r);
      StoreSlices(d, r, o + size_t(p) * k.out_pixel_stride, k.out_plane, lo, hi);
    });
  });
}

using TileFn = void (*)(const TileArgs&, ptrdiff_t, size_t, TapWindow);

// The tiles of one pixel stride: fn[nv - 1][mr - 1].
template <int PS>
struct TileTable {
  template <int NV, size_t... I>
  static constexpr std::array<TileFn, kMaxMR> row(std::index_sequence<I...>) {
    return {&Tile<int(I) + 1, NV, PS>...};
  }
  template <size_t... V>
  static constexpr std::array<std::array<TileFn, kMaxMR>, kMaxNV> make(std::index_sequence<V...>) {
    return {row<int(V) + 1>(std::make_index_sequence<kMaxMR>())...};
  }
  static constexpr std::array<std::array<TileFn, kMaxMR>, kMaxNV> fn = make(std::make_index_sequence<kMaxNV>());
};

// Runs `count` consecutive pixels in ceil(count / kMaxMR) tiles of balanced sizes (a row of 14 is
// 7 + 7 rather than 12 + 2: a small tile pays the weight loads for few FMAs).
HWY_INLINE void RunPixels(const std::array<TileFn, kMaxMR>& fns, const TileArgs& k, int count, ptrdiff_t in_off,
                          ptrdiff_t in_step, size_t out_off, TapWindow t) {
  if (count <= 0) return;
  const size_t out_step = k.out_pixel_stride;
  const int tiles = (count + kMaxMR - 1) / kMaxMR;
  for (int i = 0; i < tiles; ++i) {
    const int first = count * i / tiles, size = count * (i + 1) / tiles - first;
    fns[size_t(size - 1)](k, in_off + first * in_step, out_off + size_t(first) * out_step, t);
  }
}

// A one-pixel output map (SE blocks' 1x1 convs, FULLY_CONNECTED): a GEMV, whose one-pixel Tile
// is bound by the latency of NV dependent FMA chains. Here each input lane l of a slice has its own
// chain (4 x NV accumulators), summed at the end as (bias + chain 0 + chain 1) + (chain 2 + chain 3).
// A different order from Tile's, but every value of such an op is computed by this tile, whatever
// the range (a one-pixel map has one row and one column; slices do not change a value's order).
inline constexpr size_t kGemvPrefetch = 16 * 4 * kPanelWidth;  // 16 input slices (8 KB) ahead
template <int NV>
HWY_NOINLINE void GemvTile(const TileArgs& k, ptrdiff_t in_off, size_t out_off, TapWindow t) {
  const DF d;
  VF acc[4][NV];
  Unroll<NV>([&](auto v) __attribute__((always_inline)) HWY_ATTR {
    Unroll<4>([&](auto l) __attribute__((always_inline)) HWY_ATTR { acc[l][v] = hn::Zero(d); });
  });
  ForEachTapLane(k, in_off, t, [&](auto l, const float* ip, const float* wp) __attribute__((always_inline)) HWY_ATTR {
    // The weights stream from memory (read once per run): each lane row's cache lines are
    // requested kGemvPrefetch floats ahead (the panel is read in order, kPanelWidth floats per lane).
    Unroll<NV>([&](auto v) __attribute__((always_inline)) HWY_ATTR {
      hwy::Prefetch(wp + kGemvPrefetch + l * kPanelWidth + v * kLanes);
    });
    const VF x = hn::Set(d, ip[l]);
    Unroll<NV>([&](auto v) __attribute__((always_inline)) HWY_ATTR {
      acc[l][v] = hn::MulAdd(x, hn::Load(d, wp + l * kPanelWidth + v * kLanes), acc[l][v]);
    });
  });
  Unroll<NV>([&](auto v) __attribute__((always_inline)) HWY_ATTR {
    const VF sum = hn::Add(hn::Add(hn::Add(hn::Load(d, k.bias + v * kLanes), acc[0][v]), acc[1][v]),
                           hn::Add(acc[2][v], acc[3][v]));
    const int ch0 = v * kLanes;
    const int lo = k.store_lo - v * kVecSlices, hi = k.store_hi - v * kVecSlices;
    VF r = Activate(d, sum, k.activation);
    r = StoreOpsApply(
        d, k, r,
        [&]() HWY_ATTR { return LoadSlices(d, k.operand + size_t(v * kVecSlices) * k.out_plane + out_off, k.out_plane, lo, hi); },
        [&]() HWY_ATTR { return hn::Load(d, k.alpha + v * kLanes); });
    if (ch0 + kLanes > k.valid_channels)
      r = hn::IfThenElseZero(hn::FirstN(d, size_t(k.valid_channels > ch0 ? k.valid_channels - ch0 : 0)), r);
    StoreSlices(d, r, k.out + size_t(v * kVecSlices) * k.out_plane + out_off, k.out_plane, lo, hi);
  });
}

// The tile tables of a one-pixel output: fn[nv - 1][0] is GemvTile<nv> (a single pixel only ever
// runs the one-pixel tile).
template <int PS>
struct GemvTileTable {
  static constexpr std::array<std::array<TileFn, kMaxMR>, kMaxNV> make() {
    auto t = TileTable<PS>::fn;
    t[0][0] = &GemvTile<1>;
    if constexpr (kMaxNV > 1) t[1][0] = &GemvTile<2>;
    return t;
  }
  static constexpr std::array<std::array<TileFn, kMaxMR>, kMaxNV> fn = make();
};
static_assert(kMaxNV <= 2, "GemvTileTable names GemvTile<1> and <2>");

// Groups of one vector of output channels (up to 16 channels on AVX-512, 8 on AVX2; 1-4 channels
// e.g. a segmentation head's TRANSPOSE_CONV would fill 4 of a vector's lanes): each input value is
// a broadcast load for few FMAs, so this tile runs the other way round, one vector holding kPix
// consecutive pixels x the 4 output lanes of one slice. Input pixels at consecutive
// PHWC4 pixels (stride 4 floats) load as one vector (pixel p's lanes in 128-bit block p); the
// FMA for input lane l broadcasts lane l within each block against the panel row's first 4
// weights repeated in every block. Per output value the same FMAs in the same order as Tile
// (bias, then taps ky, kx, input slices, lanes; the last slice's padding lanes, 0 x 0, add +0),
// so mixing both tiles in one row changes no value. Needs vectors of >= 2 pixels (AVX2, AVX-512).
inline constexpr int kPix = kLanes / 4;  // pixels per vector
#if HWY_TARGET == HWY_AVX3 || HWY_TARGET == HWY_AVX3_DL
inline constexpr int kSliceTileVecs = 8;
#else
inline constexpr int kSliceTileVecs = 4;
#endif
inline constexpr bool kHasSliceTile = kPix >= 2;

// NS output slices (1..kVecSlices, the slices of a one-vector group) x NB vectors of kPix pixels.
template <int NS, int NB>
HWY_NOINLINE void SliceTile(const TileArgs& k, ptrdiff_t in_off, size_t out_off, TapWindow t) {
  const DF d;
  VF acc[NS][NB];
  Unroll<NS>([&](auto os) __attribute__((always_inline)) HWY_ATTR {
    const VF b = hn::LoadDup128(d, k.bias + os * 4);
    Unroll<NB>([&](auto i) __attribute__((always_inline)) HWY_ATTR { acc[os][i] = b; });
  });
  for (int ky = t.ky_lo; ky < t.ky_hi; ++ky) {
    for (int kx = t.kx_lo; kx < t.kx_hi; ++kx) {
      const float* ip = k.in + (in_off + ky * k.tap_dy + kx * k.tap_dx);
      const float* wp = k.w + t.w_off + size_t(ky) * k.w_ky + size_t(kx) * k.w_kx;
      for (int s = 0; s < k.in_slices; ++s, ip += k.in_plane, wp += 4 * kPanelWidth) {
        VF x[NB];
        Unroll<NB>([&](auto i) __attribute__((always_inline)) HWY_ATTR { x[i] = hn::LoadU(d, ip + i * kLanes); });
        Unroll<4>([&](auto l) __attribute__((always_inline)) HWY_ATTR {
          VF w[NS];
          Unroll<NS>([&](auto os) __attribute__((always_inline)) HWY_ATTR {
            w[os] = hn::LoadDup128(d, wp + l * kPanelWidth + os * 4);
          });
          Unroll<NB>([&](auto i) __attribute__((always_inline)) HWY_ATTR {
            const VF b = hn::Broadcast<decltype(l)::value>(x[i]);
            Unroll<NS>([&](auto os) __attribute__((always_inline)) HWY_ATTR {
              acc[os][i] = hn::MulAdd(b, w[os], acc[os][i]);
            });
          });
        });
      }
    }
  }
  // Per slice of the range: activation, padding lanes to 0 (lane c of every pixel), then each
  // pixel's 4 floats.
  Unroll<NS>([&](auto os) __attribute__((always_inline)) HWY_ATTR {
    if (os < k.store_lo || os >= k.store_hi) return;
    const int valid = k.valid_channels - 4 * os;
    HWY_ALIGN float lanes_valid[kLanes];
    for (int i = 0; i < kLanes; ++i) lanes_valid[i] = i % 4 < valid ? 1.0f : 0.0f;
    const auto keep = hn::Ne(hn::Load(d, lanes_valid), hn::Zero(d));
    Unroll<NB>([&](auto i) __attribute__((always_inline)) HWY_ATTR {
      const size_t at = size_t(os) * k.out_plane + out_off + size_t(i * kPix) * k.out_pixel_stride;
      VF r = Activate(d, acc[os][i], k.activation);
      r = StoreOpsApply(
          d, k, r,
          [&]() HWY_ATTR {
            if (k.out_pixel_stride == 4) return hn::LoadU(d, k.operand + at);
            HWY_ALIGN float tmp[kLanes];
            for (int p = 0; p < kPix; ++p)
              for (int l = 0; l < 4; ++l) tmp[p * 4 + l] = k.operand[at + size_t(p) * k.out_pixel_stride + size_t(l)];
            return hn::Load(d, tmp);
          },
          [&]() HWY_ATTR { return hn::LoadDup128(d, k.alpha + os * 4); });
      if (valid < 4) r = hn::IfThenElseZero(keep, r);
      float* o = k.out + at;
      if (k.out_pixel_stride == 4) {
        hn::StoreU(r, d, o);
      } else {
        HWY_ALIGN float tmp[kLanes];
        hn::Store(r, d, tmp);
        for (int p = 0; p < kPix; ++p)
          for (int l = 0; l < 4; ++l) o[size_t(p) * k.out_pixel_stride + size_t(l)] = tmp[p * 4 + l];
      }
    });
  });
}

// Vectors per SliceTile of NS slices: NS x NB accumulators within the register file (AVX-512 32
// zmm: 16 accumulators + NB inputs + NS weights; AVX2 16 ymm: 8).
#if HWY_TARGET == HWY_AVX3 || HWY_TARGET == HWY_AVX3_DL
inline constexpr int kSliceTileAcc = 16;
#else
inline constexpr int kSliceTileAcc = 8;
#endif
constexpr int SliceTileMaxNB(int ns) { return std::max(1, std::min(kSliceTileVecs, kSliceTileAcc / ns)); }

struct SliceTileRow {
  std::array<TileFn, kSliceTileVecs> fn{};
  int max_nb = 1;
};
template <int NS, size_t... I>
constexpr SliceTileRow MakeSliceTileRow(std::index_sequence<I...>) {
  return {{(int(I) < SliceTileMaxNB(NS) ? &SliceTile<NS, (int(I) < SliceTileMaxNB(NS) ? int(I) + 1 : 1)> : nullptr)...},
          SliceTileMaxNB(NS)};
}
template <size_t... S>
constexpr std::array<SliceTileRow, kVecSlices> MakeSliceTiles(std::index_sequence<S...>) {
  return {MakeSliceTileRow<int(S) + 1>(std::make_index_sequence<kSliceTileVecs>())...};
}
inline constexpr std::array<SliceTileRow, kVecSlices> kSliceTiles = MakeSliceTiles(std::make_index_sequence<kVecSlices>());

// RunPixels for a one-vector group of `ns` output slices whose tile pixels are consecutive input
// pixels (in_step 4): whole vectors of kPix pixels in SliceTiles, the rest (fewer than kPix
// pixels) in Tiles of `fns`.
HWY_INLINE void RunSlicePixels(int ns, const std::array<TileFn, kMaxMR>& fns, const TileArgs& k, int count,
                               ptrdiff_t in_off, size_t out_off, TapWindow t) {
  if (count <= 0) return;
  const SliceTileRow& row = kSliceTiles[size_t(ns - 1)];
  const int vecs = count / kPix;
  for (int v = 0; v < vecs;) {
    const int nb = std::min(row.max_nb, vecs - v);
    row.fn[size_t(nb - 1)](k, in_off + ptrdiff_t(v) * kLanes, out_off + size_t(v * kPix) * k.out_pixel_stride, t);
    v += nb;
  }
  const int done = vecs * kPix;
  RunPixels(fns, k, count - done, in_off + ptrdiff_t(done) * 4, 4, out_off + size_t(done) * k.out_pixel_stride, t);
}

}  // namespace hetsched::cpu::gemm::HWY_NAMESPACE
HWY_AFTER_NAMESPACE();
#endif  // HWY_TARGET != HWY_SCALAR

#endif  // include guard (per target)
