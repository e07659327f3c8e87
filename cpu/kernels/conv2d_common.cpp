// Shared helpers of the conv-like CPU kernels (see conv2d_common.h).
#include "cpu/kernels/conv2d_common.h"

#include "graph/phwc4.h"

namespace hetsched::cpu::conv_kernels {

std::vector<float> pack_ohwi_blocks(std::span<const float> w, int O, int KH, int KW, int I) {
  const int s_in = slices_of(I);
  const size_t os_stride = size_t(KH) * KW * s_in * 16;
  std::vector<float> out(size_t(slices_of(O)) * os_stride, 0.0f);
  for (int o = 0; o < O; ++o)
    for (int ky = 0; ky < KH; ++ky)
      for (int kx = 0; kx < KW; ++kx)
        for (int i = 0; i < I; ++i) {
          const size_t block = size_t(o / 4) * os_stride + ((size_t(ky) * KW + kx) * s_in + size_t(i / 4)) * 16;
          out[block + size_t(i % 4) * 4 + size_t(o % 4)] = w[((size_t(o) * KH + ky) * KW + kx) * size_t(I) + size_t(i)];
        }
  return out;
}

std::vector<float> pack_bias(const Graph& graph, const Op& op, int bias_pos, int channels) {
  std::vector<float> b(size_t(slices_of(channels)) * 4, 0.0f);
  if (bias_pos < int(op.inputs.size()) && op.inputs[size_t(bias_pos)] >= 0) {
    const std::span<const float> v = graph.tensors[size_t(op.inputs[size_t(bias_pos)])].f32();
    for (int c = 0; c < channels; ++c) b[size_t(c)] = v[size_t(c)];
  }
  return b;
}

DataInput::DataInput(const Graph& graph, const Op& op, int pos) : pos_(pos) {
  const Tensor& t = graph.tensors[size_t(op.inputs[size_t(pos)])];
  if (!t.is_constant) return;
  const Shape4 s = t.shape4();
  owned_.resize(s.phwc4_elements());
  nhwc_to_phwc4(t.f32().data(), s, owned_.data());
}

}  // namespace hetsched::cpu::conv_kernels
