// Winograd F(2x2,3x3) CONV_2D on PHWC4 (Highway, dispatched at run time). Output tiles of 2x2
// pixels anchored at even rows and columns; per tile row: the 4 input rows it reads are copied once
// with their zero padding, then per block of kTiles tiles along x:
//   1. input transform  V[pos][in slice][tile][4] = B^T d B   (d: the 4x4 input tile, pos = 16 points)
//   2. 16 products      M[pos][tile][out]      = sum_in V[pos][..][in] * U[pos][in][out]
//      (U = G g G^T, transformed once at creation; a vector of G output slices per accumulator)
//   3. output transform Y = A^T M A (2x2), + bias, activation, store of the rows and slices in range.
// A tile straddling the range boundary is computed whole and stored partially; the arithmetic of a
// tile does not depend on the range, so partial results are bit-identical to the full run.
#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "cpu/kernels/conv2d_winograd.cpp"
#include "hwy/foreach_target.h"  // IWYU pragma: keep
#include "hwy/highway.h"

#include <algorithm>
#include <cstring>
#include <vector>

#include "cpu/kernels/conv2d_common.h"
#include "graph/activation.h"
#include "graph/phwc4.h"

#ifndef HETSCHED_CONV2D_WINOGRAD_PARAMS
#define HETSCHED_CONV2D_WINOGRAD_PARAMS
namespace hetsched::cpu {
// One Winograd conv. u: [16][group][in slice][4 in lanes][G*4 out channels] (G output slices per
// group, the dispatched vector width / 4); bias: zero-padded to whole groups.
struct WinogradParams {
  Shape4 in, out;
  int pad_top = 0, pad_left = 0, groups = 0;
  Activation activation = Activation::kNone;
  const float* u = nullptr;
  const float* bias = nullptr;
};
}  // namespace hetsched::cpu
#endif

HWY_BEFORE_NAMESPACE();
namespace hetsched::cpu::HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;

constexpr int kTiles = 8;  // tiles per register block of the products
// Output channels per group: one vector (4 on the 1-lane scalar target, as 4 vectors).
constexpr size_t kGroupFloats = HWY_LANES(float) >= 4 ? HWY_LANES(float) : 4;
constexpr int kVecs = int(kGroupFloats / std::min<size_t>(HWY_LANES(float), kGroupFloats));  // vectors per group

int vector_slices() { return int(kGroupFloats / 4); }

namespace {

// 4x4 input tile at `base` (row stride `row` floats) -> 16 transformed 4-float vectors at v (stride vs).
HWY_INLINE void input_transform(const float* base, size_t row, float* v, size_t vs) {
  using conv_kernels::v4;
  v4 x[4][4], r[4][4];
  for (int i = 0; i < 4; ++i)
    for (int j = 0; j < 4; ++j) x[i][j] = conv_kernels::load4(base + size_t(i) * row + size_t(j) * 4);
  for (int j = 0; j < 4; ++j) {  // B^T d
    r[0][j] = x[0][j] - x[2][j];
    r[1][j] = x[1][j] + x[2][j];
    r[2][j] = x[2][j] - x[1][j];
    r[3][j] = x[1][j] - x[3][j];
  }
  for (int i = 0; i < 4; ++i) {  // (B^T d) B
    conv_kernels::store4(v + size_t(i * 4 + 0) * vs, r[i][0] - r[i][2]);
    conv_kernels::store4(v + size_t(i * 4 + 1) * vs, r[i][1] + r[i][2]);
    conv_kernels::store4(v + size_t(i * 4 + 2) * vs, r[i][2] - r[i][1]);
    conv_kernels::store4(v + size_t(i * 4 + 3) * vs, r[i][1] - r[i][3]);
  }
}

template <class D>
HWY_INLINE hn::Vec<D> clamp_activation(D d, hn::Vec<D> v, Activation a) {
  switch (a) {
    case Activation::kRelu: return hn::Max(v, hn::Zero(d));
    case Activation::kRelu6: return hn::Min(hn::Max(v, hn::Zero(d)), hn::Set(d, 6.0f));
    case Activation::kReluN1To1: return hn::Min(hn::Max(v, hn::Set(d, -1.0f)), hn::Set(d, 1.0f));
    default: return v;  // kNone; tanh and sigmoid per value after
  }
}

}  // namespace

