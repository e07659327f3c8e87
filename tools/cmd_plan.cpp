// `hetsched plan MODEL --policy P [--measure]`: prints the plan of a policy with each step's
// predicted cost: from this machine's device profile and its latency predictor when it has one
// (scheduler/predicted_costs.h), else from the op profile of this model (measured once, cached);
// --measure also runs the plan and prints what each step and the whole run measured.
#include <algorithm>
#include <filesystem>
#include <map>

#include <unistd.h>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "base/stats.h"
#include "gpu/device.h"
#include "gpu/pipeline_cache.h"
#include "partition/plan_syncs.h"
#include "partition/policy.h"
#include "scheduler/model.h"
#include "scheduler/predicted_costs.h"
#include "scheduler/session.h"
#include "tools/cli_validate.h"
#include "tools/commands.h"

namespace hetsched::tools {
namespace {
struct PlanArgs : SessionArgs {
  PlanArgs() { policy = "auto"; }
  bool json = false;
  std::string save;
  bool measured_costs = false;  // --measured-costs: never the predictor
  int measure = 0;              // --measure N: run the plan N times and compare
};

// Per op, the measured time of its step (first part's start to last part's end; a split op's
// two parts overlap) over `runs` profiled runs of the plan in `plan_file`, and the median total.
struct Measured {
  std::vector<double> step_ms;
  double total_ms = 0;
};

Measured measure_plan(const std::shared_ptr<const Model>& model, const std::string& plan_file, int threads, int device,
                      int runs) {
  SessionOptions o;
  o.policy = partition::parse_policy("plan=" + plan_file);
  o.threads = threads;
  o.device = device;
  Session session(model, o);
  for (int w = 0; w < 5; ++w) session.run();
  std::vector<double> totals;
  for (int r = 0; r < runs; ++r) {
    session.run();
    totals.push_back(session.last_report().total_ms);
  }
  session.set_profiling(true);  // per-step times from separate runs: profiling adds barriers
  const size_t n = model->graph().ops.size();
  std::vector<std::vector<double>> per_op(n);
  for (int r = 0; r < std::max(3, runs / 4); ++r) {
    session.run();
    std::map<int, std::pair<double, double>> span;
    for (const StepReport& s : session.last_report().steps) {
      auto [it, fresh] = span.try_emplace(s.op_index, s.start_ms, s.end_ms);
      if (!fresh) it->second = {std::min(it->second.first, s.start_ms), std::max(it->second.second, s.end_ms)};
    }
    for (const auto& [op, se] : span) per_op[size_t(op)].push_back(se.second - se.first);
  }
  Measured m;
  m.total_ms = median(totals, 0);
  for (auto& v : per_op) m.step_ms.push_back(median(v, 0));
  return m;
}
}  // namespace

Command add_plan_command(CLI::App& app) {
  auto a = std::make_shared<PlanArgs>();
  CLI::App* c = app.add_subcommand("plan", "Print the plan of a policy with predicted step costs");
  add_session_options(c, *a, "cpu | gpu | auto | ratio=R[:rows] | plan=FILE");
  c->add_flag("--json", a->json, "print as JSON");
  c->add_option("--save", a->save, "also save the plan (JSON) for --policy plan=FILE");
  c->add_flag("--measured-costs", a->measured_costs,
              "plan from measured op costs even when the device profile has a predictor");
  c->add_option("--measure", a->measure, "also run the plan N times (e.g. 30) and print measured vs predicted");
  return {c, [a] {
            check_readable_file(a->model, "model file");
            if (!a->save.empty()) check_writable_file(a->save, "--save file");
            check_device_index(a->device);
            const auto model = Model::load(a->model);
            const Graph& g = model->graph();
            const auto policy = partition::parse_policy(a->policy);
            gpu::VulkanDevice device(gpu::DeviceOptions{a->device, false});
            gpu::PipelineCache cache(device);
            if (a->measure < 0) fail(ErrorKind::kInvalidArgument, "--measure must be >= 0 (got {})", a->measure);
            const PlanningCosts planning = planning_costs(g, device, &cache, a->threads, !a->measured_costs);
            const partition::CostModel& costs = planning.costs;
            const std::string& cost_source = planning.source;
            const auto plan = partition::make_plan(g, policy, &costs);
            if (!a->save.empty()) partition::save_plan(plan, a->save);
            Measured measured;
            if (a->measure > 0) {
              const auto tmp = std::filesystem::temp_directory_path() /
                               fmt::format("hetsched-plan-{}-{}.json", g.model_name, ::getpid());
              partition::save_plan(plan, tmp.string());
              try {
                measured = measure_plan(model, tmp.string(), a->threads, a->device, a->measure);
              } catch (...) {
                std::filesystem::remove(tmp);
                throw;
              }
              std::filesystem::remove(tmp);
            }
            const auto syncs = partition::derive_syncs(g, plan);
            if (a->json) {
              nlohmann::json j = partition::to_json_with_syncs(plan, syncs);
              j["cost_source"] = cost_source;
              j["op_costs_ms"] = nlohmann::json::array();  // per op: [cpu, gpu] (gpu -1: no GPU kernel)
              for (const auto& c : costs.ops) j["op_costs_ms"].push_back({c.cpu_ms, c.gpu_ms});
              if (a->measure > 0) {
                j["measured_ms"] = measured.total_ms;
                j["measured_step_ms"] = measured.step_ms;
              }
              fmt::print("{}\n", j.dump(2));
              return 0;
            }
            fmt::print("plan of {} with policy {} on {} ({} CPU threads)\n", g.model_name, a->policy,
                       device.describe(), a->threads > 0 ? fmt::to_string(a->threads) : "all");
            fmt::print("costs: {}\n", cost_source);
            fmt::print("sync {:.3f} ms per cross-device synchronization; predicted total {:.3f} ms\n", costs.sync_ms,
                       plan.predicted_ms);
            if (a->measure > 0)
              fmt::print("measured total {:.3f} ms (median of {} runs after 5 warm-up): predicted / measured {:.3f}\n",
                         measured.total_ms, a->measure, plan.predicted_ms / std::max(measured.total_ms, 1e-9));
            fmt::print("{} cross-device edges: the host waits for the GPU {} times, the GPU for the host {} times; "
                       "{} bytes cross in place (shared arena), {} copied\n",
                       syncs.cross_edges, syncs.host_waits, syncs.gpu_waits, syncs.bytes_crossing, syncs.bytes_copied);
            fmt::print("{:>5}  {:<20} {:<6} {:<8} {:>9}  {:>9} {:>9} {:>10}{}  {}\n", "op", "type", "kind", "axis", "boundary",
                       "cpu ms", "gpu ms", "step ms", a->measure > 0 ? fmt::format(" {:>10}", "measured") : "", "syncs");
            for (const auto& s : plan.steps) {
              const bool split = s.kind == partition::StepKind::kSplit;
              const auto& sy = syncs.steps[size_t(s.op_index)];
              std::string notes;
              if (sy.cpu_waits_for_gpu_step >= 0) notes += fmt::format("cpu waits gpu@{} ", sy.cpu_waits_for_gpu_step);
              if (sy.gpu_waits_for_cpu_step >= 0) notes += fmt::format("gpu waits cpu@{} ", sy.gpu_waits_for_cpu_step);
              if (sy.cpu_signals) notes += "signals gpu ";
              if (sy.gpu_needed_by_cpu) notes += "signals cpu ";
              if (sy.chained) notes += "chained ";
              const std::string meas =
                  a->measure > 0 ? fmt::format(" {:>10.3f}", measured.step_ms[size_t(s.op_index)]) : "";
              fmt::print("{:>5}  {:<20} {:<6} {:<8} {:>9}  {:>9.3f} {:>9.3f} {:>10.3f}{}  {}\n", s.op_index,
                         to_string(g.ops[s.op_index].type), partition::to_string(s.kind),
                         split ? partition::to_string(s.axis) : "", split ? fmt::to_string(s.boundary) : "",
                         costs.ops[s.op_index].cpu_ms, costs.ops[s.op_index].gpu_ms, s.predicted_ms, meas, notes);
            }
            return 0;
          }};
}

}  // namespace hetsched::tools
