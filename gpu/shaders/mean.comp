// mean: MEAN over a subset of the 4D axes. R is the input's shape with the reduced axes set to 1;
// output element at NHWC flat index f is the mean of the input region of element f of R (the output's
// 4D shape may differ from R when keep_dims is false, but the flat orders agree). FAST (output 4D
// shape == R and C not reduced): one vec4 sum per output vec4 over the reduced region of the same
// slice. Else each lane loops over its region. Sums go row by row to limit float rounding.
#version 450
#extension GL_GOOGLE_include_directive : require
#include "common.glsl"
#include "general_ops.glsl"

layout(local_size_x_id = 0, local_size_y_id = 1, local_size_z_id = 2) in;

layout(constant_id = 3) const bool REDUCE_N = false;
layout(constant_id = 4) const bool REDUCE_H = false;
layout(constant_id = 5) const bool REDUCE_W = false;
layout(constant_id = 6) const bool REDUCE_C = false;
layout(constant_id = 7) const bool FAST = false;
layout(constant_id = 8) const int IN_N = 1;
layout(constant_id = 9) const int IN_H = 1;
layout(constant_id = 10) const int IN_W = 1;
layout(constant_id = 11) const int IN_C = 1;
layout(constant_id = 12) const int OUT_N = 1;
layout(constant_id = 13) const int OUT_H = 1;
layout(constant_id = 14) const int OUT_W = 1;
layout(constant_id = 15) const int OUT_C = 1;
layout(constant_id = 16) const int R_N = 1;
layout(constant_id = 17) const int R_H = 1;
layout(constant_id = 18) const int R_W = 1;
layout(constant_id = 19) const int R_C = 1;
layout(constant_id = 20) const float INV_COUNT = 1.0;  // elements of R / elements of the input

layout(std430, binding = 0) writeonly buffer Out { STORE4 out_data[]; };
layout(std430, binding = 1) readonly buffer In { STORE4 in_data[]; };

layout(push_constant) uniform Push { ivec4 range; } pc;

const ivec4 IN_SHAPE = ivec4(IN_N, IN_H, IN_W, IN_C);

// Sum of the 4-lane input slice s over the region of R position (n, y, x).
vec4 slice_sum(int n, int s, int y, int x) {
  vec4 acc = vec4(0.0);
  for (int in_n = REDUCE_N ? 0 : n; in_n < (REDUCE_N ? IN_N : n + 1); ++in_n)
    for (int iy = REDUCE_H ? 0 : y; iy < (REDUCE_H ? IN_H : y + 1); ++iy) {
      const int row = phwc4_index(IN_SHAPE, in_n, s, iy, 0);
      vec4 row_sum = vec4(0.0);
      for (int ix = REDUCE_W ? 0 : x; ix < (REDUCE_W ? IN_W : x + 1); ++ix) row_sum += in_data[row + ix];
      acc += row_sum;
    }
  return acc;
}

// Sum over the region of the R element at coordinates p = (n, y, x, c).
float element_sum(ivec4 p) {
  float acc = 0.0;
  for (int in_n = REDUCE_N ? 0 : p.x; in_n < (REDUCE_N ? IN_N : p.x + 1); ++in_n)
    for (int iy = REDUCE_H ? 0 : p.y; iy < (REDUCE_H ? IN_H : p.y + 1); ++iy) {
      float row_sum = 0.0;
      for (int ix = REDUCE_W ? 0 : p.z; ix < (REDUCE_W ? IN_W : p.z + 1); ++ix)
        for (int c = REDUCE_C ? 0 : p.w; c < (REDUCE_C ? IN_C : p.w + 1); ++c)
          row_sum += in_data[phwc4_index(IN_SHAPE, in_n, c / 4, iy, ix)][c % 4];
      acc += row_sum;
    }
  return acc;
}

void main() {
  int b, s, y, x;
  if (!range_position(pc.range, OUT_N, OUT_W, b, s, y, x)) return;
  const ivec4 out_shape = ivec4(OUT_N, OUT_H, OUT_W, OUT_C);
  vec4 v = vec4(0.0);
  if (FAST) {
    v = mask_padding(slice_sum(b, s, y, x) * INV_COUNT, s, OUT_C);
  } else {
    const int base = ((b * OUT_H + y) * OUT_W + x) * OUT_C + s * 4;
    for (int l = 0; l < 4 && s * 4 + l < OUT_C; ++l)
      v[l] = element_sum(nhwc_coords(ivec4(R_N, R_H, R_W, R_C), base + l)) * INV_COUNT;
  }
  out_data[phwc4_index(out_shape, b, s, y, x)] = TO_STORE(v);
}