void winograd_rows(const WinogradParams& p, const float* in, float* out, int b, const OutputRange& range) {
  const hn::ScalableTag<float> d;
  using V = hn::Vec<decltype(d)>;
  const size_t N = kGroupFloats, VL = hn::Lanes(d);
  const int G = int(N / 4);
  const int s_in = p.in.slices(), H = p.in.h, W = p.in.w, OH = p.out.h, OW = p.out.w;
  const int tiles_x = (OW + 1) / 2;
  const int pw = 2 * tiles_x + 2;  // padded row width in pixels; column j is input column j - pad_left
  const size_t pad_row = size_t(pw) * 4;
  thread_local std::vector<float> padded, vt, mt;
  padded.resize(size_t(s_in) * 4 * pad_row);
  vt.resize(size_t(16) * s_in * kTiles * 4);
  mt.resize(size_t(16) * kTiles * N);
  const bool scalar_act = p.activation == Activation::kTanh || p.activation == Activation::kSigmoid;
  const int g_begin = range.slice_begin / G, g_end = (range.slice_end + G - 1) / G;
  const size_t u_pos_stride = size_t(p.groups) * s_in * 4 * N;
  alignas(64) float y[4][64];  // the 2x2 outputs of one tile, one group (N <= 64 floats)

  for (int ty = range.row_begin / 2; ty <= (range.row_end - 1) / 2; ++ty) {
    // The 4 input rows of the tile row, zero-padded.
    for (int is = 0; is < s_in; ++is)
      for (int i = 0; i < 4; ++i) {
        float* dst = padded.data() + (size_t(is) * 4 + size_t(i)) * pad_row;
        const int iy = 2 * ty - p.pad_top + i;
        std::fill(dst, dst + pad_row, 0.0f);
        if (iy < 0 || iy >= H) continue;
        const int j0 = std::max(0, p.pad_left), j1 = std::min(pw, W + p.pad_left);
        if (j1 > j0)
          std::memcpy(dst + size_t(j0) * 4, in + p.in.offset(b, is, iy, j0 - p.pad_left), size_t(j1 - j0) * 16);
      }
    for (int tx0 = 0; tx0 < tiles_x; tx0 += kTiles) {
      const int nt = std::min(kTiles, tiles_x - tx0);
      if (nt < kTiles) std::fill(vt.begin(), vt.end(), 0.0f);
      // 1. V[pos][is][t][4].
      for (int is = 0; is < s_in; ++is)
        for (int t = 0; t < nt; ++t)
          input_transform(padded.data() + size_t(is) * 4 * pad_row + size_t(2 * (tx0 + t)) * 4, pad_row,
                          vt.data() + (size_t(is) * kTiles + size_t(t)) * 4, size_t(s_in) * kTiles * 4);
      for (int g = g_begin; g < g_end; ++g) {
        // 2. M[pos][t][N] = sum over input slices and lanes.
        for (int pos = 0; pos < 16; ++pos) {
          V acc[kTiles][kVecs];
          for (int t = 0; t < kTiles; ++t)
            for (int k = 0; k < kVecs; ++k) acc[t][k] = hn::Zero(d);
          const float* up = p.u + size_t(pos) * u_pos_stride + size_t(g) * s_in * 4 * N;
          const float* vp = vt.data() + size_t(pos) * s_in * kTiles * 4;
          for (int is = 0; is < s_in; ++is)
            for (int l = 0; l < 4; ++l) {
              V w[kVecs];
              for (int k = 0; k < kVecs; ++k) w[k] = hn::LoadU(d, up + (size_t(is) * 4 + size_t(l)) * N + size_t(k) * VL);
              const float* vl = vp + size_t(is) * kTiles * 4 + size_t(l);
              for (int t = 0; t < kTiles; ++t) {
                const V x = hn::Set(d, vl[size_t(t) * 4]);
                for (int k = 0; k < kVecs; ++k) acc[t][k] = hn::MulAdd(x, w[k], acc[t][k]);
              }
            }
          for (int t = 0; t < kTiles; ++t)
            for (int k = 0; k < kVecs; ++k)
              hn::StoreU(acc[t][k], d, mt.data() + (size_t(pos) * kTiles + size_t(t)) * N + size_t(k) * VL);
        }
        // 3. Output transform and store, per tile.
        for (int t = 0; t < nt; ++t) {
          for (int k = 0; k < kVecs; ++k) {
            const size_t o = size_t(k) * VL;
            const V bias = hn::LoadU(d, p.bias + size_t(g) * N + o);
            V m[4][4], a[2][4];
            for (int pos = 0; pos < 16; ++pos)
              m[pos / 4][pos % 4] = hn::LoadU(d, mt.data() + (size_t(pos) * kTiles + size_t(t)) * N + o);
            for (int j = 0; j < 4; ++j) {  // A^T M
              a[0][j] = hn::Add(hn::Add(m[0][j], m[1][j]), m[2][j]);
              a[1][j] = hn::Sub(hn::Sub(m[1][j], m[2][j]), m[3][j]);
            }
            for (int r = 0; r < 2; ++r) {  // (A^T M) A
              const V y0 = hn::Add(hn::Add(hn::Add(a[r][0], a[r][1]), a[r][2]), bias);
              const V y1 = hn::Add(hn::Sub(hn::Sub(a[r][1], a[r][2]), a[r][3]), bias);
              hn::StoreU(clamp_activation(d, y0, p.activation), d, y[r * 2 + 0] + o);
              hn::StoreU(clamp_activation(d, y1, p.activation), d, y[r * 2 + 1] + o);
            }
          }
          const int tx = tx0 + t;
          for (int k = 0; k < 4; ++k) {
            const int oy = 2 * ty + k / 2, ox = 2 * tx + k % 2;
            if (oy < range.row_begin || oy >= range.row_end || oy >= OH || ox >= OW) continue;
            for (int gs = 0; gs < G; ++gs) {
              const int s = g * G + gs;
              if (s < range.slice_begin || s >= range.slice_end) continue;
              float* dst = out + p.out.offset(b, s, oy, ox);
              for (int l = 0; l < 4; ++l) {
                const float v = y[k][gs * 4 + l];
                dst[l] = 4 * s + l >= p.out.c ? 0.0f : scalar_act ? apply_activation(p.activation, v) : v;
              }
            }
          }
        }
      }
    }
  }
}

}  // namespace hetsched::cpu::HWY_NAMESPACE
HWY_AFTER_NAMESPACE();

