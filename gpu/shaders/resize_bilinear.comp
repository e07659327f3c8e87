// resize_bilinear: RESIZE_BILINEAR with TFLite's float formulas (graph/ops/resize_bilinear.h):
//   src = HALF_PIXEL ? (o + 0.5) * scale - 0.5 : o * scale, lo = max(floor(src), 0),
//   hi = min(ceil(src), in - 1), frac = src - lo; the scales come from the host (align_corners).
// Each invocation writes one output vec4 from four input vec4s of the same slice.
#version 450
#extension GL_GOOGLE_include_directive : require
#include "common.glsl"
#include "general_ops.glsl"

layout(local_size_x_id = 0, local_size_y_id = 1, local_size_z_id = 2) in;

layout(constant_id = 3) const bool HALF_PIXEL = false;
layout(constant_id = 4) const float SCALE_Y = 1.0;
layout(constant_id = 5) const float SCALE_X = 1.0;
layout(constant_id = 6) const int IN_H = 1;
layout(constant_id = 7) const int IN_W = 1;
layout(constant_id = 8) const int OUT_N = 1;
layout(constant_id = 9) const int OUT_H = 1;
layout(constant_id = 10) const int OUT_W = 1;
layout(constant_id = 11) const int C = 1;

layout(std430, binding = 0) writeonly buffer Out { STORE4 out_data[]; };
layout(std430, binding = 1) readonly buffer In { STORE4 in_data[]; };

layout(push_constant) uniform Push { ivec4 range; } pc;

// The two source indices and the weight of the second for output index o.
void source(int o, float scale, int size, out int lo, out int hi, out float frac) {
  precise float src = HALF_PIXEL ? (float(o) + 0.5) * scale - 0.5 : float(o) * scale;
  lo = max(int(floor(src)), 0);
  hi = min(int(ceil(src)), size - 1);
  frac = src - float(lo);
}

void main() {
  int b, s, y, x;
  if (!range_position(pc.range, OUT_N, OUT_W, b, s, y, x)) return;
  int y0, y1, x0, x1;
  float fy, fx;
  source(y, SCALE_Y, IN_H, y0, y1, fy);
  source(x, SCALE_X, IN_W, x0, x1, fx);
  const ivec4 in_shape = ivec4(OUT_N, IN_H, IN_W, C);
  const int r0 = phwc4_index(in_shape, b, s, y0, 0), r1 = phwc4_index(in_shape, b, s, y1, 0);
  const float w00 = (1.0 - fy) * (1.0 - fx), w10 = fy * (1.0 - fx), w01 = (1.0 - fy) * fx, w11 = fy * fx;
  const vec4 v = in_data[r0 + x0] * w00 + in_data[r1 + x0] * w10 + in_data[r0 + x1] * w01 + in_data[r1 + x1] * w11;
  out_data[phwc4_index(ivec4(OUT_N, OUT_H, OUT_W, C), b, s, y, x)] = TO_STORE(mask_padding(v, s, C));
}
