// Depthwise + pointwise fusion (a kind of gpu_fusions.h): where a DEPTHWISE_CONV_2D's only reader
// is a 1x1 stride-1 CONV_2D, the pair runs as one dispatch (gpu/ops/dwpw_conv2d.h,
// gpu/shaders/dwpw_conv2d.comp) at the pointwise op's place.
//
// Conditions per pair (dw, pw): dw has depth multiplier 1, a non-constant input and an epilogue of
// at most 2 steps without operand tensors; its output is read by pw alone (once, as pw's data
// input; not a model output); pw is a CONV_2D with 1x1 weights, stride 1 and no padding, of any
// epilogue; neither op is already part of another fusion.
#pragma once
#include "gpu/gpu_fusions.h"

namespace hetsched::gpu {

// Adds every fusable pair to `fusions`.
void plan_dwpw_fusions(const Graph& graph, GpuFusions& fusions);
// Whether dw -> pw meets the conditions above (dw producing pw's input 0).
bool dwpw_fusable(const Graph& graph, int dw, int pw);

}  // namespace hetsched::gpu
