// PhaseLoads: starts the background loads of one schedule phase (stress-ng for cpuNN,
// hetsched_gpu_load for gpuNN) and stops them at its end, with what they reported: when the load
// was in place (onset) and the GPU busy share hetsched_gpu_load measured.
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "bench/load/child_process.h"
#include "bench/load/schedule.h"

namespace hetsched::load {

struct LoadTools {
  std::string stress_ng = "stress-ng";     // program (PATH is searched)
  std::string cpu_method = "matrixprod";   // stress-ng --cpu-method
  std::string gpu_load = "hetsched_gpu_load";
  int device = -1;                         // hetsched_gpu_load --device
  double gpu_period_ms = 20;               // hetsched_gpu_load --period-ms
  int cores = 1;                           // for cpuNN: NN% of these as workers
};

struct PhaseLoadResult {
  int64_t onset_ns = 0;   // host clock: every load of the phase running (hetsched_gpu_load's ready line)
  int cpu_workers = 0;    // 0: no CPU load
  double gpu_duty = 0;    // requested; 0: no GPU load
  double gpu_busy = -1;   // measured by hetsched_gpu_load; -1 when it ran no load or did not report
  std::vector<std::string> problems;  // a load that exited early or did not report
};

// Thread-safety: one owner thread. Destruction stops whatever still runs.
class PhaseLoads {
 public:
  explicit PhaseLoads(LoadTools tools) : tools_(std::move(tools)) {}
  // Starts the phase's loads (nothing for idle). Their own time limit (stress-ng --timeout,
  // hetsched_gpu_load --seconds: the phase's seconds + 30) bounds their life should nothing stop
  // them. Error kInvalidArgument naming the program when one cannot be executed.
  void start(const Phase& phase);
  PhaseLoadResult stop();

 private:
  LoadTools tools_;
  int64_t start_ns_ = 0;
  int workers_ = 0;
  double duty_ = 0;
  std::unique_ptr<ChildProcess> cpu_, gpu_;
};

}  // namespace hetsched::load
