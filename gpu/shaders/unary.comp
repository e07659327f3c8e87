// unary: HARD_SWISH, LOGISTIC, TANH, RELU, RELU6 on one PHWC4 tensor (input and output of the same
// shape); padding lanes written as 0 (logistic(0) is not). Each invocation writes one output vec4.
// Bindings: 0 output, 1 input, 2-3 epilogue operands (epilogue.glsl).
#version 450
#extension GL_GOOGLE_include_directive : require
#include "common.glsl"
#include "graph/op_codes.h"
#include "general_ops.glsl"
#define EPILOGUE_BINDING 2
#include "epilogue.glsl"

layout(local_size_x_id = 0, local_size_y_id = 1, local_size_z_id = 2) in;

layout(constant_id = 3) const int OP = UNARY_HARD_SWISH;  // UNARY_* of graph/op_codes.h
layout(constant_id = 4) const int N = 1;
layout(constant_id = 5) const int H = 1;
layout(constant_id = 6) const int W = 1;
layout(constant_id = 7) const int C = 1;

layout(std430, binding = 0) writeonly buffer Out { STORE4 out_data[]; };
layout(std430, binding = 1) readonly buffer In { STORE4 in_data[]; };

layout(push_constant) uniform Push { ivec4 range; } pc;

void main() {
  int b, s, y, x;
  if (!range_position(pc.range, N, W, b, s, y, x)) return;
  const int i = phwc4_index(ivec4(N, H, W, C), b, s, y, x);
  const vec4 v = in_data[i];
  vec4 r;
  if (OP == UNARY_HARD_SWISH) r = v * clamp(v + 3.0, 0.0, 6.0) / 6.0;
  else if (OP == UNARY_LOGISTIC) r = 1.0 / (1.0 + exp(-v));
  else if (OP == UNARY_TANH) r = tanh(clamp(v, -15.0, 15.0));  // tanh(15) is 1.0 in float; avoids inf/inf
  else if (OP == UNARY_RELU) r = max(v, 0.0);
  else r = clamp(v, 0.0, 6.0);  // UNARY_RELU6
  out_data[i] = TO_STORE(mask_padding(apply_epilogue(r, i), s, C));
}
