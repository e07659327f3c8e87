// GpuExecutor's workgroup tuning at prepare time: per kernel, the cached local size for its key, or
// each candidate timed with GPU timestamps (a warm-up dispatch and one timed one; a second round
// of three timed dispatches when the first took under 1 ms) and the fastest kept and stored in the
// tuning cache, while the prepare's tuning budget lasts. On a real GPU the candidates' pipelines
// are compiled ahead of the timing loop on the other cores (CandidatePrecompiler).
#include <algorithm>
#include <atomic>
#include <chrono>
#include <map>
#include <optional>
#include <set>
#include <thread>
#include <utility>

#include "base/error.h"
#include "gpu/executor.h"

namespace hetsched::gpu {
namespace {
constexpr int kDispatches[] = {1, 3};  // timed dispatches per round, after one warm-up dispatch
constexpr double kRepeatBelowUs = 1000;  // a second round only for dispatches shorter than this
constexpr unsigned kMaxCompileThreads = 15;

// Pipeline creation, not timing, took most of the tuning budget on the H100 (2026-12-06: 1-17
// shapes timed per 5 s start, up to 7 starts to finish a model): each candidate local size is a
// new pipeline. Worker threads build the candidates' pipelines (from copies of their descriptions,
// taken before they start) into the internally synchronized VkPipelineCache, in the loop's order,
// ahead of the loop, whose own set_workgroup() calls then hit the cache. The unit of work is one
// candidate, not one kernel: with a kernel per thread the loop waited for one thread to build all
// of the first kernel's candidates, 1-2 s per model and precision before the first shape was timed
// on the H100 (profiles/results/h100_2026-12-07/profile.log: "(0 timed, 1.3-2.2 s)"), out of a
// 5 s budget. Not on a CPU device (lavapipe): there the compiling threads would take cores from the
// "GPU" being timed.
class CandidatePrecompiler {
 public:
  struct Job {
    size_t kernel = 0, candidate = 0;  // candidate >= 1: candidate 0 is the pipeline the kernel has
    ComputePipelineDesc desc;
  };
  // `jobs` in the loop's order: by kernel, then candidate.
  CandidatePrecompiler(std::vector<Job> jobs, const GpuKernelContext& ctx)
      : jobs_(std::move(jobs)), state_(jobs_.size()), ctx_(ctx) {
    for (size_t j = 0; j < jobs_.size(); ++j) index_.emplace(std::pair{jobs_[j].kernel, jobs_[j].candidate}, j);
    const unsigned cores = std::max(1u, std::thread::hardware_concurrency());
    const unsigned threads = std::min<unsigned>({cores - 1, kMaxCompileThreads, unsigned(jobs_.size())});
    for (unsigned t = 0; t < threads; ++t) pool_.emplace_back([this](std::stop_token stop) { work(stop); });
  }
  CandidatePrecompiler(const CandidatePrecompiler&) = delete;
  CandidatePrecompiler& operator=(const CandidatePrecompiler&) = delete;

  // The loop is about to build candidate `candidate` of kernel `kernel`: waits while a worker
  // builds it; no worker starts it from now on (the loop builds it itself when none did).
  void before_building(size_t kernel, size_t candidate) {
    const auto it = index_.find({kernel, candidate});
    if (it == index_.end()) return;
    std::atomic<int>& s = state_[it->second];
    int expected = kFree;
    if (s.compare_exchange_strong(expected, kTaken)) return;
    s.wait(kBusy);  // a worker has it: wait until it is done (or failed: the loop reports the error)
  }
  // Candidate pipelines the workers built (call after stop()).
  int compiled() const {
    return int(std::count_if(state_.begin(), state_.end(), [](const std::atomic<int>& s) { return s.load() == kDone; }));
  }
  void stop() { pool_.clear(); }  // jthread: stop requested, then joined

 private:
  static constexpr int kFree = 0, kBusy = 1, kDone = 2, kFailed = 3, kTaken = 4;

