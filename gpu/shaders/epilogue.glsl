// Op epilogues on the GPU (graph/epilogue.h): the elementwise steps folded into a producing op,
// applied by its shader to each output vec4 at the store: dst[i] = mask(apply_epilogue(v, i)).
// Steps are specialization constants (ids 100..116, set by gpu/ops/epilogue.h), so a shader
// with no epilogue compiles to its plain store. Operands have the output's shape and PHWC4 index;
// they are bound at EPILOGUE_BINDING and EPILOGUE_BINDING + 1, which the including shader defines
// (its first free binding), as STORE4 (float16 in the fp16 variant, common.glsl). Step codes and ids:
// graph/op_codes.h (EPILOGUE_*, shared with the host); EP_SRCk: operand binding 0 or 1, or -1 for the scalar EP_SCALARk.
#ifndef HETSCHED_EPILOGUE_GLSL
#define HETSCHED_EPILOGUE_GLSL

#ifndef EPILOGUE_BINDING
#error "define EPILOGUE_BINDING (the first free binding) before including epilogue.glsl"
#endif

#include "graph/op_codes.h"

layout(constant_id = EPILOGUE_STEPS_ID) const int EP_STEPS = 0;
layout(constant_id = EPILOGUE_OP_ID) const int EP_OP0 = 0;
layout(constant_id = EPILOGUE_OP_ID + 1) const int EP_OP1 = 0;
layout(constant_id = EPILOGUE_OP_ID + 2) const int EP_OP2 = 0;
layout(constant_id = EPILOGUE_OP_ID + 3) const int EP_OP3 = 0;
layout(constant_id = EPILOGUE_ACT_ID) const int EP_ACT0 = 0;
layout(constant_id = EPILOGUE_ACT_ID + 1) const int EP_ACT1 = 0;
layout(constant_id = EPILOGUE_ACT_ID + 2) const int EP_ACT2 = 0;
layout(constant_id = EPILOGUE_ACT_ID + 3) const int EP_ACT3 = 0;
layout(constant_id = EPILOGUE_SRC_ID) const int EP_SRC0 = -1;
layout(constant_id = EPILOGUE_SRC_ID + 1) const int EP_SRC1 = -1;
layout(constant_id = EPILOGUE_SRC_ID + 2) const int EP_SRC2 = -1;
layout(constant_id = EPILOGUE_SRC_ID + 3) const int EP_SRC3 = -1;
layout(constant_id = EPILOGUE_SCALAR_ID) const float EP_SCALAR0 = 0.0;
layout(constant_id = EPILOGUE_SCALAR_ID + 1) const float EP_SCALAR1 = 0.0;
layout(constant_id = EPILOGUE_SCALAR_ID + 2) const float EP_SCALAR2 = 0.0;
layout(constant_id = EPILOGUE_SCALAR_ID + 3) const float EP_SCALAR3 = 0.0;

layout(std430, set = 0, binding = EPILOGUE_BINDING) readonly buffer EpilogueOperand0 { STORE4 ep_operand0[]; };
layout(std430, set = 0, binding = EPILOGUE_BINDING + 1) readonly buffer EpilogueOperand1 { STORE4 ep_operand1[]; };

vec4 epilogue_step(vec4 v, int op, int act, int src, float scalar, int i) {
  if (op == EPILOGUE_NONE) return v;
  const vec4 o = src == 0 ? vec4(ep_operand0[i]) : (src == 1 ? vec4(ep_operand1[i]) : vec4(scalar));
  vec4 r;
  if (op == EPILOGUE_ADD) r = apply_activation(v + o, act);
  else if (op == EPILOGUE_SUB) r = apply_activation(v - o, act);
  else if (op == EPILOGUE_MUL) r = apply_activation(v * o, act);
  else if (op == EPILOGUE_HARD_SWISH) r = v * clamp(v + 3.0, 0.0, 6.0) / 6.0;
  else if (op == EPILOGUE_LOGISTIC) r = 1.0 / (1.0 + exp(-v));
  else if (op == EPILOGUE_TANH) r = tanh(clamp(v, -15.0, 15.0));  // tanh(15) is 1.0 in float; avoids inf/inf
  else if (op == EPILOGUE_RELU) r = max(v, 0.0);
  else if (op == EPILOGUE_RELU6) r = clamp(v, 0.0, 6.0);
  else r = v / (1.0 + exp(-v));  // EPILOGUE_SWISH
  return r;
}

// The epilogue of output element i (PHWC4 vec4 index); the caller masks the padding lanes after.
vec4 apply_epilogue(vec4 v, int i) {
  if (EP_STEPS > 0) v = epilogue_step(v, EP_OP0, EP_ACT0, EP_SRC0, EP_SCALAR0, i);
  if (EP_STEPS > 1) v = epilogue_step(v, EP_OP1, EP_ACT1, EP_SRC1, EP_SCALAR1, i);
  if (EP_STEPS > 2) v = epilogue_step(v, EP_OP2, EP_ACT2, EP_SRC2, EP_SCALAR2, i);
  if (EP_STEPS > 3) v = epilogue_step(v, EP_OP3, EP_ACT3, EP_SRC3, EP_SCALAR3, i);
  return v;
}

#endif
