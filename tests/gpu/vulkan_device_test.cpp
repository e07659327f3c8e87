// Tests of the Vulkan device layer on whatever device the machine has (lavapipe on the development
// machine): device listing, device creation, a dispatch that must write exactly its range, timeline
// semaphore round trips, the pipeline cache on disk, allocation limits, timestamps, VK_CHECK.
#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <random>
#include <thread>

#include "gpu/buffer.h"
#include "gpu/command.h"
#include "gpu/descriptors.h"
#include "gpu/device.h"
#include "gpu/fence.h"
#include "gpu/pipeline.h"
#include "gpu/pipeline_cache.h"
#include "gpu/timeline.h"
#include "gpu/timestamps.h"
#include "gpu/vk_check.h"
#include "tests/support/test_util.h"

namespace hetsched::gpu {
namespace {

using namespace std::chrono_literals;

// gpu/shaders/fill_range.comp: constant_id 0 = local_size_x; push constants begin, end, value.
struct FillRangeSpec {
  uint32_t local_size_x = 64;
};
struct FillRangePush {
  uint32_t begin = 0, end = 0;
  float value = 0;
};

ComputePipeline make_fill_range(const VulkanDevice& dev, uint32_t local_size, const PipelineCache* cache = nullptr) {
  return ComputePipeline(dev,
                         {.shader = "fill_range",
                          .spec = SpecConstants::from_struct(FillRangeSpec{local_size}),
                          .push_constant_bytes = sizeof(FillRangePush),
                          .storage_buffers = 1},
                         cache);
}

// Records fill_range over [begin, end) of `target` into `cmd` (which is recording).
void record_fill(CommandBuffer& cmd, DescriptorArena& arena, const ComputePipeline& pipe, uint32_t local_size,
                 const Buffer& target, uint32_t begin, uint32_t end, float value) {
  const BufferRange bindings[] = {target.whole()};
  const VkDescriptorSet set = arena.allocate(pipe, bindings, "fill_range test");
  const uint32_t groups = (end - begin + local_size - 1) / local_size;
  cmd.dispatch(pipe, set, FillRangePush{begin, end, value}, {groups, 1, 1}, "fill_range test");
}

// "" when `data` holds `value` exactly in [begin, end) and kPoison elsewhere.
std::string check_fill(std::span<const float> data, uint32_t begin, uint32_t end, float value) {
  for (size_t i = 0; i < data.size(); ++i) {
    const float want = (i >= begin && i < end) ? value : test::kPoison;
    if (data[i] != want) return fmt::format("element {} is {}, expected {} (range [{}, {}))", i, data[i], want, begin, end);
  }
  return "";
}

TEST(VkCheck, MapsResultsToKindsAndNamesTheCall) {
  EXPECT_EQ(vk_error_kind(VK_ERROR_OUT_OF_DEVICE_MEMORY), ErrorKind::kResourceExhausted);
  EXPECT_EQ(vk_error_kind(VK_ERROR_OUT_OF_HOST_MEMORY), ErrorKind::kResourceExhausted);
  EXPECT_EQ(vk_error_kind(VK_ERROR_DEVICE_LOST), ErrorKind::kDeviceUnavailable);
  EXPECT_EQ(vk_error_kind(VK_ERROR_INITIALIZATION_FAILED), ErrorKind::kDeviceUnavailable);
  EXPECT_EQ(vk_error_kind(VK_ERROR_INCOMPATIBLE_DRIVER), ErrorKind::kDeviceUnavailable);
  EXPECT_EQ(vk_error_kind(VK_ERROR_FEATURE_NOT_PRESENT), ErrorKind::kUnsupported);
  EXPECT_EQ(vk_error_kind(VK_ERROR_EXTENSION_NOT_PRESENT), ErrorKind::kUnsupported);
  EXPECT_EQ(vk_error_kind(VK_ERROR_UNKNOWN), ErrorKind::kInternal);
  EXPECT_STREQ(vk_result_name(VK_ERROR_DEVICE_LOST), "VK_ERROR_DEVICE_LOST");
  EXPECT_STREQ(vk_result_name(static_cast<VkResult>(-77777)), "VkResult(-77777)");

  const auto fake_call = [](int, int) { return VK_ERROR_OUT_OF_DEVICE_MEMORY; };
  try {
    HETSCHED_VK_CHECK(fake_call(1, 2), "op {} ({}), tensor '{}'", 7, "CONV_2D", "conv1/out");
    FAIL() << "no throw";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kResourceExhausted);
    const std::string msg = e.what();
    EXPECT_NE(msg.find("fake_call failed with VK_ERROR_OUT_OF_DEVICE_MEMORY"), std::string::npos) << msg;
    EXPECT_NE(msg.find("tests/gpu/vulkan_device_test.cpp:"), std::string::npos) << msg;
    EXPECT_NE(msg.find("op 7 (CONV_2D), tensor 'conv1/out'"), std::string::npos) << msg;
  }
}

TEST(VulkanDevice, ListsDevicesAsTextAndJson) {
  const std::vector<DeviceInfo> devices = list_devices();
  ASSERT_FALSE(devices.empty());
  const std::string text = format_device_list(devices, ListFormat::kText);
  std::cout << text;
  bool lavapipe = false;
  for (const auto& d : devices) {
    EXPECT_FALSE(d.name.empty());
    EXPECT_GT(d.memory_types.size(), 0u);
    EXPECT_NE(text.find(d.name), std::string::npos);
    if (d.driver_name == "llvmpipe") {
      lavapipe = true;
      EXPECT_EQ(d.type, DeviceType::kCpu);
      EXPECT_TRUE(d.usable) << d.unusable_reason;
      EXPECT_TRUE(d.timeline_semaphore);
      EXPECT_TRUE(d.device_local_host_visible);
      EXPECT_GT(d.subgroup_size, 0u);
      EXPECT_GE(d.max_workgroup_invocations, 128u);
    }
  }
  // Where the lavapipe driver is installed, it must be listed.
  if (std::filesystem::exists("/usr/share/vulkan/icd.d/lvp_icd.x86_64.json")) {
    EXPECT_TRUE(lavapipe);
  }

  const auto json = nlohmann::json::parse(format_device_list(devices, ListFormat::kJson));
  ASSERT_EQ(json["devices"].size(), devices.size());
  EXPECT_EQ(json["selected"].get<int>(), select_device(devices));
  EXPECT_EQ(json["devices"][0]["name"].get<std::string>(), devices[0].name);
  EXPECT_TRUE(json["devices"][0]["features"].contains("cooperative_matrix"));
  EXPECT_TRUE(json["devices"][0]["limits"].contains("max_storage_buffer_range"));
}

TEST(VulkanDevice, SelectsByPreferenceAndIndex) {
  std::vector<DeviceInfo> fake(3);
  fake[0].type = DeviceType::kCpu;
  fake[1].type = DeviceType::kIntegrated;
  fake[2].type = DeviceType::kDiscrete;
  for (int i = 0; i < 3; ++i) {
    fake[i].index = i;
    fake[i].usable = true;
  }
  EXPECT_EQ(select_device(fake), 2);
  fake[2].usable = false;
  fake[2].unusable_reason = "Vulkan 1.1.0 < 1.2";
  EXPECT_EQ(select_device(fake), 1);
  EXPECT_EQ(select_device(fake, 0), 0);
  try {
    select_device(fake, 2);
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kUnsupported);
  }
  try {
    select_device(fake, 5);
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kInvalidArgument);
    EXPECT_NE(std::string(e.what()).find("--device 5"), std::string::npos);
  }
}

