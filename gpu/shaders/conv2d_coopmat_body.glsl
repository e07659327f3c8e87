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

// The tuned tile (gpu/ops/conv2d_coopmat.h's CoopMatTile; WorkgroupSize x = GRID * GRID subgroups,
// y = SG_K, block_x = MATS_M, block_s = MATS_N). GRID x GRID subgroups split the tile: each computes
// MATS_M x MATS_N matrices of 16 x 16, so the tile is TM = 16 * GRID * MATS_M pixels x TN = 16 * GRID
// * MATS_N channels. SG_K such grids split each staged K step: the group stages TK = 16 * SG_K
// (SG_K * 4 input slices) per step and K group kq multiplies its 16 of them, then the K groups'
// accumulators are added in shared memory (a tree) before the epilogue. A large SG_K with a small
// tile suits batch-1 layers with few pixels and long reductions (7x7 and 14x14 maps, K = 576-4608):
// fewer, fuller K steps and more workgroups, where 2 x 2 quarters of a 64 x 64 tile left most of
// the GPU idle on a long serial K loop.
layout(constant_id = BLOCK_X_ID) const int MATS_M = 2;
layout(constant_id = BLOCK_S_ID) const int MATS_N = 2;
layout(constant_id = 20) const int GRID = 2;
layout(constant_id = 21) const int SG_K = 1;  // a power of two; the local size's y
const int TM = 16 * GRID * MATS_M, TN = 16 * GRID * MATS_N, TK = 16 * SG_K;
const int TN_S = TN / 4, TK_S = TK / 4;
// Shared row strides (elements), padded against bank conflicts; multiples of 16 bytes as the
// cooperative loads and stores require.
const int A_STRIDE = TK + 8;   // float16
const int B_STRIDE = TN + 8;   // float16
const int C_STRIDE = TN + 4;   // float
const int C_SLOTS = (SG_K + 1) / 2;  // the reduction tree's first level (slot 0 also takes the result)

shared float16_t a_tile[TM * A_STRIDE];
shared float16_t b_tile[TK * B_STRIDE];
shared float c_tile[C_SLOTS * TM * C_STRIDE];

#ifndef COOPMAT_EMULATE
#define HMAT fcoopmatNV<16, gl_ScopeSubgroup, 16, 16>
#define FMAT fcoopmatNV<32, gl_ScopeSubgroup, 16, 16>
#endif

// Each invocation stages at most MAX_PER vec4 of A and of B per K step (TM * TK_S / invocations:
// 2 * MATS_M / GRID with 32-wide subgroups, more with narrower ones), held in registers from one
// step to the next so that the loads of step k + 1 are in flight while step k multiplies.
const int MAX_PER = 16;

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
  const int a_per = (TM * TK_S + invocations - 1) / invocations;
  const int b_per = (TK * TN_S + invocations - 1) / invocations;
#ifndef COOPMAT_EMULATE
  // The subgroup's K group and its part of the tile (the host makes the group GRID * GRID * SG_K
  // subgroups).
  const int sg = int(gl_SubgroupID);
  const int kq = sg / (GRID * GRID), quarter = sg % (GRID * GRID);
  const int wm = (quarter / GRID) * 16 * MATS_M, wn = (quarter % GRID) * 16 * MATS_N;

  FMAT acc[2][2];
  for (int i = 0; i < 2; ++i)
    for (int j = 0; j < 2; ++j) acc[i][j] = FMAT(0.0);
#else
  // Emulation: each invocation owns the same C elements every K step and accumulates them in c_tile.
  for (int e = lid; e < TM * TN; e += invocations) c_tile[(e / TN) * C_STRIDE + e % TN] = 0.0;
