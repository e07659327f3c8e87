// The configuration key of a kernel: everything of one op of a prepared graph that decides what its
// kernel computes and how long it takes — op type, every input's and output's shape (constants
// marked), every attribute, the fused activation and the epilogue steps — and nothing of its
// place in a model (tensor names, indices, weight values). Two ops with the same key run the same
// kernel on the same shapes: the profiler measures such a configuration once per device and reuses
// the row (profiles/measurement_cache.h). NAS-Bench-101 cells repeat configurations heavily (the
// H100 dataset of 2026-12-06: 15,552 NB101 kernel rows, 1,142 distinct).
#pragma once
#include <cstdint>
#include <string>
#include <string_view>

#include "graph/graph.h"

namespace hetsched::profiles {

// "CONV_2D in 1x32x32x64 c64x3x3x64 c64 out 1x32x32x64 s1,1 d1,1 p0 pad1,1,1,1 act1 epi[]" (readable;
// stable across runs and builds; no tab or newline).
std::string kernel_config_key(const Graph& graph, const Op& op);

// Whether the item `key` is in a deterministic sample of `share` (0..1) of all items: the same key
// is always in or always out, so a configuration measured in one architecture is chosen alike in
// the next. share >= 1: always; <= 0: never.
bool in_sample(std::string_view key, double share);

}  // namespace hetsched::profiles
