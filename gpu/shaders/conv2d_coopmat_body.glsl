// The body of conv2d_coopmat.comp (see there), shared with conv2d_coopmat_emulated.comp, which
// defines COOPMAT_EMULATE: the same staging, ranges and epilogue with the 16x16x16 matrix products
// replaced by shared-memory dot products of the same float16 operands (float32 sums), so the
// lavapipe tests check everything but the cooperative-matrix instructions themselves.
// The including file provides #version and the extensions.
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
// TRANSPOSE_CONV in gather form (transpose_conv.comp's formula): tap (ky, kx) of output (y, x) reads
// input (iy, ix) with y + PT - ky = iy * SH, x + PL - kx = ix * SW, zero where not a whole step.
layout(constant_id = 19) const bool TRANSPOSED = false;

layout(std430, set = 0, binding = 0) writeonly buffer Output { STORE4 dst[]; };
layout(std430, set = 0, binding = 1) readonly buffer Input { STORE4 src[]; };
layout(std430, set = 0, binding = 2) readonly buffer Weights { STORE4 wts[]; };
layout(std430, set = 0, binding = 3) readonly buffer Bias { STORE4 bias[]; };

layout(push_constant) uniform Push { ivec4 range; } pc;

// The tuned tile (gpu/workgroup_tuning.h's block ids; gpu/ops/conv2d_coopmat.cpp's candidates): each
// of the 4 subgroups computes MATS_M x MATS_N matrices of 16 x 16 (1 or 2 each), so the workgroup
// tile is TM = 32 * MATS_M pixels x TN = 32 * MATS_N channels (64 x 64 by default).
layout(constant_id = BLOCK_X_ID) const int MATS_M = 2;
layout(constant_id = BLOCK_S_ID) const int MATS_N = 2;
const int TM = 32 * MATS_M, TN = 32 * MATS_N, TK = 16;  // TK = 4 input slices
const int TN_S = TN / 4, TK_S = TK / 4;
const int TM_MAX = 64, TN_MAX = 64;  // shared arrays are sized for the largest tile
// Shared row strides (elements), padded against bank conflicts; multiples of 16 bytes as the
// cooperative loads and stores require.
const int A_STRIDE = TK + 8;   // float16: 48 bytes
const int B_STRIDE = TN_MAX + 8;   // float16: 144 bytes
const int C_STRIDE = TN_MAX + 4;   // float: 272 bytes

shared float16_t a_tile[TM_MAX * A_STRIDE];
shared float16_t b_tile[TK * B_STRIDE];
shared float c_tile[TM_MAX * C_STRIDE];

#ifndef COOPMAT_EMULATE
#define HMAT fcoopmatNV<16, gl_ScopeSubgroup, 16, 16>
#define FMAT fcoopmatNV<32, gl_ScopeSubgroup, 16, 16>
#endif

