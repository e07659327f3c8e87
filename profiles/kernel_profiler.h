// The kernel profiler: times the kernels of a prepared (fused) graph as the executors run them —
// the CPU executor's run_op over whole and partial output ranges at several thread counts, the GPU
// executor's dispatches (tuned workgroup sizes, GPU timestamps) over the same ranges — plus each
// model's whole run and the fixed costs (GPU submission, CPU task start, cross-device sync).
// Every timing is the median of repeated samples (outliers counted, never dropped); each row notes
// the 1-minute load average when it was taken. For many architectures (issue #14's thousands) the
// options trade measurements for speed without changing the dataset's format: a measurement
// cache (each distinct kernel configuration, range and processor timed once, its row reused),
// adaptive repetition (CPU: stop once the median is known within rel_ci) and deterministic samples
// of the partial ranges and of the kernels (co-running).
#pragma once
#include <array>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "gpu/device.h"
#include "gpu/pipeline_cache.h"
#include "gpu/workgroup_tuning.h"
#include "graph/graph.h"
#include "profiles/gpu_clock_guard.h"
#include "profiles/kernel_features.h"
#include "profiles/measurement_cache.h"
#include "profiles/timing_stats.h"

namespace hetsched::cpu {
class CpuExecutor;
}

namespace hetsched::profiles {

struct KernelProfileOptions {
  std::vector<double> fractions = {0.25, 0.5, 0.75};  // partial ranges on each splittable axis (1 = whole, always)
  int samples = 7;                // timed samples per measurement (after one warm-up)
  double min_sample_us = 200;     // a sample repeats the kernel until it spans at least this long
  int max_repeats = 64;           // ... at most this many times
  unsigned seed = 1;              // model inputs (uniform in [-1, 1])
  bool whole_model = true;        // also time the whole model (one row with op_type MODEL)
  bool kernels = true;            // time the kernels (false: only the whole model)
  // Also time each op inside consecutive whole-model runs (rows with in_model = 1, whole outputs):
  // its inputs written by its producer just before, its weights as a run leaves them. CPU: op
  // after op by the host clock; GPU (with whole_model, not co-running): the recorded model with a
  // timestamp around every op, fused chains left out.
  bool in_model = true;
  // Adaptive repetition (CPU samples; the GPU takes all its samples in one submission): after
  // min_samples (>= 3) samples, stop once the distribution-free interval of the median, [min, max]
  // of the samples so far, is within +-rel_ci of it. rel_ci 0: always `samples`.
  int min_samples = 3;
  double rel_ci = 0;
  // Deterministic samples (profiles/kernel_key.h in_sample, by kernel configuration): the share of
  // partial ranges measured (each (configuration, axis, fraction) in or out), and of kernels
  // (whole outputs too; the co-running pass uses it). 1: all. The whole model is always timed.
  double range_share = 1;
  double kernel_share = 1;
  // "" alone; "gpu"/"cpu": the rows are timed while that processor runs the model (Measurement::corun).
  std::string corun;
  MeasurementCache* cache = nullptr;  // reuse and store kernel measurements (null: measure all)
  // GPU workgroup tuning before the kernels are timed (the first executor of profile_gpu_kernels
  // when `corun` is ""): host-time budget. Every later executor of the model (the whole run, the
  // co-running pass, the background load) tunes nothing new, so all of a model's GPU rows run the
  // same sizes. (The H100 dataset of 2026-12-06 timed its alone rows after one 5 s tuning start,
  // with many kernels at default sizes, and its co-running rows after several more starts: the
  // co-running "factor" 0.27 compared default sizes with tuned ones, docs/notes/profspeed.md.)
  double tuning_budget_ms = 5000;
  // GPU clocks: before timing a model's kernels, and again after every second of timing, its
  // kernels run back to back for this long (a GPU that idled while the CPU was profiled may run
  // at low clocks, and one submission per sample never raises them). 0: no warm-up; none on a CPU
  // device (lavapipe).
  double gpu_warmup_ms = 200;
  // Test hook: called before each CPU kernel measurement with the op and the executor it runs on
  // (whose tensors hold what the op reads).
  std::function<void(int op_index, const cpu::CpuExecutor& executor)> before_cpu_measurement;
};

// What a profile did, summed over calls (for the CLI's summary).
struct ProfileCounters {
  int64_t measured = 0;        // kernel rows timed now
  int64_t reused = 0;          // kernel rows from the measurement cache
  int64_t sampled_out = 0;     // partial ranges and kernels left out by range_share / kernel_share
  int64_t samples = 0;         // timed samples taken (kernel rows)
  double tuning_ms = 0;        // GPU workgroup tuning inside the profiler's executors
  int64_t untuned = 0;         // GPU kernels timed at their default size (the tuning budget ran out)
  double warmup_ms = 0;        // GPU warm-up (gpu_warmup_ms)
  int64_t clock_retimed = 0;   // GPU measurements timed again (the clock guard's reference read slow)
  int64_t clock_off = 0;       // ... still slow after the retries (rows with clock_ok = 0)
  int64_t fused = 0;           // GPU rows of ops run inside a later op's fused kernel (fused_into >= 0)
};

// One row of the dataset.
struct Measurement {
  std::string model;
  int op_index = -1;       // -1: the whole model
  KernelFeatures features;
  RangeAxis axis = RangeAxis::kWhole;
  double fraction = 1;     // nominal fraction asked for
  OutputRange range;       // what it became
  std::string processor;   // "cpu" or "gpu"
  int threads = 0;         // CPU threads (0 for the GPU)
  std::string precision = "fp32";
  std::string device;      // CPU model or GPU name
  std::string driver;      // GPU driver name and info ("" for the CPU)
  TimingStats stats;
  // CPU rows: median process CPU time per execution (all threads), us; -1 for GPU rows. On a busy
  // machine a long run is preempted and its wall time grows with the load, its CPU time does not:
  // at one thread cpu_us is what a quiet machine's wall time would be.
  double cpu_us = -1;
  double load_avg = -1;
  // "" when the other processor was idle; "gpu" for a CPU row timed while the GPU ran the same
  // model in a loop, "cpu" for a GPU row timed while the CPU executor did (background_load.h).
  std::string corun;
  bool reused = false;  // the timing came from the measurement cache (an earlier identical measurement)
  // 1: timed inside whole-model runs, op after op (KernelProfileOptions::in_model; whole outputs);
  // 0: timed alone, the op repeated back to back (every other kernel row).
  bool in_model = false;
  // GPU kernel rows: 1 when the kernel ran its tuned workgroup size, 0 its default (the tuning
  // budget ran out before it was tuned); -1 for CPU, MODEL and FIXED rows.
  int tuned = -1;
  // GPU kernel rows (gpu/gpu_fusions.h; -1 and 1 elsewhere): fused_into, the op whose fused kernel
  // computes this op (its own dispatch records nothing: the row times two timestamps with nothing
  // between, and the chain's time is on fused_into's row), else -1; chain_ops, how many graph ops
  // this row's kernel executes (1, or the chain's length on the row of a fused chain's last op).
  int fused_into = -1;
  int chain_ops = 1;
  // GPU kernel rows timed with the clock guard (profiles/gpu_clock_guard.h): the reference
  // kernel's microseconds per dispatch, read in the submission that timed this row (-1: none, or
  // the row came from the measurement cache), and clock_ok, 1 when it read within the guard's
  // tolerance of the session's best (or re-timing is off: lavapipe), 0 when it still read slow
  // after the retries (the trainer leaves the row out); -1 for rows without the guard.
  double ref_us = -1;
  int clock_ok = -1;
};

// The sizes the fixed-cost probe copies (FixedCosts::copies): small, medium and large tensors.
inline constexpr std::array<uint64_t, 3> kCopyProbeBytes = {64 << 10, 1 << 20, 16 << 20};

// One copy probe: `bytes` moved by `kind`, median microseconds.
//   host_write: the CPU memcpy()s into a mapped host-visible (MemoryUse::kShared) buffer (host clock)
//   staged:     GPU copy host-visible -> device-local (GPU timestamps)
//   device:     GPU copy device-local -> device-local (GPU timestamps)
//   readback:   GPU copy device-local -> host-visible (GPU timestamps)
struct CopyCost {
  std::string kind;
  uint64_t bytes = 0;
  double us = -1;
};
// Its name as a fixed cost (dataset FIXED row, device profile): "copy_<kind>_<bytes>_us".
std::string copy_cost_name(const CopyCost& c);

// Fixed costs of one device, in microseconds (median of repeated probes; -1: not measured).
struct FixedCosts {
  double cpu_task_us = -1;      // a parallel_for of one trivial task per thread in the executor's arena
  double gpu_submit_us = -1;    // submit an empty command buffer and wait for its fence (host clock)
  double gpu_dispatch_us = -1;  // GPU time of one trivial dispatch plus its barrier (timestamps)
  double sync_us = -1;          // host signals -> GPU waits -> GPU signals -> host wakes (timeline round trip)
  double copy_us_per_mb = -1;   // GPU copy of 1 MiB from host-visible to device-local memory (GPU timestamps)
  // Copies by kind and size (kCopyProbeBytes); a GPU's only, and without timestamps only host_write.
  std::vector<CopyCost> copies;
};

using ProgressFn = std::function<void(const std::string&)>;

// CPU kernels of `graph` at `threads` (0: all). Appends to `out`.
void profile_cpu_kernels(const Graph& graph, int threads, const KernelProfileOptions& options,
                         std::vector<Measurement>& out, const ProgressFn& progress = {},
                         ProfileCounters* counters = nullptr);

// GPU kernels of `graph` on `device` (fp16 when the device was created with it), workgroup sizes
// from `tuning` (tuned now when missing). Ops without a GPU kernel and concats written in place are
// skipped. Error kUnsupported when the device has no timestamps. With `clock_guard` (made for this
// `device`), each measurement's submission times its reference kernel right before the samples
// and a measurement whose reference read slow is timed again (Measurement::ref_us, clock_ok).
void profile_gpu_kernels(const Graph& graph, const gpu::VulkanDevice& device, const gpu::PipelineCache* cache,
                         gpu::WorkgroupTuningCache* tuning, const KernelProfileOptions& options,
                         std::vector<Measurement>& out, const ProgressFn& progress = {},
                         ProfileCounters* counters = nullptr, GpuClockGuard* clock_guard = nullptr);

FixedCosts measure_fixed_costs(const gpu::VulkanDevice* device, int threads, int samples = 21);

// One run of `graph` on the other processor, as a BackgroundLoad step: the GPU executor (workgroup
// sizes from `tuning`, nothing new tuned), or the CPU executor at `threads` (0: all). Inputs random from `seed`.
std::function<void()> gpu_model_step(const Graph& graph, const gpu::VulkanDevice& device,
                                     const gpu::PipelineCache* cache, gpu::WorkgroupTuningCache* tuning,
                                     unsigned seed = 1);
std::function<void()> cpu_model_step(const Graph& graph, int threads, unsigned seed = 1);

// Host-measured cross-device round trips (host signals -> GPU waits -> GPU signals -> host wakes),
// `samples` of them, in microseconds; `what` names the probe in errors. FixedCosts::sync_us and the
// cost model's sync_ms (scheduler/op_profiler.h) are their median.
std::vector<double> sync_round_trips_us(const gpu::VulkanDevice& device, int samples, const std::string& what);

// "driver_name driver_info" of a device, for the dataset.
std::string driver_of(const gpu::VulkanDevice& device);

}  // namespace hetsched::profiles
