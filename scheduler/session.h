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
  // "fp32" | "fp16": fp16 keeps every GPU tensor and weight in float16 (storage only: arithmetic
  // stays float32, gpu/shaders/common.glsl); the model's inputs and outputs stay float32. It
  // needs policy gpu with every op on the GPU and a device with shaderFloat16 and 16-bit storage
  // (kUnsupported otherwise).
  std::string precision = "fp32";
  // Workgroup tuning at prepare (GPU-only executors): cached sizes from $HETSCHED_CACHE_DIR, the
  // candidates of uncached op shapes timed once. false: default sizes (`--no-tune`).
  bool tune = true;
};

// What workgroup tuning did while the session was prepared (all zero when it did not tune).
struct TuningSummary {
  bool enabled = false;
  int kernels = 0;       // tunable GPU kernels
  int shapes_timed = 0;  // op shapes timed now (not in the cache)
  int cache_hits = 0;
  int changed = 0;       // kernels running a size other than their default
  int deferred = 0;      // kernels left at their default for a later start (tuning budget spent)
  double timed_default_us = 0, timed_best_us = 0;  // sums over the shapes timed now
  double tuning_ms = 0;
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

// Thread safety: a Session is not thread-safe: use it from one thread at a time (one Session per
// thread, or a mutex around set_input/run/output/last_report). Any number of Sessions may be
// created and run concurrently on different threads, sharing one Model and the cache directory
// (cache files are written atomically; tests/scheduler/session_hardening_test.cpp runs N sessions
// on N threads under ThreadSanitizer). A Session whose GPU failed (kDeviceUnavailable for a lost
// device, kResourceExhausted for device memory) should be dropped; a new Session works again.
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
  const TuningSummary& tuning() const;

  class Impl;

 private:
  std::shared_ptr<const Model> model_;
  SessionOptions options_;
  std::unique_ptr<Impl> impl_;
};

}  // namespace hetsched
