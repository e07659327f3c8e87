// The synchronizations and copies a plan implies: for every step, which data produced by the
// other processor it reads, whom it must wait for, and whom it must signal. One derivation that
// the co-scheduler runs and `hetsched plan` prints, so what a plan shows is what runs.
//
// Memory model (scheduler/co_scheduler.h): tensors a CPU part touches live in one shared
// host-visible PHWC4 arena, so a crossing edge costs a synchronization, never a copy
// (bytes_copied is 0; bytes_crossing says how much data the other processor produced and this
// step reads in place). Operator chains need no edge: a channel-local op split by slices at the
// same boundary as its producer reads only its own side's slices, and a row-local op (pointwise:
// elementwise, activations, 1x1 stride-1 conv/depthwise) split by rows at the same boundary as
// its producer reads only its own side's rows.
#pragma once
#include <cstdint>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "graph/graph.h"
#include "partition/plan.h"

namespace hetsched::partition {

enum class Processor { kCpu, kGpu };
const char* to_string(Processor p);

// One input of a step whose data (some of it) the other processor produced.
struct CrossingEdge {
  int tensor = -1;
  int producer_step = -1;
  Processor producer = Processor::kGpu;  // the processor that wrote the data
  Processor consumer = Processor::kCpu;  // the processor that reads it (and waits)
  int64_t bytes_crossing = 0;            // PHWC4 bytes of the producer's part of the tensor
  int64_t bytes_copied = 0;              // always 0 with the shared arena
};

struct StepSyncs {
  std::vector<CrossingEdge> edges;   // inputs read across processors
  int cpu_waits_for_gpu_step = -1;   // the latest GPU step the CPU part waits for (-1: none)
  int gpu_waits_for_cpu_step = -1;   // the latest CPU step the GPU part waits for (-1: none)
  bool cpu_signals = false;          // the host signals the GPU after this step's CPU part
  bool gpu_needed_by_cpu = false;    // a later CPU part waits for this step's GPU part
  bool chained = false;              // reads a split producer's slices on both sides without waits
};

struct PlanSyncs {
  std::vector<StepSyncs> steps;  // one per plan step
  int cross_edges = 0;           // total crossing edges
  int host_waits = 0;            // CPU parts that wait for the GPU
  int gpu_waits = 0;             // GPU parts that wait for the host
  int64_t bytes_crossing = 0;
  int64_t bytes_copied = 0;
};

// Whether `consumer` reads `producer`'s output only from its own side (an operator chain).
bool continues_split(const Graph& graph, const PlanStep& producer, const PlanStep& consumer);

// Throws Error(kInvalidArgument) when the plan does not match the graph.
PlanSyncs derive_syncs(const Graph& graph, const Plan& plan);

// The step's JSON fields for its syncs ("waits_for", "signals", "edges", ...).
nlohmann::json to_json(const StepSyncs& s);
// The plan with every step's syncs and a totals object (what `hetsched plan --json` prints).
nlohmann::json to_json_with_syncs(const Plan& plan, const PlanSyncs& syncs);

}  // namespace hetsched::partition
