// conv2d: CONV_2D on PHWC4, register-blocked: one invocation computes BLOCK_S output slices x
// BLOCK_X output pixels along x of one row (BLOCK_S = BLOCK_X = 1: one output vec4).
// out[b,y,x,o] = act(bias[o] + sum_{ky,kx,i} in[b, y*SH - PT + ky*DH, x*SW - PL + kx*DW, i] * w[o,ky,kx,i])
// Weights (packed by gpu/ops/conv2d_common.cpp): for output slice s, ky, kx, input slice t: 4 vec4,
// vec4 l holding the 4 output lanes' weights of input lane l, so one step is acc += mat4(...) * in4.
// Per (ky, kx, t) an invocation loads BLOCK_X input vec4 and BLOCK_S weight mat4 once and does
// BLOCK_S x BLOCK_X block products (4 * BLOCK_S + BLOCK_X vec4 loads instead of 5 per product).
// Grid: x over ceil(OUT_W / BLOCK_X), y over the rows of the range, z over ceil(slices / BLOCK_S)
// x batches. Slices past the range end and pixels past OUT_W are computed on clamped indices
// and never stored, so any slice range (start not a multiple of BLOCK_S) works.
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
layout(constant_id = BLOCK_S_ID) const int BLOCK_S = 1;  // output slices per invocation
layout(constant_id = BLOCK_X_ID) const int BLOCK_X = 1;  // output pixels along x per invocation

layout(std430, set = 0, binding = 0) writeonly buffer Output { STORE4 dst[]; };
layout(std430, set = 0, binding = 1) readonly buffer Input { STORE4 src[]; };
layout(std430, set = 0, binding = 2) readonly buffer Weights { STORE4 wts[]; };
layout(std430, set = 0, binding = 3) readonly buffer Bias { STORE4 bias[]; };

layout(push_constant) uniform Push { ivec4 range; } pc;

void main() {
  const int IN_S = (IN_C + 3) / 4;
  const int slice_blocks = (pc.range.y - pc.range.x + BLOCK_S - 1) / BLOCK_S;
  const int x0 = int(gl_GlobalInvocationID.x) * BLOCK_X;
  const int y = pc.range.z + int(gl_GlobalInvocationID.y);
  // With one slice block per workgroup (z size 1) s0 and b are workgroup-uniform: weight loads are too.
  const int z = gl_WorkGroupSize.z == 1 ? int(gl_WorkGroupID.z) : int(gl_GlobalInvocationID.z);
  if (x0 >= OUT_W || y >= pc.range.w || z >= slice_blocks * BATCH) return;
  const int b = z / slice_blocks;
  const int s0 = pc.range.x + (z % slice_blocks) * BLOCK_S;

  // Weight offset of each block slice (clamped to the range: the extra ones are not stored).
  int wbase[BLOCK_S];
  vec4 acc[BLOCK_S * BLOCK_X];
  for (int j = 0; j < BLOCK_S; ++j) {
    const int s = min(s0 + j, pc.range.y - 1);
    wbase[j] = s * KH * KW * IN_S * 4;
    for (int i = 0; i < BLOCK_X; ++i) acc[j * BLOCK_X + i] = vec4(bias[s]);
  }
  const int plane = IN_H * IN_W;
  const int in_batch = b * IN_S * plane;
  for (int ky = 0; ky < KH; ++ky) {
    const int iy = y * SH - PT + ky * DH;
    if (iy < 0 || iy >= IN_H) continue;
    for (int kx = 0; kx < KW; ++kx) {
      // Input column of each block pixel; -1 where it falls outside the input (contributes 0).
      int ix[BLOCK_X];
      bool any_inside = false;
      for (int i = 0; i < BLOCK_X; ++i) {
        const int c = (x0 + i) * SW - PL + kx * DW;
        ix[i] = c >= 0 && c < IN_W ? c : -1;
        any_inside = any_inside || ix[i] >= 0;
      }
      if (!any_inside) continue;
      int wi = (ky * KW + kx) * IN_S * 4;
      int ii = in_batch + iy * IN_W;
      for (int t = 0; t < IN_S; ++t) {
        STORE4 v[BLOCK_X];
        for (int i = 0; i < BLOCK_X; ++i) {
          if (ix[i] >= 0) v[i] = src[ii + ix[i]];
          else v[i] = STORE4(0.0);
        }
        for (int j = 0; j < BLOCK_S; ++j) {
          const int w = wbase[j] + wi;
          const MAT4 m = MAT4(wts[w], wts[w + 1], wts[w + 2], wts[w + 3]);
          for (int i = 0; i < BLOCK_X; ++i) acc[j * BLOCK_X + i] += m * v[i];
        }
        wi += 4;
        ii += plane;
      }
    }
  }
  const ivec4 out_shape = ivec4(BATCH, OUT_H, OUT_W, OUT_C);
  for (int j = 0; j < BLOCK_S; ++j) {
    const int s = s0 + j;
    if (s >= pc.range.y) break;
    for (int i = 0; i < BLOCK_X; ++i) {
      const int x = x0 + i;
      if (x >= OUT_W) break;
      const int oi = phwc4_index(out_shape, b, s, y, x);
      dst[oi] = TO_STORE(mask_padding(apply_epilogue(apply_activation(acc[j * BLOCK_X + i], ACT), oi), s, OUT_C));
    }
  }
}
