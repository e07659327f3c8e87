// SIMD row loops of the window kernels (MAX_POOL_2D, AVERAGE_POOL_2D, RESIZE_BILINEAR) over one
// PHWC4 slice, with Highway (dispatched at run time): each output pixel's 4 lanes are one vector
// (4 floats; 1 lane on the scalar target), computed by the same operations in the same order
// whichever row, range or target, so results do not depend on how an op is split.
#pragma once

namespace hetsched::cpu {

// The 2D window of a pooling op, its input clipped to [0, in_h) x [0, in_w).
struct PoolWindow {
  int in_h = 0, in_w = 0;
  int filter_h = 1, filter_w = 1, stride_h = 1, stride_w = 1, pad_top = 0, pad_left = 0;
};

// Output row y (out_w pixels) of one slice: `plane` is the input slice plane (in_h x in_w x 4).
// MAX: the maximum over the window (lowest float for an empty window, then 0). AVERAGE: the sum in
// double over the window's pixels in row-major order divided by their count (padding excluded).
void max_pool_row(const PoolWindow& w, const float* plane, int y, int out_w, float* out);
void average_pool_row(const PoolWindow& w, const float* plane, int y, int out_w, float* out);

// One output row of RESIZE_BILINEAR from input rows r0 (weight 1 - fy) and r1 (weight fy): pixel
// x = r0[lo]*(1-fy)(1-fx) + r1[lo]*fy(1-fx) + r0[hi]*(1-fy)fx + r1[hi]*fy*fx, with lo, hi, fx of x.
void resize_bilinear_row(const float* r0, const float* r1, float fy, const int* x_lo, const int* x_hi,
                         const float* fx, int out_w, float* out);

}  // namespace hetsched::cpu
