// Pass: constant folding. DEQUANTIZE (fp16 -> float32) and DENSIFY are always folded (load time);
// with FoldScope::kAll any other op whose inputs are all float32 constants is evaluated with its
// float64 reference kernel (op descriptor) and replaced by a float32 constant.
#pragma once
#include "graph/graph.h"
#include "graph/passes/pass.h"

namespace hetsched {

enum class FoldScope {
  kLoadTime,  // DEQUANTIZE and DENSIFY only; needs no op descriptor
  kAll,       // ... and every all-constant op that has a reference kernel
};

// Ops are visited in order (the graph must be topologically sorted), so chains fold in one call.
// A DEQUANTIZE/DENSIFY whose input is not a constant is left in place (the caller decides).
// Folded ops are removed; their inputs may become dead (run eliminate_dead afterwards).
PassResult fold_constants(Graph& graph, FoldScope scope);

// The float32 data of a constant of dtype float32 or float16 (raw little-endian bytes).
// Throws kUnsupported for other dtypes.
std::vector<uint8_t> constant_to_f32_bytes(const Graph& graph, const Tensor& t);

}  // namespace hetsched
