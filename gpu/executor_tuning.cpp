// GpuExecutor's workgroup tuning at prepare time: per kernel, the cached local size for its key, or
// each candidate timed with GPU timestamps (a warm-up dispatch and one timed one; a second round
// of three timed dispatches when the first took under 1 ms) and the fastest kept and stored in the
// tuning cache, while the prepare's tuning budget lasts. On a real GPU the candidates' pipelines
// are compiled ahead of the timing loop on the other cores (CandidatePrecompiler).
#include <algorithm>
#include <atomic>
#include <chrono>
#include <map>
#include <set>
#include <thread>

#include "base/error.h"
#include "gpu/executor.h"

namespace hetsched::gpu {
namespace {
constexpr int kDispatches[] = {1, 3};  // timed dispatches per round, after one warm-up dispatch
constexpr double kRepeatBelowUs = 1000;  // a second round only for dispatches shorter than this
constexpr unsigned kMaxCompileThreads = 15;

// Pipeline creation, not timing, took most of the tuning budget on the H100 (2026-12-06: 1-17
// shapes timed per 5 s start, up to 7 starts to finish a model): each candidate local size is a
// new pipeline. Worker threads walk the kernels to tune in the loop's order and build every
// candidate's pipeline (set_workgroup, ending on the default again) into the internally
// synchronized VkPipelineCache, ahead of the loop, whose own set_workgroup() calls then hit it.
// A kernel is touched by one thread at a time: the loop claims it first (acquire()), waiting for
// a worker that has it. Not on a CPU device (lavapipe): there the compiling threads would take
// cores from the "GPU" being timed.
class CandidatePrecompiler {
 public:
  // kernels[i]: the kernel of op i to compile ahead, or null.
  CandidatePrecompiler(std::vector<GpuKernel*> kernels, const DeviceInfo& info, const GpuKernelContext& ctx)
      : kernels_(std::move(kernels)), state_(kernels_.size()), info_(info), ctx_(ctx) {
    const auto wanted = size_t(std::count_if(kernels_.begin(), kernels_.end(), [](GpuKernel* k) { return k; }));
    const unsigned cores = std::max(1u, std::thread::hardware_concurrency());
    const unsigned threads = std::min<unsigned>({cores - 1, kMaxCompileThreads, unsigned(wanted)});
    for (unsigned t = 0; t < threads; ++t) pool_.emplace_back([this](std::stop_token stop) { work(stop); });
  }
  CandidatePrecompiler(const CandidatePrecompiler&) = delete;
  CandidatePrecompiler& operator=(const CandidatePrecompiler&) = delete;

  // The loop is about to use op i's kernel: no worker touches it from now on. False when a worker
  // failed on it and it may not be at its default size.
  bool acquire(size_t i) {
    int expected = kFree;
    if (state_[i].compare_exchange_strong(expected, kTaken)) return true;  // not started: the loop compiles
    state_[i].wait(kBusy);  // a worker has it: wait until it is done
    return state_[i].load() != kFailed;
  }
  // Kernels the workers compiled (call after stop()).
  int compiled() const {
    return int(std::count_if(state_.begin(), state_.end(), [](const std::atomic<int>& s) { return s.load() == kDone; }));
  }
  void stop() { pool_.clear(); }  // jthread: stop requested, then joined

 private:
  static constexpr int kFree = 0, kBusy = 1, kDone = 2, kFailed = 3, kTaken = 4;

  void work(std::stop_token stop) {
    for (size_t i = next_++; i < kernels_.size() && !stop.stop_requested(); i = next_++) {
      int expected = kFree;
      if (!kernels_[i] || !state_[i].compare_exchange_strong(expected, kBusy)) continue;  // the loop got there first
      int done = kDone;
      try {
        const std::vector<WorkgroupSize> candidates = kernels_[i]->workgroup_candidates(info_);
        for (size_t c = 1; c < candidates.size() && !stop.stop_requested(); ++c)
          kernels_[i]->set_workgroup(ctx_, candidates[c]);
        kernels_[i]->set_workgroup(ctx_, candidates[0]);  // the loop starts from the default
      } catch (const Error&) {
        done = kFailed;  // the loop builds the same pipelines and reports what fails
      }
      state_[i].store(done);
      state_[i].notify_all();
    }
  }

  std::vector<GpuKernel*> kernels_;
  std::vector<std::atomic<int>> state_;
  std::atomic<size_t> next_{0};
  const DeviceInfo& info_;
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
    std::vector<GpuKernel*> to_time(kernels_.size(), nullptr);
    std::set<std::string> keys;
    int wanted = 0;
    for (size_t i = 0; i < kernels_.size(); ++i)
      if (!tunables[i].key.empty() && keys.insert(tunables[i].key).second && !cached(tunables[i])) {
        to_time[i] = kernels_[i].get();
        ++wanted;
      }
    if (wanted > 1) precompiler = std::make_unique<CandidatePrecompiler>(std::move(to_time), device_.info(), ctx);
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
    if (precompiler && !precompiler->acquire(i)) k->set_workgroup(ctx, candidates[0]);
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
      for (const WorkgroupSize& c : candidates) {
        if (!(c == current)) {
          k->set_workgroup(ctx, c);
          current = c;
        }
        const double us = time_op_us(int(i), *queries);
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
