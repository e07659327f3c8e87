// Helpers of the general (non-conv) CPU kernels: constant inputs packed to PHWC4 at create, the
// fused activation over a row, zeroing of the padding lanes of the last channel slice, and the loop
// over the output rows of a range.
#pragma once
#include <algorithm>
#include <cstddef>
#include <span>
#include <vector>

#include "cpu/kernel.h"
#include "graph/activation.h"

namespace hetsched::cpu::general_kernels {

// The inputs of one op: shapes from the graph, constants packed to PHWC4 once (the executor
// passes data == nullptr for them), activations taken from the views at run time.
class KernelInputs {
 public:
  KernelInputs(const Graph& graph, const Op& op);
  const Shape4& shape(size_t i) const { return shapes_[i]; }
  const float* data(std::span<const ConstView> views, size_t i) const {
    return packed_[i].empty() ? views[i].data : packed_[i].data();
  }
  size_t size() const { return shapes_.size(); }

 private:
  std::vector<Shape4> shapes_;
  std::vector<std::vector<float>> packed_;  // empty for activations
};

// Applies `a` in place to n floats (the switch is outside the loop).
inline void apply_activation_span(Activation a, float* p, size_t n) {
  switch (a) {
    case Activation::kNone: return;
    case Activation::kRelu: for (size_t i = 0; i < n; ++i) p[i] = std::max(p[i], 0.0f); return;
    case Activation::kRelu6: for (size_t i = 0; i < n; ++i) p[i] = std::min(std::max(p[i], 0.0f), 6.0f); return;
    case Activation::kReluN1To1:
      for (size_t i = 0; i < n; ++i) p[i] = std::min(std::max(p[i], -1.0f), 1.0f);
      return;
    default: for (size_t i = 0; i < n; ++i) p[i] = apply_activation(a, p[i]); return;
  }
}

// Writes zeros to the lanes >= channels % 4 of `pixels` pixels of one row of the LAST slice
// (p points at lane 0 of the first pixel). No-op when channels is a multiple of 4.
inline void zero_padding_lanes(float* p, int pixels, int channels) {
  const int valid = channels % kSliceWidth;
  if (valid == 0) return;
  for (int x = 0; x < pixels; ++x)
    for (int l = valid; l < kSliceWidth; ++l) p[size_t(x) * kSliceWidth + l] = 0.0f;
}

// zero_padding_lanes if slice s is the last slice of a tensor of `channels` channels.
inline void zero_padding_if_last(float* p, int pixels, int channels, int s) {
  if (s == slices_of(channels) - 1) zero_padding_lanes(p, pixels, channels);
}

// Calls f(n, s, y, row) for every output row of `r` (every batch; row: its first float), then
// zeroes the padding lanes of the rows of the last slice: the loop every row-wise kernel runs.
template <class F>
void for_each_row(const MutableView& out, const OutputRange& r, F&& f) {
  const Shape4& O = out.shape;
  for (int n = 0; n < O.n; ++n)
    for (int s = r.slice_begin; s < r.slice_end; ++s)
      for (int y = r.row_begin; y < r.row_end; ++y) {
        float* row = out.data + O.offset(n, s, y, 0);
        f(n, s, y, row);
        zero_padding_if_last(row, O.w, O.c, s);
      }
}

}  // namespace hetsched::cpu::general_kernels
