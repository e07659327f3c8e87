// fully_connected: FULLY_CONNECTED on PHWC4, one output vec4 (x, row, slice) per invocation.
// Output row r = (b * OUT_H + y) * OUT_W + x (the flat index of the output's pixel) is the dot of
// the logical (NHWC-order) input elements [r*I, (r+1)*I) with each weight row:
//   out[r,o] = act(bias[o] + sum_i in_flat[r*I + i] * w[o,i]).
// CHUNKED (I a multiple of the input's channels C): the row is P = I/C whole input pixels, read as
// vec4 slices, weights packed [out slice][p][in slice] 4 vec4 (vec4 l = the output lanes' weights
// of input lane l). Otherwise each element is gathered by its flat index, weights [out slice][i]
// vec4. Bindings: 0 output, 1 input, 2 weights, 3 bias, 4-5 epilogue operands.
#version 450
#extension GL_GOOGLE_include_directive : require
#include "common.glsl"
#define EPILOGUE_BINDING 4
#include "epilogue.glsl"

layout(local_size_x_id = 0, local_size_y_id = 1, local_size_z_id = 2) in;
layout(constant_id = 3) const int BATCH = 1;  // of the output
layout(constant_id = 4) const int IN_H = 1;
layout(constant_id = 5) const int IN_W = 1;
layout(constant_id = 6) const int IN_C = 1;
layout(constant_id = 7) const int OUT_H = 1;
layout(constant_id = 8) const int OUT_W = 1;
layout(constant_id = 9) const int OUT_C = 1;
layout(constant_id = 10) const int DEPTH = 1;  // I: inputs per output row
layout(constant_id = 11) const int ACT = 0;
layout(constant_id = 12) const bool CHUNKED = true;

layout(std430, set = 0, binding = 0) writeonly buffer Output { vec4 dst[]; };
layout(std430, set = 0, binding = 1) readonly buffer Input { vec4 src[]; };
layout(std430, set = 0, binding = 2) readonly buffer Weights { vec4 wts[]; };
layout(std430, set = 0, binding = 3) readonly buffer Bias { vec4 bias[]; };

layout(push_constant) uniform Push { ivec4 range; } pc;

void main() {
  const int IN_S = (IN_C + 3) / 4;
  const int HW = IN_H * IN_W;
  const int slices = pc.range.y - pc.range.x;
  const int x = int(gl_GlobalInvocationID.x);
  const int y = pc.range.z + int(gl_GlobalInvocationID.y);
  const int z = int(gl_GlobalInvocationID.z);
  if (x >= OUT_W || y >= pc.range.w || z >= slices * BATCH) return;
  const int b = z / slices;
  const int s = pc.range.x + z % slices;
  const int r = (b * OUT_H + y) * OUT_W + x;

  vec4 acc = bias[s];
  if (CHUNKED) {
    const int P = DEPTH / IN_C;
    int wi = s * P * IN_S * 4;
    for (int p = 0; p < P; ++p) {
      const int q = r * P + p;  // input pixel, flat over (n, h, w)
      int ii = (q / HW) * IN_S * HW + q % HW;
      for (int t = 0; t < IN_S; ++t) {
        acc += mat4(wts[wi], wts[wi + 1], wts[wi + 2], wts[wi + 3]) * src[ii];
        wi += 4;
        ii += HW;
      }
    }
  } else {
    const int wi = s * DEPTH;
    for (int i = 0; i < DEPTH; ++i) {
      const int e = r * DEPTH + i;  // logical input element
      const int q = e / IN_C, c = e % IN_C;
      const float v = src[((q / HW) * IN_S + c / 4) * HW + q % HW][c % 4];
      acc += wts[wi + i] * v;
    }
  }
  const ivec4 out_shape = ivec4(BATCH, OUT_H, OUT_W, OUT_C);
  const int oi = phwc4_index(out_shape, b, s, y, x);
  dst[oi] = mask_padding(apply_epilogue(apply_activation(acc, ACT), oi), s, OUT_C);
}
