// Workgroup tuning: candidate local sizes and the tuning cache file (JSON).
#include "gpu/workgroup_tuning.h"

#include <fmt/format.h>

#include <algorithm>
#include <bit>
#include <memory>
#include <mutex>
#include <cmath>
#include <nlohmann/json.hpp>

#include "base/error.h"
#include "gpu/cache_file.h"
#include "gpu/device.h"
#include "gpu/pipeline_cache.h"

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

namespace {
std::mutex g_progress_mutex;
std::shared_ptr<const TuningProgressFn> g_progress;
}  // namespace

void set_tuning_progress(TuningProgressFn fn) {
  std::lock_guard lock(g_progress_mutex);
  g_progress = fn ? std::make_shared<const TuningProgressFn>(std::move(fn)) : nullptr;
}

void report_tuning_progress(const TuningProgress& progress) {
  std::shared_ptr<const TuningProgressFn> fn;
  {
    std::lock_guard lock(g_progress_mutex);
    fn = g_progress;
  }
  if (fn) (*fn)(progress);
}

WorkgroupTuningCache::WorkgroupTuningCache(const VulkanDevice& device)
    : WorkgroupTuningCache(device, default_cache_dir()) {}

namespace {

// Why an entry of the cache file cannot be used on this device ("" when it can): sizes beyond the
// device's limits, a register block tuning never tries, timings that are not finite positive
// numbers. Such entries used to be re-tuned silently (executor_tuning.cpp's in_candidates).
std::string entry_problem(const WorkgroupTuningCache::Entry& e, const DeviceInfo& info) {
  const WorkgroupSize& b = e.best;
  if (b.invocations() == 0) return "a local size with 0 invocations";
  if (b.x > info.max_workgroup_size[0] || b.y > info.max_workgroup_size[1] || b.z > info.max_workgroup_size[2])
    return fmt::format("local size {}x{}x{} beyond the device's {}x{}x{}", b.x, b.y, b.z, info.max_workgroup_size[0],
                       info.max_workgroup_size[1], info.max_workgroup_size[2]);
  if (uint64_t(b.x) * b.y * b.z > info.max_workgroup_invocations)
    return fmt::format("local size {}x{}x{} beyond the device's {} invocations", b.x, b.y, b.z,
                       info.max_workgroup_invocations);
  // The register blocks, and the cooperative-matrix tiles' 1-2 x 1-2 matrices per subgroup
  // (gpu/ops/conv2d_coopmat.h's CoopMatTile: its 1 x 2 is no register block). Whether an entry is
  // one of its kernel's candidates is checked when a kernel reads it (executor_tuning.cpp).
  const bool register_block =
      std::find(std::begin(kRegisterBlocks), std::end(kRegisterBlocks), std::pair(b.block_s, b.block_x)) !=
      std::end(kRegisterBlocks);
  const bool coopmat_tile = b.block_s >= 1 && b.block_s <= 2 && b.block_x >= 1 && b.block_x <= 2;
  if (b.kernel > 1) return fmt::format("implementation {} of a kernel that has 2", b.kernel);
  if (!b.split_k() && !register_block && !coopmat_tile)
    return fmt::format("register block {}x{} that tuning never tries", b.block_s, b.block_x);
  if (!std::isfinite(e.best_us) || !std::isfinite(e.default_us) || e.best_us <= 0 || e.default_us <= 0)
    return fmt::format("timings best {} us, default {} us (expected finite positive numbers)", e.best_us, e.default_us);
  return "";
}

}  // namespace

