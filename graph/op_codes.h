// Numeric codes shared by the host (C++) and the shaders (GLSL), written once: this file is included
// by both (gpu/shaders/*.comp through `#include "graph/op_codes.h"`, glslang's include directive and
// -I<repo root>, cmake/Shaders.cmake), so it holds only #define lines both preprocessors read.
// The op table (graph/op_registry.h: OpDescriptor::epilogue_step and ::shader_op) says which op has
// which code; static_asserts in graph/epilogue.cpp and graph/activation.cpp tie the enums to them.
#ifndef HETSCHED_OP_CODES_H
#define HETSCHED_OP_CODES_H

// Fused activations (graph/activation.h's Activation; common.glsl's apply_activation).
#define ACT_NONE 0
#define ACT_RELU 1
#define ACT_RELU_N1_TO_1 2
#define ACT_RELU6 3
#define ACT_TANH 4
#define ACT_SIGMOID 5

// Epilogue step codes (graph/epilogue.h; gpu/shaders/epilogue.glsl's EP_OPk).
#define EPILOGUE_NONE 0
#define EPILOGUE_ADD 1
#define EPILOGUE_SUB 2
#define EPILOGUE_MUL 3
#define EPILOGUE_HARD_SWISH 4
#define EPILOGUE_LOGISTIC 5
#define EPILOGUE_TANH 6
#define EPILOGUE_RELU 7
#define EPILOGUE_RELU6 8
#define EPILOGUE_SWISH 9  // LOGISTIC with times_input: v * logistic(v)

// Specialization-constant ids of the epilogue (gpu/ops/epilogue.cpp sets them, epilogue.glsl
// declares them): the step count, then per step k (0..3) its code, activation, operand source and scalar.
#define EPILOGUE_STEPS_ID 100
#define EPILOGUE_OP_ID 101
#define EPILOGUE_ACT_ID 105
#define EPILOGUE_SRC_ID 109
#define EPILOGUE_SCALAR_ID 113

// Register blocking (conv2d.comp): specialization-constant ids of the output block one invocation
// computes, BLOCK_S slices x BLOCK_X pixels along x. Like the local size (ids 0..2) they are tuned
// values (gpu/workgroup_tuning.h), outside the tuning key.
#define BLOCK_S_ID 90
#define BLOCK_X_ID 91

// The OP specialization constant (id 3) of gpu/shaders/elementwise_binary.comp.
#define BINARY_ADD 0
#define BINARY_SUB 1
#define BINARY_MUL 2
#define BINARY_DIV 3
#define BINARY_PRELU 4

// The OP specialization constant (id 3) of gpu/shaders/unary.comp.
#define UNARY_HARD_SWISH 0
#define UNARY_LOGISTIC 1
#define UNARY_TANH 2
#define UNARY_RELU 3
#define UNARY_RELU6 4

#endif
