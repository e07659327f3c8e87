// Concatenation by slice writes: where a channel CONCATENATION's inputs can be views of its output,
// the producers write straight into the output at their slice offset and the concat dispatch
// disappears (the GPU executor, GPU-only runs; co-execution keeps the copy).
//
// In PHWC4 with N == 1, channel slices [o, o + S_i) of an output [1][S][H][W][4] are one contiguous
// byte range, laid out exactly as an input [1][S_i][H][W][4]: input i is a view at byte offset
// o * H * W * 16. Conditions per concat: axis C, no fused activation, N == 1, every input except
// the last has C % 4 == 0 (whole slices; the last one's padding lanes are the output's), each input
// an activation written by an earlier op of the graph (not an in-place concat), not a model output,
// not already a view of another concat, listed once; view offsets aligned to `offset_alignment`.
// Otherwise the concat keeps its copy. Inputs may have other readers (U-Net skips): they read the
// view.
//
// Memory: the views get no planner record of their own; the output's record is widened to cover
// every view's live range (from the first producer to the last reader of any view or the output),
// so the planner's no-overlap guarantee covers the views.
#pragma once
#include <cstdint>
#include <vector>

#include "graph/graph.h"

namespace hetsched::gpu {

struct InPlaceConcats {
  std::vector<bool> elided_op;        // per op: a concat whose dispatch disappears
  std::vector<int> view_of;           // per tensor: the concat output it is a view of, or -1
  std::vector<uint64_t> view_offset;  // per tensor: byte offset inside that output
  int count() const;
};

// offset_alignment: the device's minStorageBufferOffsetAlignment (views are bound at their offset).
InPlaceConcats plan_in_place_concats(const Graph& graph, uint64_t offset_alignment);

}  // namespace hetsched::gpu
