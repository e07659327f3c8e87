// dwpw_conv2d: a DEPTHWISE_CONV_2D (multiplier 1) and the 1x1 stride-1 CONV_2D consuming it in one
// dispatch (gpu/fuse_dwpw.h says which pairs): the depthwise result never reaches memory.
//   mid[b,y,x,c] = dw_epilogue(dw_act(dw_bias[c] + sum_{ky,kx} in[b, y*SH - PT + ky*DH, x*SW - PL + kx*DW, c] * dw_w[ky,kx,c]))
//   out[b,y,x,o] = epilogue(act(bias[o] + sum_c mid[b,y,x,c] * w[o,c]))
// A workgroup owns a tile of LX x LY output pixels and LZ x BLOCK_S output slices (each invocation
// one pixel x BLOCK_S slices). Per step of STEP = 512 / (LX * LY) depthwise slices the whole group
// computes the tile's depthwise vec4s into shared memory (each once per workgroup), then every
// invocation adds their 1x1 products (conv2d.comp's mat4 block product) to its accumulators. The
// depthwise is thus recomputed once per workgroup along the slices, ceil(out slices / (LZ *
// BLOCK_S)) times in all, and shared by LX * LY * LZ invocations: per invocation it costs
// 9 / LZ vec4 products per depthwise slice against the pointwise's 4 * BLOCK_S.
// Range: slices [range.x, range.y) and rows [range.z, range.w) of the output, as every conv-like
// kernel; pixels and slices past the range are computed on clamped indices and never stored.
// Grid: x over ceil(OUT_W / LX), y over ceil(rows / LY), z over ceil(slices / (LZ * BLOCK_S)) x batches.
// Weights: depthwise as depthwise_conv2d.comp ([slice][ky][kx] vec4), pointwise as conv2d.comp with
// KH = KW = 1 ([out slice][in slice] 4 vec4). Bindings: 0 output, 1 input (the depthwise op's),
// 2 depthwise weights, 3 depthwise bias, 4 pointwise weights, 5 pointwise bias, 6-7 the pointwise
// op's epilogue operands. The depthwise op's epilogue (at most 2 steps without operand tensors:
// HARD_SWISH, SWISH, RELU6, a scalar MUL...) is DW_EP_* below, applied with epilogue.glsl's epilogue_step.
#version 450
#extension GL_GOOGLE_include_directive : require
#include "common.glsl"
#define EPILOGUE_BINDING 6
#include "epilogue.glsl"

layout(local_size_x_id = 0, local_size_y_id = 1, local_size_z_id = 2) in;
layout(constant_id = 3) const int BATCH = 1;
layout(constant_id = 4) const int IN_H = 1;
layout(constant_id = 5) const int IN_W = 1;
layout(constant_id = 6) const int MID_C = 1;  // depthwise channels = pointwise input channels
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
layout(constant_id = 18) const int DW_ACT = 0;
layout(constant_id = 19) const int ACT = 0;
layout(constant_id = 20) const int DW_EP_OP0 = 0;
layout(constant_id = 21) const int DW_EP_ACT0 = 0;
layout(constant_id = 22) const float DW_EP_SCALAR0 = 0.0;
layout(constant_id = 23) const int DW_EP_OP1 = 0;
layout(constant_id = 24) const int DW_EP_ACT1 = 0;
layout(constant_id = 25) const float DW_EP_SCALAR1 = 0.0;
layout(constant_id = BLOCK_S_ID) const int BLOCK_S = 1;  // output slices per invocation

layout(std430, set = 0, binding = 0) writeonly buffer Output { STORE4 dst[]; };
layout(std430, set = 0, binding = 1) readonly buffer Input { STORE4 src[]; };
layout(std430, set = 0, binding = 2) readonly buffer DwWeights { STORE4 dw_wts[]; };
layout(std430, set = 0, binding = 3) readonly buffer DwBias { STORE4 dw_bias[]; };
layout(std430, set = 0, binding = 4) readonly buffer PwWeights { STORE4 pw_wts[]; };
layout(std430, set = 0, binding = 5) readonly buffer PwBias { STORE4 pw_bias[]; };

layout(push_constant) uniform Push { ivec4 range; } pc;

// The shared depthwise tile: pixels x STEP slices (LX * LY <= 64, the host's rule, so STEP >= 8).
const int TILE = 512;
shared vec4 tile[TILE];

