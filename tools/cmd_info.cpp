// `hetsched info MODEL`: inputs/outputs, op counts, MACs per op and in total, parameter and
// activation bytes, epilogues; --memory: the memory planner's strategies (with --policy P: the
// co-execution arenas of P's plan, partition/plan_liveness.h); --gpu: the GPU executor's
// dispatch list after fusion and the dispatch counts before and after; --json for the same as JSON.
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <nlohmann/json.hpp>

#include <map>
#include <set>

#include "gpu/dispatch_plan.h"
#include "gpu/gpu_fusions.h"
#include "graph/epilogue.h"
#include "graph/live_ranges.h"
#include "graph/load_model.h"
#include "graph/passes/pipeline.h"
#include "base/error.h"
#include "graph/op_registry.h"
#include "memory/memory_planner.h"
#include "partition/plan_liveness.h"
#include "partition/policy.h"
#include "scheduler/model.h"
#include "scheduler/model_summary.h"
#include "tools/cli_validate.h"
#include "tools/commands.h"

namespace hetsched::tools {
namespace {

struct InfoArgs {
  std::string model;
  bool json = false;
  bool memory = false;
  bool gpu = false;
  std::string policy;  // with --memory: the co-execution arenas of this policy's plan
};

// The co-execution arenas of a policy's plan (device-free: `auto` needs a saved plan) next to the
// single-device best plan and to the same arenas without aliasing.
nlohmann::json describe_coexec_memory(const Graph& g, const std::string& policy_text, size_t single_best) {
  const auto policy = partition::parse_policy(policy_text);
  if (policy.kind == partition::PolicySpec::Kind::kAuto)
    fail(ErrorKind::kInvalidArgument,
         "info --memory --policy auto: the auto plan needs the device's op profile; save it with `hetsched plan {} "
         "--policy auto --save FILE` and pass --policy plan=FILE",
         g.model_name);
  const auto plan = partition::make_plan(g, policy);
  const auto aliased = partition::plan_coexec_memory(g, plan);
  const auto order_only = partition::plan_coexec_memory(g, plan, {.target_ratio = 0});
  const auto naive = partition::plan_coexec_memory(g, plan, {.aliasing = false});
  nlohmann::json j;
  j["policy"] = policy_text;
  j["host_arena_bytes"] = aliased.plans[1].total_bytes;
  j["device_arena_bytes"] = aliased.plans[0].total_bytes;
  j["total_bytes"] = aliased.total_bytes();
  const auto method = [&](int arena) {
    return std::string(memory::to_string(aliased.plans[arena].strategy)) +
           (aliased.exact_conflicts[arena] ? ", exact conflicts" : "");
  };
  j["host_arena_strategy"] = method(1);
  j["device_arena_strategy"] = method(0);
  j["host_tensors"] = aliased.tensors[1].size();
  j["device_tensors"] = aliased.tensors[0].size();
  j["memory_syncs"] = aliased.memory_syncs;
  j["plan_order_only_bytes"] = order_only.total_bytes();
  j["without_aliasing_bytes"] = naive.total_bytes();
  j["single_device_best_bytes"] = single_best;
  j["ratio_to_single_device"] = single_best ? double(aliased.total_bytes()) / double(single_best) : 1.0;
  j["plan_order_only_ratio"] = single_best ? double(order_only.total_bytes()) / double(single_best) : 1.0;
  return j;
}

// The GPU dispatch list of the prepared (fused) graph, and the dispatch count the same model has
// when prepared without elementwise fusion.
nlohmann::json describe_gpu(const Graph& fused, const std::string& path) {
  Graph unfused = load_tflite(path);
  prepare_graph(unfused, nullptr, PrepareOptions{.fuse_elementwise = false});
  const auto before = gpu::plan_dispatches(unfused, false);
  const auto fused_only = gpu::plan_dispatches(fused, false);
  const auto switches = gpu::GpuFusionSwitches::from_env();  // as the executor's default (gpu/gpu_fusions.h)
  const auto after = gpu::plan_dispatches(fused, true, switches);
  const gpu::GpuFusions kernels = gpu::plan_gpu_fusions(fused, switches);
  nlohmann::json j;
  j["dispatches_before_fusion"] = before.size();
  j["dispatches_after_fusion"] = after.size();
  j["in_place_concats"] = fused_only.size() - gpu::plan_dispatches(fused, true).size();
  j["fused_depthwise_pointwise"] = kernels.count(gpu::FusionKind::kDepthwisePointwise);
  j["fused_mean_fc"] = kernels.count(gpu::FusionKind::kMeanFc);
  j["fused_away"] = kernels.elided();  // dispatches the kernel fusions removed
  j["ops_without_gpu_kernel"] = fused.ops.size() - fused_only.size();
  j["dispatches"] = nlohmann::json::array();
  for (const auto& d : after) {
    const Op& op = fused.ops[size_t(d.op_index)];
    j["dispatches"].push_back({{"op", d.op_index}, {"type", to_string(op.type)}, {"shader", d.shader},
                               {"activation", to_string(op.activation())}, {"epilogue", d.epilogue},
                               {"writes_into", d.writes_into}, {"local_size", d.local},
                               {"block", d.register_blocked ? nlohmann::json(d.block) : nlohmann::json()},
                               {"workgroups", d.workgroups}});
  }
  return j;
}

nlohmann::json describe(const Graph& g, bool with_memory) {
  nlohmann::json j;
  j["model"] = g.model_name;
  j["inputs"] = tensors_json(g, g.inputs);
  j["outputs"] = tensors_json(g, g.outputs);
  const OpCensus census = op_census(g);
  std::set<int> params;
  j["ops"] = nlohmann::json::array();
  for (size_t i = 0; i < g.ops.size(); ++i) {
    const Op& op = g.ops[i];
    for (int t : op.inputs)
      if (t >= 0 && g.tensors[t].is_constant) params.insert(t);
    j["ops"].push_back({{"index", i}, {"model_index", op.model_index}, {"type", to_string(op.type)},
                        {"activation", to_string(op.activation())}, {"epilogue", epilogue_string(g, op)},
                        {"output_shape", g.tensors[op.outputs[0]].shape}, {"macs", census.macs[i]}});
  }
  j["op_counts"] = census.counts;
  j["total_macs"] = census.total_macs;
  size_t param_bytes = 0;
  for (int t : params) param_bytes += g.tensors[t].data.size();
  j["parameter_bytes"] = param_bytes;
  std::vector<int> ids;
  const auto records = activation_usage_records(g, &ids);
  size_t act = 0;
  for (const auto& r : records) act += r.size;
  j["activation_bytes"] = act;
  const auto best = memory::plan_memory_best(records, 64);
  j["activation_arena_bytes"] = best.total_bytes;
  if (with_memory) {
    j["memory"] = nlohmann::json::array();
    const size_t lb = memory::memory_lower_bound(records);
    j["memory_lower_bound"] = lb;
    for (auto s : memory::kAllStrategies) {
      const auto p = memory::plan_memory(records, s, 64);
      j["memory"].push_back({{"strategy", memory::to_string(s)}, {"bytes", p.total_bytes},
                             {"ratio_to_lower_bound", lb ? double(p.total_bytes) / double(lb) : 1.0},
                             {"best", p.strategy == best.strategy && p.total_bytes == best.total_bytes}});
    }
  }
  return j;
}

void print_text(const nlohmann::json& j) {
  fmt::print("model        {}\n", j["model"].get<std::string>());
  for (const auto& t : j["inputs"])
    fmt::print("input        {} {} {}\n", t["name"].get<std::string>(), t["shape"].dump(), t["dtype"].get<std::string>());
  for (const auto& t : j["outputs"])
    fmt::print("output       {} {} {}\n", t["name"].get<std::string>(), t["shape"].dump(), t["dtype"].get<std::string>());
  fmt::print("ops          {}\n", j["ops"].size());
  for (const auto& [type, n] : j["op_counts"].items()) fmt::print("  {:<20} {}\n", type, n.get<int>());
  fmt::print("MACs         {:.1f} M\n", j["total_macs"].get<int64_t>() / 1e6);
  fmt::print("parameters   {:.2f} MB (float32 after folding)\n", j["parameter_bytes"].get<size_t>() / 1e6);
  fmt::print("activations  {:.2f} MB in PHWC4, {:.2f} MB arena after planning\n",
             j["activation_bytes"].get<size_t>() / 1e6, j["activation_arena_bytes"].get<size_t>() / 1e6);
  fmt::print("\n{:>5} {:>5}  {:<20} {:<8} {:<18} {:>12}  {}\n", "op", "model", "type", "act", "output", "MACs",
             "epilogue");
  for (const auto& o : j["ops"])
    fmt::print("{:>5} {:>5}  {:<20} {:<8} {:<18} {:>12}  {}\n", o["index"].get<int>(), o["model_index"].get<int>(),
               o["type"].get<std::string>(), o["activation"].get<std::string>(), o["output_shape"].dump(),
               o["macs"].get<int64_t>(), o["epilogue"].get<std::string>());
  if (j.contains("gpu")) {
    const auto& gj = j["gpu"];
    fmt::print("\nGPU dispatches: {} before fusion, {} after ({} concats written in place; {} depthwise + 1x1 conv "
               "and {} MEAN + FC kernels, {} dispatches fewer; {} ops without a GPU kernel)\n",
               gj["dispatches_before_fusion"].get<size_t>(), gj["dispatches_after_fusion"].get<size_t>(),
               gj["in_place_concats"].get<size_t>(), gj["fused_depthwise_pointwise"].get<int>(),
               gj["fused_mean_fc"].get<int>(), gj["fused_away"].get<int>(), gj["ops_without_gpu_kernel"].get<size_t>());
    fmt::print("(untuned defaults, as with --no-tune; block: output slices x pixels per invocation)\n");
    fmt::print("{:>5}  {:<20} {:<18} {:<8} {:<12} {:<6} {:<14}  {}\n", "op", "type", "shader", "act", "local",
               "block", "workgroups", "epilogue");
    auto dims = [](const nlohmann::json& a) {
      return fmt::format("{}x{}x{}", a[0].get<uint32_t>(), a[1].get<uint32_t>(), a[2].get<uint32_t>());
    };
    for (const auto& d : gj["dispatches"])
      fmt::print("{:>5}  {:<20} {:<18} {:<8} {:<12} {:<6} {:<14}  {}\n", d["op"].get<int>(),
                 d["type"].get<std::string>(), d["shader"].get<std::string>(), d["activation"].get<std::string>(),
                 dims(d["local_size"]),
                 d["block"].is_null() ? std::string("-")
                                      : fmt::format("{}x{}", d["block"][0].get<uint32_t>(), d["block"][1].get<uint32_t>()),
                 dims(d["workgroups"]),
                 d["epilogue"].get<std::string>() +
                     (d["writes_into"].get<std::string>().empty() ? "" : "  [into " + d["writes_into"].get<std::string>() + "]"));
  }
  if (j.contains("memory")) {
    fmt::print("\nmemory plan (lower bound {} bytes)\n", j["memory_lower_bound"].get<size_t>());
    for (const auto& m : j["memory"])
      fmt::print("  {:<18} {:>12} bytes  {:.3f}x{}\n", m["strategy"].get<std::string>(), m["bytes"].get<size_t>(),
                 m["ratio_to_lower_bound"].get<double>(), m["best"].get<bool>() ? "  (used)" : "");
  }
  if (j.contains("coexec_memory")) {
    const auto& c = j["coexec_memory"];
    fmt::print("\nco-execution arenas of policy {} (tensors shared by plan order)\n", c["policy"].get<std::string>());
    fmt::print("  host-visible   {:>12} bytes  {} tensors ({})\n", c["host_arena_bytes"].get<size_t>(),
               c["host_tensors"].get<size_t>(), c["host_arena_strategy"].get<std::string>());
    fmt::print("  device-local   {:>12} bytes  {} tensors ({})\n", c["device_arena_bytes"].get<size_t>(),
               c["device_tensors"].get<size_t>(), c["device_arena_strategy"].get<std::string>());
    fmt::print("  total          {:>12} bytes  {:.3f}x the single-device best ({} bytes); {} bytes without aliasing\n",
               c["total_bytes"].get<size_t>(), c["ratio_to_single_device"].get<double>(),
               c["single_device_best_bytes"].get<size_t>(), c["without_aliasing_bytes"].get<size_t>());
    fmt::print("  memory syncs   {:>12}        added waits (by the plan's own order alone: {} bytes, {:.3f}x)\n",
               c["memory_syncs"].get<int>(), c["plan_order_only_bytes"].get<size_t>(),
               c["plan_order_only_ratio"].get<double>());
  }
}

}  // namespace

Command add_info_command(CLI::App& app) {
  auto a = std::make_shared<InfoArgs>();
  CLI::App* c = app.add_subcommand("info", "Describe a .tflite model: ops, MACs, bytes");
  c->add_option("model", a->model, "the .tflite model")->required();
  c->add_flag("--json", a->json, "print as JSON");
  c->add_flag("--memory", a->memory, "compare the memory planner's strategies");
  c->add_option("--policy", a->policy,
                 "with --memory: also the co-execution arenas of this policy's plan (cpu | gpu | ratio=R[:rows] | "
                 "plan=FILE)");
  c->add_flag("--gpu", a->gpu, "the GPU dispatch list after fusion, and the dispatch counts before and after");
  return {c, [a] {
            check_readable_file(a->model, "model file");
            const auto model = Model::load(a->model);
            auto j = describe(model->graph(), a->memory);
            if (!a->policy.empty()) {
              if (!a->memory) fail(ErrorKind::kInvalidArgument, "info: --policy needs --memory");
              j["coexec_memory"] = describe_coexec_memory(model->graph(), a->policy, j["activation_arena_bytes"].get<size_t>());
            }
            if (a->gpu) j["gpu"] = describe_gpu(model->graph(), a->model);
            if (a->json) fmt::print("{}\n", j.dump(2));
            else print_text(j);
            return 0;
          }};
}

}  // namespace hetsched::tools
