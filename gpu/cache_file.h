// Cache files (pipeline cache, workgroup tuning, op profiles): reading that survives a damaged or
// replaced file, atomic writing, one notice for an unwritable cache directory, and the machine-load
// probe that keeps timings measured on a busy machine out of the caches.
#pragma once
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

namespace hetsched::gpu {

// Reads a whole cache file. Missing: nullopt, silently (the first start). Present but unreadable
// (a directory, no permission, an I/O error): a warning on stderr naming the file and `what` it
// holds, the file moved aside (move_cache_aside) so the next save rebuilds it, and nullopt.
std::optional<std::string> read_cache_file(const std::filesystem::path& file, std::string_view what);

// Renames a cache file that was read but cannot be used (`reason`) to `<file>.bad` (replacing an
// older one) with a warning on stderr, so it is rebuilt and can still be inspected. Never throws.
void move_cache_aside(const std::filesystem::path& file, std::string_view what, std::string_view reason);

// Writes `bytes` to `file` atomically: a unique temporary file in the same directory, then a
// rename (readers and concurrent writers never see a half-written file). Creates the directory.
// On failure throws Error(kInvalidArgument) naming the file; the first failure of the process also
// prints one notice on stderr (an unwritable cache directory means every start re-tunes), later
// ones stay quiet.
void write_cache_file(const std::filesystem::path& file, std::string_view bytes, std::string_view what);

// How many write notices this process printed (0 or 1; for tests).
int cache_write_notices();

// The machine's 1-minute load average against its cores. Timings made while `busy` (load above
// HETSCHED_BUSY_LOAD, default 2 x cores + 1: other processes compete for the cores, so a kernel can
// time 30x slower than alone, as 4 processes tuning at once showed) are used by the run that
// measured them but not saved.
struct MachineLoad {
  double load1 = 0;
  double threshold = 0;
  unsigned cores = 1;
  bool busy = false;
};
MachineLoad machine_load();
// Test hook: replaces /proc/loadavg's value (nullopt: read it again).
void set_load_average_for_testing(std::optional<double> load1);

}  // namespace hetsched::gpu
