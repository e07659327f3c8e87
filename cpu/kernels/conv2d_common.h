// Building blocks shared by the conv-like CPU kernels (conv, depthwise, transpose conv, FC):
// 4-wide float vectors (GCC/Clang vector extension, SSE at the default -O3), the fused
// activation epilogue, packed bias, a kernel-owned copy of a constant data input, and the 4x4
// microkernel that accumulates PX output pixels x OS output slices.
//
// Packed weight block: for one output slice and one input slice, 16 floats w[in lane][out lane],
// so out4 += in[0]*w[0][:] + in[1]*w[1][:] + in[2]*w[2][:] + in[3]*w[3][:] (in that order: every
// path computes an output with the same operations in the same order, so results do not depend
// on the range or on the register block a pixel fell in).
#pragma once
#include <cstddef>
#include <cstring>
#include <span>
#include <vector>

#include "cpu/kernel.h"
#include "graph/activation.h"
#include "graph/graph.h"

namespace hetsched::cpu::conv_kernels {

typedef float v4 __attribute__((vector_size(16)));

inline v4 load4(const float* p) {
  v4 v;
  std::memcpy(&v, p, sizeof v);
  return v;
}
inline void store4(float* p, v4 v) { std::memcpy(p, &v, sizeof v); }
inline v4 splat(float x) { return v4{x, x, x, x}; }

// The fused activation on 4 lanes.
inline v4 activate(v4 v, Activation a) {
  switch (a) {
    case Activation::kNone: return v;
    case Activation::kRelu: {
      const v4 z{};
      return v > z ? v : z;
    }
    case Activation::kRelu6: {
      const v4 z{}, six = splat(6.0f);
      v = v > z ? v : z;
      return v < six ? v : six;
    }
    case Activation::kReluN1To1: {
      const v4 lo = splat(-1.0f), hi = splat(1.0f);
      v = v > lo ? v : lo;
      return v < hi ? v : hi;
    }
    default:
      for (int l = 0; l < 4; ++l) v[l] = apply_activation(a, v[l]);
      return v;
  }
}

// Activation, then lanes >= valid_lanes forced to 0 (the padding channels of the last slice), store.
inline void store_output(float* p, v4 v, Activation a, int valid_lanes) {
  v = activate(v, a);
  if (valid_lanes < 4)
    for (int l = valid_lanes; l < 4; ++l) v[l] = 0.0f;
  store4(p, v);
}

// Valid lanes of output slice s of a tensor with `channels` channels.
inline int valid_lanes(int s, int channels) {
  const int v = channels - 4 * s;
  return v >= 4 ? 4 : v;
}

// The bias padded to whole slices (zeros if there is none).
std::vector<float> pack_bias(const Graph& graph, const Op& op, int bias_pos, int channels);
// Packs O-KH-KW-I weights (conv and transpose conv) as [O-slice][ky][kx][I-slice][4 in][4 out]
// blocks, zero-padded; one output slice spans KH*KW*ceil(I/4)*16 floats.
std::vector<float> pack_ohwi_blocks(std::span<const float> w, int O, int KH, int KW, int I);

// A constant data input (folded by nobody): the kernel keeps its PHWC4 copy, since constant
// views carry no data.
class DataInput {
 public:
  DataInput(const Graph& graph, const Op& op, int pos);
  const float* get(std::span<const ConstView> inputs) const {
    return owned_.empty() ? inputs[size_t(pos_)].data : owned_.data();
  }

 private:
  int pos_;
  std::vector<float> owned_;
};

// acc[o][p] += sum_{k < n, l < 4} in[k*in_stride + p*px_stride + l] * w[o*w_os_stride + k*16 + l*4 + :]
template <int PX, int OS>
inline void accumulate(v4 (&acc)[OS][PX], const float* in, size_t in_stride, size_t px_stride, const float* w,
                       size_t w_os_stride, int n) {
  for (int k = 0; k < n; ++k) {
    const float* ip = in + size_t(k) * in_stride;
    const float* wp = w + size_t(k) * 16;
    v4 iv[PX];
    for (int p = 0; p < PX; ++p) iv[p] = load4(ip + size_t(p) * px_stride);
    for (int l = 0; l < 4; ++l) {
      v4 wv[OS];
      for (int o = 0; o < OS; ++o) wv[o] = load4(wp + size_t(o) * w_os_stride + size_t(l) * 4);
      for (int p = 0; p < PX; ++p) {
        const v4 b = splat(iv[p][l]);
        for (int o = 0; o < OS; ++o) acc[o][p] += b * wv[o];
      }
    }
  }
}

}  // namespace hetsched::cpu::conv_kernels
