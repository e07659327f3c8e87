// ConvGemm::run per SIMD target (Highway dynamic dispatch): the cache-blocked loops around the
// micro-kernel of gemm_tile-inl.h.
//   for each batch, group of panels (weights of a group fit in L2), block of pixels or rows (input
//   of a block fits in L2), panel, group of kMaxNV vectors of the range's slices in the panel:
//     flat (pointwise) convs: the pixels of the block in tiles of kMaxMR, one contiguous run;
//     other convs, per output row: the taps inside the input rows (ky window) are resolved once;
//     interior pixels (every kx inside) run in tiles of kMaxMR, border pixels one at a time with
//     their kx window clipped.
// One-vector groups of output channels run their consecutive pixels in SliceTiles (vectorized over
// pixels) instead;
// one-pixel outputs (GEMVs) run GemvTiles.
// HWY_SCALAR (the baseline of GCC < 12.3 builds, run only on x86 without AVX2) computes each output
// with plain loops in the same order instead.
#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "cpu/gemm/conv_gemm_simd.cpp"
#include "hwy/foreach_target.h"  // IWYU pragma: keep
#include "hwy/highway.h"

#include <algorithm>

#include "cpu/gemm/conv_gemm.h"
#include "cpu/gemm/gemm_tile-inl.h"

