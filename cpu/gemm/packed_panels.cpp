// Packing of GEMM weights into micro-kernel panels (see packed_panels.h).
#include "cpu/gemm/packed_panels.h"

#include <cstring>

#include "base/error.h"
#include "graph/phwc4.h"

namespace hetsched::cpu::gemm {
namespace {
hwy::AlignedFreeUniquePtr<float[]> zeroed(size_t n) {
  auto p = hwy::AllocateAligned<float>(n == 0 ? 1 : n);
  if (!p) fail(ErrorKind::kResourceExhausted, "cannot allocate {} bytes of packed weights", n * sizeof(float));
  std::memset(p.get(), 0, (n == 0 ? 1 : n) * sizeof(float));
  return p;
}
}  // namespace

PackedPanels::PackedPanels(std::span<const float> ohwi, int out_channels, int taps, int in_channels)
    : panels_((slices_of(out_channels) + kPanelSlices - 1) / kPanelSlices),
      taps_(taps),
      in_slices_(slices_of(in_channels)),
      rows_(size_t(taps) * size_t(slices_of(in_channels)) * 4) {
  data_ = zeroed(size_t(panels_) * rows_ * kPanelWidth);
  for (int o = 0; o < out_channels; ++o) {
    float* col = data_.get() + size_t(o / kPanelWidth) * rows_ * kPanelWidth + size_t(o % kPanelWidth);
    for (int t = 0; t < taps; ++t)
      for (int c = 0; c < in_channels; ++c) {
        const size_t row = size_t(t) * size_t(in_slices_) * 4 + size_t(c);  // (t*S + c/4)*4 + c%4
        col[row * kPanelWidth] = ohwi[(size_t(o) * size_t(taps) + size_t(t)) * size_t(in_channels) + size_t(c)];
      }
  }
}

hwy::AlignedFreeUniquePtr<float[]> pack_panel_bias(std::span<const float> bias, int out_channels) {
  const int panels = (slices_of(out_channels) + kPanelSlices - 1) / kPanelSlices;
  auto b = zeroed(size_t(panels) * kPanelWidth);
  for (size_t c = 0; c < bias.size() && c < size_t(out_channels); ++c) b[c] = bias[c];
  return b;
}

}  // namespace hetsched::cpu::gemm