TEST(VulkanDevice, CreatesDeviceAndHonoursFp16Request) {
  const VulkanDevice dev;
  EXPECT_NE(dev.get(), VK_NULL_HANDLE);
  EXPECT_NE(dev.queue(), VK_NULL_HANDLE);
  EXPECT_TRUE(dev.info().usable);
  EXPECT_FALSE(dev.fp16_enabled());
  std::cout << "selected: " << dev.describe() << "\n";
  const int index = dev.info().index;
  if (dev.info().shader_float16 && dev.info().storage_buffer_16bit) {
    const VulkanDevice fp16({.device_index = index, .fp16 = true});
    EXPECT_TRUE(fp16.fp16_enabled());
  } else {
    try {
      const VulkanDevice fp16({.device_index = index, .fp16 = true});
      FAIL() << "fp16 enabled on a device without it";
    } catch (const Error& e) {
      EXPECT_EQ(e.kind(), ErrorKind::kUnsupported);
    }
  }
  try {
    const VulkanDevice bad({.device_index = 1000});
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kInvalidArgument);
  }
}

TEST(VulkanDevice, MemoryTypeChoicePerUse) {
  // The memory table of an H100 (driver 580): type 4 is the resizable BAR.
  DeviceInfo h100;
  constexpr VkMemoryPropertyFlags kDL = VK_MEMORY_PROPERTY_DEVICE_LOCAL_BIT, kHV = VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT,
                                  kHC = VK_MEMORY_PROPERTY_HOST_COHERENT_BIT, kCached = VK_MEMORY_PROPERTY_HOST_CACHED_BIT;
  h100.memory_types = {{1, 0}, {0, kDL}, {1, kHV | kHC}, {1, kHV | kHC | kCached}, {0, kDL | kHV | kHC}};
  const uint32_t all = 0x1f;
  EXPECT_EQ(find_memory_type(h100, all, kDL, 0, kHV), 1);                // device-local
  EXPECT_EQ(find_memory_type(h100, all, kHV | kHC, kCached, kDL), 3);    // staging
  EXPECT_EQ(find_memory_type(h100, all, kHV | kHC, kDL, 0), 4);          // shared
  EXPECT_EQ(find_memory_type(h100, all & ~(1u << 4), kHV | kHC, kDL, 0), 2);  // no BAR allowed
  EXPECT_EQ(find_memory_type(h100, 1u << 0, kDL, 0, 0), -1);
}

