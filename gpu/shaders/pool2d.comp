// pool2d: AVERAGE_POOL_2D (padding excluded from the count, as TFLite) and MAX_POOL_2D with the
// fused activation. The window of output (y, x) covers input rows y*STRIDE_H - PAD_TOP + [0, FILTER_H)
// clipped to the input (columns likewise). Each invocation loops over its window (global windows
// of 128x128 included); averages sum row by row to limit float rounding.
#version 450
#extension GL_GOOGLE_include_directive : require
#include "common.glsl"
#include "general_ops.glsl"

layout(local_size_x_id = 0, local_size_y_id = 1, local_size_z_id = 2) in;

layout(constant_id = 3) const bool IS_MAX = false;
layout(constant_id = 4) const int ACTIVATION = 0;
layout(constant_id = 5) const int FILTER_H = 1;
layout(constant_id = 6) const int FILTER_W = 1;
layout(constant_id = 7) const int STRIDE_H = 1;
layout(constant_id = 8) const int STRIDE_W = 1;
layout(constant_id = 9) const int PAD_TOP = 0;
layout(constant_id = 10) const int PAD_LEFT = 0;
layout(constant_id = 11) const int IN_H = 1;
layout(constant_id = 12) const int IN_W = 1;
layout(constant_id = 13) const int OUT_N = 1;
layout(constant_id = 14) const int OUT_H = 1;
layout(constant_id = 15) const int OUT_W = 1;
layout(constant_id = 16) const int C = 1;

layout(std430, binding = 0) writeonly buffer Out { STORE4 out_data[]; };
layout(std430, binding = 1) readonly buffer In { STORE4 in_data[]; };

layout(push_constant) uniform Push { ivec4 range; } pc;

void main() {
  int b, s, y, x;
  if (!range_position(pc.range, OUT_N, OUT_W, b, s, y, x)) return;
  const ivec4 in_shape = ivec4(OUT_N, IN_H, IN_W, C);
  const int wy = y * STRIDE_H - PAD_TOP, wx = x * STRIDE_W - PAD_LEFT;
  const int y0 = max(wy, 0), y1 = min(wy + FILTER_H, IN_H);
  const int x0 = max(wx, 0), x1 = min(wx + FILTER_W, IN_W);
  const int count = max(y1 - y0, 0) * max(x1 - x0, 0);
  vec4 acc = vec4(0.0);  // a window entirely in the padding gives 0 (never with SAME/VALID)
  if (count > 0 && IS_MAX) {
    // Starts from the window's first element. (`IS_MAX ? vec4(-FLT_MAX) : vec4(0)` compiles to an
    // OpSpecConstantOp OpSelect that lavapipe evaluated wrongly: the max of negatives came out 0.)
    acc = in_data[phwc4_index(in_shape, b, s, y0, x0)];
    for (int iy = y0; iy < y1; ++iy) {
      const int row = phwc4_index(in_shape, b, s, iy, 0);
      for (int ix = x0; ix < x1; ++ix) acc = max(acc, vec4(in_data[row + ix]));
    }
  } else if (count > 0) {
    for (int iy = y0; iy < y1; ++iy) {
      const int row = phwc4_index(in_shape, b, s, iy, 0);
      vec4 row_sum = vec4(0.0);
      for (int ix = x0; ix < x1; ++ix) row_sum += in_data[row + ix];
      acc += row_sum;
    }
    acc /= float(count);
  }
  out_data[phwc4_index(ivec4(OUT_N, OUT_H, OUT_W, C), b, s, y, x)] =
      TO_STORE(mask_padding(apply_activation(acc, ACTIVATION), s, C));
}
