// transpose_conv: TRANSPOSE_CONV on PHWC4 in gather form, one output vec4 (x, row, slice) per
// invocation: output pixel (y, x) sums the input pixels that scatter into it,
//   out[b,y,x,o] = act(bias[o] + sum over ky, kx with y + PT - ky = iy*SH, x + PL - kx = ix*SW
//                  (0 <= iy < IN_H, 0 <= ix < IN_W) of sum_i in[b,iy,ix,i] * w[o,ky,kx,i]),
// so any output range is computed exactly. Weights packed as conv2d's ([out slice][ky][kx][in
// slice] 4 vec4). Bindings: 0 output, 1 input, 2 weights, 3 bias, 4-5 epilogue operands.
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
layout(constant_id = 14) const int PT = 0;
layout(constant_id = 15) const int PL = 0;
layout(constant_id = 16) const int ACT = 0;

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

  vec4 acc = vec4(0.0);
  const int plane = IN_H * IN_W;
  const int in_batch = b * IN_S * plane;
  const int ty = y + PT, tx = x + PL;  // >= 0
  // Taps whose offset is congruent to ty mod SH; iy = (ty - ky) / SH decreases as ky grows.
  for (int ky = ty % SH; ky < KH; ky += SH) {
    const int iy = (ty - ky) / SH;
    if (iy < 0) break;
    if (iy >= IN_H) continue;
    for (int kx = tx % SW; kx < KW; kx += SW) {
      const int ix = (tx - kx) / SW;
      if (ix < 0) break;
      if (ix >= IN_W) continue;
      int wi = ((s * KH + ky) * KW + kx) * IN_S * 4;
      int ii = in_batch + iy * IN_W + ix;
      for (int t = 0; t < IN_S; ++t) {
        acc += mat4(wts[wi], wts[wi + 1], wts[wi + 2], wts[wi + 3]) * src[ii];
        wi += 4;
        ii += plane;
      }
    }
  }
  acc += bias[s];
  const ivec4 out_shape = ivec4(BATCH, OUT_H, OUT_W, OUT_C);
  const int oi = phwc4_index(out_shape, b, s, y, x);
  dst[oi] = mask_padding(apply_epilogue(apply_activation(acc, ACT), oi), s, OUT_C);
}