TEST(VulkanDevice, ConcurrentSubmissionsFromSeveralThreads) {
  const VulkanDevice dev;
  const ComputePipeline pipe = make_fill_range(dev, 64);
  constexpr int kThreads = 4, kRounds = 8;
  constexpr uint32_t n = 4096;
  std::vector<Buffer> buffers;
  for (int t = 0; t < kThreads; ++t)
    buffers.emplace_back(dev, n * sizeof(float), MemoryUse::kShared, fmt::format("thread {} target", t));
  std::vector<std::string> failures(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      try {
        // One command buffer and one descriptor arena per thread (their pools are not thread-safe).
        CommandBuffer cmd(dev);
        DescriptorArena arena(dev, 1, 1);
        std::span<float> host = buffers[t].host_view<float>();
        for (int r = 0; r < kRounds && failures[t].empty(); ++r) {
          std::fill(host.begin(), host.end(), test::kPoison);
          const uint32_t begin = uint32_t(t * 100 + r), end = n - uint32_t(r * 7);
          const float value = float(t * 1000 + r);
          cmd.begin();
          record_fill(cmd, arena, pipe, 64, buffers[t], begin, end, value);
          cmd.compute_to_host();
          cmd.end();
          submit_and_wait(dev, cmd, fmt::format("thread {} round {}", t, r));
          failures[t] = check_fill(host, begin, end, value);
          arena.reset();
        }
      } catch (const Error& e) {
        failures[t] = e.what();
      }
    });
  }
  for (auto& th : threads) th.join();
  for (int t = 0; t < kThreads; ++t) EXPECT_EQ(failures[t], "") << "thread " << t;
}

TEST(VulkanDevice, FillRangeWritesExactlyItsRangeInSharedMemory) {
  const VulkanDevice dev;
  auto rng = test::make_rng(1);
  const uint32_t local_sizes[] = {1, 7, 64, 128};
  DescriptorArena arena(dev, 16, 16);
  CommandBuffer cmd(dev);
  for (uint32_t local : local_sizes) {
    const uint32_t n = std::uniform_int_distribution<uint32_t>(1, 5000)(rng);
    const uint32_t begin = std::uniform_int_distribution<uint32_t>(0, n - 1)(rng);
    const uint32_t end = std::uniform_int_distribution<uint32_t>(begin + 1, n)(rng);
    const float value = std::uniform_real_distribution<float>(-10, 10)(rng);
    const Buffer buf(dev, n * sizeof(float), MemoryUse::kShared, "fill target");
    std::span<float> host = buf.host_view<float>();
    ASSERT_EQ(host.size(), n);
    std::fill(host.begin(), host.end(), test::kPoison);
    const ComputePipeline pipe = make_fill_range(dev, local);
    cmd.begin();
    record_fill(cmd, arena, pipe, local, buf, begin, end, value);
    cmd.compute_to_host();
    cmd.end();
    submit_and_wait(dev, cmd, "fill_range shared");
    EXPECT_EQ(check_fill(host, begin, end, value), "") << "local size " << local << ", n " << n;
    arena.reset();
  }
}

