// depthwise_conv2d: DEPTHWISE_CONV_2D on PHWC4, one output vec4 (x, row, slice) per invocation.
// out[b,y,x,c*M+k] = act(bias + sum_{ky,kx} in[b, y*SH - PT + ky*DH, x*SW - PL + kx*DW, c] * w[ky,kx,c*M+k])
// Weights (packed by gpu/ops/depthwise_conv2d.cpp): [output slice][ky][kx] vec4, padding lanes 0.
// With M == 1 output slice s reads input slice s as a vec4; otherwise each lane gathers its
// input channel (o / M). Bindings: 0 output, 1 input, 2 weights, 3 bias, 4-5 epilogue operands.
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
layout(constant_id = 10) const int KH = 1;
layout(constant_id = 11) const int KW = 1;
layout(constant_id = 12) const int SH = 1;
layout(constant_id = 13) const int SW = 1;
layout(constant_id = 14) const int DH = 1;
layout(constant_id = 15) const int DW = 1;
layout(constant_id = 16) const int PT = 0;
layout(constant_id = 17) const int PL = 0;
layout(constant_id = 18) const int ACT = 0;
layout(constant_id = 19) const int MULTIPLIER = 1;

layout(std430, set = 0, binding = 0) writeonly buffer Output { vec4 dst[]; };
layout(std430, set = 0, binding = 1) readonly buffer Input { vec4 src[]; };
layout(std430, set = 0, binding = 2) readonly buffer Weights { vec4 wts[]; };
layout(std430, set = 0, binding = 3) readonly buffer Bias { vec4 bias[]; };

layout(push_constant) uniform Push { ivec4 range; } pc;

void main() {
  const int IN_S = (IN_C + 3) / 4;
  const int slices = pc.range.y - pc.range.x;
  const int x = int(gl_GlobalInvocationID.x);
  const int y = pc.range.z + int(gl_GlobalInvocationID.y);
  // With one slice per workgroup (z size 1) s and b are workgroup-uniform: weight loads are too.
  const int z = gl_WorkGroupSize.z == 1 ? int(gl_WorkGroupID.z) : int(gl_GlobalInvocationID.z);
  if (x >= OUT_W || y >= pc.range.w || z >= slices * BATCH) return;
  const int b = z / slices;
  const int s = pc.range.x + z % slices;

  const int plane = IN_H * IN_W;
  // Input channel of each output lane (clamped for the padding lanes, whose weights are 0).
  const ivec4 ch = min(ivec4(s * 4) + ivec4(0, 1, 2, 3), ivec4(OUT_C - 1)) / MULTIPLIER;
  const ivec4 lane_base = (b * IN_S + ch / 4) * plane;
  const ivec4 lane = ch % 4;
  const int same_slice_base = (b * IN_S + s) * plane;

  vec4 acc = bias[s];
  for (int ky = 0; ky < KH; ++ky) {
    const int iy = y * SH - PT + ky * DH;
    if (iy < 0 || iy >= IN_H) continue;
    for (int kx = 0; kx < KW; ++kx) {
      const int ix = x * SW - PL + kx * DW;
      if (ix < 0 || ix >= IN_W) continue;
      const int p = iy * IN_W + ix;
      vec4 v;
      if (MULTIPLIER == 1) {
        v = src[same_slice_base + p];
      } else {
        v = vec4(src[lane_base.x + p][lane.x], src[lane_base.y + p][lane.y], src[lane_base.z + p][lane.z],
                 src[lane_base.w + p][lane.w]);
      }
      acc += wts[(s * KH + ky) * KW + kx] * v;
    }
  }
  const ivec4 out_shape = ivec4(BATCH, OUT_H, OUT_W, OUT_C);
  const int oi = phwc4_index(out_shape, b, s, y, x);
  dst[oi] = mask_padding(apply_epilogue(apply_activation(acc, ACT), oi), s, OUT_C);
}
