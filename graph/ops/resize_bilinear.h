// RESIZE_BILINEAR with TFLite's exact formulas (reference_ops::ResizeBilinear):
//   scale = align_corners && out > 1 ? (in - 1) / (out - 1) : in / out
//   src   = half_pixel_centers ? (o + 0.5) * scale - 0.5 : o * scale
//   lo    = max(floor(src), 0),  hi = min(ceil(src), in - 1),  frac = src - lo
//   out   = lerp over rows and columns with weights (1 - frac, frac) on (lo, hi).
#pragma once
#include <algorithm>
#include <cmath>
#include <vector>

#include "graph/op_registry.h"

namespace hetsched {

template <typename T>
inline T resize_scale(int in, int out, bool align_corners) {
  return align_corners && out > 1 ? T(in - 1) / T(out - 1) : T(in) / T(out);
}

// Source position of output index `o`: the two input indices and the weight of `hi`.
template <typename T>
inline void resize_source(int o, T scale, bool half_pixel_centers, int in, int* lo, int* hi, T* frac) {
  const T src = half_pixel_centers ? (T(o) + T(0.5)) * scale - T(0.5) : T(o) * scale;
  *lo = std::max(static_cast<int>(std::floor(src)), 0);
  *hi = std::min(static_cast<int>(std::ceil(src)), in - 1);
  *frac = src - T(*lo);
}

void register_resize_bilinear_ops(std::vector<OpDescriptor>& table);

}  // namespace hetsched
