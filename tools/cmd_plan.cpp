// `hetsched plan MODEL --policy P`: prints the plan of a policy with each step's predicted cost
// (from the op profile of this model on this machine, measured once and cached).
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "gpu/device.h"
#include "gpu/pipeline_cache.h"
#include "partition/plan_syncs.h"
#include "partition/policy.h"
#include "scheduler/model.h"
#include "scheduler/op_profiler.h"
#include "tools/cli_validate.h"
#include "tools/commands.h"

namespace hetsched::tools {
namespace {
struct PlanArgs {
  std::string model;
  std::string policy = "auto";
  int threads = 0;
  int device = -1;
  bool json = false;
  std::string save;
};
}  // namespace

Command add_plan_command(CLI::App& app) {
  auto a = std::make_shared<PlanArgs>();
  CLI::App* c = app.add_subcommand("plan", "Print the plan of a policy with predicted step costs");
  c->add_option("model", a->model, "the .tflite model")->required();
  c->add_option("--policy", a->policy, "cpu | gpu | auto | ratio=R[:rows] | plan=FILE")->capture_default_str();
  add_threads_option(c, a->threads);
  add_device_option(c, a->device);
  c->add_flag("--json", a->json, "print as JSON");
  c->add_option("--save", a->save, "also save the plan (JSON) for --policy plan=FILE");
  return {c, [a] {
            check_readable_file(a->model, "model file");
            if (!a->save.empty()) check_writable_file(a->save, "--save file");
            check_device_index(a->device);
            const auto model = Model::load(a->model);
            const Graph& g = model->graph();
            const auto policy = partition::parse_policy(a->policy);
            gpu::VulkanDevice device(gpu::DeviceOptions{a->device, false});
            gpu::PipelineCache cache(device);
            const auto costs = profile_ops(g, device, &cache, ProfileOptions{a->threads});
            const auto plan = partition::make_plan(g, policy, &costs);
            if (!a->save.empty()) partition::save_plan(plan, a->save);
            const auto syncs = partition::derive_syncs(g, plan);
            if (a->json) {
              fmt::print("{}\n", partition::to_json_with_syncs(plan, syncs).dump(2));
              return 0;
            }
            fmt::print("plan of {} with policy {} on {} ({} CPU threads)\n", g.model_name, a->policy,
                       device.describe(), a->threads > 0 ? fmt::to_string(a->threads) : "all");
            fmt::print("sync {:.3f} ms per cross-device synchronization; predicted total {:.3f} ms\n", costs.sync_ms,
                       plan.predicted_ms);
            fmt::print("{} cross-device edges: the host waits for the GPU {} times, the GPU for the host {} times; "
                       "{} bytes cross in place (shared arena), {} copied\n",
                       syncs.cross_edges, syncs.host_waits, syncs.gpu_waits, syncs.bytes_crossing, syncs.bytes_copied);
            fmt::print("{:>5}  {:<20} {:<6} {:<8} {:>9}  {:>9} {:>9} {:>10}  {}\n", "op", "type", "kind", "axis", "boundary",
                       "cpu ms", "gpu ms", "step ms", "syncs");
            for (const auto& s : plan.steps) {
              const bool split = s.kind == partition::StepKind::kSplit;
              const auto& sy = syncs.steps[size_t(s.op_index)];
              std::string notes;
              if (sy.cpu_waits_for_gpu_step >= 0) notes += fmt::format("cpu waits gpu@{} ", sy.cpu_waits_for_gpu_step);
              if (sy.gpu_waits_for_cpu_step >= 0) notes += fmt::format("gpu waits cpu@{} ", sy.gpu_waits_for_cpu_step);
              if (sy.cpu_signals) notes += "signals gpu ";
              if (sy.gpu_needed_by_cpu) notes += "signals cpu ";
              if (sy.chained) notes += "chained ";
              fmt::print("{:>5}  {:<20} {:<6} {:<8} {:>9}  {:>9.3f} {:>9.3f} {:>10.3f}  {}\n", s.op_index,
                         to_string(g.ops[s.op_index].type), partition::to_string(s.kind),
                         split ? partition::to_string(s.axis) : "", split ? fmt::to_string(s.boundary) : "",
                         costs.ops[s.op_index].cpu_ms, costs.ops[s.op_index].gpu_ms, s.predicted_ms, notes);
            }
            return 0;
          }};
}

}  // namespace hetsched::tools
