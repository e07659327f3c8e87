// Shape mapping and NHWC <-> PHWC4 conversion.
#include "graph/phwc4.h"

#include <fmt/format.h>

#include "base/error.h"

namespace hetsched {

std::string Shape4::to_string() const { return fmt::format("[{},{},{},{}]", n, h, w, c); }

Shape4 to_shape4(std::span<const int> d) {
  switch (d.size()) {
    case 0: return {1, 1, 1, 1};
    case 1: return {1, 1, 1, d[0]};
    case 2: return {d[0], 1, 1, d[1]};
    case 3: return {d[0], 1, d[1], d[2]};
    case 4: return {d[0], d[1], d[2], d[3]};
    default: fail(ErrorKind::kUnsupported, "tensors of rank {} are not supported (at most 4)", d.size());
  }
}

int to_axis4(int axis, int rank) {
  if (axis < 0) axis += rank;
  if (axis < 0 || axis >= rank) fail(ErrorKind::kInvalidModel, "axis {} out of range for rank {}", axis, rank);
  static constexpr int kMap[5][4] = {{3, 3, 3, 3}, {3, 3, 3, 3}, {0, 3, 3, 3}, {0, 2, 3, 3}, {0, 1, 2, 3}};
  return kMap[rank][axis];
}

void nhwc_to_phwc4(const float* nhwc, const Shape4& s, float* out) {
  const int S = s.slices();
  for (int b = 0; b < s.n; ++b)
    for (int sl = 0; sl < S; ++sl)
      for (int y = 0; y < s.h; ++y)
        for (int x = 0; x < s.w; ++x) {
          float* dst = out + s.offset(b, sl, y, x);
          const float* src = nhwc + ((size_t(b) * s.h + y) * s.w + x) * s.c;
          for (int l = 0; l < kSliceWidth; ++l) {
            const int ch = sl * kSliceWidth + l;
            dst[l] = ch < s.c ? src[ch] : 0.0f;
          }
        }
}

void phwc4_to_nhwc(const float* in, const Shape4& s, float* nhwc) {
  for (int b = 0; b < s.n; ++b)
    for (int y = 0; y < s.h; ++y)
      for (int x = 0; x < s.w; ++x) {
        float* dst = nhwc + ((size_t(b) * s.h + y) * s.w + x) * s.c;
        for (int ch = 0; ch < s.c; ++ch) dst[ch] = in[s.offset_of_channel(b, y, x, ch)];
      }
}

}  // namespace hetsched
