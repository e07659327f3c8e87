// pad: PAD with zeros on any 4D axis. Output lane (b, y, x, c) is input (b - PAD_N, y - PAD_H,
// x - PAD_W, c - PAD_C) when that lies inside the input, else 0. Each invocation writes one output
// vec4: a whole input vec4 when PAD_C is a multiple of 4, else a per-lane gather.
#version 450
#extension GL_GOOGLE_include_directive : require
#include "common.glsl"
#include "general_ops.glsl"

layout(local_size_x_id = 0, local_size_y_id = 1, local_size_z_id = 2) in;

layout(constant_id = 3) const int PAD_N = 0;  // pads before, per axis
layout(constant_id = 4) const int PAD_H = 0;
layout(constant_id = 5) const int PAD_W = 0;
layout(constant_id = 6) const int PAD_C = 0;
layout(constant_id = 7) const int IN_N = 1;
layout(constant_id = 8) const int IN_H = 1;
layout(constant_id = 9) const int IN_W = 1;
layout(constant_id = 10) const int IN_C = 1;
layout(constant_id = 11) const int OUT_N = 1;
layout(constant_id = 12) const int OUT_H = 1;
layout(constant_id = 13) const int OUT_W = 1;
layout(constant_id = 14) const int OUT_C = 1;

layout(std430, binding = 0) writeonly buffer Out { STORE4 out_data[]; };
layout(std430, binding = 1) readonly buffer In { STORE4 in_data[]; };

layout(push_constant) uniform Push { ivec4 range; } pc;

void main() {
  int b, s, y, x;
  if (!range_position(pc.range, OUT_N, OUT_W, b, s, y, x)) return;
  const ivec4 in_shape = ivec4(IN_N, IN_H, IN_W, IN_C);
  const int ib = b - PAD_N, iy = y - PAD_H, ix = x - PAD_W;
  vec4 v = vec4(0.0);
  if (ib >= 0 && ib < IN_N && iy >= 0 && iy < IN_H && ix >= 0 && ix < IN_W) {
    if (PAD_C % 4 == 0) {
      const int is = s - PAD_C / 4;
      if (is >= 0 && is < slices_of(IN_C)) v = in_data[phwc4_index(in_shape, ib, is, iy, ix)];
    } else {
      for (int l = 0; l < 4; ++l) {
        const int c = s * 4 + l - PAD_C;
        if (c >= 0 && c < IN_C) v[l] = in_data[phwc4_index(in_shape, ib, c / 4, iy, ix)][c % 4];
      }
    }
  }
  out_data[phwc4_index(ivec4(OUT_N, OUT_H, OUT_W, OUT_C), b, s, y, x)] = TO_STORE(v);
}