TEST(VulkanDevice, FillRangeThroughDeviceLocalBufferAndStaging) {
  const VulkanDevice dev;
  auto rng = test::make_rng(2);
  const uint32_t n = std::uniform_int_distribution<uint32_t>(100, 20000)(rng);
  const uint32_t begin = std::uniform_int_distribution<uint32_t>(0, n / 2)(rng);
  const uint32_t end = std::uniform_int_distribution<uint32_t>(begin + 1, n)(rng);
  const float value = std::uniform_real_distribution<float>(-10, 10)(rng);
  const uint64_t bytes = n * sizeof(float);
  const Buffer device_buf(dev, bytes, MemoryUse::kDeviceLocal, "device tensor");
  const Buffer staging(dev, bytes, MemoryUse::kStaging, "staging");
  EXPECT_TRUE(device_buf.device_local());
  EXPECT_FALSE(device_buf.host_visible());
  std::span<float> host = staging.host_view<float>();
  std::fill(host.begin(), host.end(), test::kPoison);

  const ComputePipeline pipe = make_fill_range(dev, 32);
  DescriptorArena arena(dev, 1, 1);
  CommandBuffer cmd(dev);
  cmd.begin();
  cmd.copy(staging.whole(), device_buf.whole());
  cmd.transfer_to_compute();
  record_fill(cmd, arena, pipe, 32, device_buf, begin, end, value);
  const BufferRange written[] = {device_buf.whole()};
  cmd.barrier(written, kComputeWrite, kTransferRead);
  // Poison the staging buffer on the GPU too, so only the copy back can make it right.
  cmd.fill(staging.whole(), 0);
  cmd.barrier(kTransferWrite, kTransferWrite);
  cmd.copy(device_buf.whole(), staging.whole());
  cmd.barrier(kTransferWrite, kHostRead);
  cmd.end();
  submit_and_wait(dev, cmd, "fill_range device-local");
  EXPECT_EQ(check_fill(host, begin, end, value), "");
}

TEST(VulkanDevice, TimelineHostSignalGpuWaitGpuSignalHostWait) {
  const VulkanDevice dev;
  const TimelineSemaphore host_to_gpu(dev, 0), gpu_to_host(dev, 5);
  EXPECT_EQ(host_to_gpu.value(), 0u);
  EXPECT_EQ(gpu_to_host.value(), 5u);
  const uint32_t n = 777;
  const Buffer buf(dev, n * sizeof(float), MemoryUse::kShared, "timeline target");
  std::span<float> host = buf.host_view<float>();
  std::fill(host.begin(), host.end(), test::kPoison);
  const ComputePipeline pipe = make_fill_range(dev, 64);
  DescriptorArena arena(dev, 1, 1);
  CommandBuffer cmd(dev);
  cmd.begin();
  record_fill(cmd, arena, pipe, 64, buf, 3, 700, 2.5f);
  cmd.compute_to_host();
  cmd.end();

  const VkCommandBuffer cmds[] = {cmd.get()};
  const TimelineWait waits[] = {{host_to_gpu.get(), 1}};
  const TimelineSignal signals[] = {{gpu_to_host.get(), 6}};
  submit(dev, {.command_buffers = cmds, .waits = waits, .signals = signals}, "timeline round trip");
  // The GPU waits for the host: nothing may run yet.
  EXPECT_FALSE(gpu_to_host.wait(6, 20ms));
  EXPECT_EQ(gpu_to_host.value(), 5u);
  EXPECT_EQ(check_fill(host, 0, 0, 0), "");
  // Signal from another thread, as the CPU executor will.
  std::thread signaller([&] { host_to_gpu.signal(1); });
  EXPECT_TRUE(gpu_to_host.wait(6, 10s));
  signaller.join();
  EXPECT_EQ(gpu_to_host.value(), 6u);
  EXPECT_EQ(host_to_gpu.value(), 1u);
  EXPECT_EQ(check_fill(host, 3, 700, 2.5f), "");
  dev.wait_idle();
}

