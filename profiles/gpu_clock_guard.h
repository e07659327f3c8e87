// GPU clock guard for the kernel profiler: a fixed reference kernel timed in the same submission
// right before each GPU measurement, so a measurement taken while the GPU's clock was down (the
// H100 drops its SM clock to its floor whenever it idles: profiles/results/h100_2026-12-06-s11/)
// is seen and re-timed, and one still off after the retries is marked (dataset column clock_ok 0)
// for the trainer to leave out. Changes no device setting (no clock locking): it only measures.
// The reference is one ADD of a [1,16,16,64] tensor to itself, dispatched kRefDispatches times back
// to back on its own executor (tuned nothing: the same kernel for every model of a session). Its
// best reading is the session's (the guard outlives the models of a `hetsched profile` call): the
// second lowest so far, so one spurious low reading cannot flag everything after it; the first
// readings come after a busy calibration that raises the clock. When kGiveUpAfter measurements in a
// row stay slow through their retries (the best is unreachable: a throttled or shared GPU), later
// ones are still marked but not re-timed until one reads fast again (the retries' cost is bounded).
#pragma once
#include <functional>
#include <memory>

#include "gpu/command.h"
#include "gpu/device.h"
#include "gpu/pipeline_cache.h"
#include "gpu/timestamps.h"
#include "graph/graph.h"

namespace hetsched::gpu {
class GpuExecutor;
}

namespace hetsched::profiles {

struct ClockGuardOptions {
  double tolerance = 1.25;   // a reference reading above tolerance x the best one: re-time
  int retries = 3;           // re-timings of a measurement before it is kept marked clock_ok = 0
  double retry_warmup_ms = 5;  // busy reference dispatches before a re-timing (clock up again)
  double calibrate_ms = 50;  // busy reference dispatches before the first reading (GPU devices only)
  // Test hook: every reading (calibration's too) becomes reading_for_testing(measured), and
  // re-timing is on even on a CPU device (lavapipe has no clock states to test with).
  std::function<double(double)> reading_for_testing;
};

// Re-time a measurement whose reference read `ref_us`, given the session's best `best_ref_us`?
// True when ref_us > tolerance * best_ref_us (no best yet, or no reading: false).
bool clock_suspect(double ref_us, double best_ref_us, double tolerance);

class GpuClockGuard {
 public:
  static constexpr int kRefDispatches = 8;
  static constexpr int kGiveUpAfter = 16;
  // Error kUnsupported when the device has no timestamps. Re-timing is on for GPUs with clocks; on a CPU device (lavapipe) the reference is timed and
  // recorded but never re-times anything, unless options.reading_for_testing is set.
  GpuClockGuard(const gpu::VulkanDevice& device, const gpu::PipelineCache* cache, ClockGuardOptions options = {});
  ~GpuClockGuard();
  GpuClockGuard(const GpuClockGuard&) = delete;
  GpuClockGuard& operator=(const GpuClockGuard&) = delete;

  const gpu::VulkanDevice& device() const { return device_; }
  const ClockGuardOptions& options() const { return options_; }
  bool retiming() const { return retiming_; }
  // Records the reference dispatches (a barrier after each) between timestamps `first` and
  // `first + 1` of `queries`.
  void record(gpu::CommandBuffer& cmd, const gpu::TimestampQueries& queries, uint32_t first) const;
  // One reference reading (us per dispatch) from the two timestamps' nanoseconds: passes it
  // through the test hook, updates the best, and returns it.
  double observe(uint64_t begin_ns, uint64_t end_ns);
  // Is the reading `ref_us` slow (retiming() and clock_suspect against the best)?
  bool suspect(double ref_us) const;
  // Re-timings to allow a measurement now: options().retries, or 0 after kGiveUpAfter measurements
  // in a row stayed slow.
  int retries_now() const { return still_off_in_a_row_ >= kGiveUpAfter ? 0 : options_.retries; }
  // A measurement's outcome: kept with a fast reference (ok) or marked clock_ok = 0 (counts the
  // measurements in a row that stayed slow; the totals are ProfileCounters::clock_retimed/clock_off).
  void settle(bool ok) { still_off_in_a_row_ = ok ? 0 : still_off_in_a_row_ + 1; }
  double best_us() const { return best_us_; }
  // Reference dispatches back to back for `ms` (raises the clock; nothing timed).
  void busy(double ms);

 private:
  void calibrate();  // the first best reading (busy first on a GPU with clocks)

  const gpu::VulkanDevice& device_;
  ClockGuardOptions options_;
  Graph graph_;
  std::unique_ptr<gpu::GpuExecutor> ex_;
  bool retiming_ = false;
  int64_t readings_ = 0;
  double lowest_us_ = -1;  // the lowest reading so far
  double best_us_ = -1;    // the second lowest (the first reading until there are two)
  int still_off_in_a_row_ = 0;
};

}  // namespace hetsched::profiles
