// conv2d: CONV_2D on PHWC4, one output vec4 (x, row, slice) per invocation.
// out[b,y,x,o] = act(bias[o] + sum_{ky,kx,i} in[b, y*SH - PT + ky*DH, x*SW - PL + kx*DW, i] * w[o,ky,kx,i])
// Weights (packed by gpu/ops/conv2d.cpp): for output slice s, ky, kx, input slice t: 4 vec4, vec4 l
// holding the 4 output lanes' weights of input lane l, so one step is acc += mat4(...) * in4.
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

  vec4 acc = bias[s];
  const int plane = IN_H * IN_W;
  const int in_batch = b * IN_S * plane;
  for (int ky = 0; ky < KH; ++ky) {
    const int iy = y * SH - PT + ky * DH;
    if (iy < 0 || iy >= IN_H) continue;
    for (int kx = 0; kx < KW; ++kx) {
      const int ix = x * SW - PL + kx * DW;
      if (ix < 0 || ix >= IN_W) continue;
      int wi = ((s * KH + ky) * KW + kx) * IN_S * 4;
      int ii = in_batch + iy * IN_W + ix;
      for (int t = 0; t < IN_S; ++t) {
        acc += mat4(wts[wi], wts[wi + 1], wts[wi + 2], wts[wi + 3]) * src[ii];
        wi += 4;
        ii += plane;
      }
    }
  }
  const ivec4 out_shape = ivec4(BATCH, OUT_H, OUT_W, OUT_C);
  const int oi = phwc4_index(out_shape, b, s, y, x);
  dst[oi] = mask_padding(apply_epilogue(apply_activation(acc, ACT), oi), s, OUT_C);
}
