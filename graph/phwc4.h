// PHWC4: the activation layout of both executors. A tensor of logical NHWC shape is stored as
// [N][S][H][W][4] floats with S = ceil(C/4) channel slices; channels C..4S-1 are zero padding.
// A range of output slices [s0, s1) of one batch is one contiguous byte range, so the CPU can write
// its slices straight into the buffer the GPU reads.
//
// Tensors of rank < 4 map to 4D by this rule (the channel axis is always the last):
//   [C] -> [1,1,1,C]   [N,C] -> [N,1,1,C]   [N,W,C] -> [N,1,W,C]   [N,H,W,C] as is.
#pragma once
#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace hetsched {

inline constexpr int kSliceWidth = 4;

constexpr int slices_of(int channels) { return (channels + kSliceWidth - 1) / kSliceWidth; }

struct Shape4 {
  int n = 1, h = 1, w = 1, c = 1;

  int slices() const { return slices_of(c); }
  // Logical element count (N*H*W*C).
  size_t elements() const { return size_t(n) * h * w * c; }
  // Floats stored in PHWC4 (N*S*H*W*4).
  size_t phwc4_elements() const { return size_t(n) * slices() * h * w * kSliceWidth; }
  size_t phwc4_bytes() const { return phwc4_elements() * sizeof(float); }
  // Float offset of (b, slice s, y, x, lane 0).
  size_t offset(int b, int s, int y, int x) const {
    return ((((size_t(b) * slices() + s) * h + y) * w + x) * kSliceWidth);
  }
  // Float offset of channel c of (b, y, x).
  size_t offset_of_channel(int b, int y, int x, int ch) const { return offset(b, ch / 4, y, x) + ch % 4; }
  bool operator==(const Shape4&) const = default;
  std::string to_string() const;
};

// Maps a tensor shape of rank 0..4 to its 4D NHWC shape (rule above). Throws for rank > 4.
Shape4 to_shape4(std::span<const int> dims);
// Maps an axis of a rank-r tensor (negative counts from the end) to its 4D axis (0=N,1=H,2=W,3=C).
int to_axis4(int axis, int rank);

// Converts between the logical NHWC order and PHWC4; the padding lanes are written as zeros.
void nhwc_to_phwc4(const float* nhwc, const Shape4& shape, float* phwc4);
void phwc4_to_nhwc(const float* phwc4, const Shape4& shape, float* nhwc);

// A range of output channel slices and output rows: the unit of work the partitioner splits.
// Every splittable kernel (CPU and GPU) computes exactly output slices [slice_begin, slice_end)
// and rows [row_begin, row_end) of every batch, and writes nothing else.
struct OutputRange {
  int slice_begin = 0, slice_end = 0;
  int row_begin = 0, row_end = 0;

  static OutputRange whole(const Shape4& s) { return {0, s.slices(), 0, s.h}; }
  bool empty() const { return slice_begin >= slice_end || row_begin >= row_end; }
  bool operator==(const OutputRange&) const = default;
};

}  // namespace hetsched
