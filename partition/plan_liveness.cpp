// Co-execution liveness: GPU segments, the happens-before order of a plan's parts, and the two
// arenas' memory plans (see plan_liveness.h).
#include "partition/plan_liveness.h"

#include <algorithm>

#include "base/error.h"
#include "graph/live_ranges.h"
#include "memory/conflict_planner.h"

namespace hetsched::partition {
namespace {

struct Ranges {
  std::vector<bool> cpu, gpu;  // per step: the part is not empty
};

Ranges part_ranges(const Graph& g, const Plan& plan) {
  const size_t n = g.ops.size();
  if (plan.steps.size() != n)
    fail(ErrorKind::kInvalidArgument, "plan of '{}' has {} steps, the model {} ops", g.model_name, plan.steps.size(), n);
  Ranges r{std::vector<bool>(n), std::vector<bool>(n)};
  for (size_t k = 0; k < n; ++k) {
    const Shape4 out = g.tensors[g.ops[k].outputs[0]].shape4();
    r.cpu[k] = !plan.steps[k].cpu_range(out).empty();
    r.gpu[k] = !plan.steps[k].gpu_range(out).empty();
  }
  return r;
}

// Positions in the step-ordered list of parts: the host before the run, then per step its CPU
// part and its GPU part, then the host after the run. Every happens-before edge goes forward.
int position(const Access& a) { return 2 * (a.step + 1) + (a.proc == Processor::kGpu ? 1 : 0); }

// A tensor's first and last access on each processor (program order makes the rest redundant).
struct Extent {
  bool on[2] = {false, false};  // [0] CPU, [1] GPU
  Access first[2], last[2];
};

Extent extent_of(const std::vector<Access>& acc) {
  Extent x;
  for (const Access& a : acc) {
    const int p = a.proc == Processor::kGpu;
    if (!x.on[p] || a.step < x.first[p].step) x.first[p] = a;
    if (!x.on[p] || a.step > x.last[p].step) x.last[p] = a;
    x.on[p] = true;
  }
  return x;
}

// Every access of `a` happens before every access of `b`.
bool all_before(const PlanOrder& order, const Extent& a, const Extent& b) {
  for (int p = 0; p < 2; ++p)
    for (int q = 0; q < 2; ++q)
      if (a.on[p] && b.on[q] && !order.happens_before(a.last[p], b.first[q])) return false;
  return true;
}

}  // namespace

std::vector<GpuSegment> derive_gpu_segments(const Graph& g, const Plan& plan, const PlanSyncs& syncs) {
  const Ranges parts = part_ranges(g, plan);
  std::vector<GpuSegment> segments;
  bool cut_next = true;
  for (size_t k = 0; k < g.ops.size(); ++k) {
    if (!parts.gpu[k]) continue;
    const int w = syncs.steps[k].gpu_waits_for_cpu_step;
    if (cut_next || segments.empty() || w > segments.back().wait_cpu_step) {
      const int before = segments.empty() ? -1 : segments.back().wait_cpu_step;
      segments.push_back(GpuSegment{{}, std::max(w, before)});
    }
    segments.back().steps.push_back(int(k));
    cut_next = syncs.steps[k].gpu_needed_by_cpu;
  }
  return segments;
}

std::vector<bool> host_touched_tensors(const Graph& g, const Plan& plan) {
  const Ranges parts = part_ranges(g, plan);
  std::vector<bool> host(g.tensors.size(), false);
  for (int t : g.inputs) host[size_t(t)] = true;
  for (int t : g.outputs) host[size_t(t)] = true;
  for (size_t k = 0; k < g.ops.size(); ++k) {
    if (!parts.cpu[k]) continue;
    for (int t : g.ops[k].inputs)
      if (t >= 0 && !g.tensors[size_t(t)].is_constant) host[size_t(t)] = true;
    for (int t : g.ops[k].outputs) host[size_t(t)] = true;
  }
  return host;
}

bool PlanOrder::happens_before(const Access& a, const Access& b) const {
  if (a.proc == b.proc) return a.step < b.step;
  if (a.proc == Processor::kCpu) return a.step < steps && a.step <= gpu_after_cpu.at(size_t(b.step));
  if (b.step >= steps) return true;  // the host after the run waits for every segment
  return b.step >= 0 && a.step <= cpu_after_gpu.at(size_t(b.step));
}

PlanOrder derive_order(const Graph& g, const Plan& plan, const PlanSyncs& syncs, const std::vector<GpuSegment>& segments) {
  const Ranges parts = part_ranges(g, plan);
  const int n = int(g.ops.size());
  PlanOrder o{n, std::vector<int>(size_t(n), -1), std::vector<int>(size_t(n), -1)};
  std::vector<int> segment_of(size_t(n), -1);
  for (size_t s = 0; s < segments.size(); ++s)
    for (int k : segments[s].steps) {
      segment_of[size_t(k)] = int(s);
      o.gpu_after_cpu[size_t(k)] = segments[s].wait_cpu_step;
    }
  // The host waits for whole segments; later CPU parts stay after every segment it waited for.
  int done = -1;
  for (int k = 0; k < n; ++k) {
    if (!parts.cpu[size_t(k)]) continue;
    if (const int p = syncs.steps[size_t(k)].cpu_waits_for_gpu_step; p >= 0) {
      const int s = segment_of.at(size_t(p));
      if (s < 0) fail(ErrorKind::kInternal, "plan of '{}': step {} waits for GPU step {}, which has no segment", g.model_name, k, p);
      done = std::max(done, segments[size_t(s)].steps.back());
    }
    o.cpu_after_gpu[size_t(k)] = done;
  }
  return o;
}

std::vector<std::vector<Access>> tensor_accesses(const Graph& g, const Plan& plan) {
  const Ranges parts = part_ranges(g, plan);
  const int n = int(g.ops.size());
  std::vector<std::vector<Access>> acc(g.tensors.size());
  auto add = [&](int t, int step) {
    if (t < 0 || g.tensors[size_t(t)].is_constant) return;
    if (parts.cpu[size_t(step)]) acc[size_t(t)].push_back({step, Processor::kCpu});
    if (parts.gpu[size_t(step)]) acc[size_t(t)].push_back({step, Processor::kGpu});
  };
  for (int k = 0; k < n; ++k) {
    for (int t : g.ops[size_t(k)].inputs) add(t, k);
    for (int t : g.ops[size_t(k)].outputs) add(t, k);
  }
  for (int t : g.inputs) {  // set before the run and kept for the next runs
    acc[size_t(t)].push_back({-1, Processor::kCpu});
    acc[size_t(t)].push_back({n, Processor::kCpu});
  }
  for (int t : g.outputs) acc[size_t(t)].push_back({n, Processor::kCpu});
  return acc;
}

namespace {

CoexecMemory plan_with_syncs(const Graph& g, const Plan& plan, const PlanSyncs& syncs, size_t alignment, bool aliasing) {
  const int n = int(g.ops.size());
  const std::vector<GpuSegment> segments = derive_gpu_segments(g, plan, syncs);
  const PlanOrder order = derive_order(g, plan, syncs, segments);
  const auto accesses = tensor_accesses(g, plan);
  const std::vector<bool> host = host_touched_tensors(g, plan);

  // last[e]: the last position of a part not ordered after part e (e itself included), so a part
  // at a later position is ordered after e.
  std::vector<Access> parts;
  parts.push_back({-1, Processor::kCpu});
  const Ranges r = part_ranges(g, plan);
  for (int k = 0; k < n; ++k) {
    if (r.cpu[size_t(k)]) parts.push_back({k, Processor::kCpu});
    if (r.gpu[size_t(k)]) parts.push_back({k, Processor::kGpu});
  }
  parts.push_back({n, Processor::kCpu});
  std::vector<int> last_unordered(size_t(2 * (n + 2)), 0);
  for (const Access& e : parts) {
    int last = position(e);
    for (const Access& f : parts)
      if (position(f) > last && !order.happens_before(e, f)) last = position(f);
    last_unordered[size_t(position(e))] = last;
  }

  CoexecMemory m;
  m.offset.assign(g.tensors.size(), -1);
  m.in_host_arena.assign(g.tensors.size(), false);
  for (size_t t = 0; t < g.tensors.size(); ++t) {
    const auto& acc = accesses[t];
    if (acc.empty()) continue;
    const size_t bytes = g.tensors[t].shape4().phwc4_bytes();
    memory::TensorUsageRecord rec{bytes, 0, 0};
    if (host[t]) {  // positions in the list of parts, widened to every part not ordered after
      rec.first_task = position(acc[0]), rec.last_task = 0;
      for (const Access& a : acc) {
        rec.first_task = std::min(rec.first_task, position(a));
        rec.last_task = std::max(rec.last_task, last_unordered[size_t(position(a))]);
      }
    } else {  // GPU parts only: step order on the GPU
      rec.first_task = acc[0].step, rec.last_task = acc[0].step;
      for (const Access& a : acc) rec.first_task = std::min(rec.first_task, a.step), rec.last_task = std::max(rec.last_task, a.step);
    }
    m.in_host_arena[t] = host[t];
    m.tensors[host[t]].push_back(int(t));
    m.records[host[t]].push_back(rec);
  }
  for (int arena = 0; arena < 2; ++arena) {
    const auto& ids = m.tensors[arena];
    const size_t count = ids.size();
    std::vector<Extent> ext;
    for (int t : ids) ext.push_back(extent_of(accesses[size_t(t)]));
    std::vector<bool> conflicts(count * count, false);
    for (size_t i = 0; i < count; ++i)
      for (size_t j = i + 1; j < count; ++j)
        conflicts[i * count + j] = conflicts[j * count + i] =
            !all_before(order, ext[i], ext[j]) && !all_before(order, ext[j], ext[i]);
    if (!aliasing) {
      m.plans[arena] = memory::plan_memory(m.records[arena], memory::Strategy::kNaive, alignment);
    } else {
      // The interval records are conservative (pairs on one processor may look live at once);
      // the greedy placement under the exact relation often packs tighter. Keep the smaller.
      m.plans[arena] = memory::plan_memory_best(m.records[arena], alignment);
      memory::MemoryPlan exact = memory::plan_memory_with_conflicts(m.records[arena], conflicts, alignment);
      if (exact.total_bytes < m.plans[arena].total_bytes) {
        m.plans[arena] = std::move(exact);
        m.exact_conflicts[arena] = true;
      }
    }
    for (size_t i = 0; i < m.tensors[arena].size(); ++i)
      m.offset[size_t(m.tensors[arena][i])] = int64_t(m.plans[arena].offsets[i]);
    std::string why;
    if (!memory::plan_respects_conflicts(m.records[arena], conflicts, m.plans[arena], &why))
      fail(ErrorKind::kInternal, "co-execution memory of '{}' ({} arena): {}", g.model_name,
           arena ? "host-visible" : "device-local", why);
  }
  m.syncs = syncs;
  return m;
}

// Adds the lag-1 waits of step k: its CPU part after the GPU part of step k-1, its GPU part after
// the CPU part of step k-1 (where both exist and no later wait is there already). False if none.
bool add_lag_one_waits(const Graph& g, const Plan& plan, int k, PlanSyncs& syncs) {
  const Ranges r = part_ranges(g, plan);
  bool added = false;
  StepSyncs& s = syncs.steps[size_t(k)];
  if (r.cpu[size_t(k)] && r.gpu[size_t(k - 1)] && s.cpu_waits_for_gpu_step < k - 1) {
    s.cpu_waits_for_gpu_step = k - 1;
    syncs.steps[size_t(k - 1)].gpu_needed_by_cpu = true;
    added = true;
  }
  if (r.gpu[size_t(k)] && r.cpu[size_t(k - 1)] && s.gpu_waits_for_cpu_step < k - 1) {
    s.gpu_waits_for_cpu_step = k - 1;
    syncs.steps[size_t(k - 1)].cpu_signals = true;
    added = true;
  }
  return added;
}

}  // namespace

CoexecMemory plan_coexec_memory(const Graph& g, const Plan& plan, const CoexecMemoryOptions& options) {
  PlanSyncs syncs = derive_syncs(g, plan);
  CoexecMemory m = plan_with_syncs(g, plan, syncs, options.alignment, options.aliasing);
  std::vector<int> ids;
  m.single_device_bytes = memory::plan_memory_best(activation_usage_records(g, &ids), options.alignment).total_bytes;
  if (!options.aliasing || options.target_ratio <= 0) return m;
  const auto over = [&](const CoexecMemory& c) {
    return double(c.total_bytes()) > options.target_ratio * double(m.single_device_bytes);
  };
  if (!over(m)) return m;
  // Memory synchronizations: lag-1 waits at the steps that touch the biggest tensors first, in a
  // few rounds, until the arenas are within the target (or no step is left).
  std::vector<std::pair<size_t, int>> candidates;  // (bytes the step touches, step)
  for (int k = 1; k < int(g.ops.size()); ++k) {
    PlanSyncs probe = syncs;
    if (!add_lag_one_waits(g, plan, k, probe)) continue;
    size_t bytes = g.tensors[size_t(g.ops[size_t(k)].outputs[0])].shape4().phwc4_bytes();
    for (int t : g.ops[size_t(k)].inputs)
      if (t >= 0 && !g.tensors[size_t(t)].is_constant) bytes += g.tensors[size_t(t)].shape4().phwc4_bytes();
    candidates.push_back({bytes, k});
  }
  std::stable_sort(candidates.begin(), candidates.end(), [](const auto& a, const auto& b) { return a.first > b.first; });
  constexpr int kRounds = 8;
  const size_t per_round = std::max<size_t>(1, (candidates.size() + kRounds - 1) / kRounds);
  int added = 0;
  for (size_t next = 0; next < candidates.size() && over(m);) {
    for (size_t end = std::min(candidates.size(), next + per_round); next < end; ++next)
      added += add_lag_one_waits(g, plan, candidates[next].second, syncs);
    CoexecMemory tighter = plan_with_syncs(g, plan, syncs, options.alignment, true);
    tighter.single_device_bytes = m.single_device_bytes;
    tighter.memory_syncs = added;
    m = std::move(tighter);
  }
  return m;
}

}  // namespace hetsched::partition
