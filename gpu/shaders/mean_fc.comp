// mean_fc: MEAN over H, W (or a whole-map AVERAGE_POOL_2D) followed by one or two fully connected products (FULLY_CONNECTED or 1x1
// CONV_2D on the 1x1 map) in one workgroup (gpu/fuse_mean_fc.h says which chains):
//   m[c]   = sum_{y,x} in[0,y,x,c] / (H * W)
//   h[j]   = ep1(act1(b1[j] + sum_c w1[j,c] * m[c]))             (FC1; the last op when NUM_FC == 1)
//   out[o] = epilogue(act(b2[o] + sum_j w2[o,j] * h[j]))          (FC2, when NUM_FC == 2)
// Workgroups of G invocations, each owning GROUP_SLICES output slices of the range (grid x: their
// count); each computes the whole pooled vector (and FC1's outputs) itself into shared memory, so
// those stages are repeated per workgroup: the host keeps their cost small (gpu/fuse_mean_fc.h:
// FC1 joins only when small; at most 32 workgroups). Each stage splits its reduction: P = G /
// (output slices) invocations (at least 1) share one output slice, each summing every P-th term
// (pixels for the mean, input slices for an FC as conv2d.comp's mat4 block product), and the
// slice's first invocation adds the P partial sums from shared memory.
// Range: output slices [range.x, range.y) (rows: the output has one, range [0, 1)); only the last
// stage is restricted to it. Weights: conv2d.comp's packing with KH = KW = 1. Intermediates are
// rounded to the storage type as the unfused path stores them (float16 in the fp16 variant).
// Bindings: 0 output, 1 input, 2 w1, 3 b1, 4 w2, 5 b2 (unused with NUM_FC == 1), 6-7 the last op's
// epilogue operands. FC1's own epilogue (NUM_FC == 2: at most 2 steps without operand tensors) is EP1_*.
#version 450
#extension GL_GOOGLE_include_directive : require
#include "common.glsl"
#define EPILOGUE_BINDING 6
#include "epilogue.glsl"

layout(local_size_x_id = 0, local_size_y = 1, local_size_z = 1) in;
layout(constant_id = 3) const int IN_H = 1;
layout(constant_id = 4) const int IN_W = 1;
layout(constant_id = 5) const int IN_C = 1;
layout(constant_id = 6) const int MID_C = 1;  // FC1 outputs (NUM_FC == 2)
layout(constant_id = 7) const int OUT_C = 1;  // the last op's outputs
layout(constant_id = 8) const int NUM_FC = 1;
layout(constant_id = 9) const int ACT1 = 0;
layout(constant_id = 10) const int ACT = 0;
layout(constant_id = 11) const int EP1_OP0 = 0;
layout(constant_id = 12) const int EP1_ACT0 = 0;
layout(constant_id = 13) const float EP1_SCALAR0 = 0.0;
layout(constant_id = 14) const int EP1_OP1 = 0;
layout(constant_id = 15) const int EP1_ACT1 = 0;
layout(constant_id = 16) const float EP1_SCALAR1 = 0.0;
layout(constant_id = 17) const int GROUP_SLICES = 1;  // output slices per workgroup

layout(std430, set = 0, binding = 0) writeonly buffer Output { STORE4 dst[]; };
layout(std430, set = 0, binding = 1) readonly buffer Input { STORE4 src[]; };
layout(std430, set = 0, binding = 2) readonly buffer Weights1 { STORE4 w1[]; };
layout(std430, set = 0, binding = 3) readonly buffer Bias1 { STORE4 b1[]; };
layout(std430, set = 0, binding = 4) readonly buffer Weights2 { STORE4 w2[]; };
layout(std430, set = 0, binding = 5) readonly buffer Bias2 { STORE4 b2[]; };

layout(push_constant) uniform Push { ivec4 range; } pc;

// Capacities (gpu/fuse_mean_fc.h: kMeanFcMaxChannels, kMeanFcMaxHidden) and the partial sums (G <= 256).
shared vec4 pooled[512];
shared vec4 hidden[384];
shared vec4 partial[256];

