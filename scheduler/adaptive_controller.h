// The `auto` controller: which prepared candidate (cpu, gpu, co-scheduled plan) serves each run.
// Pure logic over measured latencies and load readings (no device, no clock): the session feeds it
// and tests drive it with synthetic numbers.
//
// 1. Decide (at prepare, the session runs until settled()): each candidate runs in blocks of
//    consecutive runs (warm-up runs first, then timed ones), in two rounds (the second in reverse
//    order), as an app runs it, so the GPU stays warm and clocked up within a block. A candidate
//    whose median is over kEliminate x the best so far after 2 timed runs stops early. The winner
//    is the lowest pooled median, except that a co-scheduled plan must beat the best single
//    processor by more than the noise: its median lower by 2 standard errors of the difference
//    (SE of a median ~ 1.253 * 1.4826 * MAD / sqrt(n)) and by at least 2%.
// 2. Adapt (every run after that): the running candidate's last `window` latencies are watched
//    (the first runs after a change of runner are not: they can be cold, unless one is 3x over
//    the estimate, which is a slowdown, not a cold start). When their median and
//    all but one of them leave [estimate / slowdown, estimate * slowdown], its estimate is replaced
//    and the others are compared: one whose estimate is still valid (the load on its processors
//    has not changed since it was measured) and lower by the switch margin is switched to at once;
//    one whose estimate is stale is probed first (a short block of runs: one warm-up, then 3; a
//    timed run kProbeAbort x the running estimate ends it, and a warm-up run 3x that).
//    Between changes the estimate follows the window's median every `window` runs; when that
//    drifts up past a candidate with a valid estimate (by the switch margin), that one takes over.
// 3. Watch the others: load readings (other processes' CPU share, the latency of a tiny GPU probe)
//    mark a candidate's estimate stale when its processor got less busy (then it is probed when
//    the drop could make it win) or busier (never switched to without a probe). Candidates within
//    3x of the running one, or whose load dropped a little, or with no reading, are re-checked on a
//    backing-off timer (1 s doubling to 30 s, and at least 50 of their runs apart).
// 4. Intermittent runners: under another process's duty-cycled load (a GPU busy 90% of every
//    20 ms) a runner's latencies alternate between two modes, and a 5-run window or a 3-run probe
//    sees one of them. A runner whose runs were seen interleaving (both modes, switching back and
//    forth) is judged by the mean of its runs over the last kHorizonMs instead of the window's
//    median, and probes of it (and of a runner left after a 2x change, and any probe whose first
//    runs differ by kModes) last at least
//    kSpanMs (or kProbeMaxRuns runs), their estimate the mean without the slowest run.
// Every run serves the user: probes are runs of another candidate, and every candidate computes
// the whole model, so outputs stay correct across switches.
#pragma once
#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "scheduler/runner.h"
#include "scheduler/session.h"

namespace hetsched {

struct CandidateInfo {
  std::string name;           // "cpu" | "gpu" | "co"
  RunnerUse uses;
  double predicted_ms = 0;    // cost-model prediction (orders the first block); 0 = unknown
  bool co_scheduled = false;  // must beat the single processors by more than the noise
};

// Other processes' load, as the session's sensors last read it. nullopt: no reading.
struct LoadReading {
  std::optional<double> cpu_other_share;  // share of all cores busy with other processes, 0..1
  std::optional<double> gpu_probe_ms;     // submit-to-completion time of the GPU probe
  // gpu_probe_ms was read within the last two probe intervals of frequent probing. Only such a
  // reading dates an estimate: while the running candidate uses the GPU the session probes less
  // often (wants_frequent_gpu_probe), and an older reading may predate the change being dated.
  bool gpu_probe_recent = true;
};

struct DecideOptions {
  int warmup_runs = 2;
  int min_timed_runs = 5;
  int max_timed_runs = 25;
  double min_block_ms = 20;  // a timed block lasts at least this long (then min_timed_runs suffice)
  int rounds = 2;
};

class AdaptiveController {
 public:
  static constexpr double kEliminate = 2.0;
  static constexpr double kCoMinGain = 0.98;
  static constexpr double kCpuLoadChange = 0.2;   // absolute change of the other processes' CPU share
  static constexpr double kGpuProbeChange = 1.5;  // ratio of GPU probe latencies

