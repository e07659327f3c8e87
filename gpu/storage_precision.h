// The storage precision of GPU float buffers: float32, or float16 on a device created with fp16
// (the `_fp16` shader variants). Host data is float32 everywhere; these convert at the boundary.
#pragma once
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "base/fp16.h"

namespace hetsched::gpu {

// Bytes of one stored float: 2 with fp16 storage, else 4.
inline size_t stored_float_bytes(bool fp16) { return fp16 ? 2 : 4; }

// float32 -> binary16, round to nearest even (values beyond 65504 become inf, as the GPU's would).
inline void to_half(std::span<const float> in, uint16_t* out) {
  for (size_t i = 0; i < in.size(); ++i) out[i] = float_to_half(in[i]);
}
inline std::vector<uint16_t> to_half(std::span<const float> in) {
  std::vector<uint16_t> out(in.size());
  to_half(in, out.data());
  return out;
}
inline void from_half(const uint16_t* in, std::span<float> out) {
  for (size_t i = 0; i < out.size(); ++i) out[i] = half_to_float(in[i]);
}

}  // namespace hetsched::gpu
