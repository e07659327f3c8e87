// Public API: a session runs one model with the options given (policy, threads, device,
// precision): set inputs, run, read outputs and the last run's report. Errors are thrown as
// hetsched::Error (graph/error.h) with context.
#pragma once
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "scheduler/model.h"

namespace hetsched {

struct SessionOptions {
  std::string policy = "cpu";  // "cpu" | "gpu" (more with the partitioner)
  int threads = 0;             // CPU threads; 0 = all hardware threads
  int device = -1;             // Vulkan device index; -1 = best
  std::string precision = "fp32";
};

struct StepReport {
  int op_index = -1;  // index into graph().ops
  std::string op_type;
  std::string device;  // "cpu" | "gpu"
  double start_ms = 0, end_ms = 0;  // host clock, relative to the run's start
  double wait_ms = 0;               // time waiting for the other device
  size_t bytes_copied = 0;
};

struct RunReport {
  double total_ms = 0;
  std::vector<StepReport> steps;
};

class Session {
 public:
  Session(std::shared_ptr<const Model> model, SessionOptions options);
  ~Session();
  Session(Session&&) noexcept;
  Session& operator=(Session&&) noexcept;

  const Model& model() const { return *model_; }
  const SessionOptions& options() const { return options_; }
  // Input i in NHWC order; throws kInvalidArgument on a wrong element count.
  void set_input(int index, std::span<const float> nhwc);
  void run();
  std::vector<float> output(int index) const;
  const RunReport& last_report() const;
  // Per-step GPU timestamps in the report (with a barrier around each GPU step). Off by default,
  // so timed runs carry no profiling cost; CPU steps are always timed.
  void set_profiling(bool on);

  class Impl;

 private:
  std::shared_ptr<const Model> model_;
  SessionOptions options_;
  std::unique_ptr<Impl> impl_;
};

}  // namespace hetsched