  AdaptiveController(std::vector<CandidateInfo> candidates, AdaptOptions adapt, DecideOptions decide = {},
                     bool adaptive = true);

  // The candidate that serves the next run.
  int next() const { return next_; }
  // After each run: the latency of the run of candidate next() and the latest load reading.
  void record(double ms, const LoadReading& load, double now_ms);
  bool settled() const { return phase_ != Phase::kDecide; }
  // The candidate the controller considers best now (the one it runs outside probes).
  int active() const { return active_; }
  const std::vector<double>& estimates() const { return est_; }
  const std::vector<CandidateInfo>& candidates() const { return cand_; }
  // Decisions since the last call (moved out), and all of them.
  std::vector<ControllerEvent> take_new_events();
  const std::vector<ControllerEvent>& events() const { return events_; }
  // Which processors' readings the controller wants now (the session reads only those).
  bool wants_gpu_probe() const;
  bool wants_cpu_load() const;
  // Whether the GPU should be probed at the full rate now even while the running candidate uses the
  // GPU: during the decision, and while an estimate of a candidate that uses the GPU waits for a
  // recent reading to date it (see LoadReading::gpu_probe_recent).
  bool wants_frequent_gpu_probe() const;
  // The current candidate failed for good (device lost): never chosen again; falls back to the
  // best remaining (the CPU). Returns false when nothing is left.
  bool disable(int candidate, const std::string& reason, double now_ms);
  int64_t runs() const { return run_; }
  // Counts runs from 0 again (the session's user runs after the decision at prepare); events taken
  // before get negative run numbers. The GPU readings of the decision are dropped (they measured
  // the session's own turns on the GPU too): the first reading after it dates the estimates.
  void start_user_runs();

 private:
  enum class Phase { kDecide, kSteady, kProbe };
  struct Block {
    std::vector<double> timed;
    int done = 0;
    double timed_ms = 0;
  };

  void record_decide(double ms);
  void finish_decide(double now_ms);
  void record_steady(double ms, const LoadReading& load, double now_ms);
  void record_probe(double ms, const LoadReading& load, double now_ms);
  // Switches to a candidate whose estimate still holds and beats the running one by the switch
  // margin; else, when `may_probe`, probes the most promising stale one. `slowed`: the processors
  // of a running candidate that just slowed down; a candidate sharing one of them is probed, never
  // switched to on its old estimate (the load sensors may miss what slowed it down).
  void reconsider(const LoadReading& load, double now_ms, const std::string& why, bool may_probe = true,
                  RunnerUse slowed = {});
  void switch_to(int c, const std::string& kind, const std::string& reason, double now_ms);
  void start_probe(int c, const std::string& reason, double now_ms);
  // After leaving candidate `left` because it slowed down: it is re-checked on a backing-off timer
  // however far its slowed estimate is (a load's onset can be a transient), the first re-check
  // early when that is cheap.
  void recheck_soon(int left, double now_ms);
  // What probing candidate c costs over running the active one: its probe's runs (kProbeTimed + 1,
  // more for a long probe) at c's estimate (at least 5% of the active one's per run).
  double probe_extra_ms(int c) const;
  // Steady and probe estimates go through here (detects a runner flipping between two modes).
  void set_estimate(int c, double ms, double now_ms);
  // Candidate c's runs were seen interleaving two modes within the last kIntermittentHoldMs.
  bool intermittent(int c, double now_ms) const;
  // A probe of c lasts at least kSpanMs: c is intermittent, or was left after its latency changed
  // by kModes within kIntermittentHoldMs (a probe whose runs show two modes is extended as well).
  bool long_probe(int c, double now_ms) const;
  void stamp(int c, const LoadReading& load);
  // Whether candidate c's estimate still holds under `load`: 0 valid, +1 its processors are less
  // busy than when it was measured (may be faster), -1 busier (may be slower).
  // Processors in `ignore` are left out.
  int staleness(int c, const LoadReading& load, RunnerUse ignore = {}) const;
  // Whether `load` reads candidate c's processors less busy than `before` by a whole change.
  bool deeper_drop(int c, const LoadReading& load, const LoadReading& before) const;
  // The factor by which candidate c may have become faster since it was measured, from the drop
  // in its processors' load (1: no drop).
  double improvement(int c, const LoadReading& load, RunnerUse ignore = {}) const;
  void note(const std::string& kind, int from, int to, const std::string& reason, double now_ms);
  bool usable(int c) const { return !disabled_[c]; }

