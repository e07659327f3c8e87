// SIMD loops of the elementwise CPU kernels (Highway, dispatched at run time): unary activations
// over a span, and binary ops over a row where each operand is either a full row or one 4-float
// pixel repeated (an operand broadcast over W).
#pragma once
#include <cstddef>

#include "graph/op.h"

namespace hetsched::cpu {

// out[i] = op(in[i]) for n floats; op one of HARD_SWISH, LOGISTIC, TANH, RELU, RELU6 (LOGISTIC by
// XNNPACK's rr2-p5 exp reduction and a division, within a few ulp; TANH through Highway's tanh).
void unary_span(OpType op, const float* in, float* out, size_t n);
// out[i] = in[i] * logistic(in[i]) (swish), with the LOGISTIC of unary_span.
void swish_span(const float* in, float* out, size_t n);
// out[i] = a[i] (op) b[i] for n floats (a multiple of 4); an operand flagged `pixel` is 4 floats
// used for every pixel (index i % 4). op one of ADD, SUB, MUL, DIV, PRELU.
void binary_span(OpType op, const float* a, bool a_pixel, const float* b, bool b_pixel, float* out, size_t n);

}  // namespace hetsched::cpu
