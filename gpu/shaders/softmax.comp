// softmax: SOFTMAX over channels, out = exp(BETA * (x - max)) / sum exp(BETA * (x - max)). Each
// invocation writes one output vec4 (b, s, y, x) and loops over every channel of its pixel for the
// max and the sum (the kernel always gets every slice: split_slices is false).
#version 450
#extension GL_GOOGLE_include_directive : require
#include "common.glsl"
#include "general_ops.glsl"

layout(local_size_x_id = 0, local_size_y_id = 1, local_size_z_id = 2) in;

layout(constant_id = 3) const float BETA = 1.0;
layout(constant_id = 4) const int N = 1;
layout(constant_id = 5) const int H = 1;
layout(constant_id = 6) const int W = 1;
layout(constant_id = 7) const int C = 1;

layout(std430, binding = 0) writeonly buffer Out { STORE4 out_data[]; };
layout(std430, binding = 1) readonly buffer In { STORE4 in_data[]; };

layout(push_constant) uniform Push { ivec4 range; } pc;

void main() {
  int b, s, y, x;
  if (!range_position(pc.range, N, W, b, s, y, x)) return;
  const ivec4 shape = ivec4(N, H, W, C);
  const int slices = slices_of(C);
  float m = -3.402823466e38;
  for (int t = 0; t < slices; ++t) {
    const vec4 v = in_data[phwc4_index(shape, b, t, y, x)];
    for (int l = 0; l < 4 && t * 4 + l < C; ++l) m = max(m, v[l]);
  }
  float sum = 0.0;
  for (int t = 0; t < slices; ++t) {
    const vec4 v = in_data[phwc4_index(shape, b, t, y, x)];
    for (int l = 0; l < 4 && t * 4 + l < C; ++l) sum += exp(BETA * (v[l] - m));
  }
  const vec4 e = exp(BETA * (in_data[phwc4_index(shape, b, s, y, x)] - m));
  out_data[phwc4_index(shape, b, s, y, x)] = TO_STORE(mask_padding(e / sum, s, C));
}
