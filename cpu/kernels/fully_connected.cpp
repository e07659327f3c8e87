// FULLY_CONNECTED on PHWC4. When every output row is one input pixel (input and output have the
// same N, H, W: the usual [N, I] -> [N, O]), FC is a 1x1 conv and runs as the packed GEMM of
// cpu/gemm/conv_gemm.h. Otherwise: output row r (the flat (n,h,w) index of the output) is the dot of the
// logical input elements [r*I, (r+1)*I) with each weight row. When I is a multiple of the input's
// channels C and P = I/C divides H*W, row r is the P consecutive pixels [r*P, (r+1)*P) of one
// batch: in PHWC4 that is, per input slice s, P*4 contiguous floats, and the weights are packed to
// match ([out slice][s][p][4 in][4 out], padding lanes zero) so conv_kernels::accumulate runs over them,
// 4 rows x 2 output slices at a time; a lone row (P > 1) keeps 4 partial sums per output (faster
// on long dots, and more accurate). An output always takes the same path whatever the range. Other layouts (rows that split a pixel) read the input
// through a per-element offset table built once.
#include "cpu/kernels/fully_connected.h"

#include <algorithm>
#include <optional>

#include "cpu/gemm/conv_gemm.h"
#include "cpu/kernels/conv2d_common.h"

namespace hetsched::cpu {
namespace {

using conv_kernels::v4;

class FullyConnectedKernel final : public CpuKernel {
 public:
  FullyConnectedKernel(const Graph& graph, const Op& op) : data_(graph, op, 0) {
    act_ = op.attrs<FullyConnectedAttributes>().activation;
    in_ = graph.tensors[size_t(op.inputs[0])].shape4();
    out_ = graph.tensors[size_t(op.outputs[0])].shape4();
    const Tensor& wt = graph.tensors[size_t(op.inputs[1])];
    const int O = wt.shape[0], I = wt.shape[1];
    i_ = I;
    const std::span<const float> w = wt.f32();
    const int hw = in_.h * in_.w;
    if (I == in_.c && in_.n == out_.n && in_.h == out_.h && in_.w == out_.w) {
      gemm::ConvGeometry g;
      g.in = in_;
      g.out = out_;
      g.activation = act_;
      std::span<const float> bias;
      if (op.inputs.size() > 2 && op.inputs[2] >= 0) bias = graph.tensors[size_t(op.inputs[2])].f32();
      gemm_.emplace(g, w, bias);
      return;
    }
    chunked_ = I % in_.c == 0 && hw % (I / in_.c) == 0;
    if (chunked_) {
      p_ = I / in_.c;
      const int S = in_.slices();
      w_os_stride_ = size_t(S) * p_ * 16;
      w_.assign(size_t(out_.slices()) * w_os_stride_, 0.0f);
      for (int o = 0; o < O; ++o)
        for (int p = 0; p < p_; ++p)
          for (int c = 0; c < in_.c; ++c)
            w_[size_t(o / 4) * w_os_stride_ + ((size_t(c / 4) * p_ + size_t(p)) * 4 + size_t(c % 4)) * 4 + size_t(o % 4)] =
                w[size_t(o) * I + size_t(p) * in_.c + size_t(c)];
    } else {
      w_os_stride_ = size_t(I) * 4;
      w_.assign(size_t(out_.slices()) * w_os_stride_, 0.0f);
      for (int o = 0; o < O; ++o)
        for (int i = 0; i < I; ++i) w_[size_t(o / 4) * w_os_stride_ + size_t(i) * 4 + size_t(o % 4)] = w[size_t(o) * I + size_t(i)];
      // PHWC4 offset of every logical input element.
      offsets_.resize(in_.elements());
      size_t e = 0;
      for (int b = 0; b < in_.n; ++b)
        for (int y = 0; y < in_.h; ++y)
          for (int x = 0; x < in_.w; ++x)
            for (int c = 0; c < in_.c; ++c) offsets_[e++] = in_.offset_of_channel(b, y, x, c);
    }
    bias_ = conv_kernels::pack_bias(graph, op, 2, O);
  }

  int slice_grain() const override { return gemm_ ? gemm::kPanelSlices : 1; }

  void run(std::span<const ConstView> inputs, const MutableView& output, const OutputRange& range) const override {
    if (range.empty()) return;
    const float* in = data_.get(inputs);
    if (gemm_) return gemm_->run(in, output.data, range);
    int os = range.slice_begin;
    for (; os + 2 <= range.slice_end; os += 2) slices<2>(in, output.data, os, range);
    if (os < range.slice_end) slices<1>(in, output.data, os, range);
  }

