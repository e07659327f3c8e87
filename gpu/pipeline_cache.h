// PipelineCache: a VkPipelineCache loaded from and saved to disk, one file per device, driver and
// set of embedded shaders, so compiled pipelines survive between runs.
#pragma once
#include <vulkan/vulkan.h>

#include <cstdint>
#include <filesystem>

#include "gpu/vk_handles.h"

namespace hetsched::gpu {

class VulkanDevice;

// $HETSCHED_CACHE_DIR if set, else $HOME/.cache/hetsched, else <temp dir>/hetsched-cache.
std::filesystem::path default_cache_dir();
// FNV-1a 64 over every embedded shader's name and SPIR-V words: changes when any shader changes.
uint64_t embedded_spirv_hash();

// Thread-safety: the VkPipelineCache is internally synchronized (pipelines may be created through it
// from several threads); save() may run concurrently with pipeline creation. Not movable.
class PipelineCache {
 public:
  // Opens `<dir>/pipelines-<vendorID>-<deviceID>-<driverVersion>-<pipelineCacheUUID>-<spirv hash>.bin`
  // if it exists and its header matches this device; otherwise starts empty. Never fails on a
  // missing, unreadable or foreign file (the cache is only an accelerator): a file that is there
  // but cannot be used (a directory, unreadable, a header for another device, refused by the
  // driver) is moved aside to `<file>.bad` with a warning and rebuilt by the next save().
  explicit PipelineCache(const VulkanDevice& device, std::filesystem::path dir = default_cache_dir());
  PipelineCache(const PipelineCache&) = delete;
  PipelineCache& operator=(const PipelineCache&) = delete;

  VkPipelineCache get() const { return cache_.get(); }
  const std::filesystem::path& file() const { return file_; }
  // Bytes of cache data accepted from disk at construction (0 when it started empty).
  size_t loaded_bytes() const { return loaded_bytes_; }

  // Writes the current cache data to file() (write_cache_file: a temporary file and a rename),
  // creating the directory. Returns the bytes written. Error kInvalidArgument naming the path when
  // it cannot be written (callers may treat that as a warning; the process prints one notice).
  size_t save() const;

 private:
  const VulkanDevice& device_;
  std::filesystem::path file_;
  PipelineCacheHandle cache_;
  size_t loaded_bytes_ = 0;
};

}  // namespace hetsched::gpu
