// Co-execution memory: which activation tensors of a co-scheduled plan may share bytes, derived
// from the plan's own order (pure, device-free; the co-scheduler and `hetsched info --memory
// --policy P` both plan with it).
//
// Order (what the co-scheduler guarantees, scheduler/co_scheduler.h): the host runs its CPU parts
// one after another in step order; the GPU runs its parts in step order too (segments are
// submitted in order to one queue, each segment starts with a compute->compute barrier, and inside
// a segment gpu/segment_recording.h puts a barrier before any part that touches bytes an earlier
// part of the segment touched since the last barrier: RAW, WAR and WAW). Across processors only
// the plan's synchronizations order parts: GPU segment s starts after the host's signal of step
// wait_cpu_step(s); a CPU part that waits for GPU step p starts after p's whole segment (and every
// earlier segment) completed. The host writes model inputs before a run and reads model outputs
// after it; each run waits for its last segment, so runs never overlap.
//
// Two tensors may share bytes only if every access (read or write, on either processor) of one
// happens before every access of the other. With two processors this is an interval relation
// on the step-ordered list of parts except for pairs on one processor, so each tensor gets a
// conservative interval [first position, last position not ordered after it] (exact across
// processors) that the memory planner (memory/) packs; the exact relation is also packed greedily
// (memory/conflict_planner.h) and the smaller plan kept, then checked against the exact relation.
// Tensors only the GPU touches live in the device-local arena with plain step-order live ranges.
#pragma once
#include <cstddef>
#include <vector>

#include "graph/graph.h"
#include "memory/memory_planner.h"
#include "partition/plan.h"
#include "partition/plan_syncs.h"

namespace hetsched::partition {

// GPU parts grouped into segments (one command buffer each): cut before a part that waits for a
// later CPU step than the segment does, and after a part the CPU waits for.
struct GpuSegment {
  std::vector<int> steps;  // plan steps with a GPU part, in order
  int wait_cpu_step = -1;  // the host step whose signal the segment waits for (-1: none)
};
std::vector<GpuSegment> derive_gpu_segments(const Graph& graph, const Plan& plan, const PlanSyncs& syncs);

// Per tensor: the CPU touches it (a model input or output, or read or written by a CPU part), so
// it lives in the host-visible arena.
std::vector<bool> host_touched_tensors(const Graph& graph, const Plan& plan);

// One part of a plan step, or the host before (step -1) / after (step n) the run.
struct Access {
  int step = 0;
  Processor proc = Processor::kCpu;
};

// The happens-before order of a plan's parts (see the top of this file).
struct PlanOrder {
  int steps = 0;
  std::vector<int> gpu_after_cpu;  // per step: the last CPU step done before its GPU part starts (-1)
  std::vector<int> cpu_after_gpu;  // per step: the last GPU step done before its CPU part starts (-1)
  // Whether `a` completes before `b` starts, in every execution of the plan.
  bool happens_before(const Access& a, const Access& b) const;
};
PlanOrder derive_order(const Graph& graph, const Plan& plan, const PlanSyncs& syncs,
                       const std::vector<GpuSegment>& segments);

// Every access of each tensor (empty for constants and unused tensors): its producer's parts, its
// readers' parts, the host before the run for model inputs (kept across runs: also after), and
// the host after the run for model outputs.
std::vector<std::vector<Access>> tensor_accesses(const Graph& graph, const Plan& plan);

// The two arenas' usage records and plans.
struct CoexecMemory {
  std::vector<int> tensors[2];                        // [0] device-local, [1] host-visible: tensor ids
  std::vector<memory::TensorUsageRecord> records[2];  // one per tensor id above
  memory::MemoryPlan plans[2];                        // best plan of each arena
  bool exact_conflicts[2] = {false, false};           // planned under the exact relation, not intervals
  std::vector<int64_t> offset;                        // per tensor: bytes into its arena (-1: none)
  std::vector<bool> in_host_arena;                    // per tensor
  size_t total_bytes() const { return plans[0].total_bytes + plans[1].total_bytes; }
  size_t single_device_bytes = 0;  // the single-device best plan (one arena, op order)
  // The plan's synchronizations (derive_syncs) plus any memory synchronizations: what the
  // co-scheduler must run for these offsets to be safe.
  PlanSyncs syncs;
  int memory_syncs = 0;  // waits added for memory (see CoexecMemoryOptions::target_ratio)
};

struct CoexecMemoryOptions {
  size_t alignment = 64;  // offsets are multiples of it
  bool aliasing = true;   // false: every tensor its own bytes (the reference)
  // When the arenas exceed target_ratio x the single-device best plan (the halves of operator
  // chains need no waits and may drift apart, keeping tensors alive on one processor that the
  // other is done with), add memory synchronizations: lag-1 waits (a step's CPU part after the
  // previous step's GPU part, its GPU part after the previous CPU part) at the steps touching the
  // biggest tensors first, until within the target. They cost waits, not correctness. 0: never.
  double target_ratio = 1.3;
};
// Plans both arenas. Byte sizes are PHWC4 float32.
CoexecMemory plan_coexec_memory(const Graph& graph, const Plan& plan, const CoexecMemoryOptions& options = {});

}  // namespace hetsched::partition
