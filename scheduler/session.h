// Public API: a session runs one model with the options given (policy, threads, device,
// precision): set inputs, run, read outputs and the last run's report. Errors are thrown as
// hetsched::Error (base/error.h) with context. Under policy `auto` the session holds several
// prepared runners (CPU, GPU, co-scheduled plan) and an adaptive controller that picks one per run
// (scheduler/adaptive_controller.h); `auto:static` decides once, at prepare.
#pragma once
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "partition/policy.h"
#include "scheduler/model.h"

namespace hetsched {

// fp16 keeps every GPU tensor and weight in float16 (storage only: arithmetic stays float32,
// gpu/shaders/common.glsl); the model's inputs and outputs stay float32. It needs policy gpu with
// every op on the GPU and a device with shaderFloat16 and 16-bit storage (kUnsupported otherwise).
// mixed keeps float32 tensors and weights (any policy) but lets the GPU's conv and FC kernels run on
// tensor cores with float16 operands and float32 accumulators (as cuDNN's TF32 default does for
// fp32 convolutions) where the device offers cooperative matrices (gpu/coopmat_support.h); fp32 is
// strict and never uses them; fp16 uses them too where they are faster (mixed and fp16 hold each
// conv-like op's shader and tensor-core kernel, and tuning keeps the faster:
// gpu/ops/tensor_core_choice.h). The default is strict fp32 (docs/tensor_cores.md says why).
// HETSCHED_NO_COOPMAT=1 turns tensor cores off.
enum class Precision { kFp32, kFp16, kMixed };
// "fp32" | "fp16" | "mixed"; throws kInvalidArgument naming the valid values. The only parser of precision
// text: the CLI and the Python package call it at their edge.
Precision parse_precision(const std::string& text);
const char* to_string(Precision p);

// The adaptive `auto` controller (scheduler/adaptive_controller.h); the defaults were chosen from
// the H100 load run (README, "Choices").
struct AdaptOptions {
  double slowdown = 1.3;           // the running candidate's window median / its estimate that means "changed"
  double switch_margin = 0.95;     // switch when another candidate's estimate < this x the current one's
  int window = 5;                  // runs in the running candidate's window
  // The GPU probe is submitted at most this often (the CPU's /proc reading has its own 50 ms).
  double sensor_interval_ms = 25;
};

// SessionOptions::threads: 0 (all hardware threads) or 1..kMaxThreads (beyond that TBB's arena
// crashed: 70000 threads, SIGSEGV in a TBB worker). The CLI validates against the same bound.
inline constexpr int kMaxThreads = 1024;

// Options are typed: the policy and the precision are parsed once, at the edge (CLI, Python), with
// partition::parse_policy and parse_precision.
struct SessionOptions {
  partition::PolicySpec policy;  // default: cpu
  int threads = 0;               // CPU threads; 0 = all hardware threads
  int device = -1;               // Vulkan device index; -1 = best
  Precision precision = Precision::kFp32;
  // Workgroup tuning at prepare (GPU-only executors): cached sizes from $HETSCHED_CACHE_DIR, the
  // candidates of uncached op shapes timed once. false: default sizes (`--no-tune`).
  bool tune = true;
  // Host time the prepare may spend timing uncached shapes (compiling and timing candidates); the
  // shapes left over keep their defaults until a later start (TuningSummary::deferred). Must be >= 0.
  double tuning_budget_ms = 5000;
  AdaptOptions adapt;  // policy auto (adaptive) only
  // Policy auto: the op costs it plans from come from this machine's device profile and its latency
  // predictor (scheduler/predicted_costs.h) when there is one, in milliseconds; else (or false)
  // every op is measured on both processors at prepare (cached per model).
  bool predict_costs = true;
};

// Test hook (tests only): as if another process took a share of one processor. A run of a
// runner that uses it takes `factor` times as long (the runner sleeps the difference after its
// run), and the controller's load readings move as a real load would move them: the CPU's
// other-process share grows by 1 - 1/factor, the GPU probe's latency is multiplied by factor.
struct FakeSlowdown {
  double cpu_factor = 1;
  double gpu_factor = 1;
};

// One decision of the `auto` controller: at which run, from which candidate to which, and why.
struct ControllerEvent {
  int64_t run = 0;          // the session's run counter when it was taken (-1: at prepare)
  double session_ms = 0;    // host time since the session was created
  std::string kind;         // "decide" | "switch" | "probe" | "fallback"
  std::string from, to;     // candidate names ("cpu", "gpu", "co")
  std::string reason;
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
  int precompiled = 0;   // candidate pipelines compiled ahead on other threads
  int tensor_core_kernels = 0;  // GPU kernels running on tensor cores (tuning's choice, or the only kernel)
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
  std::string runner;                   // which executor ran it: "cpu" | "gpu" | "co"
  std::vector<ControllerEvent> events;  // decisions taken right before this run (auto)
  // Other processes' load as the adaptive controller's sensors read it after this run (auto only;
  // nullopt: no fresh reading): the share of all cores busy with other processes, and the GPU
  // probe's submit-to-completion ms (the slowest of its last 3).
  std::optional<double> load_cpu_other_share, load_gpu_probe_ms;
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
  // The plan the session runs now as JSON (partition/plan.h format); for cpu/gpu sessions the
  // trivial plan of that policy. Under adaptive `auto` it changes when the controller switches.
  std::string plan_json() const;
  // The runner the next run uses ("cpu" | "gpu" | "co") and every decision taken so far.
  std::string current_runner() const;
  const std::vector<ControllerEvent>& decisions() const;
  // Policy auto: where the op costs it planned from came from ("op costs predicted ... from FILE",
  // or why they were measured); empty for other policies.
  const std::string& cost_source() const;
  // Test hook, see FakeSlowdown.
  void set_fake_slowdown(FakeSlowdown slowdown);

  class Impl;

 private:
  std::shared_ptr<const Model> model_;
  SessionOptions options_;
  std::unique_ptr<Impl> impl_;
};

}  // namespace hetsched
