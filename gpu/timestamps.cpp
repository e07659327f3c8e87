// Timestamp queries (record, read back in ns) and GPU/host clock calibration.
#include "gpu/timestamps.h"

#include <algorithm>
#include <chrono>
#include <cmath>

#include "gpu/command.h"
#include "gpu/device.h"
#include "gpu/vk_check.h"
#include "gpu/vk_struct.h"

namespace hetsched::gpu {
namespace {

constexpr int kCalibrationSamples = 5;

uint64_t valid_mask(uint32_t bits) { return bits >= 64 ? ~0ull : ((1ull << bits) - 1); }

// With the extension: both clocks read together by the driver (VK_TIME_DOMAIN_DEVICE_EXT ticks and
// CLOCK_MONOTONIC ns). Returns false when the time domains are not offered.
bool calibrate_with_extension(const VulkanDevice& device, ClockCalibration& out) {
  const auto get = device.calibrated_timestamps_fn();
  if (!get) return false;
  auto domains_fn = reinterpret_cast<PFN_vkGetPhysicalDeviceCalibrateableTimeDomainsEXT>(
      vkGetInstanceProcAddr(device.instance(), "vkGetPhysicalDeviceCalibrateableTimeDomainsEXT"));
  if (!domains_fn) return false;
  uint32_t count = 0;
  if (domains_fn(device.physical_device(), &count, nullptr) != VK_SUCCESS) return false;
  std::vector<VkTimeDomainEXT> domains(count);
  if (domains_fn(device.physical_device(), &count, domains.data()) != VK_SUCCESS) return false;
  const auto has = [&](VkTimeDomainEXT d) { return std::find(domains.begin(), domains.end(), d) != domains.end(); };
  if (!has(VK_TIME_DOMAIN_DEVICE_EXT) || !has(VK_TIME_DOMAIN_CLOCK_MONOTONIC_EXT)) return false;

  VkCalibratedTimestampInfoEXT infos[2];
  infos[0] = vk_struct<VkCalibratedTimestampInfoEXT>(VK_STRUCTURE_TYPE_CALIBRATED_TIMESTAMP_INFO_EXT);
  infos[0].timeDomain = VK_TIME_DOMAIN_DEVICE_EXT;
  infos[1] = vk_struct<VkCalibratedTimestampInfoEXT>(VK_STRUCTURE_TYPE_CALIBRATED_TIMESTAMP_INFO_EXT);
  infos[1].timeDomain = VK_TIME_DOMAIN_CLOCK_MONOTONIC_EXT;
  const DeviceInfo& info = device.info();
  const uint64_t mask = valid_mask(info.timestamp_valid_bits);
  bool have = false;
  for (int i = 0; i < kCalibrationSamples; ++i) {
    uint64_t stamps[2] = {0, 0};
    uint64_t deviation = 0;
    HETSCHED_VK_CHECK(get(device.get(), 2, infos, stamps, &deviation), "calibrating GPU and host clocks on {}",
                      device.describe());
    const double gpu_ns = double(stamps[0] & mask) * info.timestamp_period_ns;
    if (!have || deviation < out.max_deviation_ns) {
      out.host_minus_gpu_ns = static_cast<int64_t>(stamps[1]) - static_cast<int64_t>(std::llround(gpu_ns));
      out.max_deviation_ns = deviation;
      have = true;
    }
  }
  out.from_extension = true;
  return true;
}

}  // namespace

int64_t host_now_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

TimestampQueries::TimestampQueries(const VulkanDevice& device, uint32_t count) : count_(count) {
  const DeviceInfo& info = device.info();
  if (info.timestamp_valid_bits == 0)
    fail(ErrorKind::kUnsupported, "{}: its compute queue family {} does not support timestamps", device.describe(),
         info.compute_queue_family);
  mask_ = valid_mask(info.timestamp_valid_bits);
  period_ns_ = info.timestamp_period_ns;
  auto create = vk_struct<VkQueryPoolCreateInfo>(VK_STRUCTURE_TYPE_QUERY_POOL_CREATE_INFO);
  create.queryType = VK_QUERY_TYPE_TIMESTAMP;
  create.queryCount = count;
  VkQueryPool pool = VK_NULL_HANDLE;
  HETSCHED_VK_CHECK(vkCreateQueryPool(device.get(), &create, nullptr, &pool), "creating {} timestamp queries on {}",
                    count, device.describe());
  pool_ = QueryPool(device.get(), pool);
}

void TimestampQueries::reset(CommandBuffer& cmd) const { cmd.reset_queries(pool_.get(), 0, count_); }

void TimestampQueries::write(CommandBuffer& cmd, uint32_t index, VkPipelineStageFlagBits stage) const {
  if (index >= count_)
    fail(ErrorKind::kInternal, "timestamp query {} is out of range ({} queries)", index, count_);
  cmd.write_timestamp(pool_.get(), index, stage);
}

std::vector<uint64_t> TimestampQueries::read_ns(uint32_t first, uint32_t n) const {
  if (first > count_ || n > count_ - first)
    fail(ErrorKind::kInternal, "timestamp queries [{}, {}) are out of range ({} queries)", first, first + n, count_);
  std::vector<uint64_t> ticks(n);
  HETSCHED_VK_CHECK(vkGetQueryPoolResults(pool_.device(), pool_.get(), first, n, n * sizeof(uint64_t), ticks.data(),
                                          sizeof(uint64_t), VK_QUERY_RESULT_64_BIT | VK_QUERY_RESULT_WAIT_BIT),
                    "reading timestamp queries [{}, {})", first, first + n);
  for (uint64_t& t : ticks) t = static_cast<uint64_t>(std::llround(double(t & mask_) * period_ns_));
  return ticks;
}

ClockCalibration calibrate_clocks(const VulkanDevice& device, bool use_extension) {
  ClockCalibration out;
  if (use_extension && calibrate_with_extension(device, out)) return out;
  // Fallback: a timestamp written by the GPU between two host clock reads (before submit, after the
  // fence). The GPU time lies in that window; its middle is the estimate, half its width the
  // deviation. The narrowest of a few windows wins.
  TimestampQueries queries(device, 1);
  CommandBuffer cmd(device);
  bool have = false;
  for (int i = 0; i < kCalibrationSamples; ++i) {
    cmd.begin();
    queries.reset(cmd);
    queries.write(cmd, 0, VK_PIPELINE_STAGE_TOP_OF_PIPE_BIT);
    cmd.end();
    const int64_t t0 = host_now_ns();
    submit_and_wait(device, cmd, "clock calibration");
    const int64_t t1 = host_now_ns();
    const uint64_t gpu = queries.read_ns(0, 1)[0];
    const uint64_t half_width = static_cast<uint64_t>(t1 - t0) / 2;
    if (!have || half_width < out.max_deviation_ns) {
      out.host_minus_gpu_ns = t0 + static_cast<int64_t>(half_width) - static_cast<int64_t>(gpu);
      out.max_deviation_ns = half_width;
      have = true;
    }
  }
  out.from_extension = false;
  return out;
}

}  // namespace hetsched::gpu
