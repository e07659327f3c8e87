// DutyCycleLoad: keeps a Vulkan device busy for a chosen share of each period with BusyKernel
// dispatches (about `dispatch_ms` each, sized at start), sleeping for the rest, and measures the
// busy share it achieved from GPU timestamps (host fence times where the queue has none).
#pragma once
#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "gpu/device.h"

namespace hetsched::load {

struct DutyCycleOptions {
  double duty = 0.5;         // share of each period the device is kept busy, 0..1
  double period_ms = 20;     // one busy + idle cycle
  double dispatch_ms = 1.0;  // target duration of one dispatch (the granularity of the busy part)
  double seconds = 0;        // stop after this long; 0: until `stop` is set
};

struct DutyCycleReport {
  double duty = 0;          // requested
  double busy_share = 0;    // measured busy time / wall time of the loop
  double wall_s = 0;
  int64_t dispatches = 0;
  double mean_dispatch_ms = 0;
  uint32_t groups = 0, iterations = 0;  // dispatch size chosen by the calibration
  std::string busy_source;              // "timestamps" | "fences"
  std::string device;
};

// Thread-safety: one thread runs it. The device must outlive it.
class DutyCycleLoad {
 public:
  // Creates the pipeline and sizes the dispatch (a few dispatches timed). Errors name the device.
  DutyCycleLoad(const gpu::VulkanDevice& device, DutyCycleOptions options);
  ~DutyCycleLoad();
  DutyCycleLoad(const DutyCycleLoad&) = delete;
  DutyCycleLoad& operator=(const DutyCycleLoad&) = delete;

  // Runs until `options.seconds` pass or `stop` becomes true (checked at least every period).
  // `each_second`, when set, gets the busy share of every whole second (index from 1).
  DutyCycleReport run(const std::atomic<bool>& stop, const std::function<void(int, double)>& each_second = {});

  uint32_t groups() const;
  uint32_t iterations() const;

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace hetsched::load
