// The `auto` controller on synthetic latencies (no device): the steady-state decision and its
// confidence rule, switching when the running candidate slows down, probing and switching back when
// the load on the processor it left drops, no probes while nothing changes, auto:static, fallback.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <functional>
#include <optional>
#include <random>
#include <string>

#include "scheduler/adaptive_controller.h"

namespace hetsched {
namespace {

constexpr RunnerUse kCpu{true, false}, kGpu{false, true}, kBoth{true, true};

// Drives a controller: each candidate's latency comes from `latency(candidate, run)` with
// multiplicative noise, the load reading from `load(run)`; 1 ms of clock per run.
struct Sim {
  AdaptiveController c;
  std::mt19937_64 rng;
  double noise;
  double now = 0;
  std::vector<int> served;  // candidate of each run
  Sim(std::vector<CandidateInfo> cand, bool adaptive = true, double noise_ = 0.03, uint64_t seed = 1)
      : c(std::move(cand), AdaptOptions{}, DecideOptions{}, adaptive), rng(seed), noise(noise_) {}
  void step(const std::function<double(int, int)>& latency, const std::function<LoadReading(int)>& load) {
    std::uniform_real_distribution<double> d(1 - noise, 1 + noise);
    const int k = c.next();
    const int run = int(served.size());
    const double ms = latency(k, run) * d(rng);
    served.push_back(k);
    now += ms;
    c.record(ms, load(run), now);
  }
  // The first run at or after `from` that candidate `cand` served; -1: none.
  int first_run_on(int cand, int from) const {
    for (int r = from; r < int(served.size()); ++r)
      if (served[r] == cand) return r;
    return -1;
  }
  void settle(const std::function<double(int, int)>& latency, const std::function<LoadReading(int)>& load) {
    for (int i = 0; i < 1000 && !c.settled(); ++i) step(latency, load);
    ASSERT_TRUE(c.settled());
    c.start_user_runs();
    served.clear();
  }
};

LoadReading idle(int) { return {0.0, 0.05}; }

std::vector<CandidateInfo> three() {
  return {{"cpu", kCpu, 2.5, false}, {"gpu", kGpu, 0.6, false}, {"co", kBoth, 0.8, true}};
}

TEST(AdaptiveController, DecidesTheFastestInSteadyState) {
  // The co plan is predicted close to the GPU but runs slower: blocks measure it.
  Sim s(three());
  s.settle([](int k, int) { return k == 0 ? 2.5 : k == 1 ? 0.62 : 0.87; }, idle);
  EXPECT_EQ(s.c.active(), 1);
  EXPECT_EQ(s.c.events().back().kind, "decide");
  EXPECT_EQ(s.c.events().back().to, "gpu");
  EXPECT_NEAR(s.c.estimates()[1], 0.62, 0.03);
}

TEST(AdaptiveController, CoPlanMustWinClearly) {
  // A real co-execution win (selfie_segmentation: co 0.92 vs cpu 1.64, gpu 2.12) is taken...
  Sim win(three());
  win.settle([](int k, int) { return k == 0 ? 1.64 : k == 1 ? 2.12 : 0.92; }, idle);
  EXPECT_EQ(win.c.active(), 2);
  // ...a 1% "win" inside 10% noise is not: the best single processor is kept.
  Sim tie(three(), true, 0.10, 7);
  tie.settle([](int k, int) { return k == 0 ? 2.5 : k == 1 ? 0.70 : 0.693; }, idle);
  EXPECT_EQ(tie.c.active(), 1) << tie.c.events().back().reason;
}

TEST(AdaptiveController, FarSlowerCandidateIsCutEarly) {
  // lavapipe: the GPU is 40x slower than the CPU and predicted so: it is never timed at prepare.
  Sim s({{"cpu", kCpu, 1.2, false}, {"gpu", kGpu, 40, false}});
  s.settle([](int k, int) { return k == 0 ? 1.2 : 45.0; }, idle);
  EXPECT_EQ(s.c.active(), 0);
  int gpu_runs = 0;
  for (const auto& e : s.c.events()) gpu_runs += e.to == "gpu";
  EXPECT_EQ(gpu_runs, 0);
}

// GPU load arrives at run 1000 and leaves at run 3000 (the probe latency rises 40x with it).
double gpu_loaded(int k, int run) {
  const bool loaded = run >= 1000 && run < 3000;
  return k == 0 ? 2.5 : k == 1 ? (loaded ? 6.0 : 0.62) : (loaded ? 5.0 : 0.87);
}
LoadReading gpu_load(int run) {
  const bool loaded = run >= 1000 && run < 3000;
  return {0.0, loaded ? 2.0 : 0.05};
}

TEST(AdaptiveController, SwitchesAwayUnderGpuLoadAndBack) {
  Sim s(three());
  s.settle(gpu_loaded, gpu_load);
  ASSERT_EQ(s.c.active(), 1);
  for (int i = 0; i < 5000; ++i) s.step(gpu_loaded, gpu_load);
  // Reacts within 20 runs of each change, and serves the best candidate between changes.
  // After the load starts, the CPU takes over within 20 runs.
  const int to_cpu = s.first_run_on(0, 1000);
  ASSERT_GE(to_cpu, 1000);
  EXPECT_LE(to_cpu - 1000, 20);
  // The GPU serves again within 20 runs of the load leaving (probe then switch; 1 ms runs).
  const int back = s.first_run_on(1, 3000);
  ASSERT_GE(back, 3000);
  EXPECT_LE(back - 3000, 20);
  int cpu_runs_loaded = 0, gpu_runs_idle_after = 0;
  for (int r = 1100; r < 2900; ++r) cpu_runs_loaded += s.served[r] == 0;
  for (int r = 3100; r < 5000; ++r) gpu_runs_idle_after += s.served[r] == 1;
  EXPECT_GE(cpu_runs_loaded, 1780);      // probes of the loaded GPU stay rare
  EXPECT_GE(gpu_runs_idle_after, 1890);  // and of the CPU when idle
}

// The running candidate 200x slower from the first user run (the conformance suite's FakeSlowdown
// case, selfie_segmentation on lavapipe: cpu 2.1 ms, co 3.0, the GPU predicted 42 and not timed).
// Runs that slow are not a cold start: the runs after a change of runner count when they are
// that far over the estimate, so the re-checks of the close co plan (each 1 s of these long runs,
// each followed by another change of runner) cannot keep the slowdown from being seen. (They did:
// 15 runs went by on the slowed CPU, between a co and a GPU re-check, with no switch.)
TEST(AdaptiveController, ARunnerSlowedFarBeyondAColdStartIsLeftDespiteRechecks) {
  Sim s({{"cpu", kCpu, 2.1, false}, {"gpu", kGpu, 42, false}, {"co", kBoth, 3.0, true}});
  auto slowed = [](int k, int) { return k == 0 ? 2.1 * 200 : k == 1 ? 45.0 : 3.0 * 200; };
  s.settle([](int k, int) { return k == 0 ? 2.1 : k == 1 ? 45.0 : 3.0; }, idle);
  ASSERT_EQ(s.c.active(), 0);
  auto busy_cpu = [](int) { return LoadReading{1 - 1.0 / 200, 0.05}; };
  for (int i = 0; i < 15; ++i) s.step(slowed, busy_cpu);
  std::string events;
  for (const auto& e : s.c.events())
    events += fmt::format("\n  run {}: {} {}->{}: {}", e.run, e.kind, e.from, e.to, e.reason);
  const int on_gpu = s.first_run_on(1, 0);
  EXPECT_GE(on_gpu, 0) << events;
  EXPECT_LE(on_gpu, 12) << events;
}

TEST(AdaptiveController, ASparseGpuReadingDoesNotDateTheSlowdownItPredates) {
  // The session probes the GPU 6x less often while the last run used the GPU (here every 50 runs,
  // so that the reading at the load's onset is surely older than it), and says whether a reading
  // is recent. The GPU's estimate under the load must be dated with a reading taken under it: dated
  // with the idle reading from before, the load's end (readings back to idle) would not read as a
  // drop, and the GPU would come back only on the re-check timer, seconds later. The load lasts
  // 200 runs (0.5 s on the CPU), shorter than the first re-check, which would date it anew, and
  // starts 20 runs after a sparse reading (every 50 runs from the first: 1000 is one).
  auto loaded = [](int run) { return run >= 1020 && run < 1220; };
  auto latency = [&](int k, int run) { return gpu_loaded(k, loaded(run) ? 1000 : 0); };
  Sim s(three());
  s.settle(latency, idle);
  ASSERT_EQ(s.c.active(), 1);
  std::optional<double> reading;
  int read_at = -1000, reads_idle_on_gpu = 0;
  auto sparse_load = [&](int run) {
    const bool on_gpu = run > 0 && s.served.back() != 0;
    const int interval = on_gpu && !s.c.wants_frequent_gpu_probe() ? 50 : 1;
    if (run - read_at >= interval) {
      reading = loaded(run) ? 2.0 : 0.05, read_at = run;
      reads_idle_on_gpu += run >= 100 && run < 1000;
    }
    return LoadReading{0.0, reading, run - read_at <= 2};
  };
  for (int i = 0; i < 3000; ++i) s.step(latency, sparse_load);
  EXPECT_LE(reads_idle_on_gpu, 900 / 50 + 2);  // sparse while nothing changes
  const int to_cpu = s.first_run_on(0, 1020), back = s.first_run_on(1, 1220);
  ASSERT_GE(to_cpu, 1020);
  EXPECT_LE(to_cpu - 1020, 20);
  ASSERT_GE(back, 1220);
  EXPECT_LE(back - 1220, 20);
}

TEST(AdaptiveController, AGpuLeftAfterTheCoPlanWonTheLoadsEndStillComesBack) {
  // A GPU load from run 1000 ends at a run swept over 2900-3100. When it ends just after a timer
  // re-check of the GPU, the drop probes the co plan first; it wins and runs on readings taken after
  // the drop. The GPU's drop is then the GPU's alone to probe, though the co plan uses the GPU too:
  // ignored as "shared" (the running candidate's window would see it), the GPU, 0.62 ms against the
  // co plan's 0.87, waited for its re-check timer. And a re-check that ended as the load did, read
  // afterwards, was dated idle and kept the GPU away. No noise, GPU readings as the session takes them.
  int scenarios = 0;
  for (int end = 2900; end < 3100; end += 2) {
    SCOPED_TRACE(fmt::format("GPU load until run {}", end));
    auto loaded = [end](int run) { return run >= 1000 && run < end; };
    auto latency = [&](int k, int run) { return gpu_loaded(k, loaded(run) ? 1000 : 0); };
    Sim s(three(), true, 0.0);
    s.settle(latency, idle);
    ASSERT_EQ(s.c.active(), 1);
    std::optional<double> reading;
    int read_at = -1000;
    auto sparse_load = [&](int run) {  // as the session reads it (see the test above)
      const int interval = s.served.back() != 0 && !s.c.wants_frequent_gpu_probe() ? 50 : 1;
      if (run - read_at >= interval) reading = loaded(run) ? 2.0 : 0.05, read_at = run;
      return LoadReading{0.0, reading, run - read_at <= 2};
    };
    for (int i = 0; i < end + 500; ++i) s.step(latency, sparse_load);
    bool co_first = false;
    for (const ControllerEvent& e : s.c.events())
      co_first |= e.run >= end && e.run < end + 10 && e.kind == "switch" && e.to == "co";
    scenarios += co_first;
    // Back within issue #12's reaction bound: 20 runs or 100 ms (the latter where the GPU's timer
    // re-check just before the load's end holds its next probe off for kMinProbeGapMs, 100 ms).
    const int back = s.first_run_on(1, end);
    ASSERT_GE(back, end);
    double ms = 0;
    for (int r = end; r < back; ++r) ms += latency(s.served[size_t(r)], r);
    EXPECT_TRUE(back - end <= 20 || ms <= 100) << back - end << " runs, " << ms << " ms";
  }
  EXPECT_GT(scenarios, 0) << "no load's end came after a co plan's winning drop probe";
  std::printf("the co plan won the drop probe first at %d of 100 load ends\n", scenarios);
}

TEST(AdaptiveController, SwitchesToGpuUnderCpuLoadAndBack) {
  // CPU-bound model (the CPU wins when idle); 16 spinning processes make it 8x slower.
  auto lat = [](int k, int run) {
    const bool loaded = run >= 500 && run < 1500;
    return k == 0 ? (loaded ? 8.0 : 1.0) : k == 1 ? 2.0 : (loaded ? 6.0 : 1.3);
  };
  auto load = [](int run) { return LoadReading{run >= 500 && run < 1500 ? 1.0 : 0.0, 0.05}; };
  Sim s(three());
  s.settle(lat, load);
  ASSERT_EQ(s.c.active(), 0);
  for (int i = 0; i < 2500; ++i) s.step(lat, load);
  int gpu_in_load = 0, cpu_after = 0;
  for (int r = 520; r < 1500; ++r) gpu_in_load += s.served[r] == 1;
  for (int r = 1520; r < 2500; ++r) cpu_after += s.served[r] == 0;
  EXPECT_GE(gpu_in_load, 960);
  EXPECT_GE(cpu_after, 960);
}

TEST(AdaptiveController, LuckyProbeIsUndoneWhenItsRunnerDriftsUp) {
  // Another process keeps the GPU 90% busy in 20 ms cycles (H100 load run 2026-12-06): the co plan
  // slows to 1.45 ms, the GPU runner's probe lands in the gaps (1.3 ms) and wins, then the GPU runs
  // 1.65 ms, under the 1.3x slowdown threshold of its estimate. The drift up of its estimate puts
  // the co plan (valid estimate, same GPU load) ahead again: switched back at once. No noise, so
  // nothing else (a window over the threshold) can cause the switch.
  constexpr int kLoadFrom = 200;
  int gpu_runs_loaded = 0;
  auto lat = [&](int k, int run) {
    const bool loaded = run >= kLoadFrom;
    if (k == 1) {
      if (!loaded) return 0.72;
      return ++gpu_runs_loaded <= 4 ? 1.3 : 1.65;
    }
    return loaded ? 1.45 : 0.6;
  };
  auto load = [](int run) { return LoadReading{0.0, run >= kLoadFrom ? 0.5 : 0.05}; };
  Sim s({{"gpu-less", kCpu, 9, false}, {"gpu", kGpu, 0.7, false}, {"co", kBoth, 0.6, true}}, true, 0.0);
  s.settle(lat, load);
  ASSERT_EQ(s.c.active(), 2);
  gpu_runs_loaded = 0;
  for (int i = 0; i < 400; ++i) s.step(lat, load);
  bool probed_gpu = false, back_to_co = false;
  for (const auto& e : s.c.events()) {
    probed_gpu |= e.kind == "switch" && e.to == "gpu";
    back_to_co |= probed_gpu && e.kind == "switch" && e.to == "co" && e.reason.find("drifted") != std::string::npos;
  }
  EXPECT_TRUE(probed_gpu) << "the scenario needs the lucky probe to win";
  EXPECT_TRUE(back_to_co);
  int co_runs = 0;
  for (int r = 300; r < 400; ++r) co_runs += s.served[r] == 2;
  EXPECT_GE(co_runs, 95);
}

TEST(AdaptiveController, ProbesStayRareWhileNothingChanges) {
  // 20,000 quiet runs (~13 s) with 10% noise: no switch, and the re-checks of the close co plan
  // (backing off 1, 2, 4, 8 s) cost under 0.5% of the runs.
  Sim s(three(), true, 0.10, 3);
  std::mt19937_64 rng(5);
  auto lat = [](int k, int) { return k == 0 ? 2.5 : k == 1 ? 0.62 : 0.87; };
  auto load = [&](int) {
    std::uniform_real_distribution<double> n(0.9, 1.1);
    return LoadReading{0.05 * n(rng), 0.05 * n(rng)};
  };
  s.settle(lat, load);
  for (int i = 0; i < 20000; ++i) s.step(lat, load);
  int switches = 0, probes = 0, off_active = 0;
  for (const auto& e : s.c.events()) switches += e.kind == "switch", probes += e.kind == "probe";
  for (int k : s.served) off_active += k != 1;
  EXPECT_EQ(switches, 0) << s.c.events().back().reason;
  EXPECT_LE(probes, 5);
  EXPECT_LE(off_active, 100);  // 0.5%
}

TEST(AdaptiveController, ABurstOnTheGpuIsLeftAndReturnedFromSoon) {
  // H100 study E5 (2026-12-06): a duty-cycled GPU load slowed a few GPU runs of
  // face_detection_short_range, auto switched to the 6x slower CPU and stayed there (the first
  // re-check came after 1 s). The GPU probe does not see such a burst. Leaving is right; the way
  // back must be cheap and soon: the slowed GPU is re-checked within tens of runs.
  Sim s({{"cpu", kCpu, 1.5, false}, {"gpu", kGpu, 0.25, false}});
  auto lat = [](int k, int run) { return k == 0 ? 1.5 : (run >= 50 && run < 60 ? 2.0 : 0.25); };
  s.settle(lat, idle);
  ASSERT_EQ(s.c.active(), 1);
  for (int i = 0; i < 400; ++i) s.step(lat, idle);
  int left_at = -1, back_at = -1;
  for (int r = 50; r < 400; ++r) {
    if (left_at < 0 && s.served[r] == 0) left_at = r;
    if (left_at >= 0 && back_at < 0 && r > 60 && s.served[r] == 1 && s.served[r - 1] == 1) back_at = r;
  }
  ASSERT_GE(left_at, 0) << "the burst should make it leave the GPU";
  ASSERT_GE(back_at, 0) << "never back on the GPU";
  // The first re-check: 50 x its extra cost (4 runs x (2.0 - 1.5) ms) = 100 ms of 1.5 ms runs.
  // Before this rule it came after 1 s (~660 runs).
  EXPECT_LE(back_at - 60, 80) << "back " << back_at - 60 << " runs after the burst ended";
  int gpu_runs = 0;
  for (int r = 200; r < 400; ++r) gpu_runs += s.served[r] == 1;
  EXPECT_GE(gpu_runs, 195);
}

TEST(AdaptiveController, ALoadsOnsetTransientIsRecheckedHoweverFar) {
  // H100 load run 2026-12-06 (mobilenet_v2, 16 stress-ng workers): the co plan's first 5 runs
  // under the new CPU load took 3.8 ms, 3.5x the GPU's 1.07 ms, but a process that kept running
  // co ran it at 0.98 ms all through the load. The session left co for gpu and, co being more
  // than 3x the GPU's estimate, never re-checked it: it must be re-checked on the timer however
  // far its slowed estimate is, and taken back once it wins again. Whether it left directly or
  // through a probe of gpu (which shares the GPU with co) does not matter.
  auto lat = [](int k, int run) {
    const bool onset = run >= 100 && run < 140;
    return k == 0 ? (run >= 100 ? 12.0 : 2.6) : k == 1 ? 1.07 : (onset ? 3.8 : run >= 100 ? 0.98 : 0.88);
  };
  auto load = [](int run) { return LoadReading{run >= 100 ? 1.0 : 0.0, 0.05}; };
  Sim s(three());
  s.settle(lat, load);
  ASSERT_EQ(s.c.active(), 2);
  for (int i = 0; i < 3000; ++i) s.step(lat, load);
  int left_at = -1;
  for (int r = 100; r < 200 && left_at < 0; ++r)
    if (s.served[r] == 1) left_at = r;
  ASSERT_GE(left_at, 0) << "the onset should make it leave co";
  int co_late = 0;
  for (int r = 2000; r < 3000; ++r) co_late += s.served[r] == 2;
  // First re-check 50 x 4 x (3.8 - 1.07) ms ~ 0.55 s of ~1 ms runs after leaving; then co runs.
  EXPECT_GE(co_late, 950) << "co served " << co_late << " of runs 2000-3000";
  bool back_early = false;
  for (int r = left_at; r < 1200; ++r) back_early |= s.served[r] == 2 && s.served[r - 1] == 2 && s.served[r - 2] == 2;
  EXPECT_TRUE(back_early) << "not back on co within ~1100 runs of leaving it";
}

TEST(AdaptiveController, ASlowedRunnersNeighbourIsProbedNotTakenOnTrust) {
  // H100 load run 2026-12-06 (selfie_segmentation, 90% duty GPU load): gpu slowed 3x, the GPU
  // probe read no change, and the session switched straight to co on co's idle estimate (1.04 ms)
  // although co runs on the same GPU (4.8 ms under that load). A candidate sharing the slowed
  // runner's processor is probed first (a few runs), never switched to for a whole window.
  auto lat = [](int k, int run) {
    const bool loaded = run >= 100;
    return k == 0 ? 2.3 : k == 1 ? (loaded ? 2.1 : 0.43) : (loaded ? 4.8 : 1.04);
  };
  auto load = [](int) { return LoadReading{0.0, 0.05}; };  // the GPU probe sees nothing
  Sim s({{"cpu", kCpu, 2.3, false}, {"gpu", kGpu, 0.43, false}, {"co", kBoth, 1.04, true}});
  s.settle(lat, load);
  ASSERT_EQ(s.c.active(), 1);
  for (int i = 0; i < 400; ++i) s.step(lat, load);
  int co_runs = 0;
  for (int r = 100; r < 400; ++r) co_runs += s.served[r] == 2;
  // A probe is one warm-up and at most 3 timed runs; a direct switch ran a whole window and more.
  EXPECT_LE(co_runs, 4) << "co served " << co_runs << " runs after the GPU slowed";
}

TEST(AdaptiveController, AnIntermittentGpuIsJudgedByItsMeanNotOneMode) {
  // H100 load run 2026-12-06 (selfie_segmentation, 90%-duty GPU load with a 20 ms period): GPU
  // runs took 0.41 ms in the load's gaps and 2.1 ms otherwise, mean 1.41; the CPU 1.95. The
  // controller compared 5-run medians and 3-run probes, which see one mode, moved to the CPU and
  // stayed (phase mean 1.70 ms). Judged by its mean over a few periods, the GPU stays the choice.
  Sim* sim = nullptr;
  auto lat = [&sim](int k, int) {
    const double t = sim->now;
    const bool loaded = t >= 300 && t < 4300;
    const bool in_gap = std::fmod(t, 20.0) >= 15.0;  // the share of fast runs the H100 showed (~35%)
    const double gpu = !loaded || in_gap ? 0.42 : 2.1;
    return k == 0 ? 1.95 : k == 1 ? gpu : (loaded ? 4.8 : 1.04);
  };
  auto load = [](int) { return LoadReading{0.0, 0.05}; };  // the GPU probe sees nothing
  auto mean_in_load = [&](Sim& s, const std::vector<double>& at, const std::vector<double>& ms) {
    double sum = 0;
    int n = 0;
    for (size_t i = 0; i < at.size(); ++i)
      if (at[i] >= 500 && at[i] < 4300) sum += ms[i], ++n;
    (void)s;
    return n ? sum / n : 0.0;
  };
  auto drive = [&](Sim& s, bool gpu_only) {
    sim = &s;
    s.settle(lat, load);
    std::vector<double> at, ms;
    while (s.now < 4600) {
      const double t0 = s.now;
      if (gpu_only) {
        const double m = lat(1, 0);
        s.now += m;
        at.push_back(t0), ms.push_back(m);
      } else {
        s.step(lat, load);
        at.push_back(t0), ms.push_back(s.now - t0);
      }
    }
    return mean_in_load(s, at, ms);
  };
  for (uint64_t seed = 1; seed <= 6; ++seed) {  // the noise moves where probes land in the period
    const std::vector<CandidateInfo> cand = {{"cpu", kCpu, 1.95, false}, {"gpu", kGpu, 0.42, false},
                                             {"co", kBoth, 1.04, true}};
    Sim adaptive(cand, true, 0.03, seed), gpu_alone(cand, true, 0.03, seed);
    const double a = drive(adaptive, false), g = drive(gpu_alone, true);
    std::printf("seed %d: mean under the duty-cycled GPU load: adaptive %.3f ms, gpu alone %.3f ms, cpu 1.95 ms\n",
                int(seed), a, g);
    EXPECT_LT(g, 1.6);  // the scenario: the GPU's mean beats the CPU's
    EXPECT_LE(a, 1.05 * g) << "seed " << seed << ": adaptive " << a << " ms against the GPU's " << g << " ms";
  }
}

// A load on [300, 4300) ms makes candidate `favourite` lose; after its end the session must be back
// on it within 100 ms, for 3 seeds. `sim` is the pointer the scenario's lambdas read the clock from.
void expect_back_soon_after_the_load(Sim*& sim, const std::vector<CandidateInfo>& cand, int favourite,
                                     const std::function<double(int, int)>& lat,
                                     const std::function<LoadReading(int)>& load) {
  const std::string name = cand[size_t(favourite)].name;
  for (uint64_t seed = 1; seed <= 3; ++seed) {
    Sim s(cand, true, 0.03, seed);
    sim = &s;
    s.settle(lat, load);
    ASSERT_EQ(s.c.active(), favourite) << "the scenario: " << name << " wins without the load";
    double back_at = -1;
    while (s.now < 6000) {
      s.step(lat, load);
      if (back_at < 0 && s.now >= 4300 && s.c.active() == favourite) back_at = s.now;
    }
    int left = 0;
    for (const auto& e : s.c.events()) left += e.kind == "switch" && e.from == name;
    std::printf("seed %d: left %s %d time(s); back on it %.0f ms after the load ended\n", int(seed), name.c_str(),
                left, back_at - 4300);
    ASSERT_GE(left, 1) << "the scenario: under the load " << name << " loses";
    EXPECT_GE(back_at, 4300) << "seed " << seed << ": never back on " << name;
    EXPECT_LT(back_at - 4300, 100) << "seed " << seed << ": back on " << name << " only " << back_at - 4300
                                   << " ms after its load ended";
  }
  sim = nullptr;
}

TEST(AdaptiveController, TheEndOfADutyCycledGpuLoadIsSeenAfterAProbeInItsGap) {
  // H100 load run 2026-12-06 (session 10, face_detection_short_range): under a 90%-duty GPU load
  // the session ran the CPU; a GPU probe reading taken in one of the load's gaps looked like the
  // load had dropped, the GPU's probe lost (1.22 ms vs the CPU's 1.02), and the GPU's estimate was
  // dated with that gap's reading. When the load really ended, the readings matched that date: no
  // drop was seen, and the GPU came back 1.4 s later on the re-check timer (phase mean 1.58x).
  Sim* sim = nullptr;
  auto loaded = [&sim] { return sim->now >= 300 && sim->now < 4300; };
  auto lat = [&](int k, int) { return k == 0 ? 1.0 : (loaded() ? 1.22 : 0.25); };
  auto load = [&](int) {
    const double t = sim->now;
    const bool gap = (t >= 2000 && t < 2030) || (t >= 3000 && t < 3030);  // probes that landed in gaps
    return LoadReading{0.0, loaded() && !gap ? 2.0 : 0.05};
  };
  expect_back_soon_after_the_load(sim, {{"cpu", kCpu, 1.0, false}, {"gpu", kGpu, 0.25, false}}, 1, lat, load);
}

TEST(AdaptiveController, AMomentaryDropInCpuLoadDoesNotHideTheLoadsEnd) {
  // H100 load run 2026-12-06 (session 10, mobilenet_v2): between two phases of 16 stress-ng workers
  // the load restarted, the CPU share read low for a moment, the co plan was probed on that drop and
  // lost (4.27 ms vs the GPU's 0.71) and was dated with the momentary reading; when the load really
  // ended no drop was seen and the co plan (static auto's process: 0.59 ms, the GPU's 0.67) came
  // back 1 s later on the re-check timer.
  Sim* sim = nullptr;
  auto loaded = [&sim] { return sim->now >= 300 && sim->now < 4300; };
  auto lat = [&](int k, int) { return k == 0 ? (loaded() ? 20.0 : 2.5) : k == 1 ? 0.67 : (loaded() ? 4.3 : 0.59); };
  auto load = [&](int) {
    const bool blip = sim->now >= 3800 && sim->now < 3840;  // the load restarting
    return LoadReading{loaded() && !blip ? 0.94 : 0.02, 0.05};
  };
  expect_back_soon_after_the_load(sim, three(), 2, lat, load);
}

TEST(AdaptiveController, FalseDropsUnderALoadDoNotDelayItsEnd) {
  // H100 load run 2026-12-06 (session 11, face_detection_short_range, readings in the runs CSV):
  // under a 90%-duty GPU load the GPU probe read 0.75-1.72 ms, so now and then a reading 1.5x below
  // the one the GPU's estimate was dated with looked like a drop; each such probe of the GPU lost
  // and doubled its probe gap (to 1.6 s). The load's end (readings 1.5 -> 0.017 ms within 100 ms)
  // then waited for that gap: the GPU came back 914 ms late. A drop far deeper than the one that
  // last lost is news, not the same noise: probed at once.
  Sim* sim = nullptr;
  auto loaded = [&sim] { return sim->now >= 300 && sim->now < 4300; };
  auto lat = [&](int k, int) { return k == 0 ? 0.83 : (loaded() ? 1.2 : 0.25); };
  auto load = [&](int) {
    const double t = sim->now;
    const double wobble = std::fmod(t * 7.31, 1.0);  // deterministic, spread over [0, 1)
    return LoadReading{0.0, loaded() ? 0.75 + 1.0 * wobble : 0.017};
  };
  expect_back_soon_after_the_load(sim, {{"cpu", kCpu, 0.83, false}, {"gpu", kGpu, 0.25, false}}, 1, lat, load);
}

TEST(AdaptiveController, AWinAgainstAnEstimateTakenUnderAnEndedLoadIsCheckedFirst) {
  // H100 load run 2026-12-06 (session 11, selfie_segmentation): under 16 stress-ng workers and a
  // 90%-duty GPU load the session ran the GPU (1.56 ms; the co plan 1.82, the CPU 7.35). Both loads
  // ended together: the CPU's share read the drop at once, the CPU's probe lost (1.59 ms: the
  // workers were still exiting), the co plan was probed and measured 0.51 ms against the GPU's
  // estimate from under the load (1.56 ms, over 3x the co plan's: no re-check): a switch to it,
  // although the GPU, its own load gone too, ran 0.41 ms; the session kept the co plan for the
  // rest of the phase (1.23x). The running candidate's last runs had already dropped far below its
  // estimate: it is timed again before the comparison.
  Sim* sim = nullptr;
  auto loaded = [&sim](double lag = 0) { return sim->now - lag >= 300 && sim->now - lag < 4300; };
  auto lat = [&](int k, int) {
    const bool l = loaded();
    return k == 0 ? (l ? 7.35 : 1.75) : k == 1 ? (l ? 1.65 : 0.41) : (l ? 1.82 : 0.51);
  };
  // The CPU share reads at once; the GPU probe (slowest of its last 3) 75 ms late.
  auto load = [&](int) { return LoadReading{loaded() ? 1.0 : 0.0, loaded(75) ? 1.7 : 0.017}; };
  for (uint64_t seed = 1; seed <= 3; ++seed) {
    Sim s({{"cpu", kCpu, 1.75, false}, {"gpu", kGpu, 0.41, false}, {"co", kBoth, 0.51, true}}, true, 0.03, seed);
    sim = &s;
    s.settle(lat, load);
    ASSERT_EQ(s.c.active(), 1) << "the scenario: the GPU wins without the load";
    double after_sum = 0;
    int after_n = 0;
    while (s.now < 6300) {
      const double t0 = s.now;
      s.step(lat, load);
      if (t0 >= 4300) after_sum += s.now - t0, ++after_n;
    }
    const double mean = after_sum / after_n;
    std::printf("seed %d: mean latency in the 2 s after both loads ended %.3f ms (gpu 0.41, co 0.51)\n", int(seed),
                mean);
    EXPECT_LT(mean, 0.41 * 1.05) << "seed " << seed;
  }
}

TEST(AdaptiveController, StaticNeverSwitches) {
  Sim s(three(), false);
  s.settle(gpu_loaded, gpu_load);
  for (int i = 0; i < 4000; ++i) s.step(gpu_loaded, gpu_load);
  for (int k : s.served) EXPECT_EQ(k, 1);
  EXPECT_FALSE(s.c.wants_gpu_probe());
}

TEST(AdaptiveController, BlindCandidatesAreProbedOnATimerWithBackoff) {
  // No GPU reading at all (no timestamps): the GPU is probed now and then, and found again.
  auto lat = [](int k, int run) { return k == 0 ? 2.5 : (run >= 100 && run < 2000 ? 6.0 : 0.6); };
  auto load = [](int) { return LoadReading{0.0, std::nullopt}; };
  Sim s({{"cpu", kCpu, 2.5, false}, {"gpu", kGpu, 0.6, false}});
  s.settle(lat, load);
  for (int i = 0; i < 6000; ++i) s.step(lat, load);
  int probes_in_load = 0;
  for (const auto& e : s.c.events()) probes_in_load += e.kind == "probe" && e.run > 150 && e.run < 2000;
  EXPECT_LE(probes_in_load, 4);  // backs off: about 1, 2, 4, 8 s apart
  EXPECT_EQ(s.served.back(), 1);
}

TEST(AdaptiveController, AProbeWhoseWarmUpRunIsFarPastAColdStartEndsThere) {
  // lavapipe under 2 stress-ng workers (this machine, load_scenario, 2026-12-07): its GPU runs on
  // the same cores, 34 ms idle and 235-344 ms under the load, and every timer re-check of it ran a
  // warm-up and a timed run beside the CPU's 2.8 ms. A warm-up run 100x the running estimate is no
  // cold start: the probe ends after it.
  auto lat = [](int k, int run) {
    const bool loaded = run >= 300;
    return k == 0 ? (loaded ? 2.0 : 1.0) : (loaded ? 300.0 : 30.0);
  };
  auto load = [](int run) { return LoadReading{run >= 300 ? 0.7 : 0.0, std::nullopt}; };
  Sim s({{"cpu", kCpu, 1.0, false}, {"gpu", kGpu, 30.0, false}});
  s.settle(lat, load);
  for (int i = 0; i < 12000; ++i) s.step(lat, load);
  int probes = 0, gpu_runs = 0;
  for (const auto& e : s.c.events()) probes += e.kind == "probe" && e.to == "gpu" && e.run >= 300;
  for (int r = 300; r < int(s.served.size()); ++r) gpu_runs += s.served[r] == 1;
  ASSERT_GT(probes, 0) << "the scenario needs a re-check of the GPU under the load";
  EXPECT_EQ(gpu_runs, probes) << "a probe ran more than its warm-up run";
  EXPECT_EQ(s.served.back(), 0);
}

TEST(AdaptiveController, DisabledGpuFallsBackToCpu) {
  Sim s(three());
  s.settle([](int k, int) { return k == 0 ? 2.5 : k == 1 ? 0.62 : 0.87; }, idle);
  ASSERT_TRUE(s.c.disable(1, "device lost", s.now));
  EXPECT_EQ(s.c.next(), 0);
  EXPECT_EQ(s.c.events().back().kind, "fallback");
  for (int i = 0; i < 1000; ++i) s.step([](int k, int) { return k == 0 ? 2.5 : 0.1; }, idle);
  for (int k : s.served) EXPECT_EQ(k, 0);  // the co plan uses the GPU too: never again
}

// The median itself: tests/base/stats_test.cpp.
TEST(AdaptiveController, MedianStandardError) {
  EXPECT_GT(median_standard_error({1, 2, 3, 4, 5}), 0);
  EXPECT_FALSE(std::isfinite(median_standard_error({1})));
}

}  // namespace
}  // namespace hetsched