  void work(std::stop_token stop) {
    for (size_t j = next_++; j < jobs_.size() && !stop.stop_requested(); j = next_++) {
      int expected = kFree;
      if (!state_[j].compare_exchange_strong(expected, kBusy)) continue;  // the loop got there first
      int done = kDone;
      try {
        const ComputePipeline built(ctx_.device, jobs_[j].desc, ctx_.cache);  // kept by the cache, then dropped
      } catch (const Error&) {
        done = kFailed;  // the loop builds the same pipeline and reports what fails
      }
      state_[j].store(done);
      state_[j].notify_all();
    }
  }

  const std::vector<Job> jobs_;
  std::vector<std::atomic<int>> state_;
  std::map<std::pair<size_t, size_t>, size_t> index_;  // (kernel, candidate) -> job
  std::atomic<size_t> next_{0};
  GpuKernelContext ctx_;
  std::vector<std::jthread> pool_;  // last: joined first, before the state it uses goes
};
}  // namespace

double GpuExecutor::time_op_us(int op_index, TimestampQueries& queries) {
  const Op& op = graph_.ops[size_t(op_index)];
  const OutputRange whole = OutputRange::whole(graph_.tensors[op.outputs[0]].shape4());
  double best = -1;
  for (const int dispatches : kDispatches) {
    if (best >= kRepeatBelowUs) break;
    CommandBuffer cmd(device_);
    cmd.begin();
    queries.reset(cmd);
    record_op(cmd, op_index, whole);
    cmd.compute_to_compute();
    queries.write(cmd, 0, VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT);
    for (int r = 0; r < dispatches; ++r) {
      record_op(cmd, op_index, whole);
      cmd.compute_to_compute();  // each dispatch rewrites the output: WAW
    }
    queries.write(cmd, 1, VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT);
    cmd.end();
    submit_and_wait(device_, cmd, fmt::format("model '{}': tuning {}", graph_.model_name, graph_.describe(op)));
    const std::vector<uint64_t> ns = queries.read_ns(0, 2);
    const double us = double(ns[1] - ns[0]) * 1e-3 / dispatches;
    best = best < 0 ? us : std::min(best, us);
  }
  return best;
}

void GpuExecutor::tune_workgroups(WorkgroupTuningCache& cache, const PipelineCache* pipelines) {
  const auto t0 = std::chrono::steady_clock::now();
  const GpuKernelContext ctx{device_, pipelines};
  std::unique_ptr<TimestampQueries> queries;
  try {
    queries = std::make_unique<TimestampQueries>(device_, 2);
  } catch (const Error&) {
    queries.reset();  // no timestamps on this queue: cached sizes still apply, misses keep defaults
  }
  if (queries) {
    // Zeroed arenas: uninitialized memory may hold NaNs or denormals, which run at another speed.
    CommandBuffer cmd(device_);
    cmd.begin();
    cmd.fill(arena_.whole(), 0);
    if (options_.shared_arena) cmd.fill(host_arena_.whole(), 0);
    cmd.barrier(kTransferWrite, kComputeReadWrite);
    cmd.end();
    submit_and_wait(device_, cmd, fmt::format("model '{}': zeroing the arena for tuning", graph_.model_name));
  }

  // Each kernel's candidates and tuning key, once; a key's size from the cache file, if valid.
  struct Tunable {
    std::vector<WorkgroupSize> candidates;
    std::string key;  // empty: not tunable
  };
  std::vector<Tunable> tunables(kernels_.size());
  for (size_t i = 0; i < kernels_.size(); ++i) {
    if (!kernels_[i]) continue;
    Tunable& t = tunables[i];
    t.candidates = kernels_[i]->workgroup_candidates(device_.info());
    if (t.candidates.size() >= 2) t.key = workgroup_tuning_key(*kernels_[i], graph_.tensors[graph_.ops[i].outputs[0]].shape4());
  }
  auto cached = [&](const Tunable& t) -> const WorkgroupSize* {
    const WorkgroupTuningCache::Entry* e = cache.find(t.key);
    return e && std::find(t.candidates.begin(), t.candidates.end(), e->best) != t.candidates.end() ? &e->best : nullptr;
  };

  // The kernels the loop will time (the first of each key the cache lacks), for the precompiler.
  std::unique_ptr<CandidatePrecompiler> precompiler;
  const bool precompile = options_.precompile == GpuExecutorOptions::Precompile::kOn ||
                          (options_.precompile == GpuExecutorOptions::Precompile::kAuto &&
                           device_.info().type != DeviceType::kCpu);
  if (queries && pipelines && precompile) {
    std::vector<CandidatePrecompiler::Job> jobs;
    std::set<std::string> keys;
    for (size_t i = 0; i < kernels_.size(); ++i) {
      const Tunable& t = tunables[i];
      if (t.key.empty() || !keys.insert(t.key).second || cached(t)) continue;
      for (size_t c = 1; c < t.candidates.size(); ++c)
        if (std::optional<ComputePipelineDesc> desc = kernels_[i]->candidate_pipeline(t.candidates[c]))
          jobs.push_back({i, c, std::move(*desc)});
    }
    if (jobs.size() > 1) precompiler = std::make_unique<CandidatePrecompiler>(std::move(jobs), ctx);
  }

  std::map<std::string, WorkgroupSize> decided;  // keys settled during this prepare
  const int total = int(std::count_if(kernels_.begin(), kernels_.end(), [](const auto& k) { return k != nullptr; }));
  int done = 0;
  auto progress = [&] {
    report_tuning_progress({done, total, tuning_stats_.shapes_timed,
                            std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count(),
                            graph_.model_name});
  };
  for (size_t i = 0; i < kernels_.size(); ++i) {
    GpuKernel* k = kernels_[i].get();
    if (!k) continue;
    ++done;
    const std::vector<WorkgroupSize>& candidates = tunables[i].candidates;
    const std::string& key = tunables[i].key;
    if (key.empty()) continue;
    ++tuning_stats_.kernels;
    WorkgroupSize best = candidates[0];
    WorkgroupSize current = candidates[0];
    if (const auto it = decided.find(key); it != decided.end()) {
      best = it->second;
      ++tuning_stats_.cache_hits;
    } else if (const WorkgroupSize* from_file = cached(tunables[i])) {
      best = *from_file;
      ++tuning_stats_.cache_hits;
    } else if (queries && std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count() <
                              options_.tuning_budget_ms) {
      double best_us = -1, default_us = -1;
      for (size_t ci = 0; ci < candidates.size(); ++ci) {
        const WorkgroupSize& c = candidates[ci];
        if (!(c == current)) {
          if (precompiler) precompiler->before_building(i, ci);
          k->set_workgroup(ctx, c);
          current = c;
        }
        const double us = time_op_us(int(i), *queries);
        ++tuning_stats_.candidates_timed;
        progress();  // a kernel's candidates can take seconds on a software rasterizer
        if (default_us < 0) default_us = us;
        if (best_us < 0 || us < best_us) best_us = us, best = c;
      }
      cache.store(key, {best, best_us, default_us});
      ++tuning_stats_.shapes_timed;
      progress();
      tuning_stats_.timed_default_us += default_us;
      tuning_stats_.timed_best_us += best_us;
    } else {
      ++tuning_stats_.deferred;  // no timestamps, or out of budget: default size, not cached
      continue;
    }
    decided[key] = best;
    if (!(best == current)) k->set_workgroup(ctx, best);
    if (!(best == candidates[0])) ++tuning_stats_.changed;
  }
  if (precompiler) {
    precompiler->stop();  // after their current kernel
    tuning_stats_.precompiled = precompiler->compiled();
  }
  tuning_stats_.tuning_ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
  done = total;
  progress();
}

}  // namespace hetsched::gpu