#endif

  // The pixel of each A element this invocation stages is the same every step (e = lid + r *
  // invocations, pixel p = e % TM, slice q = e / TM): decoded once.
  ivec3 a_pix[MAX_PER];  // (batch, y, x), batch < 0 past the range
  for (int r = 0; r < a_per && r < MAX_PER; ++r) {
    const int e = lid + r * invocations;
    const int m = m0 + e % TM;
    a_pix[r] = ivec3(-1, 0, 0);
    if (e < TM * TK_S && m < pixels) {
      const int rr = m % (rows * OUT_W);
      a_pix[r] = ivec3(m / (rows * OUT_W), pc.range.z + rr / OUT_W, rr % OUT_W);
    }
  }
  vec4 ra[MAX_PER], rb[MAX_PER];
  const int ksteps = (KSLICES + TK_S - 1) / TK_S;
  for (int kt = 0; kt <= ksteps; ++kt) {
    if (kt > 0) {
      // Stage step kt - 1 (in registers) in shared memory as float16, then multiply it.
      barrier();
      for (int r = 0; r < a_per && r < MAX_PER; ++r) {
        const int e = lid + r * invocations;
        if (e >= TM * TK_S) break;
        const f16vec4 h = f16vec4(ra[r]);
        const int at = (e % TM) * A_STRIDE + (e / TM) * 4;
        a_tile[at] = h.x;
        a_tile[at + 1] = h.y;
        a_tile[at + 2] = h.z;
        a_tile[at + 3] = h.w;
      }
      for (int r = 0; r < b_per && r < MAX_PER; ++r) {
        const int e = lid + r * invocations;
        if (e >= TK * TN_S) break;
        const f16vec4 h = f16vec4(rb[r]);
        const int at = (e / TN_S) * B_STRIDE + (e % TN_S) * 4;
        b_tile[at] = h.x;
        b_tile[at + 1] = h.y;
        b_tile[at + 2] = h.z;
        b_tile[at + 3] = h.w;
      }
      barrier();
    }
    if (kt < ksteps) {
      // Load step kt into registers. A: TM pixels x TK_S input slices, consecutive invocations on
      // consecutive pixels of a slice; 0 outside the input.
      for (int r = 0; r < a_per && r < MAX_PER; ++r) {
        const int e = lid + r * invocations;
        const int ks = kt * TK_S + e / TM;
        vec4 v = vec4(0.0);
        if (e < TM * TK_S && a_pix[r].x >= 0 && ks < KSLICES) {
          const int b = a_pix[r].x, y = a_pix[r].y, x = a_pix[r].z;
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
          if (inside && iy >= 0 && iy < IN_H && ix >= 0 && ix < IN_W) v = vec4(src[((b * IN_S + t) * IN_H + iy) * IN_W + ix]);
        }
        ra[r] = v;
      }
      // B: TK rows x TN_S slices of 4 output channels; rows past K (the packing pads to 16) are 0.
      for (int r = 0; r < b_per && r < MAX_PER; ++r) {
        const int e = lid + r * invocations;
        const int s = s0 + e % TN_S, k = kt * TK + e / TN_S;
        rb[r] = e < TK * TN_S && s < OUT_S && k < KSLICES * 4 ? vec4(wts[k * OUT_S + s]) : vec4(0.0);
      }
    }
    if (kt > 0) {
#ifndef COOPMAT_EMULATE
      HMAT a[2], bm[2];
      for (int i = 0; i < MATS_M; ++i)
        coopMatLoadNV(a[i], a_tile, (wm + i * 16) * A_STRIDE + kq * 16, A_STRIDE, false);
      for (int j = 0; j < MATS_N; ++j) coopMatLoadNV(bm[j], b_tile, kq * 16 * B_STRIDE + wn + j * 16, B_STRIDE, false);
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
  }
#ifndef COOPMAT_EMULATE
  // Add the K groups' accumulators: at each level of the tree the upper half of the groups store
  // theirs into slots and the lower half add them.
  for (int level = SG_K / 2; level >= 1; level /= 2) {
    barrier();
    if (kq >= level && kq < 2 * level)
      for (int i = 0; i < MATS_M; ++i)
        for (int j = 0; j < MATS_N; ++j)
          coopMatStoreNV(acc[i][j], c_tile, (kq - level) * TM * C_STRIDE + (wm + i * 16) * C_STRIDE + wn + j * 16,
                         C_STRIDE, false);
    barrier();
    if (kq < level)
      for (int i = 0; i < MATS_M; ++i)
        for (int j = 0; j < MATS_N; ++j) {
          FMAT other;
          coopMatLoadNV(other, c_tile, kq * TM * C_STRIDE + (wm + i * 16) * C_STRIDE + wn + j * 16, C_STRIDE, false);
          acc[i][j] = acc[i][j] + other;
        }
  }
  barrier();
  if (kq == 0)
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
