// concatenation: up to 8 inputs along any 4D axis, fused activation. Each invocation writes one
// output vec4. Along N, H or W the vec4 is one input vec4; along C every lane finds its input (an
// output slice may take lanes from two or more inputs when channel counts are not multiples of 4).
// Inputs sit at bindings 1..8 in the host's binding order; SLOT_k is the binding (minus 1) of op
// input k. Unused bindings are bound to some input by the host and never read.
#version 450
#extension GL_GOOGLE_include_directive : require
#include "common.glsl"
#include "general_ops.glsl"

layout(local_size_x_id = 0, local_size_y_id = 1, local_size_z_id = 2) in;

layout(constant_id = 3) const int AXIS = 3;  // 0 N, 1 H, 2 W, 3 C
layout(constant_id = 4) const int ACTIVATION = 0;
layout(constant_id = 5) const int NUM_INPUTS = 1;
layout(constant_id = 6) const int OUT_N = 1;
layout(constant_id = 7) const int OUT_H = 1;
layout(constant_id = 8) const int OUT_W = 1;
layout(constant_id = 9) const int OUT_C = 1;
// Start of input k along the axis (OFFSET_k for k >= NUM_INPUTS: the output's size along it).
layout(constant_id = 10) const int OFFSET_0 = 0;
layout(constant_id = 11) const int OFFSET_1 = 0;
layout(constant_id = 12) const int OFFSET_2 = 0;
layout(constant_id = 13) const int OFFSET_3 = 0;
layout(constant_id = 14) const int OFFSET_4 = 0;
layout(constant_id = 15) const int OFFSET_5 = 0;
layout(constant_id = 16) const int OFFSET_6 = 0;
layout(constant_id = 17) const int OFFSET_7 = 0;
layout(constant_id = 18) const int OFFSET_8 = 0;
layout(constant_id = 19) const int SLOT_0 = 0;
layout(constant_id = 20) const int SLOT_1 = 1;
layout(constant_id = 21) const int SLOT_2 = 2;
layout(constant_id = 22) const int SLOT_3 = 3;
layout(constant_id = 23) const int SLOT_4 = 4;
layout(constant_id = 24) const int SLOT_5 = 5;
layout(constant_id = 25) const int SLOT_6 = 6;
layout(constant_id = 26) const int SLOT_7 = 7;

layout(std430, binding = 0) writeonly buffer Out { STORE4 out_data[]; };
layout(std430, binding = 1) readonly buffer In0 { STORE4 d[]; } in0;
layout(std430, binding = 2) readonly buffer In1 { STORE4 d[]; } in1;
layout(std430, binding = 3) readonly buffer In2 { STORE4 d[]; } in2;
layout(std430, binding = 4) readonly buffer In3 { STORE4 d[]; } in3;
layout(std430, binding = 5) readonly buffer In4 { STORE4 d[]; } in4;
layout(std430, binding = 6) readonly buffer In5 { STORE4 d[]; } in5;
layout(std430, binding = 7) readonly buffer In6 { STORE4 d[]; } in6;
layout(std430, binding = 8) readonly buffer In7 { STORE4 d[]; } in7;

layout(push_constant) uniform Push { ivec4 range; } pc;

int offset_of(int k) {
  switch (k) {
    case 0: return OFFSET_0;
    case 1: return OFFSET_1;
    case 2: return OFFSET_2;
    case 3: return OFFSET_3;
    case 4: return OFFSET_4;
    case 5: return OFFSET_5;
    case 6: return OFFSET_6;
    case 7: return OFFSET_7;
  }
  return OFFSET_8;
}

int slot_of(int k) {
  switch (k) {
    case 0: return SLOT_0;
    case 1: return SLOT_1;
    case 2: return SLOT_2;
    case 3: return SLOT_3;
    case 4: return SLOT_4;
    case 5: return SLOT_5;
    case 6: return SLOT_6;
  }
  return SLOT_7;
}

// Vec4 i of op input k.
vec4 load_input(int k, int i) {
  switch (slot_of(k)) {
    case 0: return in0.d[i];
    case 1: return in1.d[i];
    case 2: return in2.d[i];
    case 3: return in3.d[i];
    case 4: return in4.d[i];
    case 5: return in5.d[i];
    case 6: return in6.d[i];
  }
  return in7.d[i];
}

// The input that owns position `pos` along the axis.
int input_at(int pos) {
  int k = 0;
  for (int j = 1; j < NUM_INPUTS; ++j)
    if (pos >= offset_of(j)) k = j;
  return k;
}

// The 4D shape of input k.
ivec4 input_shape(int k) {
  ivec4 s = ivec4(OUT_N, OUT_H, OUT_W, OUT_C);
  s[AXIS] = offset_of(k + 1) - offset_of(k);
  return s;
}

void main() {
  int b, s, y, x;
  if (!range_position(pc.range, OUT_N, OUT_W, b, s, y, x)) return;
  vec4 v = vec4(0.0);
  if (AXIS == 3) {
    for (int l = 0; l < 4; ++l) {
      const int c = s * 4 + l;
      if (c >= OUT_C) break;
      const int k = input_at(c);
      const int ic = c - offset_of(k);
      v[l] = load_input(k, phwc4_index(input_shape(k), b, ic / 4, y, x))[ic % 4];
    }
  } else {
    ivec4 pos = ivec4(b, y, x, 0);
    const int k = input_at(pos[AXIS]);
    pos[AXIS] -= offset_of(k);
    v = load_input(k, phwc4_index(input_shape(k), pos.x, s, pos.y, pos.z));
  }
  out_data[phwc4_index(ivec4(OUT_N, OUT_H, OUT_W, OUT_C), b, s, y, x)] =
      TO_STORE(mask_padding(apply_activation(v, ACTIVATION), s, OUT_C));
}
