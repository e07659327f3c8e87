// depth_to_space: DEPTH_TO_SPACE (TFLite/DCR order): out[n, y, x, c] = in[n, y/BLOCK, x/BLOCK,
// ((y%BLOCK)*BLOCK + x%BLOCK) * OUT_C + c]. Each invocation writes one output vec4, gathering each
// lane (a whole input vec4 when OUT_C is a multiple of 4).
#version 450
#extension GL_GOOGLE_include_directive : require
#include "common.glsl"
#include "general_ops.glsl"

layout(local_size_x_id = 0, local_size_y_id = 1, local_size_z_id = 2) in;

layout(constant_id = 3) const int BLOCK = 2;
layout(constant_id = 4) const int OUT_N = 1;
layout(constant_id = 5) const int OUT_H = 1;
layout(constant_id = 6) const int OUT_W = 1;
layout(constant_id = 7) const int OUT_C = 1;

layout(std430, binding = 0) writeonly buffer Out { STORE4 out_data[]; };
layout(std430, binding = 1) readonly buffer In { STORE4 in_data[]; };

layout(push_constant) uniform Push { ivec4 range; } pc;

void main() {
  int b, s, y, x;
  if (!range_position(pc.range, OUT_N, OUT_W, b, s, y, x)) return;
  const ivec4 in_shape = ivec4(OUT_N, OUT_H / BLOCK, OUT_W / BLOCK, OUT_C * BLOCK * BLOCK);
  const int base = ((y % BLOCK) * BLOCK + x % BLOCK) * OUT_C + s * 4;  // input channel of lane 0
  vec4 v = vec4(0.0);
  if (OUT_C % 4 == 0) {
    v = in_data[phwc4_index(in_shape, b, base / 4, y / BLOCK, x / BLOCK)];
  } else {
    for (int l = 0; l < 4 && s * 4 + l < OUT_C; ++l) {
      const int c = base + l;
      v[l] = in_data[phwc4_index(in_shape, b, c / 4, y / BLOCK, x / BLOCK)][c % 4];
    }
  }
  out_data[phwc4_index(ivec4(OUT_N, OUT_H, OUT_W, OUT_C), b, s, y, x)] = TO_STORE(v);
}
