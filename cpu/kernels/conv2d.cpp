// CONV_2D on PHWC4. Weights are packed once as [out slice][KH][KW][in slice][4 in][4 out], so the
// inner loop is the 4x4 block of convk::accumulate over a register block of 4 output pixels x 2
// output slices. Per output row, the taps that fall in the input are resolved once (ky range);
// interior pixels (every kx inside) run without bounds checks, border pixels clip their kx range.
// A 1x1, stride 1, unpadded conv is a GEMM over the flat pixels of the row range.
#include "cpu/kernels/conv2d.h"

#include <algorithm>

#include "cpu/kernels/conv2d_common.h"

namespace hetsched::cpu {
namespace {

using convk::v4;

int floor_div(int a, int b) { return a >= 0 ? a / b : -((-a + b - 1) / b); }
int ceil_div(int a, int b) { return -floor_div(-a, b); }

class Conv2DKernel final : public CpuKernel {
 public:
  Conv2DKernel(const Graph& graph, const Op& op) : data_(graph, op, 0) {
    const auto& a = op.attrs<Conv2DAttributes>();
    in_ = graph.tensors[size_t(op.inputs[0])].shape4();
    out_ = graph.tensors[size_t(op.outputs[0])].shape4();
    const Tensor& wt = graph.tensors[size_t(op.inputs[1])];
    kh_ = wt.shape[1];
    kw_ = wt.shape[2];
    sh_ = a.stride_h;
    sw_ = a.stride_w;
    dh_ = a.dilation_h;
    dw_ = a.dilation_w;
    pt_ = a.pads.top;
    pl_ = a.pads.left;
    act_ = a.activation;
    s_in_ = in_.slices();
    flat_1x1_ = kh_ == 1 && kw_ == 1 && sh_ == 1 && sw_ == 1 && pt_ == 0 && pl_ == 0 && in_.h == out_.h &&
                in_.w == out_.w;
    // Pack [os][ky][kx][is][l][ol].
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
  // Output slices [os, os+OS) of rows `range` of batch b.
  template <int OS>
  void slices(const float* inb, float* out, int b, int os, const OutputRange& range) const {
    if (flat_1x1_) return flat<OS>(inb, out, b, os, range);
    const int W = in_.w, OW = out_.w;
    // Interior x: every kx tap inside the input.
    int x_lo = std::min(OW, ceil_div(pl_, sw_));
    int x_hi = std::clamp(floor_div(W - 1 + pl_ - (kw_ - 1) * dw_, sw_) + 1, 0, OW);
    if (x_hi < x_lo) x_hi = x_lo;
    for (int y = range.row_begin; y < range.row_end; ++y) {
      const int ky_lo = std::max(0, ceil_div(pt_ - y * sh_, dh_));
      const int ky_hi = std::min(kh_, floor_div(in_.h - 1 - y * sh_ + pt_, dh_) + 1);
      for (int x = 0; x < x_lo; ++x) border<OS>(inb, out, b, os, y, x, ky_lo, ky_hi);
      int x = x_lo;
      for (; x + 4 <= x_hi; x += 4) block<4, OS>(inb, out, b, os, y, x, ky_lo, ky_hi, 0, kw_);
      for (; x < x_hi; ++x) block<1, OS>(inb, out, b, os, y, x, ky_lo, ky_hi, 0, kw_);
      for (x = x_hi; x < OW; ++x) border<OS>(inb, out, b, os, y, x, ky_lo, ky_hi);
    }
  }

  template <int OS>
  void border(const float* inb, float* out, int b, int os, int y, int x, int ky_lo, int ky_hi) const {
    const int kx_lo = std::max(0, ceil_div(pl_ - x * sw_, dw_));
    const int kx_hi = std::min(kw_, floor_div(in_.w - 1 - x * sw_ + pl_, dw_) + 1);
    block<1, OS>(inb, out, b, os, y, x, ky_lo, ky_hi, kx_lo, kx_hi);
  }

  // PX output pixels from x of row y, taps ky in [ky_lo, ky_hi) x kx in [kx_lo, kx_hi).
  template <int PX, int OS>
  void block(const float* inb, float* out, int b, int os, int y, int x, int ky_lo, int ky_hi, int kx_lo,
             int kx_hi) const {
    v4 acc[OS][PX];
    for (int o = 0; o < OS; ++o)
      for (int p = 0; p < PX; ++p) acc[o][p] = convk::load4(&bias_[size_t(os + o) * 4]);
    const size_t plane = size_t(in_.h) * in_.w * 4;
    const float* wb = w_.data() + size_t(os) * w_os_stride_;
    for (int ky = ky_lo; ky < ky_hi; ++ky) {
      const int iy = y * sh_ - pt_ + ky * dh_;
      for (int kx = kx_lo; kx < kx_hi; ++kx) {
        const int ix = x * sw_ - pl_ + kx * dw_;
        convk::accumulate<PX, OS>(acc, inb + (size_t(iy) * in_.w + size_t(ix)) * 4, plane, size_t(sw_) * 4,
                                  wb + (size_t(ky) * kw_ + kx) * s_in_ * 16, w_os_stride_, s_in_);
      }
    }
    for (int o = 0; o < OS; ++o) {
      const int lanes = convk::valid_lanes(os + o, out_.c);
      for (int p = 0; p < PX; ++p) convk::store_output(out + out_.offset(b, os + o, y, x + p), acc[o][p], act_, lanes);
    }
  }

  // 1x1 stride 1 unpadded: the rows of the range are one run of contiguous pixels.
  template <int OS>
  void flat(const float* inb, float* out, int b, int os, const OutputRange& range) const {
    const size_t plane = size_t(in_.h) * in_.w * 4;
    const int q_end = range.row_end * out_.w;
    int q = range.row_begin * out_.w;
    for (; q + 4 <= q_end; q += 4) flat_block<4, OS>(inb, out, plane, b, os, q);
    for (; q < q_end; ++q) flat_block<1, OS>(inb, out, plane, b, os, q);
  }

  template <int PX, int OS>
  void flat_block(const float* inb, float* out, size_t plane, int b, int os, int q) const {
    v4 acc[OS][PX];
    for (int o = 0; o < OS; ++o)
      for (int p = 0; p < PX; ++p) acc[o][p] = convk::load4(&bias_[size_t(os + o) * 4]);
    convk::accumulate<PX, OS>(acc, inb + size_t(q) * 4, plane, 4, w_.data() + size_t(os) * w_os_stride_, w_os_stride_,
                              s_in_);
    for (int o = 0; o < OS; ++o) {
      const int lanes = convk::valid_lanes(os + o, out_.c);
      float* dst = out + out_.offset(b, os + o, 0, 0) + size_t(q) * 4;
      for (int p = 0; p < PX; ++p) convk::store_output(dst + size_t(p) * 4, acc[o][p], act_, lanes);
    }
  }

  convk::DataInput data_;
  Shape4 in_, out_;
  int kh_ = 1, kw_ = 1, sh_ = 1, sw_ = 1, dh_ = 1, dw_ = 1, pt_ = 0, pl_ = 0, s_in_ = 1;
  bool flat_1x1_ = false;
  Activation act_ = Activation::kNone;
  size_t w_os_stride_ = 0;
  std::vector<float> w_, bias_;
};

}  // namespace

std::unique_ptr<CpuKernel> make_conv2d_kernel(const Graph& graph, const Op& op) {
  return std::make_unique<Conv2DKernel>(graph, op);
}

}  // namespace hetsched::cpu