// The depthwise output vec4 of slice t at (y, x) of batch b, after its activation and epilogue
// (padding lanes are 0: zero weights and bias, and every step maps 0 to 0 or is masked here).
vec4 depthwise(int b, int t, int y, int x) {
  const int MID_S = (MID_C + 3) / 4;
  const int base = (b * MID_S + t) * IN_H * IN_W;
  vec4 acc = vec4(dw_bias[t]);
  for (int ky = 0; ky < KH; ++ky) {
    const int iy = y * SH - PT + ky * DH;
    if (iy < 0 || iy >= IN_H) continue;
    for (int kx = 0; kx < KW; ++kx) {
      const int ix = x * SW - PL + kx * DW;
      if (ix < 0 || ix >= IN_W) continue;
      acc += vec4(dw_wts[(t * KH + ky) * KW + kx]) * vec4(src[base + iy * IN_W + ix]);
    }
  }
  vec4 v = apply_activation(acc, DW_ACT);
  v = epilogue_step(v, DW_EP_OP0, DW_EP_ACT0, -1, DW_EP_SCALAR0, 0);
  v = epilogue_step(v, DW_EP_OP1, DW_EP_ACT1, -1, DW_EP_SCALAR1, 0);
  // Storage rounding of the unfused path's intermediate tensor (float16 in the fp16 variant).
  return mask_padding(vec4(TO_STORE(v)), t, MID_C);
}

void main() {
  const int MID_S = (MID_C + 3) / 4;
  const int LX = int(gl_WorkGroupSize.x), LY = int(gl_WorkGroupSize.y);
  const int PIXELS = LX * LY;
  const int GROUP = PIXELS * int(gl_WorkGroupSize.z);
  const int STEP = TILE / PIXELS;
  const int group_slices = int(gl_WorkGroupSize.z) * BLOCK_S;
  const int slice_groups = (pc.range.y - pc.range.x + group_slices - 1) / group_slices;
  // Every invocation of a workgroup has the same batch (the grid's z is slice groups x batches).
  const int b = int(gl_WorkGroupID.z) / slice_groups;
  const int s0 = pc.range.x + (int(gl_WorkGroupID.z) % slice_groups) * group_slices +
                 int(gl_LocalInvocationID.z) * BLOCK_S;
  const int tile_x0 = int(gl_WorkGroupID.x) * LX;
  const int tile_y0 = pc.range.z + int(gl_WorkGroupID.y) * LY;
  const int p = int(gl_LocalInvocationID.y) * LX + int(gl_LocalInvocationID.x);
  const int x = tile_x0 + int(gl_LocalInvocationID.x);
  const int y = tile_y0 + int(gl_LocalInvocationID.y);
  // No early return: every invocation takes part in the depthwise steps and their barriers.
  const bool inside = x < OUT_W && y < pc.range.w && s0 < pc.range.y && b < BATCH;

  int wbase[BLOCK_S];
  vec4 acc[BLOCK_S];
  for (int j = 0; j < BLOCK_S; ++j) {
    const int s = min(s0 + j, pc.range.y - 1);  // clamped: the extra ones are not stored
    wbase[j] = s * MID_S * 4;
    acc[j] = vec4(pw_bias[s]);
  }
  for (int t0 = 0; t0 < MID_S; t0 += STEP) {
    for (int i = int(gl_LocalInvocationIndex); i < PIXELS * STEP; i += GROUP) {
      const int q = i % PIXELS, c = i / PIXELS;
      const int qx = tile_x0 + q % LX, qy = tile_y0 + q / LX;
      tile[i] = qx < OUT_W && qy < pc.range.w && t0 + c < MID_S && b < BATCH ? depthwise(b, t0 + c, qy, qx) : vec4(0.0);
    }
    barrier();
    if (inside) {
      const int n = min(STEP, MID_S - t0);
      for (int c = 0; c < n; ++c) {
        const vec4 v = tile[c * PIXELS + p];
        for (int j = 0; j < BLOCK_S; ++j) {
          const int w = wbase[j] + (t0 + c) * 4;
          const MAT4 m = MAT4(vec4(pw_wts[w]), vec4(pw_wts[w + 1]), vec4(pw_wts[w + 2]), vec4(pw_wts[w + 3]));
          acc[j] += m * v;
        }
      }
    }
    barrier();
  }
  if (!inside) return;
  const ivec4 out_shape = ivec4(BATCH, OUT_H, OUT_W, OUT_C);
  for (int j = 0; j < BLOCK_S; ++j) {
    const int s = s0 + j;
    if (s >= pc.range.y) break;
    const int oi = phwc4_index(out_shape, b, s, y, x);
    dst[oi] = TO_STORE(mask_padding(apply_epilogue(apply_activation(acc[j], ACT), oi), s, OUT_C));
  }
}
