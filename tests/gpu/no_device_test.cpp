// With no Vulkan driver reachable, every entry point reports Error kDeviceUnavailable "no Vulkan
// device found (...)" instead of crashing. Its own binary: the driver environment is set before this
// process makes any Vulkan call.
#include <gtest/gtest.h>

#include <cstdlib>

#include "base/error.h"
#include "gpu/device.h"
#include "gpu/device_info.h"

namespace hetsched::gpu {
namespace {

void hide_all_drivers() {
  // VK_DRIVER_FILES is the newer name (it wins when both are set); VK_ICD_FILENAMES the older.
  setenv("VK_ICD_FILENAMES", "/nonexistent/icd.json", 1);
  setenv("VK_DRIVER_FILES", "/nonexistent/icd.json", 1);
  unsetenv("VK_ADD_DRIVER_FILES");
}

TEST(NoDevice, ListDevicesReportsDeviceUnavailable) {
  hide_all_drivers();
  try {
    const auto devices = list_devices();
    FAIL() << "listed " << devices.size() << " devices with no driver";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kDeviceUnavailable) << e.what();
    EXPECT_NE(std::string(e.what()).find("no Vulkan device found ("), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("/nonexistent/icd.json"), std::string::npos) << e.what();
  }
}

TEST(NoDevice, CreatingADeviceReportsDeviceUnavailable) {
  hide_all_drivers();
  try {
    const VulkanDevice device;
    FAIL() << "created " << device.describe() << " with no driver";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kDeviceUnavailable) << e.what();
    EXPECT_NE(std::string(e.what()).find("no Vulkan device found ("), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace hetsched::gpu