WorkgroupTuningCache::WorkgroupTuningCache(const VulkanDevice& device, std::filesystem::path dir) {
  const DeviceInfo& info = device.info();
  file_ = dir / fmt::format("workgroups-{:08x}-{:08x}-{:08x}-{:016x}.json", info.vendor_id, info.device_id,
                            info.driver_version, embedded_spirv_hash());
  const auto text = read_cache_file(file_, "workgroup tuning cache");
  if (!text) return;  // none yet, or moved aside (read_cache_file warned)
  std::vector<std::string> dropped;
  try {
    const nlohmann::json j = nlohmann::json::parse(*text);
    for (const auto& [key, e] : j.at("entries").items()) {
      Entry entry;
      const auto& b = e.at("best");
      entry.best = {b.at(0).get<uint32_t>(), b.at(1).get<uint32_t>(), b.at(2).get<uint32_t>()};
      if (e.contains("block")) {
        entry.best.block_s = e.at("block").at(0).get<uint32_t>();
        entry.best.block_x = e.at("block").at(1).get<uint32_t>();
      }
      if (e.contains("kernel")) entry.best.kernel = e.at("kernel").get<uint32_t>();
      entry.best_us = e.at("best_us").get<double>();
      entry.default_us = e.at("default_us").get<double>();
      if (const std::string problem = entry_problem(entry, info); !problem.empty()) {
        dropped.push_back(fmt::format("'{}': {}", key, problem));
        continue;
      }
      entries_[key] = entry;
    }
  } catch (const std::exception& e) {
    entries_.clear();
    warning_ = fmt::format("ignoring the corrupt workgroup tuning cache {} ({}); it will be rewritten",
                           file_.string(), e.what());
    fmt::print(stderr, "hetsched: warning: {}\n", warning_);
    move_cache_aside(file_, "workgroup tuning cache", "is corrupt");
    dirty_ = true;
    return;
  }
  if (!dropped.empty()) {
    warning_ = fmt::format("dropped {} corrupt entr{} of the workgroup tuning cache {} (re-tuned and rewritten): {}",
                           dropped.size(), dropped.size() == 1 ? "y" : "ies", file_.string(), dropped.front());
    fmt::print(stderr, "hetsched: warning: {}\n", warning_);
    dirty_ = true;
  }
}

const WorkgroupTuningCache::Entry* WorkgroupTuningCache::find(const std::string& key) const {
  if (const Entry* e = find_transient(key)) return e;
  const auto it = entries_.find(key);
  return it == entries_.end() ? nullptr : &it->second;
}

void WorkgroupTuningCache::store(const std::string& key, const Entry& entry) {
  // A timing made while other processes load the machine is used now but not saved: 4 processes
  // tuning at once timed one kernel at 64 ms in one and 2.3 ms in another, and the last save won.
  const MachineLoad load = machine_load();
  if (load.busy) {
    transient_[key] = entry;
    entries_.erase(key);
    busy_load_ = load.load1;
    return;
  }
  transient_.erase(key);
  entries_[key] = entry;
  dirty_ = true;
}

const WorkgroupTuningCache::Entry* WorkgroupTuningCache::find_transient(const std::string& key) const {
  const auto it = transient_.find(key);
  return it == transient_.end() ? nullptr : &it->second;
}

void WorkgroupTuningCache::save() {
  if (!transient_.empty() && !busy_noted_) {
    busy_noted_ = true;
    fmt::print(stderr,
               "hetsched: note: {} workgroup tuning result(s) were measured while the machine was busy (load "
               "average {:.1f} on {} cores) and are not saved; a quieter start measures them again\n",
               transient_.size(), busy_load_, machine_load().cores);
  }
  nlohmann::json j;
  j["format"] = "hetsched workgroup tuning cache v1";
  j["entries"] = nlohmann::json::object();
  for (const auto& [key, e] : entries_) {
    j["entries"][key] = {{"best", {e.best.x, e.best.y, e.best.z}},
                         {"block", {e.best.block_s, e.best.block_x}},
                         {"best_us", e.best_us},
                         {"default_us", e.default_us}};
    if (e.best.kernel != 0) j["entries"][key]["kernel"] = e.best.kernel;
  }
  write_cache_file(file_, j.dump(1) + "\n", "workgroup tuning cache");
  dirty_ = false;
}

}  // namespace hetsched::gpu
