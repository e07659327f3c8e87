// The GPU executor's dispatch list for a prepared graph, computed without a device (for `hetsched
// info --gpu`): one dispatch per op with a GPU kernel, its shader, epilogue and workgroup grid for
// the whole output, from the same local-size rules the kernels use. These are the untuned defaults
// (`--no-tune`): tuning may change a kernel's local size and register block per device (the
// chosen values are in the workgroup tuning cache, gpu/workgroup_tuning.h).
#pragma once
#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "gpu/gpu_fusions.h"
#include "graph/graph.h"

namespace hetsched::gpu {

struct PlannedDispatch {
  int op_index = -1;
  std::string shader;                   // gpu/shaders/<shader>.comp
  std::string epilogue;                 // graph/epilogue.h epilogue_string; "" for none
  std::string writes_into;              // "" or "t12 at slice 4": a view of an in-place concat's output
  std::array<uint32_t, 3> local{};      // workgroup size
  bool register_blocked = false;        // the shader computes a block per invocation (conv2d.comp)
  std::array<uint32_t, 2> block{1, 1};  // its output slices x pixels per invocation
  std::array<uint32_t, 3> workgroups{};  // vkCmdDispatch counts for the whole output
};

// Ops without a GPU kernel (which run on the CPU under the gpu policy) get no entry; with
// `in_place_concats`, neither do the concats written in place by their producers
// (concat_in_place.h; assuming the device's storage-buffer offset alignment is at most 16 bytes,
// true of the devices we run on), and the producers' entries say where they write. With
// `fusions` (gpu_fusions.h, as the executor makes them in GPU-only runs), the ops computed inside a
// later op's fused kernel get none either, and that op's entry is the fused kernel's (shader
// dwpw_conv2d or mean_fc; 256 invocations assumed allowed per workgroup). A global average over H and W
// (MEAN or AVERAGE_POOL_2D) lists global_mean.comp (gpu/ops/mean.h), also with 256 invocations assumed allowed.
std::vector<PlannedDispatch> plan_dispatches(const Graph& graph, bool in_place_concats,
                                             const GpuFusionSwitches& fusions = {false, false});

}  // namespace hetsched::gpu
