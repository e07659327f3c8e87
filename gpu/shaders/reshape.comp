// reshape: RESHAPE keeps the NHWC flat order; in PHWC4 a re-layout when the 4D shapes differ.
// Output lane (b, y, x, c) is flat index ((b*OUT_H + y)*OUT_W + x)*OUT_C + c of the input. Each
// invocation writes one output vec4: a copy when the shapes are equal (SAME_SHAPE), else a per-lane
// gather (lanes of channels >= OUT_C written as 0).
#version 450
#extension GL_GOOGLE_include_directive : require
#include "common.glsl"
#include "general_ops.glsl"

layout(local_size_x_id = 0, local_size_y_id = 1, local_size_z_id = 2) in;

layout(constant_id = 3) const bool SAME_SHAPE = false;
layout(constant_id = 4) const int IN_N = 1;
layout(constant_id = 5) const int IN_H = 1;
layout(constant_id = 6) const int IN_W = 1;
layout(constant_id = 7) const int IN_C = 1;
layout(constant_id = 8) const int OUT_N = 1;
layout(constant_id = 9) const int OUT_H = 1;
layout(constant_id = 10) const int OUT_W = 1;
layout(constant_id = 11) const int OUT_C = 1;

layout(std430, binding = 0) writeonly buffer Out { STORE4 out_data[]; };
layout(std430, binding = 1) readonly buffer In { STORE4 in_data[]; };

layout(push_constant) uniform Push { ivec4 range; } pc;

void main() {
  int b, s, y, x;
  if (!range_position(pc.range, OUT_N, OUT_W, b, s, y, x)) return;
  const ivec4 out_shape = ivec4(OUT_N, OUT_H, OUT_W, OUT_C);
  const int o = phwc4_index(out_shape, b, s, y, x);
  if (SAME_SHAPE) {
    out_data[o] = in_data[o];
    return;
  }
  const ivec4 in_shape = ivec4(IN_N, IN_H, IN_W, IN_C);
  const int base = ((b * OUT_H + y) * OUT_W + x) * OUT_C + s * 4;
  vec4 v = vec4(0.0);
  for (int l = 0; l < 4 && s * 4 + l < OUT_C; ++l) {
    const ivec4 p = nhwc_coords(in_shape, base + l);
    v[l] = in_data[phwc4_index(in_shape, p.x, p.w / 4, p.y, p.z)][p.w % 4];
  }
  out_data[o] = TO_STORE(v);
}
