// conv2d_splitk: CONV_2D on PHWC4 with each output vec4's reduction split over a workgroup: one
// workgroup of G invocations (a power of two, the local size's x; y = z = 1) per output vec4:
// workgroup (x, y, z) = column x, row range.z + y, slice range.x + z % slices of batch z / slices.
// Invocation i takes the reduction steps k = i, i + G, ... of k = (ky * KW + kx) * IN_S + t (one
// input vec4 times one weight mat4, packed as conv2d.comp's: its mat4 is at (s * KH * KW * IN_S + k)
// * 4), a tree in shared memory adds the G partial vec4s, and invocation 0 adds the bias, applies
// the activation and the epilogue. For layers with few outputs and long reductions (at batch 1: a
// classifier head, a 1x1 conv on an 8x8x1632 map, a 3x3 conv on 7x7x512), where conv2d.comp's one
// invocation per output fills a small part of the GPU with long serial chains (0.9-2.6% of the
// H100's FP32 peak, bench/results/gpu_peers_h100_2026-12-06/profile.md). A 1x1 conv on a 1x1 map
// and a FULLY_CONNECTED on one-pixel rows always run here (runs_as_matrix_vector); other convs when
// tuning measures it faster.
// Same specialization constants as conv2d.comp (ids 3-18; no register block).
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
layout(constant_id = 10) const int KH = 1;
layout(constant_id = 11) const int KW = 1;
layout(constant_id = 12) const int SH = 1;
layout(constant_id = 13) const int SW = 1;
layout(constant_id = 14) const int DH = 1;
layout(constant_id = 15) const int DW = 1;
layout(constant_id = 16) const int PT = 0;
layout(constant_id = 17) const int PL = 0;
layout(constant_id = 18) const int ACT = 0;

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
  const int x = int(gl_WorkGroupID.x);
  const int y = pc.range.z + int(gl_WorkGroupID.y);
  const int z = int(gl_WorkGroupID.z);
  if (slices <= 0 || x >= OUT_W || y >= pc.range.w || z >= slices * BATCH) return;  // the whole group
  const int b = z / slices;
  const int s = pc.range.x + z % slices;
  const int IN_S = (IN_C + 3) / 4;
  const int steps = KH * KW * IN_S;
  const int wbase = s * steps * 4;
  const int plane = IN_H * IN_W;
  const int in_batch = b * IN_S * plane;
  vec4 acc = vec4(0.0);
  for (int k = n; k < steps; k += G) {
    const int t = k % IN_S;
    const int tap = k / IN_S;
    const int iy = y * SH - PT + (tap / KW) * DH;
    const int ix = x * SW - PL + (tap % KW) * DW;
    if (iy < 0 || iy >= IN_H || ix < 0 || ix >= IN_W) continue;
    const int w = wbase + k * 4;
    acc += MAT4(wts[w], wts[w + 1], wts[w + 2], wts[w + 3]) * vec4(src[in_batch + t * plane + iy * IN_W + ix]);
  }
  partial[n] = acc;
  barrier();
  for (int half_g = G / 2; half_g > 0; half_g /= 2) {
    if (n < half_g) partial[n] += partial[n + half_g];
    barrier();
  }
  if (n == 0) {
    const int oi = phwc4_index(ivec4(BATCH, OUT_H, OUT_W, OUT_C), b, s, y, x);
    dst[oi] = TO_STORE(mask_padding(apply_epilogue(apply_activation(partial[0] + vec4(bias[s]), ACT), oi), s, OUT_C));
  }
}
