// conv2d_coopmat_emulated: conv2d_coopmat.comp without cooperative matrices (COOPMAT_EMULATE, see
// conv2d_coopmat_body.glsl): a test hook (HETSCHED_COOPMAT_EMULATE=1, gpu/coopmat_support.h) that
// runs the cooperative kernels' staging, range and epilogue code on devices without tensor cores.
#version 450
#extension GL_GOOGLE_include_directive : require
#extension GL_EXT_shader_explicit_arithmetic_types_float16 : require
#define COOPMAT_EMULATE
#include "conv2d_coopmat_body.glsl"
