// conv2d_gemv: CONV_2D 1x1 on a 1x1 map (a classifier head or a squeeze-excite conv written as a
// conv: a matrix-vector product), one workgroup of G invocations (a power of two, the local size's
// x; y = z = 1) per output vec4: workgroup z = slice range.x + z % slices of batch z / slices.
// Invocation i sums input slices i, i + G, ... (the weight mat4 of each, packed as conv2d.comp's),
// a tree in shared memory adds the G partial vec4s, invocation 0 adds the bias and applies the
// activation and the epilogue. conv2d.comp gave each output vec4 one invocation and the whole
// reduction: 90 us for mobilenet_v3_large's 1280 -> 1000 head on the H100 (2026-12-06), its
// weights read at 1.7% of the memory bandwidth. Range: slices [range.x, range.y), row 0.
// Bindings: 0 output, 1 input, 2 weights, 3 bias (padded to whole slices), 4-5 epilogue operands.
#version 450
#extension GL_GOOGLE_include_directive : require
#include "common.glsl"
#define EPILOGUE_BINDING 4
#include "epilogue.glsl"

layout(local_size_x_id = 0, local_size_y_id = 1, local_size_z_id = 2) in;
layout(constant_id = 3) const int BATCH = 1;
layout(constant_id = 4) const int IN_H = 1;
layout(constant_id = 5) const int IN_W = 1;
layout(constant_id = 6) const int IN_C = 1;
layout(constant_id = 7) const int OUT_H = 1;
layout(constant_id = 8) const int OUT_W = 1;
layout(constant_id = 9) const int OUT_C = 1;
layout(constant_id = 10) const int ACT = 0;

layout(std430, set = 0, binding = 0) writeonly buffer Output { STORE4 dst[]; };
layout(std430, set = 0, binding = 1) readonly buffer Input { STORE4 src[]; };
layout(std430, set = 0, binding = 2) readonly buffer Weights { STORE4 wts[]; };
layout(std430, set = 0, binding = 3) readonly buffer Bias { STORE4 bias[]; };

layout(push_constant) uniform Push { ivec4 range; } pc;

shared vec4 partial[256];

void main() {
  const int G = int(gl_WorkGroupSize.x);
  const int n = int(gl_LocalInvocationID.x);
  const int slices = pc.range.y - pc.range.x;
  const int z = int(gl_WorkGroupID.z);
  if (slices <= 0 || pc.range.z > 0 || pc.range.w < 1 || z >= slices * BATCH) return;  // the whole group
  const int b = z / slices;
  const int s = pc.range.x + z % slices;
  const int IN_S = (IN_C + 3) / 4;
  const int wbase = s * IN_S * 4;
  const int ibase = b * IN_S;  // a 1x1 map: slice t of batch b at b * IN_S + t
  vec4 acc = vec4(0.0);
  for (int t = n; t < IN_S; t += G) {
    const int w = wbase + t * 4;
    acc += MAT4(wts[w], wts[w + 1], wts[w + 2], wts[w + 3]) * vec4(src[ibase + t]);
  }
  partial[n] = acc;
  barrier();
  for (int half_g = G / 2; half_g > 0; half_g /= 2) {
    if (n < half_g) partial[n] += partial[n + half_g];
    barrier();
  }
  if (n == 0) {
    const int oi = phwc4_index(ivec4(BATCH, OUT_H, OUT_W, OUT_C), b, s, 0, 0);
    dst[oi] = TO_STORE(mask_padding(apply_epilogue(apply_activation(partial[0] + vec4(bias[s]), ACT), oi), s, OUT_C));
  }
}
