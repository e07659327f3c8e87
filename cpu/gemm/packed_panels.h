// Weights of a GEMM-like op (conv, transpose conv, fully connected) packed once, at kernel
// creation, into the panel layout the SIMD micro-kernels read (cpu/gemm/gemm_tile-inl.h).
//
// A panel holds kPanelSlices = 8 output slices (32 output channels). Its rows are the GEMM's K
// index in the order the micro-kernel walks it: tap t (ky-major over KH x KW), input slice s,
// input lane l, i.e. row (t * S_in + s) * 4 + l; each row holds the 32 weights w[o][t][4s+l] of
// the panel's output channels o, zero where o >= O or 4s+l >= I (so padding lanes contribute 0).
// Panels are 64-byte aligned, rows 128 bytes: one row of a panel is two cache lines.
#pragma once
#include <cstddef>
#include <span>

#include "hwy/aligned_allocator.h"

namespace hetsched::cpu::gemm {

inline constexpr int kPanelSlices = 8;
inline constexpr int kPanelWidth = 4 * kPanelSlices;  // floats per panel row

class PackedPanels {
 public:
  PackedPanels() = default;
  // `ohwi`: weights [O][taps][I] (conv's O-KH-KW-I with taps = KH*KW; FC's [O][I] with taps = 1).
  PackedPanels(std::span<const float> ohwi, int out_channels, int taps, int in_channels);

  int panels() const { return panels_; }
  int taps() const { return taps_; }
  int in_slices() const { return in_slices_; }
  // Rows per panel: taps * in_slices * 4.
  size_t rows() const { return rows_; }
  const float* panel(int p) const { return data_.get() + size_t(p) * rows_ * kPanelWidth; }
  size_t bytes_per_panel() const { return rows_ * kPanelWidth * sizeof(float); }

 private:
  int panels_ = 0, taps_ = 0, in_slices_ = 0;
  size_t rows_ = 0;
  hwy::AlignedFreeUniquePtr<float[]> data_{nullptr, hwy::AlignedFreer()};
};

// The bias padded with zeros to whole panels (all zeros without a bias).
hwy::AlignedFreeUniquePtr<float[]> pack_panel_bias(std::span<const float> bias, int out_channels);

}  // namespace hetsched::cpu::gemm