#if HWY_ONCE
#include "base/error.h"
#include "cpu/kernels/conv2d_common.h"
#include "cpu/kernels/conv2d_winograd.h"

namespace hetsched::cpu {
HWY_EXPORT(vector_slices);
HWY_EXPORT(winograd_rows);

bool winograd_applies(const Graph& graph, const Op& op) {
  if (op.type != OpType::kConv2D) return false;
  const auto& a = op.attrs<Conv2DAttributes>();
  const Tensor& wt = graph.tensors[size_t(op.inputs[1])];
  return wt.shape.size() == 4 && wt.shape[1] == 3 && wt.shape[2] == 3 && a.stride_h == 1 && a.stride_w == 1 &&
         a.dilation_h == 1 && a.dilation_w == 1 && wt.is_constant;
}

bool winograd_pays(const Graph& graph, const Op& op) {
  if (!winograd_applies(graph, op)) return false;
  const Shape4 in = graph.tensors[size_t(op.inputs[0])].shape4();
  const Shape4 out = graph.tensors[size_t(op.outputs[0])].shape4();
  // bench/conv_kernels_bench.cpp against the packed-GEMM direct conv (AVX-512, 1 thread,
  // 2026-11-23): Winograd F(2x2,3x3) wins only with >= 64 channels on both sides on 14x14..56x56
  // maps (0.76x at 14x14x256 and 16x16x64, 0.97x at 56x56x64); it loses on small channel counts
  // (1.2-2.2x) and on 7x7x512 (2.2x: the transforms outweigh the saved multiplies).
  return std::min(in.c, out.c) >= 64 && out.h >= 14 && out.w >= 14 && out.h * out.w <= 56 * 56;
}

namespace {

class WinogradKernel final : public CpuKernel {
 public:
  WinogradKernel(const Graph& graph, const Op& op) : data_(graph, op, 0) {
    if (!winograd_applies(graph, op))
      fail(ErrorKind::kUnsupported, "model '{}': {} is not a 3x3 stride-1 undilated conv (Winograd F(2x2,3x3))",
           graph.model_name, graph.describe(op));
    const auto& a = op.attrs<Conv2DAttributes>();
    p_.in = graph.tensors[size_t(op.inputs[0])].shape4();
    p_.out = graph.tensors[size_t(op.outputs[0])].shape4();
    p_.pad_top = a.pads.top;
    p_.pad_left = a.pads.left;
    p_.activation = a.activation;
    const int O = p_.out.c, I = p_.in.c, s_in = p_.in.slices();
    const int G = HWY_DYNAMIC_DISPATCH(vector_slices)();
    const size_t N = size_t(G) * 4;
    p_.groups = (p_.out.slices() + G - 1) / G;
    // U[pos][g][is][l][n] = (G w G^T)[pos] for out channel g*N + n, in channel 4*is + l (in double).
    const std::span<const float> w = graph.tensors[size_t(op.inputs[1])].f32();
    static constexpr double kG[4][3] = {{1, 0, 0}, {0.5, 0.5, 0.5}, {0.5, -0.5, 0.5}, {0, 0, 1}};
    u_.assign(size_t(16) * p_.groups * s_in * 4 * N, 0.0f);
    for (int o = 0; o < O; ++o)
      for (int i = 0; i < I; ++i) {
        double gw[4][3];  // G g
        for (int r = 0; r < 4; ++r)
          for (int c = 0; c < 3; ++c) {
            gw[r][c] = 0;
            for (int k = 0; k < 3; ++k) gw[r][c] += kG[r][k] * double(w[((size_t(o) * 3 + size_t(k)) * 3 + size_t(c)) * size_t(I) + size_t(i)]);
          }
        for (int r = 0; r < 4; ++r)
          for (int c = 0; c < 4; ++c) {
            double v = 0;
            for (int k = 0; k < 3; ++k) v += gw[r][k] * kG[c][k];
            const size_t pos = size_t(r) * 4 + size_t(c);
            const size_t at = (((pos * size_t(p_.groups) + size_t(o) / N) * size_t(s_in) + size_t(i / 4)) * 4 + size_t(i % 4)) * N + size_t(o) % N;
            u_[at] = float(v);
          }
      }
    bias_ = conv_kernels::pack_bias(graph, op, 2, O);
    bias_.resize(size_t(p_.groups) * N, 0.0f);
    p_.u = u_.data();
    p_.bias = bias_.data();
  }

  void run(std::span<const ConstView> inputs, const MutableView& output, const OutputRange& range) const override {
    if (range.empty()) return;
    const float* in = data_.get(inputs);
    for (int b = 0; b < p_.out.n; ++b) HWY_DYNAMIC_DISPATCH(winograd_rows)(p_, in, output.data, b, range);
  }

 private:
  conv_kernels::DataInput data_;
  WinogradParams p_;
  std::vector<float> u_, bias_;
};

}  // namespace

std::unique_ptr<CpuKernel> create_conv2d_winograd_kernel(const Graph& graph, const Op& op) {
  return std::make_unique<WinogradKernel>(graph, op);
}

}  // namespace hetsched::cpu
#endif
