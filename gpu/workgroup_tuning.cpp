// Workgroup tuning: candidate local sizes and the tuning cache file (JSON).
#include "gpu/workgroup_tuning.h"

#include <fmt/format.h>

#include <algorithm>
#include <bit>
#include <fstream>
#include <nlohmann/json.hpp>

#include "gpu/device.h"
#include "gpu/pipeline_cache.h"
#include "graph/error.h"

namespace hetsched::gpu {
namespace {

// A local size of up to `invocations` shaped to `out`, x at most `max_x`.
WorkgroupSize shaped(const Shape4& out, uint32_t invocations, uint32_t max_x, bool z_one) {
  WorkgroupSize s;
  s.x = std::min({max_x, invocations, std::bit_ceil(uint32_t(std::max(out.w, 1)))});
  s.y = std::min(invocations / s.x, std::bit_ceil(uint32_t(std::max(out.h, 1))));
  s.z = z_one ? 1 : std::min(invocations / (s.x * s.y), std::bit_ceil(uint32_t(std::max(out.slices() * out.n, 1))));
  return s;
}

bool fits(const WorkgroupSize& s, const DeviceInfo& d) {
  return s.invocations() <= d.max_workgroup_invocations && s.x <= d.max_workgroup_size[0] &&
         s.y <= d.max_workgroup_size[1] && s.z <= d.max_workgroup_size[2];
}

}  // namespace

std::vector<WorkgroupSize> workgroup_candidates(const Shape4& out, WorkgroupSize current, bool z_one,
                                                const DeviceInfo& device) {
  std::vector<WorkgroupSize> c{current};
  const std::pair<uint32_t, uint32_t> shapes[] = {{32, 8}, {64, 8}, {64, 64}, {128, 16}, {256, 16}};
  for (const auto& [invocations, max_x] : shapes) {
    const WorkgroupSize s = shaped(out, invocations, max_x, z_one);
    if (fits(s, device) && std::find(c.begin(), c.end(), s) == c.end()) c.push_back(s);
    if (c.size() == 5) break;
  }
  return c;
}

std::vector<WorkgroupSize> register_blocked_candidates(const Shape4& out, WorkgroupSize current,
                                                       const DeviceInfo& device) {
  std::vector<WorkgroupSize> c = workgroup_candidates(out, current, false, device);
  for (const auto& [block_s, block_x] : kRegisterBlocks) {
    if (block_s == 1 && block_x == 1) continue;
    if (int(block_s) > out.slices() || int(block_x) > out.w) continue;
    // The grid this block dispatches, as an output shape (4 channels per slice block).
    const Shape4 grid{out.n, out.h, (out.w + int(block_x) - 1) / int(block_x),
                      (out.slices() + int(block_s) - 1) / int(block_s) * kSliceWidth};
    WorkgroupSize first = shaped(grid, 64, 8, true);
    std::vector<WorkgroupSize> locals = workgroup_candidates(grid, first, true, device);
    if (locals.size() > 3) locals.resize(3);
    for (WorkgroupSize s : locals) {
      s.block_s = block_s;
      s.block_x = block_x;
      if (std::find(c.begin(), c.end(), s) == c.end()) c.push_back(s);
    }
  }
  return c;
}

WorkgroupTuningCache::WorkgroupTuningCache(const VulkanDevice& device)
    : WorkgroupTuningCache(device, default_cache_dir()) {}

WorkgroupTuningCache::WorkgroupTuningCache(const VulkanDevice& device, std::filesystem::path dir) {
  const DeviceInfo& info = device.info();
  file_ = dir / fmt::format("workgroups-{:08x}-{:08x}-{:08x}-{:016x}.json", info.vendor_id, info.device_id,
                            info.driver_version, embedded_spirv_hash());
  std::ifstream in(file_);
  if (!in) return;  // no cache yet
  try {
    const nlohmann::json j = nlohmann::json::parse(in);
    for (const auto& [key, e] : j.at("entries").items()) {
      Entry entry;
      const auto& b = e.at("best");
      entry.best = {b.at(0).get<uint32_t>(), b.at(1).get<uint32_t>(), b.at(2).get<uint32_t>()};
      if (e.contains("block")) {
        entry.best.block_s = e.at("block").at(0).get<uint32_t>();
        entry.best.block_x = e.at("block").at(1).get<uint32_t>();
        if (entry.best.block_s == 0 || entry.best.block_x == 0) throw std::runtime_error("empty block in '" + key + "'");
      }
      entry.best_us = e.at("best_us").get<double>();
      entry.default_us = e.at("default_us").get<double>();
      if (entry.best.invocations() == 0) throw std::runtime_error("local size with 0 invocations in '" + key + "'");
      entries_[key] = entry;
    }
  } catch (const std::exception& e) {
    entries_.clear();
    warning_ = fmt::format("ignoring the corrupt workgroup tuning cache {} ({}); it will be rewritten",
                           file_.string(), e.what());
    fmt::print(stderr, "hetsched: warning: {}\n", warning_);
    dirty_ = true;
  }
}

const WorkgroupTuningCache::Entry* WorkgroupTuningCache::find(const std::string& key) const {
  const auto it = entries_.find(key);
  return it == entries_.end() ? nullptr : &it->second;
}

void WorkgroupTuningCache::store(const std::string& key, const Entry& entry) {
  entries_[key] = entry;
  dirty_ = true;
}

void WorkgroupTuningCache::save() {
  nlohmann::json j;
  j["format"] = "hetsched workgroup tuning cache v1";
  j["entries"] = nlohmann::json::object();
  for (const auto& [key, e] : entries_)
    j["entries"][key] = {{"best", {e.best.x, e.best.y, e.best.z}},
                         {"block", {e.best.block_s, e.best.block_x}},
                         {"best_us", e.best_us},
                         {"default_us", e.default_us}};
  std::error_code ec;
  std::filesystem::create_directories(file_.parent_path(), ec);
  if (ec)
    fail(ErrorKind::kInvalidArgument, "cannot create the tuning cache directory {}: {} (set HETSCHED_CACHE_DIR)",
         file_.parent_path().string(), ec.message());
  const std::filesystem::path tmp = file_.string() + fmt::format(".tmp{}", reinterpret_cast<uintptr_t>(this));
  {
    std::ofstream out(tmp, std::ios::trunc);
    out << j.dump(1) << "\n";
    if (!out) {
      out.close();
      std::filesystem::remove(tmp, ec);
      fail(ErrorKind::kInvalidArgument, "cannot write the workgroup tuning cache {}", tmp.string());
    }
  }
  std::filesystem::rename(tmp, file_, ec);
  if (ec) {
    std::filesystem::remove(tmp, ec);
    fail(ErrorKind::kInvalidArgument, "cannot rename the workgroup tuning cache to {}: {}", file_.string(),
         ec.message());
  }
  dirty_ = false;
}

}  // namespace hetsched::gpu
