// The device profile: one versioned JSON file per device in the cache directory
// ($HETSCHED_CACHE_DIR or ~/.cache/hetsched): the CPU (model, hardware threads, the thread counts
// profiled), the GPU (vendor, device, driver), the fixed costs measured per processor, and
// optionally the latency predictor trained for it (embedded, so one file is the whole profile).
// `hetsched profile` writes it; a file of another version, or damaged, is refused with an error
// that names it (the caller then measures again).
#pragma once
#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace hetsched::profiles {

struct DeviceProfile {
  static constexpr int kVersion = 1;
  std::string cpu_model;
  int hardware_threads = 0;
  std::vector<int> threads;  // CPU thread counts profiled
  bool has_gpu = false;
  std::string gpu_name, gpu_driver;
  uint32_t gpu_vendor_id = 0, gpu_device_id = 0, gpu_driver_version = 0;
  // Fixed costs in microseconds by processor key ("cpu:t2", "gpu:fp32") and name (cpu_task_us, ...).
  std::map<std::string, std::map<std::string, double>> fixed_us;
  std::string created;  // UTC time, ISO 8601
  std::optional<nlohmann::json> predictor;  // a profiles/predictor.h file's content, validated on load

  bool operator==(const DeviceProfile&) const = default;
};

nlohmann::json to_json(const DeviceProfile& p);
// Error kInvalidModel naming `context` when a field is missing, of the wrong type, the version is
// not kVersion, or the embedded predictor does not validate.
DeviceProfile device_profile_from_json(const nlohmann::json& j, const std::string& context);

// Written through a temporary file and a rename. Error kInvalidArgument naming the path on failure.
void save_device_profile(const DeviceProfile& p, const std::filesystem::path& file);
// Error kInvalidArgument (unreadable) or kInvalidModel (not JSON, corrupt, other version), naming the file.
DeviceProfile load_device_profile(const std::filesystem::path& file);

// <cache dir>/device-<cpu slug>[-gpu-<vendor>-<device>-<driver version>].json
std::filesystem::path device_profile_path(const std::filesystem::path& cache_dir, const DeviceProfile& identity);
std::string utc_now_iso8601();

}  // namespace hetsched::profiles
