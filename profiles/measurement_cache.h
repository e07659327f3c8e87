// The per-device measurement cache of the profiler: each distinct measurement (a kernel
// configuration, profiles/kernel_key.h, over one output range, on one processor at one thread
// count or precision, alone or co-running, under one sampling setting) is timed once; a repeat of
// it in another architecture of the same run, or of a later `hetsched profile` call on the same
// device with the same build, reuses the stored timing (the dataset row says `reused`). nn-Meter
// likewise samples kernel configurations, not models. Whole-model runs are never cached.
//
// The file: JSON, <cache dir>/measurements-<device profile name>.json, written atomically.
// A damaged file is moved aside to `<file>.bad` with a warning naming it, and rebuilt; a file
// written by another build (its kernels may time differently) or of another format version is
// ignored with a note and replaced at the next save. Not thread-safe.
#pragma once
#include <filesystem>
#include <map>
#include <string>

#include "profiles/timing_stats.h"

namespace hetsched::profiles {

class MeasurementCache {
 public:
  static constexpr int kVersion = 1;
  struct Entry {
    TimingStats stats;
    double cpu_us = -1;
    double load_avg = -1;
    bool operator==(const Entry&) const = default;
  };

  // Reads `file` (a missing file starts empty). `build` names the binary's kernels (git commit and
  // shader hash): entries of another build are not used.
  MeasurementCache(std::filesystem::path file, std::string build);

  const std::filesystem::path& file() const { return file_; }
  // Why the file's entries were not used ("" when they were, or there was no file).
  const std::string& note() const { return note_; }
  size_t size() const { return entries_.size(); }
  bool dirty() const { return dirty_; }

  const Entry* find(const std::string& key) const;
  void store(const std::string& key, const Entry& entry);
  // Error kInvalidArgument naming the file when it cannot be written.
  void save();

 private:
  std::filesystem::path file_;
  std::string build_;
  std::string note_;
  std::map<std::string, Entry> entries_;
  bool dirty_ = false;
};

}  // namespace hetsched::profiles
