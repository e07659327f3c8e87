// GPU time: a timestamp query pool read back in nanoseconds, and the calibration that maps GPU
// timestamps onto the host clock (VK_EXT_calibrated_timestamps when offered, else an offset
// measured by a submission bracketed by host clock reads).
#pragma once
#include <vulkan/vulkan.h>

#include <cstdint>
#include <vector>

#include "gpu/vk_handles.h"

namespace hetsched::gpu {

class VulkanDevice;
class CommandBuffer;

// The host clock all hetsched timings use: std::chrono::steady_clock (CLOCK_MONOTONIC on Linux,
// the same clock as VK_TIME_DOMAIN_CLOCK_MONOTONIC_EXT), in ns.
int64_t host_now_ns();

// Thread-safety: reset()/write() follow the command buffer's rule; read_ns() may be called from any
// thread once the submission that wrote the queries has completed. Move-only.
class TimestampQueries {
 public:
  // Error kUnsupported when the compute queue has no timestamps (timestampValidBits == 0).
  TimestampQueries(const VulkanDevice& device, uint32_t count);

  VkQueryPool get() const { return pool_.get(); }
  uint32_t count() const { return count_; }
  // Records a reset of every query; required before the queries are written in a recording.
  void reset(CommandBuffer& cmd) const;
  // Records a timestamp into query `index` when `stage` completes for all previous commands.
  void write(CommandBuffer& cmd, uint32_t index,
             VkPipelineStageFlagBits stage = VK_PIPELINE_STAGE_BOTTOM_OF_PIPE_BIT) const;
  // Waits for queries [first, first + n) and returns them in GPU-clock nanoseconds (ticks masked to
  // timestampValidBits, times timestampPeriod).
  std::vector<uint64_t> read_ns(uint32_t first, uint32_t n) const;

 private:
  QueryPool pool_;
  uint32_t count_ = 0;
  uint64_t mask_ = ~0ull;
  double period_ns_ = 1.0;
};

struct ClockCalibration {
  int64_t host_minus_gpu_ns = 0;  // host_ns = gpu_ns + host_minus_gpu_ns
  uint64_t max_deviation_ns = 0;  // uncertainty of that offset
  bool from_extension = false;    // VK_EXT_calibrated_timestamps was used
  int64_t to_host_ns(uint64_t gpu_ns) const { return static_cast<int64_t>(gpu_ns) + host_minus_gpu_ns; }
};

// Measures the GPU -> host clock offset (best of a few samples). `use_extension` false forces the
// submission-based fallback (tests). GPU clocks may drift: calibrate again for long runs.
ClockCalibration calibrate_clocks(const VulkanDevice& device, bool use_extension = true);

}  // namespace hetsched::gpu