 private:
  template <int OS>
  void slices(const float* in, float* out, int os, const OutputRange& range) const {
    const int hw = in_.h * in_.w;
    for (int b = 0; b < out_.n; ++b)
      for (int y = range.row_begin; y < range.row_end; ++y) {
        const int r0 = (b * out_.h + y) * out_.w;
        int x = 0;
        if (chunked_) {
          // 4 rows at once while they lie in one input batch.
          for (; x + 4 <= out_.w && (r0 + x) * p_ / hw == (r0 + x + 3) * p_ / hw; x += 4)
            rows<4, OS>(in, out, b, y, x, r0 + x, os);
          for (; x < out_.w; ++x) rows<1, OS>(in, out, b, y, x, r0 + x, os);
        } else {
          for (; x < out_.w; ++x) gathered<OS>(in, out, b, y, x, r0 + x, os);
        }
      }
  }

  template <int PX, int OS>
  void rows(const float* in, float* out, int b, int y, int x, int r, int os) const {
    v4 acc[OS][PX];
    for (int o = 0; o < OS; ++o)
      for (int p = 0; p < PX; ++p) acc[o][p] = conv_kernels::load4(&bias_[size_t(os + o) * 4]);
    const int hw = in_.h * in_.w;
    const int q = r * p_;  // first input pixel (flat over n,h,w)
    const float* base = in + in_.offset(q / hw, 0, 0, 0) + size_t(q % hw) * 4;
    const size_t plane = size_t(hw) * 4;
    const float* wb = w_.data() + size_t(os) * w_os_stride_;
    if (PX == 1 && p_ > 1) {
      // One row of a long dot (a classifier head): 4 lane-wise partial sums per output slice,
      // added at the end. 4x the independent add chains, and each sums a quarter of the terms.
      v4 part[OS][4] = {};
      for (int s = 0; s < in_.slices(); ++s) {
        const float* ip = base + size_t(s) * plane;
        const float* wp = wb + size_t(s) * p_ * 16;
        for (int k = 0; k < p_; ++k) {
          const v4 iv = conv_kernels::load4(ip + size_t(k) * 4);
          for (int l = 0; l < 4; ++l)
            for (int o = 0; o < OS; ++o)
              part[o][l] += conv_kernels::splat(iv[l]) * conv_kernels::load4(wp + size_t(o) * w_os_stride_ + size_t(k) * 16 + size_t(l) * 4);
        }
      }
      for (int o = 0; o < OS; ++o) acc[o][0] += (part[o][0] + part[o][1]) + (part[o][2] + part[o][3]);
    } else if (p_ == 1) {
      conv_kernels::accumulate<PX, OS>(acc, base, plane, 4, wb, w_os_stride_, in_.slices());
    } else {
      for (int s = 0; s < in_.slices(); ++s)
        conv_kernels::accumulate<PX, OS>(acc, base + size_t(s) * plane, 4, size_t(p_) * 4, wb + size_t(s) * p_ * 16,
                                  w_os_stride_, p_);
    }
    for (int o = 0; o < OS; ++o) {
      const int lanes = conv_kernels::valid_lanes(os + o, out_.c);
      for (int p = 0; p < PX; ++p) conv_kernels::store_output(out + out_.offset(b, os + o, y, x + p), acc[o][p], act_, lanes);
    }
  }

  template <int OS>
  void gathered(const float* in, float* out, int b, int y, int x, int r, int os) const {
    v4 acc[OS];
    for (int o = 0; o < OS; ++o) acc[o] = conv_kernels::load4(&bias_[size_t(os + o) * 4]);
    const size_t* off = &offsets_[size_t(r) * i_];
    const float* wb = w_.data() + size_t(os) * w_os_stride_;
    for (int i = 0; i < i_; ++i) {
      const v4 v = conv_kernels::splat(in[off[i]]);
      for (int o = 0; o < OS; ++o) acc[o] += v * conv_kernels::load4(wb + size_t(o) * w_os_stride_ + size_t(i) * 4);
    }
    for (int o = 0; o < OS; ++o)
      conv_kernels::store_output(out + out_.offset(b, os + o, y, x), acc[o], act_, conv_kernels::valid_lanes(os + o, out_.c));
  }

  conv_kernels::DataInput data_;
  Shape4 in_, out_;
  int i_ = 1, p_ = 1;
  bool chunked_ = true;
  Activation act_ = Activation::kNone;
  size_t w_os_stride_ = 0;
  std::vector<float> w_, bias_;
  std::vector<size_t> offsets_;
  std::optional<gemm::ConvGemm> gemm_;  // the pixel-per-row case
};

}  // namespace

std::unique_ptr<CpuKernel> create_fully_connected_kernel(const Graph& graph, const Op& op) {
  return std::make_unique<FullyConnectedKernel>(graph, op);
}

}  // namespace hetsched::cpu
