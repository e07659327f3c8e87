// TRANSPOSE_CONV on PHWC4, in gather form so that any output range can be computed alone:
//   out[y,x,o] = act(bias[o] + sum over taps with y + pt - ky = iy*sh, x + pl - kx = ix*sw of
//                in[iy,ix,:] . w[o,ky,kx,:])
// Output row y uses the ky of one phase ((y+pt) mod sh); output columns of one phase
// x = ph + j*sw use the kx = kx0 + m*sw and read ix = c0 + j - m: consecutive j read consecutive
// input pixels, so a register block of 4 such pixels x 2 output slices runs convk::accumulate
// like CONV_2D (weights packed the same way, [out slice][KH][KW][in slice][4 in][4 out]).
#include "cpu/kernels/transpose_conv.h"

#include <algorithm>

#include "cpu/kernels/conv2d_common.h"

namespace hetsched::cpu {
namespace {

using convk::v4;

class TransposeConvKernel final : public CpuKernel {
 public:
  TransposeConvKernel(const Graph& graph, const Op& op) : data_(graph, op, 0) {
    const auto& a = op.attrs<TransposeConvAttributes>();
    in_ = graph.tensors[size_t(op.inputs[0])].shape4();
    out_ = graph.tensors[size_t(op.outputs[0])].shape4();
    const Tensor& wt = graph.tensors[size_t(op.inputs[1])];
    kh_ = wt.shape[1];
    kw_ = wt.shape[2];
    sh_ = a.stride_h;
    sw_ = a.stride_w;
    pt_ = a.pads.top;
    pl_ = a.pads.left;
    act_ = a.activation;
    s_in_ = in_.slices();
    const int O = out_.c, I = in_.c;
    const std::span<const float> w = wt.f32();
    w_os_stride_ = size_t(kh_) * kw_ * s_in_ * 16;
    w_ = convk::pack_ohwi_blocks(w, O, kh_, kw_, I);
    bias_ = convk::pack_bias(graph, op, 2, O);
  }

  void run(std::span<const ConstView> inputs, const MutableView& output, const OutputRange& range) const override {
    if (range.empty()) return;
    const float* in = data_.get(inputs);
    for (int b = 0; b < out_.n; ++b) {
      const float* inb = in + in_.offset(b, 0, 0, 0);
      int os = range.slice_begin;
      for (; os + 2 <= range.slice_end; os += 2) slices<2>(inb, output.data, b, os, range);
      if (os < range.slice_end) slices<1>(inb, output.data, b, os, range);
    }
  }

 private:
  template <int OS>
  void slices(const float* inb, float* out, int b, int os, const OutputRange& range) const {
    for (int y = range.row_begin; y < range.row_end; ++y) {
      for (int ph = 0; ph < sw_ && ph < out_.w; ++ph) {
        const int kx0 = (ph + pl_) % sw_;  // ph + pl_ >= 0
        const int c0 = (ph + pl_) / sw_;   // ix = c0 + j - m for kx = kx0 + m*sw
        const int nm = kx0 < kw_ ? (kw_ - kx0 + sw_ - 1) / sw_ : 0;
        const int J = (out_.w - ph + sw_ - 1) / sw_;
        const int j_lo = std::min(J, std::max(0, nm - 1 - c0));
        const int j_hi = std::max(j_lo, std::min(J, in_.w - c0));
        int j = 0;
        for (; j < j_lo; ++j) pixels<1, OS>(inb, out, b, os, y, ph, j, kx0, c0, clip_lo(c0, j), clip_hi(c0, j, nm));
        for (; j + 4 <= j_hi; j += 4) pixels<4, OS>(inb, out, b, os, y, ph, j, kx0, c0, 0, nm);
        for (; j < j_hi; ++j) pixels<1, OS>(inb, out, b, os, y, ph, j, kx0, c0, 0, nm);
        for (; j < J; ++j) pixels<1, OS>(inb, out, b, os, y, ph, j, kx0, c0, clip_lo(c0, j), clip_hi(c0, j, nm));
      }
    }
  }

  // The m range [lo, hi) whose ix = c0 + j - m lies in [0, W).
  int clip_lo(int c0, int j) const { return std::max(0, c0 + j - in_.w + 1); }
  int clip_hi(int c0, int j, int nm) const { return std::max(0, std::min(nm, c0 + j + 1)); }

  // PX output pixels x = ph + (j + p) * sw of row y, kx = kx0 + m*sw for m in [m_lo, m_hi).
  template <int PX, int OS>
  void pixels(const float* inb, float* out, int b, int os, int y, int ph, int j, int kx0, int c0, int m_lo,
              int m_hi) const {
    v4 acc[OS][PX];
    for (int o = 0; o < OS; ++o)
      for (int p = 0; p < PX; ++p) acc[o][p] = convk::load4(&bias_[size_t(os + o) * 4]);
    const size_t plane = size_t(in_.h) * in_.w * 4;
    const float* wb = w_.data() + size_t(os) * w_os_stride_;
    const int t0 = y + pt_;  // t0 - ky = iy * sh
    for (int ky = t0 % sh_; ky < kh_ && ky <= t0; ky += sh_) {
      const int iy = (t0 - ky) / sh_;
      if (iy >= in_.h) continue;
      for (int m = m_lo; m < m_hi; ++m) {
        const int kx = kx0 + m * sw_;
        const int ix = c0 + j - m;
        convk::accumulate<PX, OS>(acc, inb + (size_t(iy) * in_.w + size_t(ix)) * 4, plane, 4,
                                  wb + (size_t(ky) * kw_ + kx) * s_in_ * 16, w_os_stride_, s_in_);
      }
    }
    for (int o = 0; o < OS; ++o) {
      const int lanes = convk::valid_lanes(os + o, out_.c);
      for (int p = 0; p < PX; ++p)
        convk::store_output(out + out_.offset(b, os + o, y, ph + (j + p) * sw_), acc[o][p], act_, lanes);
    }
  }

  convk::DataInput data_;
  Shape4 in_, out_;
  int kh_ = 1, kw_ = 1, sh_ = 1, sw_ = 1, pt_ = 0, pl_ = 0, s_in_ = 1;
  Activation act_ = Activation::kNone;
  size_t w_os_stride_ = 0;
  std::vector<float> w_, bias_;
};

}  // namespace

std::unique_ptr<CpuKernel> make_transpose_conv_kernel(const Graph& graph, const Op& op) {
  return std::make_unique<TransposeConvKernel>(graph, op);
}

}  // namespace hetsched::cpu
