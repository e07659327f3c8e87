// Depthwise + pointwise fusion on the GPU: where a DEPTHWISE_CONV_2D's only reader is a 1x1
// stride-1 CONV_2D, the GPU executor runs the pair as one dispatch (gpu/ops/dwpw_conv2d.h,
// gpu/shaders/dwpw_conv2d.comp) at the pointwise op's place, and the depthwise op records nothing:
// its output never reaches memory. Like in-place concats (concat_in_place.h) this is the executor's
// choice for GPU-only runs, where every op runs whole; the graph keeps both ops, so the CPU, the
// partitioner and co-execution (which split ops into ranges) see the unfused pair. The fused kernel
// still computes any range of output slices and rows (tests/gpu/dwpw_fusion_gpu_test.cpp).
//
// Conditions per pair (dw, pw): dw has depth multiplier 1, a non-constant input and an epilogue of
// at most 2 steps without operand tensors; its output is read by pw alone (once, as pw's data
// input; not a model output); pw is a CONV_2D with 1x1 weights, stride 1 and no padding, of any
// epilogue. Memory: dw's input is read when pw runs, so its planner record must last until pw
// (extend_dwpw_live_ranges).
//
// HETSCHED_NO_FUSE_DWPW=1 turns the fusion off (A/B timings: bench/coopmat_device.sh).
#pragma once
#include <vector>

#include "graph/graph.h"
#include "memory/memory_planner.h"

namespace hetsched::gpu {

struct DwPwFusions {
  std::vector<int> depthwise_of;  // per op: for a fused pointwise op, its depthwise op; else -1
  std::vector<bool> elided_op;    // per op: a depthwise op computed inside its pointwise op's dispatch
  int count() const;
};

DwPwFusions plan_dwpw_fusions(const Graph& graph);
// Whether dw -> pw meets the conditions above (dw producing pw's input 0).
bool dwpw_fusable(const Graph& graph, int dw, int pw);
// Widens the records so each fused depthwise op's input lives until its pointwise op runs
// (`tensors[i]` is record i's tensor, as activation_usage_records returns them).
void extend_dwpw_live_ranges(const Graph& graph, const DwPwFusions& fusions, const std::vector<int>& tensors,
                             std::vector<memory::TensorUsageRecord>& records);
// HETSCHED_NO_FUSE_DWPW set (and not "0"): the default of GpuExecutorOptions::fuse_depthwise_pointwise.
bool dwpw_fusion_disabled_by_env();

}  // namespace hetsched::gpu
