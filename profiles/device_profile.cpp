// Device profile files (see header).
#include "profiles/device_profile.h"

#include <fmt/format.h>

#include <chrono>
#include <ctime>
#include <fstream>

#include "base/error.h"
#include "profiles/machine_info.h"
#include "profiles/predictor.h"

namespace hetsched::profiles {

constexpr const char* kFormat = "hetsched-device-profile";

nlohmann::json to_json(const DeviceProfile& p) {
  nlohmann::json j = {{"format", kFormat},
                      {"version", DeviceProfile::kVersion},
                      {"created", p.created},
                      {"cpu",
                       {{"model", p.cpu_model}, {"hardware_threads", p.hardware_threads}, {"threads", p.threads}}},
                      {"fixed_us", p.fixed_us}};
  if (p.has_gpu)
    j["gpu"] = {{"name", p.gpu_name}, {"driver", p.gpu_driver}, {"vendor_id", p.gpu_vendor_id},
                {"device_id", p.gpu_device_id}, {"driver_version", p.gpu_driver_version}};
  if (p.predictor) j["predictor"] = *p.predictor;
  return j;
}

DeviceProfile device_profile_from_json(const nlohmann::json& j, const std::string& context) {
  if (!j.is_object() || j.value("format", "") != kFormat)
    fail(ErrorKind::kInvalidModel, "{}: not a hetsched device profile (\"format\" must be \"{}\")", context, kFormat);
  if (!j.contains("version") || !j["version"].is_number_integer() || j["version"].get<int>() != DeviceProfile::kVersion)
    fail(ErrorKind::kInvalidModel, "{}: version {} (this build reads version {}); profile the device again", context,
         j.contains("version") ? j["version"].dump() : "missing", DeviceProfile::kVersion);
  DeviceProfile p;
  try {
    j.at("created").get_to(p.created);
    const auto& cpu = j.at("cpu");
    cpu.at("model").get_to(p.cpu_model);
    cpu.at("hardware_threads").get_to(p.hardware_threads);
    cpu.at("threads").get_to(p.threads);
    if (j.contains("gpu")) {
      const auto& g = j["gpu"];
      p.has_gpu = true;
      g.at("name").get_to(p.gpu_name);
      g.at("driver").get_to(p.gpu_driver);
      g.at("vendor_id").get_to(p.gpu_vendor_id);
      g.at("device_id").get_to(p.gpu_device_id);
      g.at("driver_version").get_to(p.gpu_driver_version);
    }
    j.at("fixed_us").get_to(p.fixed_us);
  } catch (const nlohmann::json::exception& e) {
    fail(ErrorKind::kInvalidModel, "{}: corrupt device profile ({})", context, e.what());
  }
  if (p.hardware_threads <= 0) fail(ErrorKind::kInvalidModel, "{}: hardware_threads must be positive", context);
  if (j.contains("predictor")) {
    Predictor::from_json(j["predictor"], context + " (embedded predictor)");  // validates; throws naming the file
    p.predictor = j["predictor"];
  }
  return p;
}

void save_device_profile(const DeviceProfile& p, const std::filesystem::path& file) {
  const std::filesystem::path tmp = file.string() + ".tmp";
  try {
    if (file.has_parent_path()) std::filesystem::create_directories(file.parent_path());
    {
      std::ofstream f(tmp);
      if (!f) fail(ErrorKind::kInvalidArgument, "device profile '{}': cannot write {}", file.string(), tmp.string());
      f << to_json(p).dump(1) << "\n";
      if (!f) fail(ErrorKind::kInvalidArgument, "device profile '{}': writing {} failed", file.string(), tmp.string());
    }
    std::filesystem::rename(tmp, file);
  } catch (const std::filesystem::filesystem_error& e) {
    fail(ErrorKind::kInvalidArgument, "device profile '{}': {}", file.string(), e.what());
  }
}

DeviceProfile load_device_profile(const std::filesystem::path& file) {
  const std::string context = fmt::format("device profile '{}'", file.string());
  std::ifstream f(file);
  if (!f) fail(ErrorKind::kInvalidArgument, "{}: cannot be read", context);
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(f);
  } catch (const nlohmann::json::exception& e) {
    fail(ErrorKind::kInvalidModel, "{}: not valid JSON ({}); delete it or profile the device again", context, e.what());
  }
  return device_profile_from_json(j, context);
}

std::filesystem::path device_profile_path(const std::filesystem::path& dir, const DeviceProfile& id) {
  std::string name = "device-" + slug(id.cpu_model);
  if (id.has_gpu)
    name += fmt::format("-gpu-{:x}-{:x}-{:x}", id.gpu_vendor_id, id.gpu_device_id, id.gpu_driver_version);
  return dir / (name + ".json");
}

std::string utc_now_iso8601() {
  const std::time_t t = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

}  // namespace hetsched::profiles