TEST(VulkanDevice, FenceWaitsForSubmission) {
  const VulkanDevice dev;
  Fence fence(dev);
  EXPECT_FALSE(fence.signaled());
  EXPECT_FALSE(fence.wait(1ms));
  CommandBuffer cmd(dev);
  cmd.begin();
  cmd.end();
  const VkCommandBuffer cmds[] = {cmd.get()};
  submit(dev, {.command_buffers = cmds, .fence = fence.get()}, "empty submit");
  EXPECT_TRUE(fence.wait(10s));
  EXPECT_TRUE(fence.signaled());
  fence.reset();
  EXPECT_FALSE(fence.signaled());
  // Spinning first (GpuExecutor's host wait on a real GPU): an unsignaled fence still times out,
  // after the spin and the wait, and a submission is still seen, by the spin or the wait after it.
  const auto t0 = std::chrono::steady_clock::now();
  EXPECT_FALSE(fence.spin_then_wait(2ms, 3ms));
  EXPECT_GE(std::chrono::steady_clock::now() - t0, 2ms);
  submit(dev, {.command_buffers = cmds, .fence = fence.get()}, "empty submit");
  EXPECT_TRUE(fence.spin_then_wait(1ms, 10s));
  fence.reset();
  submit(dev, {.command_buffers = cmds, .fence = fence.get()}, "empty submit");
  EXPECT_TRUE(fence.spin_then_wait(0ms, 10s));
}

TEST(VulkanDevice, PipelineCacheIsSavedAndReloaded) {
  const VulkanDevice dev;
  const std::filesystem::path dir =
      std::filesystem::temp_directory_path() / fmt::format("hetsched-cache-test-{}-{}", getpid(), test::test_seed());
  std::filesystem::remove_all(dir);
  {
    const PipelineCache cache(dev, dir);
    EXPECT_EQ(cache.loaded_bytes(), 0u);
    EXPECT_EQ(cache.file().parent_path(), dir);
    const ComputePipeline pipe = make_fill_range(dev, 64, &cache);
    EXPECT_NE(pipe.get(), VK_NULL_HANDLE);
    const size_t written = cache.save();
    EXPECT_GT(written, 0u);
    EXPECT_EQ(std::filesystem::file_size(cache.file()), written);
  }
  {
    const PipelineCache cache(dev, dir);
    EXPECT_EQ(cache.loaded_bytes(), std::filesystem::file_size(cache.file()));
    const ComputePipeline pipe = make_fill_range(dev, 64, &cache);
    EXPECT_NE(pipe.get(), VK_NULL_HANDLE);
    // A corrupt file is ignored, never fatal.
    std::ofstream(cache.file(), std::ios::binary | std::ios::trunc) << "not a pipeline cache";
  }
  {
    const PipelineCache cache(dev, dir);
    EXPECT_EQ(cache.loaded_bytes(), 0u);
  }
  // The default directory follows HETSCHED_CACHE_DIR.
  const char* old = std::getenv("HETSCHED_CACHE_DIR");
  const std::string saved = old ? old : "";
  setenv("HETSCHED_CACHE_DIR", dir.c_str(), 1);
  EXPECT_EQ(default_cache_dir(), dir);
  if (old) setenv("HETSCHED_CACHE_DIR", saved.c_str(), 1);
  else unsetenv("HETSCHED_CACHE_DIR");
  std::filesystem::remove_all(dir);
}

TEST(VulkanDevice, AbsurdAllocationIsResourceExhaustedAndNamesTheLabel) {
  const VulkanDevice dev;
  const uint64_t absurd = uint64_t(1) << 50;
  for (MemoryUse use : {MemoryUse::kDeviceLocal, MemoryUse::kStaging, MemoryUse::kShared}) {
    try {
      const Buffer buf(dev, absurd, use, "conv7/output");
      FAIL() << "allocated 1 PiB";
    } catch (const Error& e) {
      EXPECT_EQ(e.kind(), ErrorKind::kResourceExhausted) << e.what();
      EXPECT_NE(std::string(e.what()).find("conv7/output"), std::string::npos) << e.what();
      EXPECT_NE(std::string(e.what()).find(std::to_string(absurd)), std::string::npos) << e.what();
    }
  }
  // A binding larger than maxStorageBufferRange.
  const Buffer small(dev, 256, MemoryUse::kDeviceLocal, "small");
  const ComputePipeline pipe = make_fill_range(dev, 64);
  DescriptorArena arena(dev, 1, 1);
  const BufferRange too_big[] = {{small.get(), 0, uint64_t(dev.info().max_storage_buffer_range) + 4, "huge/binding"}};
  try {
    arena.allocate(pipe, too_big, "op 3");
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kResourceExhausted);
    EXPECT_NE(std::string(e.what()).find("huge/binding"), std::string::npos) << e.what();
  }
  try {
    const Buffer empty(dev, 0, MemoryUse::kShared, "empty");
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kInvalidArgument);
  }
}

