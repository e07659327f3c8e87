// TRANSPOSE_CONV (and MediaPipe's Convolution2DTransposeBias, imported as this op): shape
// inference, MAC count and the float64 reference.
// Inputs {input [N,H,W,I], weights [O,KH,KW,I] constant, bias [O] constant or -1}; the output
// shape [N,out_h,out_w,out_c] comes from the attributes. Pads follow TFLite's transpose_conv.cc:
// with c = the conv output size of out_h (SAME: ceil(out_h/s), VALID: ceil((out_h-k+1)/s)),
// total = max(0, (c-1)*s + k - out_h), pads.top = total/2 (the rest is cropped at the end).
// For a consistent model c == H, i.e. total = max(0, (H-1)*s + k - out_h).
#pragma once
#include "graph/op_registry.h"

namespace hetsched {
OpDescriptor transpose_conv_descriptor();
}  // namespace hetsched
