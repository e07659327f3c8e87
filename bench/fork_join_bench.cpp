// What one op's parallel step costs the CPU executor, per scheduling scheme, at several thread
// counts: a chain of --ops "ops" each splitting --work-ns of busy work into tiles, run back to back
// as the executor runs a model. Per scheme and thread count prints the median (and p10) of --reps
// chains, as microseconds per op, the overhead per op over the ideal (inline's time / threads) and
// the speedup over inline.
//   inline        the calling thread runs every tile (no TBB): the work itself
//   per-op        what cpu/executor.cpp did: arena.execute + parallel_for(blocked_range, 4 tiles
//                 per thread, auto partitioner) per op
//   per-op-static arena.execute + parallel_for(one tile per thread, static_partitioner) per op
//   one-execute   one arena.execute around the chain; inside, a static parallel_for per op
//   helpers       one arena.execute around the chain; threads-1 helper tasks spin between ops and
//                 claim the tiles of the op the caller publishes (pthreadpool-like; the caller
//                 alone can finish every op, so it never waits for a helper to arrive)
// Schemes run interleaved per rep so background load hits them alike.
// Usage: fork_join_bench [--threads 1,2,4,8,16] [--ops 100] [--work-ns 0,2000,20000] [--reps 31]
#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <tbb/parallel_for.h>
#include <tbb/partitioner.h>
#include <tbb/task_arena.h>
#include <tbb/task_group.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <thread>
#include <vector>

#include "base/stats.h"

namespace {

using Clock = std::chrono::steady_clock;

// Busy work of about `ns` nanoseconds on one thread (calibrated once).
double g_iters_per_ns = 1.0;
void busy(double ns) {
  volatile double x = 1.0;
  const long n = long(ns * g_iters_per_ns);
  for (long i = 0; i < n; ++i) x = x * 1.0000001 + 1e-9;
}
void calibrate() {
  const long n = 20'000'000;
  g_iters_per_ns = 1.0;
  const auto t0 = Clock::now();
  busy(double(n));
  const double ns = double(std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now() - t0).count());
  g_iters_per_ns = double(n) / ns;
}

// The helpers scheme: the caller publishes op k (epoch k+1); tiles are claimed from `next`.
struct Helpers {
  std::atomic<long> epoch{0};
  std::atomic<int> next{0}, done{0};
  std::atomic<bool> stop{false};
  int tiles = 1;
  double tile_ns = 0;
  void work_until_out() {
    int t;
    while ((t = next.fetch_add(1, std::memory_order_acq_rel)) < tiles) {
      busy(tile_ns);
      done.fetch_add(1, std::memory_order_acq_rel);
    }
  }
  void helper() {
    long seen = 0;
    while (!stop.load(std::memory_order_acquire)) {
      const long e = epoch.load(std::memory_order_acquire);
      if (e != seen) {
        seen = e;
        work_until_out();
      } else {
        std::this_thread::yield();
      }
    }
  }
};

double run_scheme(const std::string& scheme, tbb::task_arena& arena, int threads, int ops, double work_ns) {
  const auto t0 = Clock::now();
  if (scheme == "inline") {
    for (int o = 0; o < ops; ++o) busy(work_ns);
  } else if (scheme == "per-op") {
    const int tiles = threads * 4;
    for (int o = 0; o < ops; ++o)
      arena.execute([&] {
        tbb::parallel_for(tbb::blocked_range<int>(0, tiles), [&](const tbb::blocked_range<int>& r) {
          busy(work_ns * double(r.size()) / tiles);
        });
      });
  } else if (scheme == "per-op-static") {
    for (int o = 0; o < ops; ++o)
      arena.execute([&] {
        tbb::parallel_for(
            tbb::blocked_range<int>(0, threads, 1),
            [&](const tbb::blocked_range<int>& r) { busy(work_ns * double(r.size()) / threads); },
            tbb::static_partitioner());
      });
  } else if (scheme == "one-execute") {
    arena.execute([&] {
      for (int o = 0; o < ops; ++o)
        tbb::parallel_for(
            tbb::blocked_range<int>(0, threads, 1),
            [&](const tbb::blocked_range<int>& r) { busy(work_ns * double(r.size()) / threads); },
            tbb::static_partitioner());
    });
  } else if (scheme == "helpers") {
    Helpers h;
    h.tiles = threads;
    h.tile_ns = work_ns / threads;
    h.next = h.tiles;  // nothing to claim before the first publish
    arena.execute([&] {
      tbb::task_group tg;
      for (int i = 1; i < threads; ++i) tg.run([&] { h.helper(); });
      for (int o = 0; o < ops; ++o) {
        h.done.store(0, std::memory_order_relaxed);
        h.next.store(0, std::memory_order_release);
        h.epoch.fetch_add(1, std::memory_order_acq_rel);
        h.work_until_out();
        while (h.done.load(std::memory_order_acquire) < h.tiles) std::this_thread::yield();
      }
      h.stop = true;
      tg.wait();
    });
  }
  return std::chrono::duration<double, std::micro>(Clock::now() - t0).count() / ops;
}

std::vector<int> parse_ints(const std::string& s) {
  std::vector<int> v;
  size_t p = 0;
  while (p < s.size()) {
    size_t q = s.find(',', p);
    if (q == std::string::npos) q = s.size();
    v.push_back(std::stoi(s.substr(p, q - p)));
    p = q + 1;
  }
  return v;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"per-op fork/join cost of the CPU executor's scheduling schemes"};
  std::string threads_s = "1,2", work_s = "0,2000,20000";
  int ops = 100, reps = 31;
  app.add_option("--threads", threads_s, "comma-separated thread counts");
  app.add_option("--work-ns", work_s, "comma-separated single-thread work per op, ns");
  app.add_option("--ops", ops, "ops per chain");
  app.add_option("--reps", reps, "chains per scheme (median reported)");
  CLI11_PARSE(app, argc, argv);
  calibrate();
  const std::vector<std::string> schemes = {"inline", "per-op", "per-op-static", "one-execute", "helpers"};
  fmt::print("# fork_join_bench: {} ops per chain, {} reps, hardware threads {}\n", ops, reps,
             std::thread::hardware_concurrency());
  fmt::print("| threads | work/op us (nominal) | scheme | us/op median | us/op p10 | overhead/op us (median - inline/threads) "
             "| speedup over inline |\n");
  fmt::print("|---|---|---|---|---|---|---|\n");
  for (int threads : parse_ints(threads_s)) {
    tbb::task_arena arena(threads);
    for (int work_ns : parse_ints(work_s)) {
      std::vector<std::vector<double>> t(schemes.size());
      for (size_t s = 0; s < schemes.size(); ++s) run_scheme(schemes[s], arena, threads, ops, work_ns);  // warm-up
      for (int r = 0; r < reps; ++r)
        for (size_t s = 0; s < schemes.size(); ++s)
          t[s].push_back(run_scheme(schemes[s], arena, threads, ops, work_ns));
      // The work actually done per op is what `inline` measured (the busy loop's calibration drifts
      // with the clock and the load); the ideal of a scheme is that over the threads.
      const double work_us = hetsched::median(t[0]);
      for (size_t s = 0; s < schemes.size(); ++s) {
        const double ideal = s == 0 ? work_us : work_us / threads;
        const double med = hetsched::median(t[s]);
        fmt::print("| {} | {:.1f} | {} | {:.2f} | {:.2f} | {:.2f} | {:.2f} |\n", threads, work_ns / 1e3, schemes[s], med,
                   hetsched::quantile(t[s], 0.1), med - ideal, med > 0 ? work_us / med : 0.0);
      }
    }
  }
  return 0;
}
