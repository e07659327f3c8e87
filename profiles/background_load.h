// Keeps one processor busy while the profiler times the other: the co-running slowdown of a split
// (shared memory bandwidth, host threads) that timing each processor alone misses (CoDL models it;
// issue #14). A BackgroundLoad calls `step` in a loop on its own thread from construction until
// destruction; the profiler passes one run of the same model on the other processor (the GPU
// executor, or the CPU executor at all threads), which is what that processor does in a split.
#pragma once
#include <atomic>
#include <cstdint>
#include <functional>
#include <string>
#include <thread>

namespace hetsched::profiles {

class BackgroundLoad {
 public:
  // `step` must not throw past a run: an error stops the loop and is reported by error().
  explicit BackgroundLoad(std::function<void()> step);
  ~BackgroundLoad();  // stops after the step in flight
  BackgroundLoad(const BackgroundLoad&) = delete;
  BackgroundLoad& operator=(const BackgroundLoad&) = delete;

  int64_t steps() const { return steps_.load(); }  // completed so far
  // Blocks until at least one step completed (the load is on) or the loop stopped on an error.
  void wait_started() const;
  const std::string& error() const { return error_; }  // read after wait_started() or destruction

 private:
  std::function<void()> step_;
  std::atomic<bool> stop_{false};
  std::atomic<bool> failed_{false};
  std::atomic<int64_t> steps_{0};
  std::string error_;
  std::thread thread_;
};

}  // namespace hetsched::profiles