HWY_BEFORE_NAMESPACE();
namespace hetsched::cpu::gemm::HWY_NAMESPACE {
#if HWY_TARGET == HWY_SCALAR

// The input index a transpose conv tap reads (t = out + pad - k = in * stride), -1 if none.
inline int tap_source(int t, int stride) { return t >= 0 && t % stride == 0 ? t / stride : -1; }

void RunConvGemm(const ConvGemm& conv, const float* in, float* out, const OutputRange& range, const StoreOps& store) {
  const ConvGeometry& g = conv.geometry();
  const PackedPanels& panels = conv.weights();
  const int S_in = g.in.slices();
  const size_t in_plane = size_t(g.in.h) * size_t(g.in.w) * 4;
  for (int b = 0; b < g.out.n; ++b)
    for (int s = range.slice_begin; s < range.slice_end; ++s)
      for (int y = range.row_begin; y < range.row_end; ++y)
        for (int x = 0; x < g.out.w; ++x)
          for (int lane = 0; lane < 4; ++lane) {
            const int o = 4 * s + lane;
            const float* w = panels.panel(o / kPanelWidth) + o % kPanelWidth;
            float acc = conv.bias()[o];
            for (int ky = 0; ky < g.kh; ++ky) {
              const int iy = g.transposed ? tap_source(y + g.pad_top - ky, g.stride_h)
                                          : y * g.stride_h - g.pad_top + ky * g.dilation_h;
              if (iy < 0 || iy >= g.in.h) continue;
              for (int kx = 0; kx < g.kw; ++kx) {
                const int ix = g.transposed ? tap_source(x + g.pad_left - kx, g.stride_w)
                                            : x * g.stride_w - g.pad_left + kx * g.dilation_w;
                if (ix < 0 || ix >= g.in.w) continue;
                const float* ip = in + g.in.offset(b, 0, iy, ix);
                const float* wp = w + size_t(ky * g.kw + kx) * size_t(S_in) * 4 * kPanelWidth;
                for (int c = 0; c < 4 * S_in; ++c)
                  acc += ip[size_t(c / 4) * in_plane + size_t(c % 4)] * wp[size_t(c) * kPanelWidth];
              }
            }
            const size_t at = g.out.offset(b, s, y, x) + size_t(lane);
            float v = apply_activation(g.activation, acc);
            if (store.operand) v = apply_activation(store.operand_activation, v + store.operand[at]);
            if (store.alpha && v < 0.0f) v = v * store.alpha[o];
            out[at] = o < g.out.c ? v : 0.0f;
          }
}

#else
namespace {

constexpr size_t kWeightBlockBytes = 512 * 1024;  // panels per group: their weights stay in L2
constexpr size_t kInputBlockBytes = 256 * 1024;   // pixels or rows per block: their input stays in L2

int FloorDiv(int a, int b) { return a >= 0 ? a / b : -((-a + b - 1) / b); }
int CeilDiv(int a, int b) { return -FloorDiv(-a, b); }

// Output rows [y0, y1) of a non-flat conv for one vector group.
// Runs `count` pixels of one tile row: SliceTiles of `slice_ns` output slices (0: none) when the
// pixels are consecutive input pixels (in_step 4), else Tiles.
HWY_INLINE void RunRow(int slice_ns, const std::array<TileFn, kMaxMR>& fns, const TileArgs& k, int count,
                       ptrdiff_t in_off, ptrdiff_t in_step, size_t out_off, TapWindow t) {
  if constexpr (kHasSliceTile) {
    if (slice_ns > 0 && in_step == 4) return RunSlicePixels(slice_ns, fns, k, count, in_off, out_off, t);
  }
  RunPixels(fns, k, count, in_off, in_step, out_off, t);
}

void ConvRows(const ConvGeometry& g, const std::array<TileFn, kMaxMR>& fns, const TileArgs& k, int y0, int y1,
              int slice_tile) {
  const int W = g.in.w, OW = g.out.w;
  const int x_lo = std::min(OW, CeilDiv(g.pad_left, g.stride_w));
  const int x_last = FloorDiv(W - 1 + g.pad_left - (g.kw - 1) * g.dilation_w, g.stride_w);  // last interior x
  const int x_hi = std::max(x_lo, std::clamp(x_last + 1, 0, OW));
  for (int y = y0; y < y1; ++y) {
    TapWindow t;
    t.ky_lo = std::max(0, CeilDiv(g.pad_top - y * g.stride_h, g.dilation_h));
    t.ky_hi = std::max(t.ky_lo, std::min(g.kh, FloorDiv(g.in.h - 1 - y * g.stride_h + g.pad_top, g.dilation_h) + 1));
    const ptrdiff_t row_in = ptrdiff_t(y * g.stride_h - g.pad_top) * W * 4;
    const size_t row_out = size_t(y) * size_t(OW) * 4;
    auto border = [&](int x) {
      TapWindow b = t;
      b.kx_lo = std::max(0, CeilDiv(g.pad_left - x * g.stride_w, g.dilation_w));
      b.kx_hi = std::max(b.kx_lo, std::min(g.kw, FloorDiv(W - 1 - x * g.stride_w + g.pad_left, g.dilation_w) + 1));
      fns[0](k, row_in + ptrdiff_t(x * g.stride_w - g.pad_left) * 4, row_out + size_t(x) * 4, b);
    };
    for (int x = 0; x < x_lo; ++x) border(x);
    t.kx_lo = 0;
    t.kx_hi = g.kw;
    RunRow(slice_tile, fns, k, x_hi - x_lo, row_in + ptrdiff_t(x_lo * g.stride_w - g.pad_left) * 4,
           ptrdiff_t(g.stride_w) * 4, row_out + size_t(x_lo) * 4, t);
    for (int x = x_hi; x < OW; ++x) border(x);
  }
}

// Output rows [y0, y1) of a transpose conv for one vector group. Output row y uses the ky of one
// phase: ky = ky0 + i*sh reads iy = iy0 - i. Output columns of one phase x = ph + j*sw use
// kx = kx0 + m*sw and read ix = c0 + j - m: consecutive j read consecutive input pixels, so a tile
// of pixels j..j+MR-1 is a conv tile with input stride 4, output stride 4*sw, and taps (i, m)
// stepping the input by (-W*4, -4) and the panel by (sh*kw, sw) taps. Columns whose m range is
// clipped by the input's edges run one at a time.
void TransposeRows(const ConvGeometry& g, const std::array<TileFn, kMaxMR>& fns, TileArgs k, int y0, int y1,
                   int slice_tile) {
  const int W = g.in.w, sh = g.stride_h, sw = g.stride_w;
  const size_t tap_w = size_t(g.in.slices()) * 4 * kPanelWidth;  // panel floats per tap
  k.tap_dy = -ptrdiff_t(W) * 4;
  k.tap_dx = -4;
  k.w_ky = size_t(sh) * size_t(g.kw) * tap_w;
  k.w_kx = size_t(sw) * tap_w;
  k.out_pixel_stride = size_t(sw) * 4;
  for (int y = y0; y < y1; ++y) {
    const int t0 = y + g.pad_top;  // t0 - ky = iy * sh
    const int ky0 = t0 % sh, iy0 = (t0 - ky0) / sh;
    TapWindow rows;
    rows.ky_lo = std::max(0, iy0 - g.in.h + 1);
    rows.ky_hi = std::max(rows.ky_lo, std::min(iy0 + 1, ky0 < g.kh ? (g.kh - ky0 + sh - 1) / sh : 0));
    for (int ph = 0; ph < sw && ph < g.out.w; ++ph) {
      const int kx0 = (ph + g.pad_left) % sw;  // ph + pad_left >= 0
      const int c0 = (ph + g.pad_left) / sw;   // ix = c0 + j - m
      const int nm = kx0 < g.kw ? (g.kw - kx0 + sw - 1) / sw : 0;
      const int J = (g.out.w - ph + sw - 1) / sw;
      const int j_lo = std::min(J, std::max(0, nm - 1 - c0));
      const int j_hi = std::max(j_lo, std::min(J, W - c0));
      TapWindow t = rows;
      t.w_off = (size_t(ky0) * size_t(g.kw) + size_t(kx0)) * tap_w;
      const ptrdiff_t in_row = ptrdiff_t(iy0) * W * 4;
      const size_t out_row = (size_t(y) * size_t(g.out.w) + size_t(ph)) * 4;
      auto column = [&](int j) {  // m clipped to ix = c0 + j - m in [0, W)
        TapWindow b = t;
        b.kx_lo = std::max(0, c0 + j - W + 1);
        b.kx_hi = std::max(b.kx_lo, std::min(nm, c0 + j + 1));
        fns[0](k, in_row + ptrdiff_t(c0 + j) * 4, out_row + size_t(j) * k.out_pixel_stride, b);
      };
      for (int j = 0; j < j_lo; ++j) column(j);
      t.kx_lo = 0;
      t.kx_hi = nm;
      RunRow(slice_tile, fns, k, j_hi - j_lo, in_row + ptrdiff_t(c0 + j_lo) * 4, 4,
             out_row + size_t(j_lo) * k.out_pixel_stride, t);
      for (int j = j_hi; j < J; ++j) column(j);
    }
  }
}

}  // namespace

void RunConvGemm(const ConvGemm& conv, const float* in, float* out, const OutputRange& range, const StoreOps& store) {
  if (range.empty()) return;
  const ConvGeometry& g = conv.geometry();
  const PackedPanels& panels = conv.weights();
  const size_t in_plane = size_t(g.in.h) * size_t(g.in.w) * 4, out_plane = size_t(g.out.h) * size_t(g.out.w) * 4;
  const int S_in = g.in.slices();
  const int ps = conv.flat() || g.transposed ? 4 : g.stride_w * 4;
  const bool one_pixel = g.out.h == 1 && g.out.w == 1;  // a GEMV: GemvTile (gemm_tile-inl.h)
  const auto& fns = one_pixel ? (ps == 4 ? GemvTileTable<4>::fn : ps == 8 ? GemvTileTable<8>::fn : GemvTileTable<0>::fn)
                              : (ps == 4 ? TileTable<4>::fn : ps == 8 ? TileTable<8>::fn : TileTable<0>::fn);

  TileArgs base;
  base.in_plane = in_plane;
  base.in_slices = S_in;
  base.last_slice_lanes = g.in.c - 4 * (S_in - 1);
  base.tap_dy = ptrdiff_t(g.dilation_h) * g.in.w * 4;
  base.tap_dx = ptrdiff_t(g.dilation_w) * 4;
  base.w_kx = size_t(S_in) * 4 * kPanelWidth;
  base.w_ky = size_t(g.kw) * base.w_kx;
  base.pixel_stride = ps;
  base.out_plane = out_plane;
  base.activation = g.activation;
  base.operand_activation = store.operand_activation;

  const int p_lo = range.slice_begin / kPanelSlices, p_hi = CeilDiv(range.slice_end, kPanelSlices);
  const int group = int(std::max<size_t>(1, kWeightBlockBytes / panels.bytes_per_panel()));
  // Block of the M dimension: pixels (flat) or output rows whose input fits the budget.
  const size_t px_bytes = size_t(S_in) * 16;
  const int px_block = int(std::max<size_t>(size_t(kMaxMR), kInputBlockBytes / px_bytes));
  const size_t in_row_bytes = px_bytes * size_t(g.in.w) * size_t(g.stride_h);
  const int row_block = int(std::max<size_t>(1, kInputBlockBytes / std::max<size_t>(1, in_row_bytes)));

  for (int b = 0; b < g.out.n; ++b) {
    const float* in_b = in + g.in.offset(b, 0, 0, 0);
    float* out_b = out + g.out.offset(b, 0, 0, 0);
    const float* operand_b = store.operand ? store.operand + g.out.offset(b, 0, 0, 0) : nullptr;
    for (int pg = p_lo; pg < p_hi; pg += group) {
      const int pg_end = std::min(p_hi, pg + group);
      const int m_begin = conv.flat() ? range.row_begin * g.out.w : range.row_begin;
      const int m_end = conv.flat() ? range.row_end * g.out.w : range.row_end;
      const int m_step = conv.flat() ? px_block : row_block;
      for (int m = m_begin; m < m_end; m += m_step) {
        const int m_stop = std::min(m_end, m + m_step);
        for (int p = pg; p < pg_end; ++p) {
          const int s_first = p * kPanelSlices;
          const int a = std::max(range.slice_begin, s_first) - s_first;
          const int e = std::min(range.slice_end, s_first + kPanelSlices) - s_first;
          const int v_lo = a / kVecSlices, v_hi = CeilDiv(e, kVecSlices);
          for (int v0 = v_lo; v0 < v_hi; v0 += kMaxNV) {
            const int nv = std::min(kMaxNV, v_hi - v0);
            const int s0 = s_first + v0 * kVecSlices;
            TileArgs k = base;
            k.in = in_b;
            k.w = panels.panel(p) + v0 * kLanes;
            k.bias = conv.bias() + size_t(s0) * 4;
            k.out = out_b + size_t(s0) * out_plane;
            if (operand_b) k.operand = operand_b + size_t(s0) * out_plane;
            if (store.alpha) k.alpha = store.alpha + size_t(s0) * 4;
            k.store_lo = s_first + a - s0;
            k.store_hi = s_first + e - s0;
            k.valid_channels = g.out.c - 4 * s0;
            const auto& row = fns[size_t(nv - 1)];
            // A one-vector group: SliceTiles over its slices up to the range's last (gemm_tile-inl.h).
            const int slice_tile = nv == 1 ? std::min(kVecSlices, k.store_hi) : 0;
            if (conv.flat()) {
              RunRow(slice_tile, row, k, m_stop - m, ptrdiff_t(m) * 4, 4, size_t(m) * 4, TapWindow{});
            } else if (g.transposed) {
              TransposeRows(g, row, k, m, m_stop, slice_tile);
            } else {
              ConvRows(g, row, k, m, m_stop, slice_tile);
            }
          }
        }
      }
    }
  }
}

#endif  // HWY_TARGET == HWY_SCALAR
}  // namespace hetsched::cpu::gemm::HWY_NAMESPACE
HWY_AFTER_NAMESPACE();

#if HWY_ONCE
namespace hetsched::cpu::gemm {
HWY_EXPORT(RunConvGemm);
void ConvGemm::run(const float* in, float* out, const OutputRange& range, const StoreOps& store) const {
  HWY_DYNAMIC_DISPATCH(RunConvGemm)(*this, in, out, range, store);
}
}  // namespace hetsched::cpu::gemm
#endif