TEST(VulkanDevice, PipelineErrorsNameTheShader) {
  const VulkanDevice dev;
  try {
    const ComputePipeline p(dev, {.shader = "no_such_shader", .storage_buffers = 1});
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kInternal);
    EXPECT_NE(std::string(e.what()).find("no_such_shader"), std::string::npos);
    EXPECT_NE(std::string(e.what()).find("fill_range"), std::string::npos);  // lists what exists
  }
  try {
    const ComputePipeline p(dev, {.shader = "fill_range",
                                  .push_constant_bytes = dev.info().max_push_constants_size + 4,
                                  .storage_buffers = 1});
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kUnsupported);
    EXPECT_NE(std::string(e.what()).find("fill_range"), std::string::npos);
  }
  const ComputePipeline pipe = make_fill_range(dev, 64);
  CommandBuffer cmd(dev);
  cmd.begin();
  try {
    cmd.dispatch(pipe, VK_NULL_HANDLE, uint32_t{1}, {1, 1, 1}, "op 9");
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kInvalidArgument);
    EXPECT_NE(std::string(e.what()).find("op 9"), std::string::npos);
  }
  cmd.end();
}

TEST(VulkanDevice, SpecConstantsFromStructAndBuilder) {
  struct Spec {
    uint32_t a = 3;
    float b = 1.5f;
    int32_t c = -2;
  };
  const SpecConstants s = SpecConstants::from_struct(Spec{});
  ASSERT_EQ(s.entries().size(), 3u);
  EXPECT_EQ(s.entries()[2].constantID, 2u);
  EXPECT_EQ(s.entries()[2].offset, 8u);
  ASSERT_NE(s.info(), nullptr);
  EXPECT_EQ(s.info()->dataSize, 12u);
  SpecConstants t;
  EXPECT_EQ(t.info(), nullptr);
  t.set(5, true).set(1, 2.0f).set(5, false);
  ASSERT_EQ(t.entries().size(), 2u);
  uint32_t word = 1;
  std::memcpy(&word, t.data().data() + t.entries()[0].offset, 4);
  EXPECT_EQ(word, VK_FALSE);
}

TEST(VulkanDevice, TimestampsAreOrderedAndCalibratedToTheHostClock) {
  const VulkanDevice dev;
  for (bool use_extension : {true, false}) {
    const ClockCalibration cal = calibrate_clocks(dev, use_extension);
    std::cout << fmt::format("calibration ({}): host - gpu = {} ns, deviation {} ns\n",
                             cal.from_extension ? "VK_EXT_calibrated_timestamps" : "submission window",
                             cal.host_minus_gpu_ns, cal.max_deviation_ns);
    if (!use_extension) {
      EXPECT_FALSE(cal.from_extension);
    }
    const uint32_t n = 1 << 16;
    const Buffer buf(dev, n * sizeof(float), MemoryUse::kShared, "timed target");
    const ComputePipeline pipe = make_fill_range(dev, 64);
    DescriptorArena arena(dev, 1, 1);
    const TimestampQueries queries(dev, 2);
    CommandBuffer cmd(dev);
    cmd.begin();
    queries.reset(cmd);
    queries.write(cmd, 0, VK_PIPELINE_STAGE_TOP_OF_PIPE_BIT);
    record_fill(cmd, arena, pipe, 64, buf, 0, n, 1.0f);
    queries.write(cmd, 1, VK_PIPELINE_STAGE_BOTTOM_OF_PIPE_BIT);
    cmd.end();
    const int64_t t0 = host_now_ns();
    submit_and_wait(dev, cmd, "timed fill");
    const int64_t t1 = host_now_ns();
    const std::vector<uint64_t> ns = queries.read_ns(0, 2);
    EXPECT_LE(ns[0], ns[1]);
    // Mapped onto the host clock, the GPU's work lies within the submit..wait window (with the
    // calibration's deviation plus 2 ms of slack for clock granularity).
    const int64_t slack = static_cast<int64_t>(cal.max_deviation_ns) + 2'000'000;
    EXPECT_GE(cal.to_host_ns(ns[0]), t0 - slack);
    EXPECT_LE(cal.to_host_ns(ns[1]), t1 + slack);
  }
}

}  // namespace
}  // namespace hetsched::gpu
