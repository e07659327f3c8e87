// Shared GLSL for hetsched compute shaders: PHWC4 indexing and the output-range convention.
// A PHWC4 tensor of shape (N, H, W, C) is a vec4 array indexed ((b * S + s) * H + y) * W + x,
// S = ceil(C / 4); lanes of channels >= C are zero.
#ifndef HETSCHED_COMMON_GLSL
#define HETSCHED_COMMON_GLSL

#include "graph/op_codes.h"

// Precision preamble. cmake/Shaders.cmake compiles every shader twice: `<name>` (fp32) and
// `<name>_fp16` (-DHETSCHED_FP16, used when the device was created with fp16; gpu/pipeline.cpp).
//   STORE4       element type of every activation, weight and bias buffer: vec4 | f16vec4 (16-bit storage)
//   TO_STORE(v)  converts a vec4 result to STORE4 for a buffer write
//   MAT4         the 4x4 weight block of the conv/FC inner product: mat4 in both variants
// Loads convert implicitly (float16 -> float is an implicit conversion), so all arithmetic is fp32
// and float16 is a storage format only. Accumulators are vec4: a 3x3x512 conv sums 4608 products.
// The block product is fp32 too (it was f16mat4 * f16vec4 until 2026-11-23): fp16 rounds each
// slice's 4-term sum before the accumulator adds it, and where the inputs are large and the
// weights cancel across slices (the pose_landmark models' residual streams reach 155-309 and feed
// 1x1 expand convs whose outputs are a few units) that rounding is the output's whole error:
// fp16 products doubled pose_landmark_full's segmentation error (0.062 -> 0.028 with fp32 ones,
// seed 2280899589); tests/gpu_ops/fp16_gpu_test.cpp Conv2DCancellingLargeInputs reproduces it.
#ifdef HETSCHED_FP16
#extension GL_EXT_shader_16bit_storage : require
#extension GL_EXT_shader_explicit_arithmetic_types_float16 : require
#define STORE4 f16vec4
#define TO_STORE(v) f16vec4(v)
#define MAT4 mat4  // fp32 products of float16 data: see above
#else
#define STORE4 vec4
#define TO_STORE(v) (v)
#define MAT4 mat4
#endif

// Register blocking (conv2d.comp): BLOCK_S_ID and BLOCK_X_ID of graph/op_codes.h.

// Output range: slices [range.x, range.y), rows [range.z, range.w) of every batch.
// The dispatch grid is (x: W, y: rows in range, z: slices in range * N).
int phwc4_index(ivec4 shape_nhwc, int b, int s, int y, int x) {
  int slices = (shape_nhwc.w + 3) / 4;
  return ((b * slices + s) * shape_nhwc.y + y) * shape_nhwc.z + x;
}

int slices_of(int channels) { return (channels + 3) / 4; }

// Zeroes the lanes of slice s that hold channels >= C.
vec4 mask_padding(vec4 v, int s, int channels) {
  int c0 = s * 4;
  return vec4(c0 + 0 < channels ? v.x : 0.0, c0 + 1 < channels ? v.y : 0.0,
              c0 + 2 < channels ? v.z : 0.0, c0 + 3 < channels ? v.w : 0.0);
}

// Fused activations: ACT_* of graph/op_codes.h (the Activation enum).
vec4 apply_activation(vec4 v, int act) {
  if (act == ACT_RELU) return max(v, vec4(0.0));
  if (act == ACT_RELU_N1_TO_1) return clamp(v, vec4(-1.0), vec4(1.0));
  if (act == ACT_RELU6) return clamp(v, vec4(0.0), vec4(6.0));
  if (act == ACT_TANH) return tanh(v);
  if (act == ACT_SIGMOID) return vec4(1.0) / (vec4(1.0) + exp(-v));
  return v;
}

#endif
