// softmax_wide: SOFTMAX over many channels (a classifier's 1000 classes): one workgroup of G
// invocations (a power of two, G <= 256) per output pixel: workgroup (x, y, b) = column x, row
// range.z + y, batch b. Invocation i reads slices i, i + G, ... of the pixel: the max of their
// lanes goes through shared memory and a tree, then the sum of exp(BETA * (v - max)) the same way,
// then each invocation writes its slices of [range.x, range.y). softmax.comp made every output vec4
// loop over all of its pixel's channels twice: 125 us for 1000 classes on the H100 (2026-12-06),
// 28% of mobilenet_v1's GPU time. Range: slices [range.x, range.y), rows [range.z, range.w).
#version 450
#extension GL_GOOGLE_include_directive : require
#include "common.glsl"

layout(local_size_x_id = 0, local_size_y = 1, local_size_z = 1) in;
layout(constant_id = 3) const float BETA = 1.0;
layout(constant_id = 4) const int N = 1;
layout(constant_id = 5) const int H = 1;
layout(constant_id = 6) const int W = 1;
layout(constant_id = 7) const int C = 1;

layout(std430, binding = 0) writeonly buffer Out { STORE4 out_data[]; };
layout(std430, binding = 1) readonly buffer In { STORE4 in_data[]; };

layout(push_constant) uniform Push { ivec4 range; } pc;

shared float partial[256];

// The tree over partial[0, G) into partial[0]; `take_max`: max, else sum. Uniform control flow.
void reduce_partials(int n, int G, bool take_max) {
  barrier();
  for (int half_g = G / 2; half_g > 0; half_g /= 2) {
    if (n < half_g) partial[n] = take_max ? max(partial[n], partial[n + half_g]) : partial[n] + partial[n + half_g];
    barrier();
  }
}

void main() {
  const int G = int(gl_WorkGroupSize.x);
  const int n = int(gl_LocalInvocationIndex);
  const int x = int(gl_WorkGroupID.x);
  const int y = pc.range.z + int(gl_WorkGroupID.y);
  const int b = int(gl_WorkGroupID.z);
  if (y >= pc.range.w || x >= W || b >= N) return;  // the whole group: uniform
  const ivec4 shape = ivec4(N, H, W, C);
  const int slices = slices_of(C);
  float m = -3.402823466e38;
  for (int t = n; t < slices; t += G) {
    const vec4 v = vec4(in_data[phwc4_index(shape, b, t, y, x)]);
    for (int l = 0; l < 4 && t * 4 + l < C; ++l) m = max(m, v[l]);
  }
  partial[n] = m;
  reduce_partials(n, G, true);
  m = partial[0];
  barrier();  // everyone has read the max before partial[] is reused for the sums
  float sum = 0.0;
  for (int t = n; t < slices; t += G) {
    const vec4 v = vec4(in_data[phwc4_index(shape, b, t, y, x)]);
    for (int l = 0; l < 4 && t * 4 + l < C; ++l) sum += exp(BETA * (v[l] - m));
  }
  partial[n] = sum;
  reduce_partials(n, G, false);
  const float inv = 1.0 / partial[0];
  for (int s = pc.range.x + n; s < pc.range.y; s += G) {
    const vec4 e = exp(BETA * (vec4(in_data[phwc4_index(shape, b, s, y, x)]) - m));
    out_data[phwc4_index(shape, b, s, y, x)] = TO_STORE(mask_padding(e * inv, s, C));
  }
}
