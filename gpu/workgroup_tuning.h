// Workgroup tuning: per device and op shape, a few candidate local sizes of each GPU kernel are
// timed once (within a host-time budget per prepare) with GPU timestamps (GpuExecutor, at prepare time) and the fastest is kept in a cache
// file next to the pipeline cache, so later prepares only look it up.
#pragma once
#include <cstdint>
#include <filesystem>
#include <functional>
#include <string_view>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "graph/op_codes.h"
#include "graph/phwc4.h"

namespace hetsched::gpu {

class VulkanDevice;
struct DeviceInfo;

// A compute shader's local size (specialization constants 0..2 of every hetsched shader) and, for
// register-blocked kernels (conv2d.comp), the output block of one invocation: block_s output
// slices x block_x pixels along x (constants BLOCK_S_ID, BLOCK_X_ID of common.glsl); 1 x 1 for
// every other kernel. Both are tuned together: one candidate is one (local size, block) pair.
struct WorkgroupSize {
  uint32_t x = 1, y = 1, z = 1;
  uint32_t block_s = 1, block_x = 1;
  // Which implementation of a kernel that has two (gpu/ops/tensor_core_choice.h): 0 its shader,
  // 1 its cooperative-matrix kernel (whose tile the other fields then encode). 0 for every other kernel.
  uint32_t kernel = 0;
  uint32_t invocations() const { return x * y * z; }
  bool blocked() const { return block_s != 1 || block_x != 1; }
  // The block (0, 0) marks a split-K candidate of a conv kernel (conv2d_splitk.comp): x invocations
  // share each output vec4's reduction, one workgroup per output vec4.
  bool split_k() const { return block_s == 0 && block_x == 0; }
  bool operator==(const WorkgroupSize&) const = default;
};

// Specialization constant ids of the register block (common.glsl's BLOCK_S_ID, BLOCK_X_ID).
inline constexpr uint32_t kBlockSSpecId = BLOCK_S_ID, kBlockXSpecId = BLOCK_X_ID;  // graph/op_codes.h

// The register blocks (block_s, block_x) register_blocked_candidates tries, (1, 1) first.
inline constexpr std::pair<uint32_t, uint32_t> kRegisterBlocks[] = {{1, 1}, {2, 1}, {4, 1}, {2, 2}, {4, 2}};
inline constexpr std::pair<uint32_t, uint32_t> kSplitKBlock = {0, 0};

// The candidates for an output of shape `out`: `current` first, then up to four others shaped to
// the output (x over the width, y over the rows, z over slices x batches) with 32, 64, 128 and 256
// invocations, within the device's limits, no duplicates. `z_one`: keep z = 1 (kernels whose
// workgroup computes one output slice so that weight loads are uniform).
std::vector<WorkgroupSize> workgroup_candidates(const Shape4& out, WorkgroupSize current, bool z_one,
                                                const DeviceInfo& device);

// The candidates of a register-blocked kernel: workgroup_candidates(out, current, false) (block
// (1, 1), `current` first), then each other block of kRegisterBlocks that fits the output
// (block_s <= slices, block_x <= width) with up to three local sizes of one slice block per
// workgroup (z = 1, uniform weight loads) shaped to the blocked grid (width / block_x, rows,
// slices / block_s). At most 17.
std::vector<WorkgroupSize> register_blocked_candidates(const Shape4& out, WorkgroupSize current,
                                                       const DeviceInfo& device);

// Progress of one prepare's tuning, reported after each candidate it times and once at the end
// (done == total): the CLI prints "tuning 37/103 kernels..." from it.
struct TuningProgress {
  int done = 0;         // kernels looked at so far
  int total = 0;        // kernels of the model
  int timed = 0;        // of them timed now (cache misses)
  double elapsed_ms = 0;
  std::string_view model;
};
using TuningProgressFn = std::function<void(const TuningProgress&)>;
// A process-wide observer of tuning progress (nullptr: none, the default). The library never
// prints; a front end installs one. Called on the thread that prepares the session, so it must
// be cheap and, when several sessions prepare at once, thread-safe itself.
void set_tuning_progress(TuningProgressFn fn);
// For GpuExecutor::tune_workgroups: calls the observer, if any.
void report_tuning_progress(const TuningProgress& progress);

// What tuning did during one prepare (GpuExecutor::tuning_stats()).
struct TuningStats {
  int kernels = 0;          // kernels with candidates
  int shapes_timed = 0;     // distinct keys timed now (cache misses)
  int cache_hits = 0;       // kernels whose size came from the cache file or an earlier op
  int changed = 0;          // kernels now running a size other than their default
  int deferred = 0;         // kernels left at their default: the tuning budget ran out
  double timed_default_us = 0, timed_best_us = 0;  // sums over the keys timed now
  double tuning_ms = 0;     // host time spent tuning (pipelines included)
  int candidates_timed = 0; // candidate sizes timed now, over all keys
  int precompiled = 0;      // candidate pipelines other threads compiled ahead of the timing loop
};

// The tuning cache file: `<dir>/workgroups-<vendorID>-<deviceID>-<driverVersion>-<spirv hash>.json`
// (device, driver and shader set in the name; the op shape, shader variant and specialization
// constants in each key). A missing file starts empty; an unreadable or corrupt one is moved aside
// to `<file>.bad` with a warning on stderr (warning() keeps it) and rebuilt, never an error;
// entries that are invalid for this device (sizes beyond its limits, unknown register blocks,
// non-finite or non-positive timings) are dropped with one warning and re-tuned. Not thread-safe:
// one per session.
class WorkgroupTuningCache {
 public:
  struct Entry {
    WorkgroupSize best;
    double best_us = 0, default_us = 0;  // measured when the entry was made
  };

  explicit WorkgroupTuningCache(const VulkanDevice& device, std::filesystem::path dir);
  // In default_cache_dir().
  explicit WorkgroupTuningCache(const VulkanDevice& device);

  const std::filesystem::path& file() const { return file_; }
  const std::string& warning() const { return warning_; }
  size_t size() const { return entries_.size(); }
  bool dirty() const { return dirty_; }

  // An entry from the file or stored now (a busy-machine entry too: find() serves this session).
  const Entry* find(const std::string& key) const;
  // Stores a timing. While the machine is busy (machine_load().busy) the entry is kept for this
  // session only (find() returns it) and never saved.
  void store(const std::string& key, const Entry& entry);
  // Entries kept for this session only because the machine was busy when they were timed.
  size_t transient_size() const { return transient_.size(); }
  // Writes the file (write_cache_file: temporary file + rename), without the busy-machine entries
  // (one note on stderr when there are some). Error kInvalidArgument naming the path when it
  // cannot be written (callers may treat that as a warning; the process prints one notice).
  void save();

 private:
  std::filesystem::path file_;
  const Entry* find_transient(const std::string& key) const;

  std::map<std::string, Entry> entries_;
  std::map<std::string, Entry> transient_;  // measured on a busy machine: this session only
  std::string warning_;
  bool dirty_ = false;
  bool busy_noted_ = false;
  double busy_load_ = 0;
};

}  // namespace hetsched::gpu
