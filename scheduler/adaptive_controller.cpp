// The `auto` controller's decisions (see the header for the rules).
#include "scheduler/adaptive_controller.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

#include "base/error.h"
#include "base/stats.h"

namespace hetsched {

namespace {
constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr int kProbeTimed = 3;            // timed runs of a probe block (after one warm-up)
constexpr double kProbeAbort = 3.0;       // a probe run this many times the active estimate ends the block
constexpr double kPredictedSkip = 8.0;    // not timed at prepare when predicted this many times the best
constexpr double kMinProbeGapMs = 100;    // the same candidate is probed at most this often,
constexpr double kMaxProbeGapMs = 5000;   // doubling up to this while its probes lose
constexpr double kTimerFirstMs = 1000, kTimerMaxMs = 30000;
// Runs not counted after a change of runner: a GPU left idle for a few ms, or caches the other
// runner evicted, make the first runs slow (H100 load run, 2026-12-05: the first 1-2 runs after a
// switch or probe up to 2x the runner's steady latency).
constexpr int kWarmupRuns = 3;
// A run this many times its runner's estimate is not a cold start (those ran up to 2x) but a
// slowdown: it ends the warm-up and counts (a 200x slowdown whose window kept being cleared by
// re-checks of a close candidate went unseen for 15 runs of 0.4 s; conformance suite, lavapipe).
constexpr double kColdAtMost = 3.0;
constexpr double kRecheckWithin = 3.0;  // candidates this close to the running one are re-checked now and then
// Intermittent runners (header, rule 4). A 90%-duty GPU load with a 20 ms period (bench/load_device.sh)
// made selfie_segmentation's GPU runs 0.41 ms in its gaps and 2.1 ms otherwise (H100, 2026-12-06);
// 50 ms covers two and a half such periods.
constexpr double kHorizonMs = 100;
constexpr double kSpanMs = 50;
constexpr int kProbeMaxRuns = 30;
constexpr double kIntermittentHoldMs = 2000;
constexpr double kModes = 2.0;  // slowest / fastest run of two modes

// Two modes seen: the slowest run at least kModes x the fastest.
bool two_modes(const std::vector<double>& v) {
  if (v.empty()) return false;
  const auto [lo, hi] = std::minmax_element(v.begin(), v.end());
  return *hi >= kModes * *lo;
}

// Two modes, interleaved: two_modes, at least 2 runs on each side of their geometric mean, and the
// sequence crossing it at least twice (a step up or down, a load's onset or end, crosses once).
bool interleaved(const std::vector<double>& seq) {
  if (seq.size() < 4 || !two_modes(seq)) return false;
  const auto [lo, hi] = std::minmax_element(seq.begin(), seq.end());
  const double mid = std::sqrt(*hi * *lo);
  int slow = 0, changes = 0;
  for (size_t i = 0; i < seq.size(); ++i) {
    slow += seq[i] >= mid;
    if (i > 0 && (seq[i] >= mid) != (seq[i - 1] >= mid)) ++changes;
  }
  return changes >= 2 && slow >= 2 && int(seq.size()) - slow >= 2;
}

// The mean without the slowest run (one outlier does not move it; both modes do).
double mean_but_slowest(std::vector<double> v) {
  if (v.empty()) return kInf;
  if (v.size() >= 4) v.erase(std::max_element(v.begin(), v.end()));
  return std::accumulate(v.begin(), v.end(), 0.0) / double(v.size());
}

std::string ms_text(double v) { return std::isfinite(v) ? fmt::format("{:.3f} ms", v) : std::string("unknown"); }

// base/stats.h's median; an empty sample is "unknown", i.e. infinitely slow: it never wins a comparison.
double median_of(std::vector<double> v) { return median(std::move(v), kInf); }
}  // namespace

double median_standard_error(const std::vector<double>& v) {
  if (v.size() < 2) return kInf;
  const double m = median_of(v);
  std::vector<double> dev(v.size());
  for (size_t i = 0; i < v.size(); ++i) dev[i] = std::abs(v[i] - m);
  // sigma ~ 1.4826 MAD for normal noise; SE(median) ~ 1.2533 sigma / sqrt(n).
  return 1.2533 * 1.4826 * median_of(dev) / std::sqrt(double(v.size()));
}

AdaptiveController::AdaptiveController(std::vector<CandidateInfo> candidates, AdaptOptions adapt, DecideOptions decide,
                                       bool adaptive)
    : cand_(std::move(candidates)), adapt_(adapt), decide_(decide), adaptive_(adaptive) {
  const size_t n = cand_.size();
  if (n == 0) fail(ErrorKind::kInternal, "the auto controller needs at least one candidate");
  est_.assign(n, kInf);
  est_cpu_load_.assign(n, std::nullopt);
  est_gpu_probe_.assign(n, std::nullopt);
  est_gpu_older_.assign(n, std::nullopt);
  lost_drop_.assign(n, std::nullopt);
  disabled_.assign(n, false);
  last_probe_ms_.assign(n, -kInf);
  last_probe_run_.assign(n, -1000);
  probe_gap_ms_.assign(n, kMinProbeGapMs);
  slow_gap_ms_.assign(n, kTimerFirstMs);
  left_slow_.assign(n, false);
  interleaved_ms_.assign(n, -kInf);
  mode_change_ms_.assign(n, -kInf);
  blocks_.assign(n, {});
  pooled_.assign(n, {});
  eliminated_.assign(n, false);
  // Fastest predicted first, so a far slower candidate is cut after its first timed runs; one
  // predicted far slower than the best is not timed at all (its estimate stays the prediction).
  order_.resize(n);
  std::iota(order_.begin(), order_.end(), 0);
  std::stable_sort(order_.begin(), order_.end(), [&](int a, int b) {
    const double pa = cand_[a].predicted_ms > 0 ? cand_[a].predicted_ms : kInf;
    const double pb = cand_[b].predicted_ms > 0 ? cand_[b].predicted_ms : kInf;
    return pa < pb;
  });
  const double best_predicted = cand_[order_[0]].predicted_ms;
  if (best_predicted > 0)
    for (size_t c = 0; c < n; ++c)
      if (cand_[c].predicted_ms > kPredictedSkip * best_predicted) {
        eliminated_[c] = true;
        est_[c] = cand_[c].predicted_ms;
      }
  next_ = order_[0];
}

std::vector<ControllerEvent> AdaptiveController::take_new_events() {
  std::vector<ControllerEvent> out(events_.begin() + long(events_taken_), events_.end());
  events_taken_ = events_.size();
  return out;
}

void AdaptiveController::note(const std::string& kind, int from, int to, const std::string& reason, double now_ms) {
  events_.push_back({run_, now_ms, kind, from >= 0 ? cand_[from].name : "", to >= 0 ? cand_[to].name : "", reason});
}

bool AdaptiveController::wants_gpu_probe() const {
  if (phase_ == Phase::kDecide) return true;
  // Also while the running candidate uses the GPU (a probe between runs costs ~0.1% of them): an
  // estimate taken when it slows down must be dated with the GPU load of that moment.
  if (!adaptive_) return false;
  for (size_t c = 0; c < cand_.size(); ++c)
    if (usable(int(c)) && cand_[c].uses.gpu) return true;
  return false;
}

bool AdaptiveController::wants_frequent_gpu_probe() const {
  if (phase_ == Phase::kDecide) return true;
  for (size_t c = 0; c < cand_.size(); ++c)
    if (usable(int(c)) && cand_[c].uses.gpu && !est_gpu_probe_[c]) return true;
  return false;
}

bool AdaptiveController::wants_cpu_load() const {
  // Always while adapting (cheap, every 100 ms): an estimate of the running candidate taken when it
  // slows down must be dated with the load of that moment.
  return phase_ == Phase::kDecide || adaptive_;
}

void AdaptiveController::record(double ms, const LoadReading& load, double now_ms) {
  ++run_;
  now_ms_ = now_ms;
  have_cpu_reading_ |= load.cpu_other_share.has_value();
  have_gpu_reading_ |= load.gpu_probe_ms.has_value();
  // Estimates taken while a processor had no reading get the first reading after them.
  for (size_t c = 0; c < cand_.size(); ++c) {
    if (cand_[c].uses.cpu && !est_cpu_load_[c] && load.cpu_other_share) est_cpu_load_[c] = load.cpu_other_share;
    if (cand_[c].uses.gpu && !est_gpu_probe_[c] && load.gpu_probe_ms && load.gpu_probe_recent) {
      est_gpu_probe_[c] = std::max(*load.gpu_probe_ms, est_gpu_older_[c].value_or(0.0));
      est_gpu_older_[c].reset();
    }
  }
  switch (phase_) {
    case Phase::kDecide:
      record_decide(ms);
      if (phase_ == Phase::kDecide) return;
      finish_decide(now_ms);
      for (size_t c = 0; c < cand_.size(); ++c) stamp(int(c), load);
      return;
    case Phase::kSteady:
      if (adaptive_) record_steady(ms, load, now_ms);
      return;
    case Phase::kProbe:
      record_probe(ms, load, now_ms);
      return;
  }
}

// ---- Decide -------------------------------------------------------------------------------------

void AdaptiveController::record_decide(double ms) {
  const int c = next_;
  Block& b = blocks_[c];
  ++b.done;
  bool block_done = false;
  if (b.done > decide_.warmup_runs) {
    b.timed.push_back(ms);
    b.timed_ms += ms;
    pooled_[c].push_back(ms);
    const size_t n = b.timed.size();
    double best_other = kInf;
    for (size_t o = 0; o < cand_.size(); ++o)
      if (int(o) != c && !pooled_[o].empty()) best_other = std::min(best_other, median_of(pooled_[o]));
    if (n >= 2 && median_of(b.timed) > kEliminate * best_other) {
      eliminated_[c] = true;
      block_done = true;
    }
    if (n >= size_t(decide_.max_timed_runs) ||
        (n >= size_t(decide_.min_timed_runs) && b.timed_ms >= decide_.min_block_ms))
      block_done = true;
  }
  if (!block_done) return;
  // Next candidate of this round (round 2 runs the order reversed), skipping eliminated ones.
  while (true) {
    ++order_pos_;
    if (order_pos_ >= order_.size()) {
      order_pos_ = 0;
      ++round_;
      std::reverse(order_.begin(), order_.end());
      if (round_ >= decide_.rounds) {
        phase_ = Phase::kSteady;
        return;
      }
    }
    const int cand = order_[order_pos_];
    if (!eliminated_[cand]) {
      next_ = cand;
      blocks_[cand] = {};
      return;
    }
    // Every candidate eliminated cannot happen: the best one is never more than 2x itself.
  }
}

void AdaptiveController::finish_decide(double now_ms) {
  int best_single = -1, best_co = -1;
  for (size_t c = 0; c < cand_.size(); ++c) {
    if (!pooled_[c].empty()) est_[c] = median_of(pooled_[c]);
    if (!std::isfinite(est_[c])) continue;
    int& best = cand_[c].co_scheduled ? best_co : best_single;
    if (best < 0 || est_[c] < est_[best]) best = int(c);
  }
  int winner = best_single;
  std::string why;
  if (best_co >= 0 && (best_single < 0 || est_[best_co] < est_[best_single])) {
    if (best_single < 0) {
      winner = best_co;
    } else {
      const double gap = est_[best_single] - est_[best_co];
      const double se = std::hypot(median_standard_error(pooled_[best_co]), median_standard_error(pooled_[best_single]));
      const bool clear = est_[best_co] < kCoMinGain * est_[best_single] && gap > 2 * se;
      if (clear) winner = best_co;
      else
        why = fmt::format("; {} not clearly faster than {} ({:.3f} vs {:.3f} ms, 2 SE {:.3f} ms)", cand_[best_co].name,
                          cand_[best_single].name, est_[best_co], est_[best_single], 2 * se);
    }
  }
  if (winner < 0) winner = 0;
  std::string medians;
  for (size_t c = 0; c < cand_.size(); ++c)
    medians += fmt::format("{}{} {}{}", c ? ", " : "", cand_[c].name, ms_text(est_[c]),
                           pooled_[c].empty() ? " (predicted)" : fmt::format(" (n={})", pooled_[c].size()));
  active_ = next_ = winner;
  window_.clear();
  skip_ = kWarmupRuns;
  decided_ms_ = now_ms;
  note("decide", -1, winner, fmt::format("steady-state medians: {}{}", medians, why), now_ms);
}

// ---- Adapt --------------------------------------------------------------------------------------

void AdaptiveController::stamp(int c, const LoadReading& load) {
  est_cpu_load_[c] = cand_[c].uses.cpu ? load.cpu_other_share : std::nullopt;
  // An older GPU reading may predate the change being dated, and the first recent one (record) may
  // come after the next: the busier of the two dates it, so that a load's end still reads as a drop
  // (a re-check of the GPU that ended as its load did, read afterwards, was dated idle).
  const bool recent = load.gpu_probe_recent;
  est_gpu_probe_[c] = cand_[c].uses.gpu && recent ? load.gpu_probe_ms : std::nullopt;
  est_gpu_older_[c] = cand_[c].uses.gpu && !recent ? load.gpu_probe_ms : std::nullopt;
}

int AdaptiveController::staleness(int c, const LoadReading& load, RunnerUse ignore) const {
  bool less = false, more = false;
  if (cand_[c].uses.cpu && !ignore.cpu && load.cpu_other_share && est_cpu_load_[c]) {
    const double d = *load.cpu_other_share - *est_cpu_load_[c];
    less |= d < -kCpuLoadChange;
    more |= d > kCpuLoadChange;
  }
  if (cand_[c].uses.gpu && !ignore.gpu && load.gpu_probe_ms && est_gpu_probe_[c] && *est_gpu_probe_[c] > 0) {
    const double r = *load.gpu_probe_ms / *est_gpu_probe_[c];
    less |= r < 1 / kGpuProbeChange;
    more |= r > kGpuProbeChange;
  }
  if (less) return +1;
  return more ? -1 : 0;
}

bool AdaptiveController::deeper_drop(int c, const LoadReading& load, const LoadReading& before) const {
  if (cand_[c].uses.cpu && load.cpu_other_share && before.cpu_other_share &&
      *load.cpu_other_share < *before.cpu_other_share - kCpuLoadChange)
    return true;
  return cand_[c].uses.gpu && load.gpu_probe_ms && before.gpu_probe_ms &&
         *load.gpu_probe_ms < *before.gpu_probe_ms / kGpuProbeChange;
}

double AdaptiveController::improvement(int c, const LoadReading& load, RunnerUse ignore) const {
  double f = 1;
  if (cand_[c].uses.cpu && !ignore.cpu && load.cpu_other_share && est_cpu_load_[c]) {
    // A CPU shared fairly with other processes gives us (1 - their share) of it.
    const double then = std::max(0.05, 1.05 - *est_cpu_load_[c]), now = std::max(0.05, 1.05 - *load.cpu_other_share);
    f = std::max(f, now / then);
  }
  if (cand_[c].uses.gpu && !ignore.gpu && load.gpu_probe_ms && est_gpu_probe_[c] && *load.gpu_probe_ms > 0)
    f = std::max(f, *est_gpu_probe_[c] / *load.gpu_probe_ms);
  return f;
}

void AdaptiveController::switch_to(int c, const std::string& kind, const std::string& reason, double now_ms) {
  note(kind, active_, c, reason, now_ms);
  active_ = next_ = c;
  left_slow_[c] = false;
  lost_drop_[c].reset();
  recompare_ = -1;
  horizon_.clear();
  horizon_sum_ = 0;
  window_.clear();
  skip_ = kWarmupRuns;
  // Timers start again, except a left-slow candidate's early re-check (recheck_soon): a second
  // switch (gpu -> co -> cpu at a GPU load's onset) must not push the GPU's back to 1 s.
  for (size_t i = 0; i < cand_.size(); ++i) {
    if (left_slow_[i]) continue;
    probe_gap_ms_[i] = kMinProbeGapMs;
    slow_gap_ms_[i] = kTimerFirstMs;
  }
}

void AdaptiveController::start_probe(int c, const std::string& reason, double now_ms) {
  note("probe", active_, c, reason, now_ms);
  phase_ = Phase::kProbe;
  probe_ = next_ = c;
  probe_done_ = 0;
  probe_is_recheck_ = false;
  probe_on_drop_ = false;
  probe_leaves_slowed_ = false;
  recompare_ = -1;
  probe_ms_.clear();
  last_probe_ms_[c] = now_ms;
  last_probe_run_[c] = run_;
}

void AdaptiveController::reconsider(const LoadReading& load, double now_ms, const std::string& why, bool may_probe,
                                    RunnerUse slowed) {
  const int a = active_;
  int direct = -1, probe = -1;
  for (size_t i = 0; i < cand_.size(); ++i) {
    const int c = int(i);
    if (c == a || !usable(c)) continue;
    const int s = staleness(c, load);
    // A candidate sharing a processor with the one that slowed down: under another process's
    // duty-cycled GPU load the GPU probe (then the median of 3, landing in the load's gaps) can read
    // "unchanged" while every GPU runner slowed (H100 load run 2026-12-06: selfie_segmentation
    // left gpu for co on co's idle estimate, then co ran 4.8 ms against gpu's 2.1).
    const bool shares = (slowed.cpu && cand_[c].uses.cpu) || (slowed.gpu && cand_[c].uses.gpu);
    if (s == 0 && !shares && std::isfinite(est_[c]) && est_[c] < adapt_.switch_margin * est_[a]) {
      if (direct < 0 || est_[c] < est_[direct]) direct = c;
    } else if ((s == 0 && shares && est_[c] < est_[a]) || (s == +1 && est_[c] / improvement(c, load) < est_[a]) ||
               (s == -1 && est_[c] < est_[a]) || !std::isfinite(est_[c])) {
      if (probe < 0 || est_[c] < est_[probe]) probe = c;
    }
  }
  if (direct >= 0) {
    switch_to(direct, "switch", fmt::format("{}; {} measured {}, load on its processors unchanged", why,
                                            cand_[direct].name, ms_text(est_[direct])), now_ms);
  } else if (probe >= 0 && may_probe) {
    start_probe(probe, fmt::format("{}; {} last measured {} under other load", why, cand_[probe].name,
                                   ms_text(est_[probe])), now_ms);
  }
}

void AdaptiveController::record_steady(double ms, const LoadReading& load, double now_ms) {
  const int a = active_;
  last_active_ms_ = ms;
  if (skip_ > 0 && !(ms > kColdAtMost * est_[a])) {
    --skip_;
  } else {
    skip_ = 0;
    window_.push_back(ms);
    if (int(window_.size()) > adapt_.window) window_.erase(window_.begin());
    horizon_.emplace_back(now_ms, ms);
    horizon_sum_ += ms;
    while (!horizon_.empty() && horizon_.front().first < now_ms - kHorizonMs) {
      horizon_sum_ -= horizon_.front().second;
      horizon_.pop_front();
    }
    if (recompare_ >= 0 && int(window_.size()) == adapt_.window) {  // timed again after a probe's win
      const int c = recompare_;
      recompare_ = -1;
      set_estimate(a, median_of(window_), now_ms);
      stamp(a, load);
      window_.clear();
      if (usable(c) && est_[c] < adapt_.switch_margin * est_[a]) {
        switch_to(c, "switch", fmt::format("probe of {}: {} vs {} timed again {}", cand_[c].name, ms_text(est_[c]),
                                           cand_[a].name, ms_text(est_[a])), now_ms);
      } else {
        note("probe-result", a, c, fmt::format("{} timed again: {} (better than {} {}); staying", cand_[a].name,
                                               ms_text(est_[a]), cand_[c].name, ms_text(est_[c])), now_ms);
      }
      return;
    }
    if (int(window_.size()) == adapt_.window) {
      if (run_ % adapt_.window == 0) {  // every window runs: O(horizon) (0.1 ms runs: 1000 of them)
        std::vector<double> recent;
        for (const auto& [t, v] : horizon_) recent.push_back(v);
        if (interleaved(recent)) interleaved_ms_[a] = now_ms;
      }
      // An intermittent runner is judged by its mean over the horizon, once that spans kSpanMs
      // (not before: one mode's window would decide again).
      const bool by_mean = intermittent(a, now_ms);
      if (by_mean && now_ms - horizon_.front().first < kSpanMs) return;
      const double m = by_mean ? horizon_sum_ / double(horizon_.size()) : median_of(window_);
      std::vector<double> sorted = window_;
      std::sort(sorted.begin(), sorted.end());
      // Slower: the median and all but one run (a burst of noise moves only some runs).
      const bool slower_now = m > adapt_.slowdown * est_[a] && (by_mean || sorted[1] > 1.1 * est_[a]);
      const bool faster_now =
          m < est_[a] / adapt_.slowdown && (by_mean || sorted[sorted.size() - 2] < est_[a] / 1.1);
      if (slower_now || faster_now) {
        const std::string why = fmt::format("{} went from {} to {} ({} runs)", cand_[a].name, ms_text(est_[a]),
                                            ms_text(m), adapt_.window);
        const bool slower = m > est_[a];
        set_estimate(a, m, now_ms);
        stamp(a, load);
        window_.clear();
        if (slower) {
          reconsider(load, now_ms, why, /*may_probe=*/true, cand_[a].uses);
          if (active_ != a) recheck_soon(a, now_ms);
          else if (phase_ == Phase::kProbe) probe_leaves_slowed_ = true;  // recheck_soon(a) if the probe wins
          return;
        }
      } else if (run_ % adapt_.window == 0) {
        // Follows slow drift, and a drift up may have put another candidate with a valid estimate
        // ahead: switched to at once (no probe: that waits for a real change). A probe can time
        // a GPU runner in a lucky gap of another process's duty-cycled load and win, after which
        // its real latency sits just under the slowdown threshold (H100 load run 2026-12-06:
        // mobilenet_v2 ran gpu at 2.12 ms while the co plan it left measured 1.62 ms).
        const bool up = m > est_[a];
        set_estimate(a, m, now_ms);
        if (up) {
          const int before = active_;
          reconsider(load, now_ms, fmt::format("{} drifted to {}", cand_[a].name, ms_text(m)), /*may_probe=*/false);
          if (active_ != before) {
            recheck_soon(before, now_ms);  // left because it got slower: re-checked soon, as after a slowdown
            return;
          }
        }
      }
    }
  }
  // The processors it left: a candidate whose processors got less busy may win now.
  for (size_t i = 0; i < cand_.size(); ++i) {
    const int c = int(i);
    if (c == a || !usable(c)) continue;
    if (run_ - last_probe_run_[c] < 10 || now_ms - last_probe_ms_[c] < kMinProbeGapMs) continue;
    // Drop-triggered probes that lose double the probe gap; a drop deeper than the last losing one
    // does not wait for it (H100 load run 2026-12-06, session 11: under a 90%-duty GPU load the
    // probe read 0.75-1.72 ms, readings 1.5x apart started GPU probes that lost, the gap reached
    // 1.6 s, and the load's end (readings down to 0.017 ms) was probed 914 ms late).
    const bool gap_passed = now_ms - last_probe_ms_[c] >= probe_gap_ms_[c];
    const bool deeper = lost_drop_[c] && deeper_drop(c, load, *lost_drop_[c]);
    if (!gap_passed && !deeper) continue;
    // Probed when the drop in load could make it win (its estimate scaled by the drop); a smaller
    // drop is checked only now and then: at most one probe per 50 of its runs' worth of time, so
    // a far slower processor (lavapipe) costs at most ~2% however its readings move.
    // Only the processors the running candidate does not use count here: a drop on a shared one
    // speeds the running candidate up as well (its own window sees that). Unless the running one
    // was measured after the drop already (switched to by the probe the drop started): its window
    // sees no change then, and the drop is c's alone to probe (a test whose GPU load ended as the
    // GPU was being re-checked: the co plan's drop probe won, and the GPU, 0.62 ms against the co
    // plan's 0.87, waited for its re-check timer).
    RunnerUse shared = cand_[a].uses;
    shared.cpu = shared.cpu && staleness(a, load, {false, true}) == +1;
    shared.gpu = shared.gpu && staleness(a, load, {true, false}) == +1;
    const int dropped = staleness(c, load, shared);
    if (dropped == +1) {
      if (est_[c] / improvement(c, load, shared) < est_[a]) {
        start_probe(c, fmt::format("load on {}'s processors dropped since it was measured ({}{})", cand_[c].name,
                                   ms_text(est_[c]), gap_passed ? "" : "; deeper than the drop its last probe saw"),
                    now_ms);
        probe_on_drop_ = true;
        drop_reading_ = load;
        return;
      }
    }
    if (!gap_passed) continue;
    // Re-checked now and then, backing off (1, 2, 4 ... 30 s; at least 50 times a re-check's extra
    // cost apart, so a far slower processor costs at most ~2%): a candidate whose processors' load
    // dropped a little, one whose processors have no reading, and one close enough to the running
    // one that a transient (a cold GPU, a burst of load) may have made its estimate too high.
    const bool blind = (cand_[c].uses.cpu && !have_cpu_reading_) || (cand_[c].uses.gpu && !have_gpu_reading_);
    const bool close = est_[c] < kRecheckWithin * est_[a];
    if ((dropped == +1 || blind || close || left_slow_[c]) &&
        now_ms - std::max(last_probe_ms_[c], decided_ms_) >= std::max(slow_gap_ms_[c], 50 * probe_extra_ms(c))) {
      slow_gap_ms_[c] = std::min(kTimerMaxMs, 2 * slow_gap_ms_[c]);
      start_probe(c, fmt::format("re-check of {} (last measured {}{})", cand_[c].name, ms_text(est_[c]),
                                 blind ? ", no load reading for its processors" : ""), now_ms);
      probe_is_recheck_ = true;
      return;
    }
  }
}

double AdaptiveController::probe_extra_ms(int c) const {
  const int a = active_;
  double runs = kProbeTimed + 1;
  if (intermittent(c, now_ms_))  // (a left-slow candidate's long probe is paid for by the timer's doubling)
    runs = 1 + std::clamp(std::isfinite(est_[c]) && est_[c] > 0 ? kSpanMs / est_[c] : double(kProbeMaxRuns),
                          double(kProbeTimed), double(kProbeMaxRuns));
  return runs * std::max(est_[c] - est_[a], 0.05 * est_[a]);
}

void AdaptiveController::set_estimate(int c, double ms, double now_ms) {
  // Two changes by kModes within kIntermittentHoldMs (slow, fast, slow again: each visit of the
  // runner or each probe saw one mode of a duty-cycled load) mark it intermittent.
  const double old = est_[c];
  if (std::isfinite(old) && std::isfinite(ms) && (ms >= kModes * old || old >= kModes * ms)) {
    if (now_ms - mode_change_ms_[c] < kIntermittentHoldMs) interleaved_ms_[c] = now_ms;
    mode_change_ms_[c] = now_ms;
  }
  est_[c] = ms;
}

bool AdaptiveController::intermittent(int c, double now_ms) const {
  return now_ms - interleaved_ms_[c] < kIntermittentHoldMs;
}

bool AdaptiveController::long_probe(int c, double now_ms) const {
  // Also a candidate left after its latency changed by kModes not long ago: whether that was a
  // lasting load or one mode of a duty-cycled one, a short probe would land in one mode (H100,
  // selfie_segmentation's GPU under a 90%-duty load: three 4-run probes in a row all read 2.1 ms).
  // Only while its slowed estimate is within kModes of the running one's (a mixture of modes could
  // then beat it); the cost over a lasting load stays bounded by the re-check timer's doubling.
  return intermittent(c, now_ms) || (left_slow_[c] && now_ms - mode_change_ms_[c] < kIntermittentHoldMs &&
                                     est_[c] < kModes * est_[active_]);
}

void AdaptiveController::recheck_soon(int left, double now_ms) {
  // A slowdown may be a burst (another process's duty-cycled GPU load: H100 study E5, 2026-12-06,
  // face_detection_short_range left the GPU for the 6x slower CPU and kept it for the rest of the
  // runs). Re-checking the candidate it left costs kProbeTimed + 1 runs at its slowed estimate
  // instead of the running one's: the first re-check comes once 50 times that extra cost has
  // passed (<= 2%), at least 10 runs after the switch, then backs off by doubling as before.
  // Re-checked on that timer however far its slowed estimate is: at a load's onset the first runs
  // can be far slower than the steady state under it (H100 load run 2026-12-06: mobilenet_v2's co
  // plan read 3.8 ms in its first 5 runs under 16 stress-ng workers and 0.98 ms in a process that
  // kept running it; not re-checked for the 4 s of that phase, the session ran gpu at 1.07 ms).
  left_slow_[left] = true;
  slow_gap_ms_[left] = std::min(kTimerFirstMs, 50 * probe_extra_ms(left));
  probe_gap_ms_[left] = std::min(kMinProbeGapMs, slow_gap_ms_[left]);
  last_probe_ms_[left] = now_ms;  // just measured: the first re-check counts from here
  last_probe_run_[left] = run_;
}

void AdaptiveController::record_probe(double ms, const LoadReading& load, double now_ms) {
  const int c = probe_, a = active_;
  ++probe_done_;
  if (probe_done_ > 1) probe_ms_.push_back(ms);
  // A warm-up run past what any cold start explains ends the probe too, its steady time taken as at
  // least ms / kColdAtMost (here, on lavapipe under 2 stress-ng workers: re-checks of the GPU, 34 ms
  // idle, ran 235-344 ms a run beside the CPU's 2.8, two runs a probe). Not for a long probe: one run
  // of an intermittent runner may wait behind a burst of the other load.
  const bool cold_hopeless = probe_done_ == 1 && ms > kColdAtMost * kProbeAbort * est_[a] && !long_probe(c, now_ms);
  if (cold_hopeless) probe_ms_.push_back(ms / kColdAtMost);
  const bool hopeless = cold_hopeless || (probe_done_ > 1 && ms > kProbeAbort * est_[a]);
  if (!hopeless) {
    if (int(probe_ms_.size()) < kProbeTimed) return;
    // Long probes (rule 4): a span of kSpanMs, or kProbeMaxRuns runs; also when the runs so far
    // differ by kModes (both modes of an intermittent runner seen).
    const bool extend = long_probe(c, now_ms) || two_modes(probe_ms_);
    const double span = std::accumulate(probe_ms_.begin(), probe_ms_.end(), 0.0);
    if (extend && span < kSpanMs && int(probe_ms_.size()) < kProbeMaxRuns) return;
  }
  if (interleaved(probe_ms_)) interleaved_ms_[c] = now_ms;
  const double est_before = est_[c];
  set_estimate(c, two_modes(probe_ms_) ? mean_but_slowest(probe_ms_) : median_of(probe_ms_), now_ms);
  const std::optional<double> cpu_before = est_cpu_load_[c], gpu_before = est_gpu_probe_[c];
  stamp(c, load);
  phase_ = Phase::kSteady;
  probe_ = -1;
  // The running candidate's estimate may predate the end of a load on its own processors (both
  // loads ended together: H100 load run 2026-12-06, session 11, selfie_segmentation: the co plan's
  // probe, started by the CPU's drop, measured 0.51 ms against the GPU's estimate from under its
  // load, 1.56 ms, while the GPU's last run took 0.46; the session kept the co plan for 2 s at
  // 1.23x). When its last run left that estimate far behind and c would not beat that run, the
  // running candidate is timed again (one window) before the two are compared.
  if (est_[c] < adapt_.switch_margin * est_[a] && !intermittent(a, now_ms) &&
      last_active_ms_ * adapt_.slowdown < est_[a] && est_[c] >= adapt_.switch_margin * last_active_ms_) {
    note("probe-result", a, c, fmt::format("{} {} beats {}'s estimate {}, but its last run took {}: {} timed again first",
                                           cand_[c].name, ms_text(est_[c]), cand_[a].name, ms_text(est_[a]),
                                           ms_text(last_active_ms_), cand_[a].name), now_ms);
    next_ = a;
    recompare_ = c;
    skip_ = kWarmupRuns;
    window_.clear();
    horizon_.clear();
    horizon_sum_ = 0;
    return;
  }
  if (est_[c] < adapt_.switch_margin * est_[a]) {
    switch_to(c, "switch", fmt::format("probe of {}: {} vs {} {}", cand_[c].name, ms_text(est_[c]), cand_[a].name,
                                       ms_text(est_[a])), now_ms);
    // The probe's runs start the new runner's horizon (an intermittent runner's mean needs them;
    // switch_to cleared the horizon, not probe_ms_).
    double t = now_ms;
    for (auto it = probe_ms_.rbegin(); it != probe_ms_.rend(); ++it) {
      horizon_.emplace_front(t, *it);
      horizon_sum_ += *it;
      t -= *it;
    }
    if (probe_leaves_slowed_) recheck_soon(a, now_ms);
    return;
  }
  // A probe started because c's processors looked less busy, and c did not get faster: the reading
  // that said so missed the load (a GPU probe that landed in a gap of another process's duty-cycled
  // load). c's estimate keeps the busier date, so that the load's real end still reads as a drop
  // (H100 load run 2026-12-06, session 10: dated with a gap's reading, face_detection_short_range's
  // GPU was not probed when its load ended and came back 1.4 s later, on the re-check timer).
  // (A c that did get faster saw the drop: its estimate is dated with the reading of now, or a
  // CPU load's end would keep the co plan, faster now but not the fastest, probed on every reading.)
  if (probe_on_drop_ && est_[c] * adapt_.slowdown > est_before) {
    lost_drop_[c] = drop_reading_;
    auto busier = [](std::optional<double>& now, const std::optional<double>& before) {
      if (now && before) now = std::max(*now, *before);
    };
    busier(est_cpu_load_[c], cpu_before);
    busier(est_gpu_probe_[c], gpu_before);
  }
  // Backs off while probes lose; a timer re-check backs off on its own timer (slow_gap_ms_), so
  // that losing re-checks under a lasting load do not delay the probe its end calls for.
  probe_gap_ms_[c] = probe_is_recheck_ ? std::max(probe_gap_ms_[c], kMinProbeGapMs)
                                       : std::min(kMaxProbeGapMs, 2 * probe_gap_ms_[c]);
  note("probe-result", a, c, fmt::format("{} {} (not better than {} {}); staying", cand_[c].name, ms_text(est_[c]),
                                         cand_[a].name, ms_text(est_[a])), now_ms);
  next_ = a;
  skip_ = kWarmupRuns;  // the first runs back may be cold (GPU clocks, caches)
  window_.clear();
}

void AdaptiveController::start_user_runs() {
  // GPU readings taken while the decision ran its candidates in turn measured the session's own GPU
  // work as well (and a cold first probe): the estimates get the first reading taken after it.
  for (auto& g : est_gpu_probe_) g.reset();
  for (auto& g : est_gpu_older_) g.reset();
  for (int64_t& r : last_probe_run_) r -= run_;
  for (ControllerEvent& e : events_) e.run -= run_ + 1;  // the decision at prepare: run -1
  run_ = 0;
}

bool AdaptiveController::disable(int c, const std::string& reason, double now_ms) {
  disabled_[c] = true;
  int best = -1;
  for (size_t i = 0; i < cand_.size(); ++i) {
    if (!usable(int(i))) continue;
    // Prefer a candidate that avoids the failed one's processors (a lost GPU takes every GPU runner).
    const bool shares = (cand_[i].uses.gpu && cand_[c].uses.gpu);
    if (shares) continue;
    if (best < 0 || est_[i] < est_[best]) best = int(i);
  }
  if (best < 0) return false;
  for (size_t i = 0; i < cand_.size(); ++i)
    if (cand_[i].uses.gpu && cand_[c].uses.gpu) disabled_[i] = true;
  phase_ = Phase::kSteady;
  probe_ = -1;
  switch_to(best, "fallback", reason, now_ms);
  return true;
}

}  // namespace hetsched
