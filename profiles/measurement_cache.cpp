// Measurement cache (see header): one JSON object, entries as arrays
// [median_us, p25_us, p75_us, n, outliers, cpu_us, load_avg] by key.
#include "profiles/measurement_cache.h"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <cmath>

#include "base/error.h"
#include "gpu/cache_file.h"

namespace hetsched::profiles {
namespace {
constexpr const char* kFormat = "hetsched-measurement-cache";
constexpr const char* kWhat = "measurement cache";
}  // namespace

MeasurementCache::MeasurementCache(std::filesystem::path file, std::string build)
    : file_(std::move(file)), build_(std::move(build)) {
  const auto text = gpu::read_cache_file(file_, kWhat);
  if (!text) return;  // none yet, or unreadable and moved aside (read_cache_file warned)
  std::map<std::string, Entry> entries;
  try {
    const nlohmann::json j = nlohmann::json::parse(*text);
    if (j.at("format").get<std::string>() != kFormat)
      throw std::runtime_error(fmt::format("format '{}', expected '{}'", j.at("format").get<std::string>(), kFormat));
    const int version = j.at("version").get<int>();
    const std::string build = j.at("build").get<std::string>();
    if (version != kVersion || build != build_) {
      note_ = version != kVersion
                  ? fmt::format("{} {}: version {}, this build reads {}: measuring again", kWhat, file_.string(),
                                version, kVersion)
                  : fmt::format("{} {}: made by build {}, this is {}: measuring again", kWhat, file_.string(), build,
                                build_);
      dirty_ = true;
      return;
    }
    for (const auto& [key, e] : j.at("entries").items()) {
      if (!e.is_array() || e.size() != 7) throw std::runtime_error(fmt::format("entry '{}' is not 7 numbers", key));
      Entry x;
      x.stats.median_us = e.at(0).get<double>(), x.stats.p25_us = e.at(1).get<double>();
      x.stats.p75_us = e.at(2).get<double>(), x.stats.n = e.at(3).get<int>(), x.stats.outliers = e.at(4).get<int>();
      x.cpu_us = e.at(5).get<double>(), x.load_avg = e.at(6).get<double>();
      if (!(std::isfinite(x.stats.median_us) && x.stats.median_us > 0 && x.stats.n > 0))
        throw std::runtime_error(fmt::format("entry '{}' has no positive median", key));
      entries[key] = x;
    }
  } catch (const std::exception& e) {
    note_ = fmt::format("ignoring the corrupt {} {} ({}); measuring again", kWhat, file_.string(), e.what());
    gpu::move_cache_aside(file_, kWhat, "is corrupt");
    dirty_ = true;
    return;
  }
  entries_ = std::move(entries);
}

const MeasurementCache::Entry* MeasurementCache::find(const std::string& key) const {
  const auto it = entries_.find(key);
  return it == entries_.end() ? nullptr : &it->second;
}

void MeasurementCache::store(const std::string& key, const Entry& entry) {
  entries_[key] = entry;
  dirty_ = true;
}

void MeasurementCache::save() {
  nlohmann::json entries = nlohmann::json::object();
  for (const auto& [key, x] : entries_)
    entries[key] = {x.stats.median_us, x.stats.p25_us, x.stats.p75_us, x.stats.n, x.stats.outliers, x.cpu_us,
                    x.load_avg};
  const nlohmann::json j = {{"format", kFormat}, {"version", kVersion}, {"build", build_}, {"entries", entries}};
  gpu::write_cache_file(file_, j.dump(), kWhat);
  dirty_ = false;
}

}  // namespace hetsched::profiles
