// Kernel profiler (see header). Timing technique, as scheduler/op_profiler.cpp and the GPU
// executor's workgroup tuning (time_op_us): one warm-up, then samples; a sample repeats a short
// kernel until it spans min_sample_us (timer resolution and launch jitter amortized), and the GPU
// brackets the repeated dispatches with timestamps, a barrier after each (each dispatch rewrites
// the output: WAW), so a sample is the kernel's own GPU time.
#include "profiles/kernel_profiler.h"

#include <fmt/format.h>
#include <tbb/parallel_for.h>
#include <tbb/task_arena.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstring>
#include <ctime>
#include <random>
#include <memory>
#include <optional>
#include <set>
#include <tuple>

#include "base/error.h"
#include "base/random_values.h"
#include "cpu/executor.h"
#include "gpu/buffer.h"
#include "gpu/command.h"
#include "gpu/dispatch_plan.h"
#include "gpu/executor.h"
#include "gpu/fence.h"
#include "gpu/gpu_fusions.h"
#include "gpu/gpu_kernel.h"
#include "gpu/timeline.h"
#include "gpu/timestamps.h"
#include "graph/op_registry.h"
#include "profiles/kernel_key.h"
#include "profiles/machine_info.h"

namespace hetsched::profiles {
namespace {

using Clock = std::chrono::steady_clock;
double us_since(Clock::time_point t0) { return std::chrono::duration<double, std::micro>(Clock::now() - t0).count(); }

// The ranges one op is measured over: the whole output, then each fraction along each axis its
// kernels can split, without repeating a range (small outputs round several fractions alike).
std::vector<std::tuple<RangeAxis, double, OutputRange>> ranges_of(const Graph& g, const Op& op,
                                                                 const std::vector<double>& fractions) {
  const Shape4 out = g.tensors[size_t(op.outputs[0])].shape4();
  const OpDescriptor& d = describe_op(op.type);
  std::vector<std::tuple<RangeAxis, double, OutputRange>> v = {{RangeAxis::kWhole, 1.0, OutputRange::whole(out)}};
  std::set<std::tuple<int, int, int, int>> seen = {{0, out.slices(), 0, out.h}};
  for (const RangeAxis axis : {RangeAxis::kSlices, RangeAxis::kRows}) {
    if ((axis == RangeAxis::kSlices && !d.split_slices) || (axis == RangeAxis::kRows && !d.split_rows)) continue;
    for (const double f : fractions) {
      const OutputRange r = fraction_range(out, axis, f);
      if (seen.insert({r.slice_begin, r.slice_end, r.row_begin, r.row_end}).second) v.emplace_back(axis, f, r);
    }
  }
  return v;
}

double process_cpu_us() {
  timespec ts{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return double(ts.tv_sec) * 1e6 + double(ts.tv_nsec) * 1e-3;
}

// Executions per sample so that one spans o.min_sample_us, given one execution's microseconds.
int repeats_for(double first_us, const KernelProfileOptions& o) {
  return std::clamp(int(std::ceil(o.min_sample_us / std::max(1e-3, first_us))), 1, std::max(1, o.max_repeats));
}

// Samples of `run` (returns one execution's microseconds given a repeat count) after a warm-up;
// `cpu_us` (when given) gets the median process CPU time per execution. With o.rel_ci > 0 it stops
// after o.min_samples once max - min of the samples is within +-rel_ci of their median.
TimingStats sample(const std::function<double(int)>& run, const KernelProfileOptions& o, double* cpu_us = nullptr) {
  const int repeats = repeats_for(run(1), o);
  const int n = std::max(1, o.samples);
  const int at_least = std::clamp(o.min_samples, 3, n);
  std::vector<double> s, cpu;
  for (int i = 0; i < n; ++i) {
    const double c0 = process_cpu_us();
    s.push_back(run(repeats));
    cpu.push_back((process_cpu_us() - c0) / repeats);
    if (o.rel_ci > 0 && int(s.size()) >= at_least && int(s.size()) < n) {
      const auto [lo, hi] = std::minmax_element(s.begin(), s.end());
      std::vector<double> sorted = s;
      std::nth_element(sorted.begin(), sorted.begin() + long(sorted.size() / 2), sorted.end());
      if ((*hi - *lo) / 2 <= o.rel_ci * sorted[sorted.size() / 2]) break;
    }
  }
  if (cpu_us) *cpu_us = summarize(std::move(cpu)).median_us;
  return summarize(std::move(s));
}

// A sampler for sample(): `repeats` back-to-back calls of `once`, timed by the host clock, per call
// (a template: the timed loop calls `once` directly, not through a std::function).
template <typename F>
auto wall_clock(F once) {
  return [once](int repeats) {
    const auto t0 = Clock::now();
    for (int k = 0; k < repeats; ++k) once();
    return us_since(t0) / repeats;
  };
}

// The row of op `op_index` over one of its ranges (ranges_of), from the processor's `base` row.
Measurement range_row(Measurement m, int op_index, const KernelFeatures& f,
                      const std::tuple<RangeAxis, double, OutputRange>& range) {
  m.op_index = op_index, m.features = f;
  std::tie(m.axis, m.fraction, m.range) = range;
  m.load_avg = load_average_1min();
  return m;
}

// The measurement cache's key: the sampling setting, the processor (threads or precision, device,
// driver, co-running, GPU clock guard or none), the kernel configuration and the range.
std::string measurement_key(const KernelProfileOptions& o, const Measurement& m, const std::string& config) {
  return fmt::format("s{} m{} ci{} t{} r{}|{} t{} {} {} {} corun:{}{}|{}|{} {} {}:{},{}:{}", o.samples, o.min_samples,
                     o.rel_ci, o.min_sample_us, o.max_repeats, m.processor, m.threads, m.precision, m.device, m.driver,
                     m.corun, m.clock_ok == 1 ? " clock-guarded" : "", config, to_string(m.axis), m.fraction, m.range.slice_begin, m.range.slice_end,
                     m.range.row_begin, m.range.row_end);
}

// The kernel rows of one op: each range of ranges_of() in the sample, reused from the cache when it
// holds the measurement, else timed by `time_range` (fills stats and cpu_us) and stored.
template <typename TimeRange>
void op_rows(const Graph& g, int op_index, const std::string& config, const Measurement& base,
             const KernelProfileOptions& o, bool use_cache, std::vector<Measurement>& out, ProfileCounters* counters,
             TimeRange time_range) {
  ProfileCounters none;
  ProfileCounters& c = counters ? *counters : none;
  const Op& op = g.ops[size_t(op_index)];
  if (!in_sample(config, o.kernel_share)) {
    ++c.sampled_out;
    return;
  }
  const KernelFeatures f = kernel_features(g, op);
  for (const auto& range : ranges_of(g, op, o.fractions)) {
    const auto& [axis, fraction, r] = range;
    if (axis != RangeAxis::kWhole && !in_sample(fmt::format("{} {} {}", config, to_string(axis), fraction), o.range_share)) {
      ++c.sampled_out;
      continue;
    }
    Measurement m = range_row(base, op_index, f, range);
    m.corun = o.corun;
    const std::string key = use_cache && o.cache ? measurement_key(o, m, config) : std::string();
    if (const MeasurementCache::Entry* e = key.empty() ? nullptr : o.cache->find(key)) {
      m.stats = e->stats, m.cpu_us = e->cpu_us, m.load_avg = e->load_avg, m.reused = true;
      ++c.reused;
    } else {
      time_range(m);
      ++c.measured, c.samples += m.stats.n;
      if (!key.empty() && m.clock_ok != 0) o.cache->store(key, {m.stats, m.cpu_us, m.load_avg});  // a slow-clock row is timed again next time
    }
    out.push_back(std::move(m));
  }
}

Measurement model_row(const Graph& g) {
  Measurement m;
  m.model = g.model_name;
  m.features.op_type = "MODEL";
  m.features.macs = total_macs(g);
  for (int t : g.inputs) m.features.bytes_in += int64_t(g.tensors[size_t(t)].shape4().phwc4_bytes());
  for (int t : g.outputs) m.features.bytes_out += int64_t(g.tensors[size_t(t)].shape4().phwc4_bytes());
  if (!g.inputs.empty()) m.features.in = g.tensors[size_t(g.inputs[0])].shape4();
  if (!g.outputs.empty()) m.features.out = g.tensors[size_t(g.outputs[0])].shape4();
  m.features.num_inputs = int(g.ops.size());  // for MODEL rows: the number of ops
  return m;
}

}  // namespace

std::vector<double> sync_round_trips_us(const gpu::VulkanDevice& device, int samples, const std::string& what) {
  gpu::TimelineSemaphore host_to_gpu(device), gpu_to_host(device);
  gpu::CommandBuffer cmd(device);
  cmd.begin();
  cmd.barrier(gpu::kHostWrite, gpu::kComputeRead);
  cmd.end();
  std::vector<double> us;
  for (int i = 1; i <= samples; ++i) {
    const VkCommandBuffer cb = cmd.get();
    gpu::TimelineWait w{host_to_gpu.get(), uint64_t(i)};
    gpu::TimelineSignal s{gpu_to_host.get(), uint64_t(i)};
    gpu::submit(device, gpu::Submission{{&cb, 1}, {&w, 1}, {&s, 1}, VK_NULL_HANDLE}, what);
    const auto t0 = Clock::now();
    host_to_gpu.signal(uint64_t(i), what);
    gpu_to_host.wait(uint64_t(i), std::chrono::seconds(10), what);
    us.push_back(us_since(t0));
  }
  return us;
}

std::string driver_of(const gpu::VulkanDevice& device) {
  const auto& i = device.info();
  return i.driver_info.empty() ? i.driver_name : i.driver_name + " " + i.driver_info;
}

namespace {
// The in_model rows (whole outputs) of the ops `keep` accepts and o.kernel_share samples, from `us`:
// per op, its microseconds in each timed whole run.
template <typename Keep>
void append_in_model_rows(const Graph& g, const Measurement& base, std::vector<std::vector<double>>& us,
                          const KernelProfileOptions& o, Keep keep, std::vector<Measurement>& out) {
  const double load = load_average_1min();
  for (size_t i = 0; i < g.ops.size(); ++i) {
    if (!keep(i) || !in_sample(kernel_config_key(g, g.ops[i]), o.kernel_share)) continue;
    TimingStats t = summarize(std::move(us[i]));
    if (!(t.median_us > 0)) continue;  // GPU: no timestamps on this queue
    const OutputRange whole = OutputRange::whole(g.tensors[size_t(g.ops[i].outputs[0])].shape4());
    Measurement m = range_row(base, int(i), kernel_features(g, g.ops[i]), {RangeAxis::kWhole, 1.0, whole});
    m.load_avg = load;
    m.corun = o.corun;
    m.in_model = true;
    m.stats = t;
    out.push_back(std::move(m));
  }
}

// The CPU's in_model rows: each op timed by the host clock inside max(3, o.samples) consecutive
// whole runs (after one untimed run), op after op as the executor's run() orders them, so an op
// reads what its producer has just written and weights that the rest of the run has streamed past.
void time_cpu_ops_in_model(const Graph& g, cpu::CpuExecutor& ex, const KernelProfileOptions& o, const Measurement& base,
                           std::vector<Measurement>& out) {
  std::vector<OutputRange> whole;
  for (const Op& op : g.ops) whole.push_back(OutputRange::whole(g.tensors[size_t(op.outputs[0])].shape4()));
  std::vector<std::vector<double>> us(g.ops.size());
  const int runs = std::max(3, o.samples);
  for (int r = 0; r <= runs; ++r) {
    for (size_t i = 0; i < g.ops.size(); ++i) {
      const auto t0 = Clock::now();
      ex.run_op(int(i), whole[i]);
      if (r > 0) us[i].push_back(us_since(t0));
    }
  }
  append_in_model_rows(g, base, us, o, [](size_t) { return true; }, out);
}
}  // namespace

void profile_cpu_kernels(const Graph& g, int threads, const KernelProfileOptions& o, std::vector<Measurement>& out,
                         const ProgressFn& progress, ProfileCounters* counters) {
  // Each kernel timed alone, as the datasets so far: no elementwise op chained onto its producer.
  cpu::CpuExecutor ex(g, cpu::CpuExecutorOptions{.threads = threads, .chain_elementwise = false});
  std::mt19937 rng(o.seed);
  for (size_t i = 0; i < g.inputs.size(); ++i) ex.set_input(int(i), random_values(g.tensors[g.inputs[i]].elements(), rng));
  ex.run();  // every tensor holds values a real run would (no NaNs or denormals from a zeroed arena)
  const std::string cpu_name = cpu_model_name();
  auto base = [&](Measurement m) {
    m.model = g.model_name;
    m.processor = "cpu";
    m.threads = ex.threads();
    m.device = cpu_name;
    return m;
  };
  // Every kernel row starts from it (from a named empty row: on base({}) GCC 12 warns maybe-uninitialized).
  const Measurement none;
  const Measurement cpu_row = base(none);
  for (size_t i = 0; o.kernels && i < g.ops.size(); ++i) {
    bool ran_whole = false;
    op_rows(g, int(i), kernel_config_key(g, g.ops[i]), cpu_row, o, true, out, counters, [&](Measurement& m) {
      if (o.before_cpu_measurement) o.before_cpu_measurement(int(i), ex);
      m.stats = sample(wall_clock([&] { ex.run_op(int(i), m.range); }), o, &m.cpu_us);
      ran_whole = ran_whole || m.axis == RangeAxis::kWhole;
    });
    // An op whose rows came from the measurement cache (or were sampled out) still runs once: the
    // ops after it read its output, and its arena slot holds whatever a later tensor that shares the
    // slot left there in ex.run() (denormals timed a 1x1 conv at 42.6 ms instead of 1.4 ms: a
    // generated mobile architecture, 2-core VM, 2026-12-06).
    if (!ran_whole) ex.run_op(int(i), OutputRange::whole(g.tensors[size_t(g.ops[i].outputs[0])].shape4()));
    if (progress && (i + 1) % 25 == 0)
      progress(fmt::format("{}: cpu t{} {}/{} ops", g.model_name, ex.threads(), i + 1, g.ops.size()));
  }
  if (o.whole_model) {
    Measurement m = base(model_row(g));
    m.load_avg = load_average_1min();
    m.corun = o.corun;
    m.stats = sample(wall_clock([&] { ex.run(); }), o, &m.cpu_us);
    out.push_back(std::move(m));
  }
  if (o.in_model && o.kernels) time_cpu_ops_in_model(g, ex, o, cpu_row, out);
}

void profile_gpu_kernels(const Graph& g, const gpu::VulkanDevice& device, const gpu::PipelineCache* cache,
                         gpu::WorkgroupTuningCache* tuning, const KernelProfileOptions& o,
                         std::vector<Measurement>& out, const ProgressFn& progress, ProfileCounters* counters,
                         GpuClockGuard* guard) {
  if (guard && &guard->device() != &device)
    fail(ErrorKind::kInvalidArgument, "model '{}': the GPU clock guard was made for another device than {}",
         g.model_name, device.describe());
  gpu::GpuExecutorOptions go;
  go.tuning = tuning;
  go.tuning_budget_ms = o.corun.empty() ? o.tuning_budget_ms : 0;  // see KernelProfileOptions
  if (go.tuning_budget_ms == 0) go.precompile = gpu::GpuExecutorOptions::Precompile::kOff;  // nothing to compile ahead
  go.record_model = false;
  gpu::GpuExecutor ex(g, device, cache, go);
  if (counters) {
    counters->tuning_ms += ex.tuning_stats().tuning_ms;
    if (o.corun.empty()) counters->untuned += ex.tuning_stats().deferred;  // the co-running pass runs the same sizes
  }
  const int n_samples = std::max(1, o.samples);
  // Per sample two timestamps, then two around the clock guard's reference dispatches.
  const uint32_t ref_query = 2 * uint32_t(n_samples);
  gpu::TimestampQueries queries(device, ref_query + 2);  // kUnsupported without timestamps
  // One command buffer and one fence for every submission (a fence created per submission cost
  // 557 us on the H100's driver: H100 profile 2026-12-06).
  gpu::CommandBuffer cmd(device);
  gpu::Fence fence(device);
  auto last_submit = Clock::now() - std::chrono::hours(1);
  auto submit = [&](const std::string& what) {
    last_submit = Clock::now();
    fence.reset();
    const VkCommandBuffer cb = cmd.get();
    gpu::submit(device, gpu::Submission{{&cb, 1}, {}, {}, fence.get()}, what);
    if (!fence.wait(std::chrono::seconds(60), what))
      fail(ErrorKind::kInternal, "{}: the GPU did not finish within 60 s on {}", what, device.describe());
  };
  {  // Zeroed arena: uninitialized memory may hold NaNs or denormals, which run at another speed.
    cmd.begin();
    cmd.fill(ex.arena().whole(), 0);
    cmd.barrier(gpu::kTransferWrite, gpu::kComputeReadWrite);
    cmd.end();
    submit(fmt::format("model '{}': zeroing the arena for profiling", g.model_name));
    last_submit = Clock::now() - std::chrono::hours(1);  // no work that raises clocks
  }
  std::set<int> dispatched;  // ops the GPU-only executor dispatches (not CPU fallbacks, not in-place concats)
  for (const auto& d : gpu::plan_dispatches(g, true)) dispatched.insert(d.op_index);
  const std::string precision = device.fp16_enabled() ? "fp16" : "fp32";
  const std::string driver = driver_of(device);
  auto base = [&](Measurement m) {
    m.model = g.model_name;
    m.processor = "gpu";
    m.precision = precision;
    m.device = device.info().name;
    m.driver = driver;
    return m;
  };
  // Warm-up: every dispatched kernel, whole outputs, back to back, until gpu_warmup_ms has passed.
  // Not on a CPU device (lavapipe): no clocks to raise, and one pass of a model takes seconds there.
  const double warmup_ms = device.info().type == gpu::DeviceType::kCpu ? 0 : o.gpu_warmup_ms;
  auto last_warmup = Clock::now() - std::chrono::hours(1);
  auto warm_up = [&](double ms) {
    const auto t0 = Clock::now();
    while (us_since(t0) < ms * 1e3) {
      cmd.begin();
      for (const int i : dispatched) {
        ex.record_op(cmd, i, OutputRange::whole(g.tensors[size_t(g.ops[size_t(i)].outputs[0])].shape4()));
        cmd.compute_to_compute();
      }
      cmd.end();
      submit(fmt::format("model '{}': GPU warm-up", g.model_name));
    }
    last_warmup = Clock::now();
    if (counters) counters->warmup_ms += us_since(t0) * 1e-3;
  };
  const gpu::GpuFusions& fusions = ex.fusions();
  // Per op: the op whose fused kernel computes it (-1: its own), and how many ops its kernel runs.
  std::vector<int> fused_into(g.ops.size(), -1), chain_ops(g.ops.size(), 1);
  for (size_t i = 0; i < g.ops.size() && i < fusions.kind.size(); ++i) {
    if (fusions.kind[i] == gpu::FusionKind::kNone) continue;
    const std::vector<int> chain = gpu::fused_chain(g, fusions, int(i));
    chain_ops[i] = int(chain.size());
    for (const int j : chain)
      if (j != int(i)) fused_into[size_t(j)] = int(i);
  }
  for (size_t i = 0; o.kernels && i < g.ops.size(); ++i) {
    if (!dispatched.count(int(i))) continue;
    const Op& op = g.ops[i];
    std::string config = kernel_config_key(g, op);
    if (i < fusions.kind.size() && fusions.kind[i] != gpu::FusionKind::kNone)  // the dispatch runs the chain
      config += fmt::format(" fused{}:{}", int(fusions.kind[i]), kernel_config_key(g, g.ops[size_t(fusions.head_of[i])]));
    if (i < fusions.elided_op.size() && fusions.elided_op[i]) config += " elided";  // runs inside a later dispatch
    // The workgroup size and register block it runs (the first candidate is the one in use): a
    // kernel left at its default because the tuning budget ran out is another measurement.
    // Tuned: its size came from tuning (now or the cache file); 0: the default (budget ran out).
    int tuned = 1;
    if (const gpu::GpuKernel* k = ex.kernel(int(i))) {
      if (const auto wg = k->workgroup_candidates(device.info()); !wg.empty())
        config += fmt::format(" wg{}x{}x{}b{}x{}", wg[0].x, wg[0].y, wg[0].z, wg[0].block_s, wg[0].block_x);
      const std::string tuning_key = gpu::workgroup_tuning_key(*k, g.tensors[size_t(op.outputs[0])].shape4());
      if (!tuning_key.empty() && tuning && !tuning->find(tuning_key)) tuned = 0;
    }
    Measurement row = base({});
    row.tuned = tuned;
    row.fused_into = fused_into[i], row.chain_ops = chain_ops[i];
    row.clock_ok = guard ? 1 : -1;  // a row from the measurement cache passed the guard when it was timed
    const std::string what = fmt::format("model '{}': profiling {}", g.model_name, g.describe(op));
    // `samples` timings of `repeats` back-to-back dispatches each, one submission: a warm-up
    // dispatch, the clock guard's reference (`ref_us`, when given), then per sample a timestamp,
    // the dispatches (a barrier after each) and a timestamp.
    auto timed = [&](const OutputRange& r, int repeats, int samples, double* ref_us = nullptr) {
      cmd.begin();
      queries.reset(cmd);
      ex.record_op(cmd, int(i), r);  // warm-up dispatch: caches and clocks
      cmd.compute_to_compute();
      if (ref_us && guard) guard->record(cmd, queries, ref_query);
      for (int s = 0; s < samples; ++s) {
        queries.write(cmd, uint32_t(2 * s), VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT);
        for (int k = 0; k < repeats; ++k) {
          ex.record_op(cmd, int(i), r);
          cmd.compute_to_compute();
        }
        queries.write(cmd, uint32_t(2 * s + 1), VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT);
      }
      cmd.end();
      submit(what);
      const std::vector<uint64_t> ns = queries.read_ns(0, uint32_t(2 * samples));
      std::vector<double> us;
      for (int s = 0; s < samples; ++s) us.push_back(double(ns[size_t(2 * s + 1)] - ns[size_t(2 * s)]) * 1e-3 / repeats);
      if (ref_us && guard) {
        const std::vector<uint64_t> ref = queries.read_ns(ref_query, 2);
        *ref_us = guard->observe(ref[0], ref[1]);
      }
      return us;
    };
    const size_t rows_before = out.size();
    op_rows(g, int(i), config, row, o, true, out, counters, [&](Measurement& m) {
      if (warmup_ms > 0 && us_since(last_warmup) > 1e6)  // first, then after every second of timing
        warm_up(last_warmup < Clock::now() - std::chrono::minutes(30) ? warmup_ms : warmup_ms / 4);
      const int repeats = repeats_for(timed(m.range, 1, 1)[0], o);
      m.stats = summarize(timed(m.range, repeats, n_samples, &m.ref_us));
      // The clock guard: a reference slower than the session's best says the clock was down;
      // time again after a short busy spell (clock up), at most `retries` times.
      if (!guard) return;
      const int retries = guard->retries_now();
      for (int retry = 0; guard->suspect(m.ref_us); ++retry) {
        if (retry == retries) {
          m.clock_ok = 0;
          if (counters) ++counters->clock_off;
          break;
        }
        if (counters) ++counters->clock_retimed;
        guard->busy(guard->options().retry_warmup_ms);
        m.stats = summarize(timed(m.range, repeats, n_samples, &m.ref_us));
      }
      guard->settle(m.clock_ok != 0);
    });
    if (counters && fused_into[i] >= 0) counters->fused += int64_t(out.size() - rows_before);
    if (progress && (i + 1) % 25 == 0)
      progress(fmt::format("{}: gpu {} {}/{} ops", g.model_name, precision, i + 1, g.ops.size()));
  }
  if (o.whole_model) {
    gpu::GpuExecutorOptions wo;
    wo.tuning = tuning;
    wo.tuning_budget_ms = 0;  // the sizes the kernels were timed with
    wo.precompile = gpu::GpuExecutorOptions::Precompile::kOff;
    gpu::GpuExecutor whole(g, device, cache, wo);
    if (counters) counters->tuning_ms += whole.tuning_stats().tuning_ms;
    std::mt19937 rng(o.seed);
    for (size_t i = 0; i < g.inputs.size(); ++i) whole.set_input(int(i), random_values(g.tensors[g.inputs[i]].elements(), rng));
    if (warmup_ms > 0 && us_since(last_submit) > 1e5) {  // clocks up, unless kernels ran just now
      const auto t0 = Clock::now();
      do whole.run();
      while (us_since(t0) < warmup_ms * 1e3);
      if (counters) counters->warmup_ms += us_since(t0) * 1e-3;
    }
    Measurement m = base(model_row(g));
    m.load_avg = load_average_1min();
    m.corun = o.corun;
    m.stats = sample(wall_clock([&] { whole.run(); }), o);
    out.push_back(std::move(m));
    // In-model rows: the same executor re-recorded with a timestamp around every op (each fenced
    // by a barrier, as the alone rows' dispatches are), right after the whole runs (clocks up).
    // Ops of a fused chain are left out (their alone rows are too).
    if (o.in_model && o.kernels && o.corun.empty()) {
      whole.set_profiling(true);
      const int runs = std::max(3, o.samples);
      std::vector<std::vector<double>> us(g.ops.size());
      for (int r = 0; r <= runs; ++r) {
        whole.run();
        for (size_t i = 0; r > 0 && i < g.ops.size(); ++i) us[i].push_back(whole.op_times_ms()[i] * 1e3);
      }
      append_in_model_rows(g, base({}), us, o, [&](size_t i) {
        return dispatched.count(int(i)) && fused_into[i] < 0 && chain_ops[i] == 1;
      }, out);
    }
  }
}

std::string copy_cost_name(const CopyCost& c) { return fmt::format("copy_{}_{}_us", c.kind, c.bytes); }

namespace {
// FixedCosts::copies. Per size, buffers of that size (copies within 16 MiB buffers ran up to 3x
// slower on lavapipe), each kind repeated back to back as the 1 MiB probe is (a copy that fits the
// caches finds its bytes there): the CPU's memcpy into the mapped shared buffer by host clock, then
// the GPU's copies by timestamps, one copy per submission.
void measure_copies(const gpu::VulkanDevice& device, int samples, std::vector<CopyCost>& out) {
  const std::vector<std::byte> src(kCopyProbeBytes.back(), std::byte{1});
  std::optional<gpu::TimestampQueries> q;
  try {
    q.emplace(device, 2);
  } catch (const Error&) {
    // No timestamps on this queue: the GPU copies stay unmeasured (absent).
  }
  for (const uint64_t bytes : kCopyProbeBytes) {
    gpu::Buffer host(device, bytes, gpu::MemoryUse::kShared, "fixed-cost probe: shared copy buffer");
    std::vector<double> us;
    for (int i = 0; i <= samples; ++i) {
      const auto t0 = Clock::now();
      std::memcpy(host.mapped(), src.data(), bytes);
      if (i) us.push_back(us_since(t0));
    }
    out.push_back({"host_write", bytes, summarize(us).median_us});
    if (!q) continue;
    gpu::Buffer a(device, bytes, gpu::MemoryUse::kDeviceLocal, "fixed-cost probe: device copy buffer A");
    gpu::Buffer b(device, bytes, gpu::MemoryUse::kDeviceLocal, "fixed-cost probe: device copy buffer B");
    const struct {
      const char* kind;
      const gpu::Buffer& from;
      const gpu::Buffer& to;
    } probes[] = {{"staged", host, a}, {"device", a, b}, {"readback", b, host}};
    for (const auto& p : probes) {
      us.clear();
      for (int i = 0; i <= samples; ++i) {
        gpu::CommandBuffer cmd(device);
        cmd.begin();
        q->reset(cmd);
        q->write(cmd, 0, VK_PIPELINE_STAGE_TRANSFER_BIT);
        cmd.copy(p.from.whole(), p.to.whole());
        q->write(cmd, 1, VK_PIPELINE_STAGE_TRANSFER_BIT);
        cmd.end();
        gpu::submit_and_wait(device, cmd, "fixed-cost probe: copies by size");
        const auto ns = q->read_ns(0, 2);
        if (i) us.push_back(double(ns[1] - ns[0]) * 1e-3);
      }
      out.push_back({p.kind, bytes, summarize(us).median_us});
    }
  }
}
}  // namespace

FixedCosts measure_fixed_costs(const gpu::VulkanDevice* device, int threads, int samples) {
  FixedCosts c;
  samples = std::max(3, samples);
  {  // CPU task start: what a parallel_for over one task per thread costs in an arena like the executor's.
    const int n = threads > 0 ? threads : hardware_threads();
    tbb::task_arena arena(n);
    std::vector<double> us;
    for (int i = 0; i <= samples; ++i) {
      const auto t0 = Clock::now();
      arena.execute([&] { tbb::parallel_for(0, n, [](int) {}); });
      if (i) us.push_back(us_since(t0));
    }
    c.cpu_task_us = summarize(us).median_us;
  }
  if (!device) return c;
  {  // Submission: an empty command buffer, submitted and waited for on one reused fence, as
     // GpuExecutor::run does. (A fence created per submission, as submit_and_wait does, cost 557 us
     // on the H100's driver against ~25 us for the whole round trip: H100 profile 2026-12-06.)
    gpu::CommandBuffer cmd(*device);
    cmd.begin();
    cmd.end();
    gpu::Fence fence(*device);
    const VkCommandBuffer cb = cmd.get();
    constexpr const char* kWhat = "fixed-cost probe: empty submission";
    std::vector<double> us;
    for (int i = 0; i <= samples; ++i) {
      fence.reset();
      const auto t0 = Clock::now();
      gpu::submit(*device, gpu::Submission{{&cb, 1}, {}, {}, fence.get()}, kWhat);
      if (!fence.wait(std::chrono::seconds(10), kWhat))
        fail(ErrorKind::kInternal, "{}: the GPU did not finish within 10 s on {}", kWhat, device->describe());
      if (i) us.push_back(us_since(t0));
    }
    c.gpu_submit_us = summarize(us).median_us;
  }
  c.sync_us = summarize(sync_round_trips_us(*device, samples, "fixed-cost probe: sync")).median_us;
  try {  // GPU-side: a barrier between dispatches (the gap a dispatch pays), and a 1 MiB host -> device copy.
    gpu::TimestampQueries q(*device, 4);
    constexpr uint64_t kBytes = 1 << 20;
    gpu::Buffer host(*device, kBytes, gpu::MemoryUse::kShared, "fixed-cost probe: host buffer");
    gpu::Buffer dev(*device, kBytes, gpu::MemoryUse::kDeviceLocal, "fixed-cost probe: device buffer");
    std::vector<double> gap, copy;
    for (int i = 0; i <= samples; ++i) {
      gpu::CommandBuffer cmd(*device);
      cmd.begin();
      q.reset(cmd);
      q.write(cmd, 0, VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT);
      for (int k = 0; k < 8; ++k) cmd.compute_to_compute();
      q.write(cmd, 1, VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT);
      q.write(cmd, 2, VK_PIPELINE_STAGE_TRANSFER_BIT);
      cmd.copy(host.whole(), dev.whole());
      q.write(cmd, 3, VK_PIPELINE_STAGE_TRANSFER_BIT);
      cmd.end();
      gpu::submit_and_wait(*device, cmd, "fixed-cost probe: barriers and copy");
      const auto ns = q.read_ns(0, 4);
      if (!i) continue;
      gap.push_back(double(ns[1] - ns[0]) * 1e-3 / 8);
      copy.push_back(double(ns[3] - ns[2]) * 1e-3);
    }
    c.gpu_dispatch_us = summarize(gap).median_us;
    c.copy_us_per_mb = summarize(copy).median_us;
  } catch (const Error&) {
    // No timestamps on this queue: the GPU-side costs stay unmeasured (-1).
  }
  measure_copies(*device, samples, c.copies);
  return c;
}

std::function<void()> gpu_model_step(const Graph& g, const gpu::VulkanDevice& device, const gpu::PipelineCache* cache,
                                     gpu::WorkgroupTuningCache* tuning, unsigned seed) {
  gpu::GpuExecutorOptions o;
  o.tuning = tuning;
  o.tuning_budget_ms = 0;  // the sizes the alone pass tuned
  o.precompile = gpu::GpuExecutorOptions::Precompile::kOff;
  auto ex = std::make_shared<gpu::GpuExecutor>(g, device, cache, o);
  std::mt19937 rng(seed);
  for (size_t i = 0; i < g.inputs.size(); ++i) ex->set_input(int(i), random_values(g.tensors[g.inputs[i]].elements(), rng));
  return [ex] { ex->run(); };
}

std::function<void()> cpu_model_step(const Graph& g, int threads, unsigned seed) {
  auto ex = std::make_shared<cpu::CpuExecutor>(g, cpu::CpuExecutorOptions{threads});
  std::mt19937 rng(seed);
  for (size_t i = 0; i < g.inputs.size(); ++i) ex->set_input(int(i), random_values(g.tensors[g.inputs[i]].elements(), rng));
  return [ex] { ex->run(); };
}

}  // namespace hetsched::profiles
