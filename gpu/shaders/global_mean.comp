// global_mean: the average over H and W of an [N, H, W, C] input to [N, 1, 1, C]: MEAN over H and W
// (mean.comp's FAST case) or AVERAGE_POOL_2D with one window of the whole map (pool2d.comp), with
// its fused activation; gpu/ops/mean.h says when the host picks it. One workgroup of G
// invocations (a power of two, G <= 256) per output vec4: workgroup (x, y) = slice range.x + x of
// batch y. Invocation i sums pixels i, i + G, ... of the slice (mean_fc.comp's split reduction),
// the partial sums go to shared memory and a tree adds them; invocation 0 scales by 1 / (H * W),
// applies the activation, zeroes the padding lanes and writes. No epilogue (as mean.comp, pool2d.comp).
// Range: output slices [range.x, range.y); the output has one row (range [0, 1)).
#version 450
#extension GL_GOOGLE_include_directive : require
#include "common.glsl"

layout(local_size_x_id = 0, local_size_y = 1, local_size_z = 1) in;
layout(constant_id = 3) const int IN_H = 1;
layout(constant_id = 4) const int IN_W = 1;
layout(constant_id = 5) const int C = 1;              // channels of the input and the output
layout(constant_id = 6) const float INV_COUNT = 1.0;  // 1 / (H * W)
layout(constant_id = 7) const int ACTIVATION = 0;     // AVERAGE_POOL_2D's (ACT_* of graph/op_codes.h)

layout(std430, binding = 0) writeonly buffer Out { STORE4 dst[]; };
layout(std430, binding = 1) readonly buffer In { STORE4 src[]; };

layout(push_constant) uniform Push { ivec4 range; } pc;

shared vec4 partial[256];

void main() {
  const int G = int(gl_WorkGroupSize.x);
  const int n = int(gl_LocalInvocationIndex);
  const int s = pc.range.x + int(gl_WorkGroupID.x);
  const int b = int(gl_WorkGroupID.y);
  if (s >= pc.range.y || pc.range.z > 0 || pc.range.w < 1) return;  // the whole group: uniform
  const int plane = IN_H * IN_W;
  const int slice = b * slices_of(C) + s;  // the output's PHWC4 index too (1x1 map)
  const int base = slice * plane;
  vec4 acc = vec4(0.0);
  for (int p = n; p < plane; p += G) acc += vec4(src[base + p]);
  partial[n] = acc;
  barrier();
  for (int half_g = G / 2; half_g > 0; half_g /= 2) {
    if (n < half_g) partial[n] += partial[n + half_g];
    barrier();
  }
  if (n == 0) dst[slice] = TO_STORE(mask_padding(apply_activation(partial[0] * INV_COUNT, ACTIVATION), s, C));
}