void main() {
  const int IN_S = (IN_C + 3) / 4;
  const int OUT_S = (OUT_C + 3) / 4;
  const int KSLICES = KH * KW * IN_S;
  const int rows = pc.range.w - pc.range.z;
  const int pixels = BATCH * rows * OUT_W;
  const int m0 = int(gl_WorkGroupID.x) * TM;
  const int s0 = pc.range.x + int(gl_WorkGroupID.y) * TN_S;
  const int lid = int(gl_LocalInvocationIndex);
  const int invocations = int(gl_WorkGroupSize.x * gl_WorkGroupSize.y * gl_WorkGroupSize.z);
#ifndef COOPMAT_EMULATE
  // The subgroup's quarter of the tile (the host makes the group exactly 4 subgroups).
  const int sg = int(gl_SubgroupID);
  const int wm = (sg / 2) * 16 * MATS_M, wn = (sg % 2) * 16 * MATS_N;

  FMAT acc[2][2];
  for (int i = 0; i < 2; ++i)
    for (int j = 0; j < 2; ++j) acc[i][j] = FMAT(0.0);
#else
  // Emulation: each invocation owns the same C elements every K step and accumulates them in c_tile.
  for (int e = lid; e < TM * TN; e += invocations) c_tile[(e / TN) * C_STRIDE + e % TN] = 0.0;
#endif

  const int ksteps = (KSLICES + TK_S - 1) / TK_S;
  for (int kt = 0; kt < ksteps; ++kt) {
    barrier();
    // A: TM pixels x TK_S input slices; consecutive invocations read consecutive pixels of a slice.
    for (int e = lid; e < TM * TK_S; e += invocations) {
      const int q = e / TM, p = e % TM;
      const int m = m0 + p, ks = kt * TK_S + q;
      vec4 v = vec4(0.0);
      if (m < pixels && ks < KSLICES) {
        const int b = m / (rows * OUT_W), r = m % (rows * OUT_W);
        const int y = pc.range.z + r / OUT_W, x = r % OUT_W;
        const int kk = ks / IN_S, t = ks % IN_S;
        int iy, ix;
        bool inside;
        if (TRANSPOSED) {
          const int ty = y + PT - kk / KW, tx = x + PL - kk % KW;
          iy = ty / SH;
          ix = tx / SW;
          inside = ty >= 0 && tx >= 0 && ty % SH == 0 && tx % SW == 0;
        } else {
          iy = y * SH - PT + (kk / KW) * DH;
          ix = x * SW - PL + (kk % KW) * DW;
          inside = true;
        }
        if (inside && iy >= 0 && iy < IN_H && ix >= 0 && ix < IN_W)
          v = vec4(src[((b * IN_S + t) * IN_H + iy) * IN_W + ix]);
      }
      const f16vec4 h = f16vec4(v);
      const int at = p * A_STRIDE + q * 4;
      a_tile[at] = h.x;
      a_tile[at + 1] = h.y;
      a_tile[at + 2] = h.z;
      a_tile[at + 3] = h.w;
    }
    // B: TK rows x TN_S slices of 4 output channels (rows are zero-padded to a multiple of TK).
    for (int e = lid; e < TK * TN_S; e += invocations) {
      const int k = e / TN_S, j = e % TN_S;
      const int s = s0 + j;
      const f16vec4 h = s < OUT_S ? f16vec4(vec4(wts[(kt * TK + k) * OUT_S + s])) : f16vec4(0.0);
      const int at = k * B_STRIDE + j * 4;
      b_tile[at] = h.x;
      b_tile[at + 1] = h.y;
      b_tile[at + 2] = h.z;
      b_tile[at + 3] = h.w;
    }
    barrier();
#ifndef COOPMAT_EMULATE
    HMAT a[2], bm[2];
    for (int i = 0; i < MATS_M; ++i) coopMatLoadNV(a[i], a_tile, (wm + i * 16) * A_STRIDE, A_STRIDE, false);
    for (int j = 0; j < MATS_N; ++j) coopMatLoadNV(bm[j], b_tile, wn + j * 16, B_STRIDE, false);
    for (int i = 0; i < MATS_M; ++i)
      for (int j = 0; j < MATS_N; ++j) acc[i][j] = coopMatMulAddNV(a[i], bm[j], acc[i][j]);
#else
    for (int e = lid; e < TM * TN; e += invocations) {
      const int p = e / TN, n = e % TN;
      float sum = 0.0;
      for (int k = 0; k < TK; ++k) sum += float(a_tile[p * A_STRIDE + k]) * float(b_tile[k * B_STRIDE + n]);
      c_tile[p * C_STRIDE + n] += sum;
    }
#endif
  }
#ifndef COOPMAT_EMULATE
  for (int i = 0; i < MATS_M; ++i)
    for (int j = 0; j < MATS_N; ++j)
      coopMatStoreNV(acc[i][j], c_tile, (wm + i * 16) * C_STRIDE + wn + j * 16, C_STRIDE, false);
#endif
  barrier();

  // Epilogue per output vec4, consecutive invocations on consecutive pixels of one slice (PHWC4 order).
  const ivec4 out_shape = ivec4(BATCH, OUT_H, OUT_W, OUT_C);
  for (int e = lid; e < TM * TN_S; e += invocations) {
    const int j = e / TM, p = e % TM;
    const int m = m0 + p, s = s0 + j;
    if (m >= pixels || s >= pc.range.y) continue;
    const int b = m / (rows * OUT_W), r = m % (rows * OUT_W);
    const int y = pc.range.z + r / OUT_W, x = r % OUT_W;
    const int c = p * C_STRIDE + j * 4;
    const vec4 v = vec4(c_tile[c], c_tile[c + 1], c_tile[c + 2], c_tile[c + 3]) + vec4(bias[s]);
    const int oi = phwc4_index(out_shape, b, s, y, x);
    dst[oi] = TO_STORE(mask_padding(apply_epilogue(apply_activation(v, ACT), oi), s, OUT_C));
  }
}
