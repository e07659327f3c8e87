// PipelineCache: file naming by device/driver/shader-set identity, header validation on load, and
// atomic save.
#include "gpu/pipeline_cache.h"

#include <cstdlib>
#include <cstring>
#include <system_error>
#include <vector>

#include "base/fnv1a.h"
#include "gpu/cache_file.h"
#include "gpu/device.h"
#include "gpu/spirv_registry.h"
#include "gpu/vk_check.h"
#include "gpu/vk_struct.h"

namespace hetsched::gpu {
namespace {

// The data starts with VkPipelineCacheHeaderVersionOne; drivers must reject foreign data, but we
// check too so a corrupt file never reaches a driver.
bool header_matches(const std::vector<uint8_t>& data, const DeviceInfo& info) {
  VkPipelineCacheHeaderVersionOne header{};
  if (data.size() < sizeof(header)) return false;
  std::memcpy(&header, data.data(), sizeof(header));
  return header.headerSize >= sizeof(header) && header.headerSize <= data.size() &&
         header.headerVersion == VK_PIPELINE_CACHE_HEADER_VERSION_ONE && header.vendorID == info.vendor_id &&
         header.deviceID == info.device_id &&
         std::memcmp(header.pipelineCacheUUID, info.pipeline_cache_uuid.data(), VK_UUID_SIZE) == 0;
}

}  // namespace

std::filesystem::path default_cache_dir() {
  if (const char* dir = std::getenv("HETSCHED_CACHE_DIR"); dir && *dir) return dir;
  if (const char* home = std::getenv("HOME"); home && *home) return std::filesystem::path(home) / ".cache" / "hetsched";
  std::error_code ec;
  return std::filesystem::temp_directory_path(ec) / "hetsched-cache";
}

uint64_t embedded_spirv_hash() {
  Fnv1a h;
  for (std::string_view name : embedded_shader_names()) {
    h.mix(name.data(), name.size());
    const auto words = find_spirv(name);
    h.mix(words.data(), words.size_bytes());
  }
  return h.value();
}

PipelineCache::PipelineCache(const VulkanDevice& device, std::filesystem::path dir) : device_(device) {
  const DeviceInfo& info = device.info();
  std::string uuid;
  for (uint8_t b : info.pipeline_cache_uuid) uuid += fmt::format("{:02x}", b);
  file_ = dir / fmt::format("pipelines-{:08x}-{:08x}-{:08x}-{}-{:016x}.bin", info.vendor_id, info.device_id,
                            info.driver_version, uuid, embedded_spirv_hash());

  std::vector<uint8_t> data;
  if (const auto bytes = read_cache_file(file_, "pipeline cache")) {
    data.assign(bytes->begin(), bytes->end());
    if (!header_matches(data, info)) {
      // The file name carries the device, driver and shader set: a header that disagrees is damage.
      move_cache_aside(file_, "pipeline cache", "has a header that does not match this device (damaged?)");
      data.clear();
    }
  }
  auto create = vk_struct<VkPipelineCacheCreateInfo>(VK_STRUCTURE_TYPE_PIPELINE_CACHE_CREATE_INFO);
  create.initialDataSize = data.size();
  create.pInitialData = data.empty() ? nullptr : data.data();
  VkPipelineCache cache = VK_NULL_HANDLE;
  VkResult result = vkCreatePipelineCache(device.get(), &create, nullptr, &cache);
  if (result != VK_SUCCESS && !data.empty()) {
    // A driver that dislikes the data: start empty instead.
    move_cache_aside(file_, "pipeline cache", fmt::format("was refused by the driver ({})", vk_result_name(result)));
    data.clear();
    create.initialDataSize = 0;
    create.pInitialData = nullptr;
    result = vkCreatePipelineCache(device.get(), &create, nullptr, &cache);
  }
  HETSCHED_VK_CHECK(result, "creating the pipeline cache for {} ({})", device.describe(), file_.string());
  cache_ = PipelineCacheHandle(device.get(), cache);
  loaded_bytes_ = data.size();
}

size_t PipelineCache::save() const {
  size_t size = 0;
  HETSCHED_VK_CHECK(vkGetPipelineCacheData(device_.get(), cache_.get(), &size, nullptr),
                    "sizing the pipeline cache data ({})", file_.string());
  std::vector<uint8_t> data(size);
  // VK_INCOMPLETE would mean the cache grew between the calls (another thread): save what we got.
  const VkResult result = vkGetPipelineCacheData(device_.get(), cache_.get(), &size, data.data());
  if (result != VK_INCOMPLETE) HETSCHED_VK_CHECK(result, "reading the pipeline cache data ({})", file_.string());
  data.resize(size);

  write_cache_file(file_, std::string_view(reinterpret_cast<const char*>(data.data()), data.size()),
                   "pipeline cache");
  return data.size();
}

}  // namespace hetsched::gpu
