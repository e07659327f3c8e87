// elementwise_binary: ADD, SUB, MUL, DIV and PRELU (a = x, b = alpha) with NumPy broadcasting on the
// 4D shapes and the fused activation. An operand with N, H or W of 1 repeats along that axis; one
// with C == 1 splats its lane 0 over every lane. Each invocation writes one output vec4.
// Bindings: 0 output; 1 and 2 the operands in the order the host binds them (activations first,
// then constants): SWAPPED says binding 1 holds b (a is a constant and b an activation); 3-4 the
// epilogue operands (epilogue.glsl; only with two activation operands, so nothing sits in between).
#version 450
#extension GL_GOOGLE_include_directive : require
#include "common.glsl"
#include "graph/op_codes.h"
#include "general_ops.glsl"
#define EPILOGUE_BINDING 3
#include "epilogue.glsl"

layout(local_size_x_id = 0, local_size_y_id = 1, local_size_z_id = 2) in;

layout(constant_id = 3) const int OP = BINARY_ADD;  // BINARY_* of graph/op_codes.h
layout(constant_id = 4) const int ACTIVATION = 0;
layout(constant_id = 5) const bool SWAPPED = false;
layout(constant_id = 6) const int OUT_N = 1;
layout(constant_id = 7) const int OUT_H = 1;
layout(constant_id = 8) const int OUT_W = 1;
layout(constant_id = 9) const int OUT_C = 1;
layout(constant_id = 10) const int A_N = 1;
layout(constant_id = 11) const int A_H = 1;
layout(constant_id = 12) const int A_W = 1;
layout(constant_id = 13) const int A_C = 1;
layout(constant_id = 14) const int B_N = 1;
layout(constant_id = 15) const int B_H = 1;
layout(constant_id = 16) const int B_W = 1;
layout(constant_id = 17) const int B_C = 1;

layout(std430, binding = 0) writeonly buffer Out { STORE4 out_data[]; };
layout(std430, binding = 1) readonly buffer In1 { STORE4 in1_data[]; };
layout(std430, binding = 2) readonly buffer In2 { STORE4 in2_data[]; };

layout(push_constant) uniform Push { ivec4 range; } pc;

// The operand of shape `shape` at output (b, s, y, x), broadcast; from binding 1 or 2.
vec4 load_operand(ivec4 shape, bool first_binding, int b, int s, int y, int x) {
  const int i = phwc4_index(shape, shape.x == 1 ? 0 : b, shape.w == 1 ? 0 : s, shape.y == 1 ? 0 : y,
                            shape.z == 1 ? 0 : x);
  const vec4 v = first_binding ? in1_data[i] : in2_data[i];
  return shape.w == 1 ? v.xxxx : v;
}

void main() {
  int b, s, y, x;
  if (!range_position(pc.range, OUT_N, OUT_W, b, s, y, x)) return;
  const vec4 a = load_operand(ivec4(A_N, A_H, A_W, A_C), !SWAPPED, b, s, y, x);
  const vec4 c = load_operand(ivec4(B_N, B_H, B_W, B_C), SWAPPED, b, s, y, x);
  vec4 r;
  if (OP == BINARY_ADD) r = a + c;
  else if (OP == BINARY_SUB) r = a - c;
  else if (OP == BINARY_MUL) r = a * c;
  else if (OP == BINARY_DIV) r = a / c;
  else r = mix(a * c, a, greaterThanEqual(a, vec4(0.0)));  // BINARY_PRELU
  const int oi = phwc4_index(ivec4(OUT_N, OUT_H, OUT_W, OUT_C), b, s, y, x);
  out_data[oi] = TO_STORE(mask_padding(apply_epilogue(apply_activation(r, ACTIVATION), oi), s, OUT_C));
}
