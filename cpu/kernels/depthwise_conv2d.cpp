// DEPTHWISE_CONV_2D on PHWC4. Weights packed as [slice][KH][KW][4]. With depth_multiplier 1, output
// slice s reads input slice s: the Highway loops of depthwise_conv2d_simd.cpp. With a multiplier
// M > 1, output lane l of slice s reads input channel (4s+l)/M: the 4 lanes are gathered through
// per-lane offsets, one pixel at a time (border pixels clip their taps).
#include "cpu/kernels/depthwise_conv2d.h"

#include <algorithm>

#include "cpu/kernels/conv2d_common.h"
#include "cpu/kernels/depthwise_conv2d_simd.h"

namespace hetsched::cpu {
namespace {

using conv_kernels::v4;

int floor_div(int a, int b) { return a >= 0 ? a / b : -((-a + b - 1) / b); }
int ceil_div(int a, int b) { return -floor_div(-a, b); }

class DepthwiseKernel final : public CpuKernel {
 public:
  DepthwiseKernel(const Graph& graph, const Op& op) : data_(graph, op, 0) {
    const auto& a = op.attrs<DepthwiseConv2DAttributes>();
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
    const int O = out_.c, M = O / in_.c;
    gather_ = M != 1;
    const std::span<const float> w = wt.f32();
    w_.assign(size_t(out_.slices()) * kh_ * kw_ * 4, 0.0f);
    for (int k = 0; k < kh_ * kw_; ++k)
      for (int o = 0; o < O; ++o) w_[(size_t(o / 4) * kh_ * kw_ + size_t(k)) * 4 + size_t(o % 4)] = w[size_t(k) * O + size_t(o)];
    bias_ = conv_kernels::pack_bias(graph, op, 2, O);
    // Per output channel: the float offset of its input channel within a pixel's slice planes.
    const size_t plane = size_t(in_.h) * in_.w * 4;
    lane_offset_.assign(size_t(out_.slices()) * 4, 0);
    for (int o = 0; o < O; ++o) {
      const int c = o / M;
      lane_offset_[size_t(o)] = size_t(c / 4) * plane + size_t(c % 4);
    }
  }

  bool slices_first() const override { return true; }

  void run(std::span<const ConstView> inputs, const MutableView& output, const OutputRange& range) const override {
    if (range.empty()) return;
    const float* in = data_.get(inputs);
    if (!gather_) {
      DepthwiseParams p{in_, out_, kh_, kw_, sh_, sw_, dh_, dw_, pt_, pl_, act_, w_.data(), bias_.data()};
      for (int b = 0; b < out_.n; ++b) depthwise_rows(p, in, output.data, b, range);
      return;
    }
    for (int b = 0; b < out_.n; ++b) {
      const float* inb = in + in_.offset(b, 0, 0, 0);
      for (int s = range.slice_begin; s < range.slice_end; ++s)
        for (int y = range.row_begin; y < range.row_end; ++y) {
          const int ky_lo = std::max(0, ceil_div(pt_ - y * sh_, dh_));
          const int ky_hi = std::min(kh_, floor_div(in_.h - 1 - y * sh_ + pt_, dh_) + 1);
          for (int x = 0; x < out_.w; ++x) gathered(inb, output.data, b, s, y, x, ky_lo, ky_hi);
        }
    }
  }

 private:
  // One output pixel of multiplier M > 1: taps clipped to the input.
  void gathered(const float* inb, float* out, int b, int s, int y, int x, int ky_lo, int ky_hi) const {
    const int kx_lo = std::max(0, ceil_div(pl_ - x * sw_, dw_));
    const int kx_hi = std::min(kw_, floor_div(in_.w - 1 - x * sw_ + pl_, dw_) + 1);
    v4 acc = conv_kernels::load4(&bias_[size_t(s) * 4]);
    const size_t* lo = &lane_offset_[size_t(s) * 4];
    for (int ky = ky_lo; ky < ky_hi; ++ky) {
      const int iy = y * sh_ - pt_ + ky * dh_;
      for (int kx = kx_lo; kx < kx_hi; ++kx) {
        const int ix = x * sw_ - pl_ + kx * dw_;
        const v4 wv = conv_kernels::load4(&w_[((size_t(s) * kh_ + ky) * kw_ + kx) * 4]);
        const float* px = inb + (size_t(iy) * in_.w + size_t(ix)) * 4;
        acc += v4{px[lo[0]], px[lo[1]], px[lo[2]], px[lo[3]]} * wv;
      }
    }
    conv_kernels::store_output(out + out_.offset(b, s, y, x), acc, act_, conv_kernels::valid_lanes(s, out_.c));
  }

  conv_kernels::DataInput data_;
  Shape4 in_, out_;
  int kh_ = 1, kw_ = 1, sh_ = 1, sw_ = 1, dh_ = 1, dw_ = 1, pt_ = 0, pl_ = 0;
  bool gather_ = false;
  Activation act_ = Activation::kNone;
  std::vector<float> w_, bias_;
  std::vector<size_t> lane_offset_;
};

}  // namespace

std::unique_ptr<CpuKernel> create_depthwise_conv2d_kernel(const Graph& graph, const Op& op) {
  return std::make_unique<DepthwiseKernel>(graph, op);
}

}  // namespace hetsched::cpu
