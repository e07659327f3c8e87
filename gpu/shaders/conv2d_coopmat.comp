// conv2d_coopmat: CONV_2D (FULLY_CONNECTED on a flat input as a 1x1 conv, TRANSPOSE_CONV in gather
// form with TRANSPOSED) as an implicit GEMM
// on cooperative matrices (GL_NV_cooperative_matrix: tensor cores on NVIDIA), fp16 operands and
// fp32 accumulators. Selected only where the device reports 16x16x16 fp16 x fp16 -> fp32 subgroup
// matrices (gpu/coopmat_support.h); conv2d.comp is the fallback everywhere else.
//   C[m, n] = sum_k A[m, k] * B[k, n]
//   m: an output pixel of the range, flattened over (batch, row in [range.z, range.w), x)
//   n: an output channel (slice range.x.. range.y, 4 channels a slice)
//   k: (ky, kx, input slice t, lane) flattened as kslice = (ky * KW + kx) * IN_S + t, k = kslice * 4 + lane;
//      A[m, k] is read straight from the PHWC4 input (no im2col buffer), 0 outside the input.
// Weights (gpu/ops/conv2d_coopmat.cpp): B row-major, row k = OUT_S vec4 (4 output channels each),
//   rows padded with zeros to a multiple of 16 (rows past K read as 0).
// A workgroup computes a TM x TN tile with GRID x GRID subgroups of 16 x 16 matrices, and SG_K such
// grids split each staged K step (TK = 16 * SG_K): the tuned tiles are 2 x 2 quarters of up to 64 x 64
// (SG_K 1 or 2) and whole 16-32 x 16-32 tiles per subgroup with 4 or 8 K groups (see the body). The
// next K step's operands are loaded into registers while the current one multiplies; the group
// stages A and B in shared memory as float16; the accumulators go through shared memory at the end
// (adding the K groups' sums) so the epilogue (bias, activation, epilogue.glsl's steps, padding mask)
// runs per output vec4 as in conv2d.comp.
// Pixels past the range and slices past range.y are computed on zeros and never stored: any range of
// slices and rows works. Grid: x = ceil(pixels / TM), y = ceil(slices in range / (TN / 4)), z = 1;
// local size (GRID * GRID * subgroup size, SG_K, 1).
// Bindings: 0 output, 1 input, 2 weights (B), 3 bias (padded to whole slices), 4-5 epilogue operands.
#version 450
#extension GL_GOOGLE_include_directive : require
#extension GL_NV_cooperative_matrix : require
#extension GL_KHR_memory_scope_semantics : require
#extension GL_KHR_shader_subgroup_basic : require
#extension GL_EXT_shader_explicit_arithmetic_types_float16 : require
#include "conv2d_coopmat_body.glsl"
