// Window geometry (TFLite conventions).
#include "graph/ops/conv_common.h"

#include <algorithm>

namespace hetsched {

int conv_output_size(int in, int kernel, int stride, int dilation, Padding p) {
  const int dk = (kernel - 1) * dilation + 1;
  if (p == Padding::kSame) return (in + stride - 1) / stride;
  return std::max(0, (in - dk + stride) / stride);
}

void same_padding(int in, int out, int kernel, int stride, int dilation, int* before, int* after) {
  const int dk = (kernel - 1) * dilation + 1;
  const int total = std::max(0, (out - 1) * stride + dk - in);
  *before = total / 2;
  *after = total - total / 2;
}

}  // namespace hetsched