// The FC product of output slice s over input slices [first, IN_S) step `step`, from `x`.
#define FC_PARTIAL(W, x, IN_S, s, first, step, acc)                                                 \
  for (int t = first; t < IN_S; t += step) {                                                        \
    const int w = ((s) * (IN_S) + t) * 4;                                                           \
    acc += mat4(vec4(W[w]), vec4(W[w + 1]), vec4(W[w + 2]), vec4(W[w + 3])) * x[t];                 \
  }

void main() {
  const int G = int(gl_WorkGroupSize.x);
  const int n = int(gl_LocalInvocationIndex);
  const int IN_S = (IN_C + 3) / 4, MID_S = (MID_C + 3) / 4;
  const int plane = IN_H * IN_W;
  const int first = pc.range.x + int(gl_WorkGroupID.x) * GROUP_SLICES;
  const int end = min(pc.range.y, first + GROUP_SLICES);
  if (pc.range.z > 0 || pc.range.w < 1 || first >= end) return;  // the whole group: uniform

  // 1. Mean: P invocations per slice, slices in rounds of G / P.
  {
    const int P = max(1, G / IN_S), per_round = G / P;
    for (int t0 = 0; t0 < IN_S; t0 += per_round) {
      const int t = t0 + n / P, part = n % P;
      vec4 acc = vec4(0.0);
      if (t < IN_S && n < per_round * P)
        for (int p = part; p < plane; p += P) acc += vec4(src[t * plane + p]);
      partial[n] = acc;
      barrier();
      if (part == 0 && t < IN_S && n < per_round * P) {
        vec4 s = vec4(0.0);
        for (int k = 0; k < P; ++k) s += partial[n + k];
        pooled[t] = mask_padding(vec4(TO_STORE(s / float(plane))), t, IN_C);
      }
      barrier();
    }
  }
  // 2. FC1 into shared memory (NUM_FC == 2): every output slice.
  if (NUM_FC == 2) {
    const int P = max(1, G / MID_S), per_round = G / P;
    for (int s0 = 0; s0 < MID_S; s0 += per_round) {
      const int s = s0 + n / P, part = n % P;
      vec4 acc = vec4(0.0);
      if (s < MID_S && n < per_round * P) {
        FC_PARTIAL(w1, pooled, IN_S, s, part, P, acc)
      }
      partial[n] = acc;
      barrier();
      if (part == 0 && s < MID_S && n < per_round * P) {
        vec4 v = vec4(b1[s]);
        for (int k = 0; k < P; ++k) v += partial[n + k];
        v = apply_activation(v, ACT1);
        v = epilogue_step(v, EP1_OP0, EP1_ACT0, -1, EP1_SCALAR0, 0);
        v = epilogue_step(v, EP1_OP1, EP1_ACT1, -1, EP1_SCALAR1, 0);
        hidden[s] = mask_padding(vec4(TO_STORE(v)), s, MID_C);
      }
      barrier();
    }
  }
  // 3. The last op over the range's slices, stored with its activation and epilogue.
  {
    const int K_S = NUM_FC == 2 ? MID_S : IN_S;
    const int slices = end - first;
    const int P = max(1, G / slices), per_round = G / P;
    for (int s0 = 0; s0 < slices; s0 += per_round) {
      const int s = first + s0 + n / P, part = n % P;
      const bool mine = s < end && n < per_round * P;
      vec4 acc = vec4(0.0);
      if (mine) {
        if (NUM_FC == 2) {
          FC_PARTIAL(w2, hidden, K_S, s, part, P, acc)
        } else {
          FC_PARTIAL(w1, pooled, K_S, s, part, P, acc)
        }
      }
      partial[n] = acc;
      barrier();
      if (part == 0 && mine) {
        vec4 v = NUM_FC == 2 ? vec4(b2[s]) : vec4(b1[s]);
        for (int k = 0; k < P; ++k) v += partial[n + k];
        dst[s] = TO_STORE(mask_padding(apply_epilogue(apply_activation(v, ACT), s), s, OUT_C));
      }
      barrier();
    }
  }
}