  std::vector<CandidateInfo> cand_;
  AdaptOptions adapt_;
  DecideOptions decide_;
  bool adaptive_;
  Phase phase_ = Phase::kDecide;
  int next_ = 0;
  int active_ = 0;
  int64_t run_ = 0;
  double now_ms_ = 0;  // the clock of the last record()
  std::vector<double> est_;
  std::vector<std::optional<double>> est_cpu_load_, est_gpu_probe_;  // readings when est_ was taken
  // The GPU reading, not recent, at hand when an estimate was stamped without a recent one: the
  // estimate is dated with the busier of it and the first recent reading (see stamp).
  std::vector<std::optional<double>> est_gpu_older_;
  std::vector<bool> disabled_;
  std::vector<double> last_probe_ms_;
  std::vector<int64_t> last_probe_run_;
  std::vector<double> probe_gap_ms_, slow_gap_ms_;
  bool probe_leaves_slowed_ = false;  // the probe in flight started because the running candidate slowed down
  std::vector<bool> left_slow_;  // left because it slowed down, not run since (recheck_soon)
  std::vector<double> interleaved_ms_;  // when each candidate's runs were last seen interleaving two modes
  std::vector<double> mode_change_ms_;  // when each candidate's estimate last changed by kModes
  std::deque<std::pair<double, double>> horizon_;  // (time, ms) of the active candidate's runs, last kHorizonMs
  double horizon_sum_ = 0;  // of its ms
  double decided_ms_ = 0;
  bool have_cpu_reading_ = false, have_gpu_reading_ = false;
  // Decide phase.
  std::vector<int> order_;
  size_t order_pos_ = 0;
  int round_ = 0;
  std::vector<Block> blocks_;
  std::vector<std::vector<double>> pooled_;
  std::vector<bool> eliminated_;
  // Steady phase.
  std::vector<double> window_;
  int skip_ = 0;  // runs after a switch not counted (warm-up)
  // Probe phase.
  int probe_ = -1;
  int probe_done_ = 0;
  bool probe_is_recheck_ = false;  // started by the re-check timer
  bool probe_on_drop_ = false;     // started because its processors' load readings dropped
  LoadReading drop_reading_;       // the reading that started it
  // Per candidate: the reading that started its last drop-triggered probe that lost (cleared when
  // it is switched to). A later reading deeper than that by kCpuLoadChange / kGpuProbeChange is a
  // new drop, probed without waiting for the probe gap that the lost probes doubled.
  std::vector<std::optional<LoadReading>> lost_drop_;
  // The running candidate's last run (its latency), and a candidate whose probe won against an
  // estimate of the running one that its last run had already left far behind: the running one is
  // timed again (a window of runs) before the comparison is made (-1: none).
  double last_active_ms_ = 0;
  int recompare_ = -1;
  std::vector<double> probe_ms_;
  std::vector<ControllerEvent> events_;
  size_t events_taken_ = 0;
};

// The standard error of a median (base/stats.h), from the MAD; infinite below 2 samples.
double median_standard_error(const std::vector<double>& v);

}  // namespace hetsched
