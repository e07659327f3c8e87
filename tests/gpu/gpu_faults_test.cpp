// GPU fault paths: a tensor too large for the device names the tensor and the sizes; fp16
// requested where the device lacks it is a clear kUnsupported; a bad shader name at pipeline
// creation names the shader. (No device at all: no_device_test.cpp, and the CLI in pytest.)
#include <gtest/gtest.h>

#include <cstdlib>

#include "base/error.h"
#include "gpu/device.h"
#include "gpu/executor.h"
#include "gpu/pipeline.h"
#include "graph/op_registry.h"
#include "tests/support/gpu_op_runner.h"
#include "tests/support/op_test_harness.h"

namespace hetsched {
namespace {

TEST(GpuFaults, TensorLargerThanTheDeviceAllowsNamesTensorAndSizes) {
  std::string why;
  gpu::VulkanDevice* dev = test::test_gpu_device(&why);
  if (!dev) GTEST_SKIP() << "no Vulkan device: " << why;
  // An ADD whose output is just over maxStorageBufferRange (PHWC4 float32).
  const uint64_t limit = dev->info().max_storage_buffer_range;
  const int w = 1024, c = 4;
  const int h = int(limit / (uint64_t(w) * c * 4)) + 1;
  test::GraphBuilder b("too_big");
  const int x = b.input("big_input", {1, h, w, c});
  b.add_op(OpType::kAdd, {x, x}, BinaryAttributes{});
  Graph& g = b.graph();
  infer_shapes(g);
  try {
    gpu::GpuExecutor exec(g, *dev, nullptr, gpu::GpuExecutorOptions{});
    FAIL() << "a tensor of more than maxStorageBufferRange was accepted";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kResourceExhausted) << e.what();
    const std::string m = e.what();
    EXPECT_NE(m.find("too_big"), std::string::npos) << m;
    EXPECT_NE(m.find("big_input"), std::string::npos) << m;
    EXPECT_NE(m.find(std::to_string(limit)), std::string::npos) << m;
  }
}

TEST(GpuFaults, Fp16RequestedWhereAbsentIsUnsupported) {
  std::string why;
  if (!test::test_gpu_device(&why)) GTEST_SKIP() << "no Vulkan device: " << why;
  setenv("HETSCHED_VK_HIDE_FEATURES", "fp16", 1);
  try {
    gpu::VulkanDevice dev(gpu::DeviceOptions{-1, true});
    unsetenv("HETSCHED_VK_HIDE_FEATURES");
    FAIL() << "fp16 was enabled on a device that lacks it";
  } catch (const Error& e) {
    unsetenv("HETSCHED_VK_HIDE_FEATURES");
    EXPECT_EQ(e.kind(), ErrorKind::kUnsupported) << e.what();
    EXPECT_NE(std::string(e.what()).find("16"), std::string::npos) << e.what();
  }
}

TEST(GpuFaults, UnknownShaderNamesTheShader) {
  std::string why;
  gpu::VulkanDevice* dev = test::test_gpu_device(&why);
  if (!dev) GTEST_SKIP() << "no Vulkan device: " << why;
  try {
    gpu::ComputePipeline p(*dev, gpu::ComputePipelineDesc{"no_such_shader_xyz", {}, 16, 1});
    FAIL() << "a pipeline from a missing shader was created";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("no_such_shader_xyz"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace hetsched
