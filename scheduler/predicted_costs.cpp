// Op costs from the device profile's predictor (predicted_costs.h).
#include "scheduler/predicted_costs.h"

#include <set>

#include <fmt/format.h>

#include "gpu/dispatch_plan.h"
#include "base/error.h"
#include "partition/policy.h"
#include "profiles/device_profile.h"
#include "profiles/kernel_features.h"
#include "profiles/machine_info.h"
#include "profiles/predictor.h"
#include "scheduler/op_profiler.h"

namespace hetsched {

PredictedCosts predict_op_costs(const Graph& g, const gpu::VulkanDevice& device, int threads,
                                const std::filesystem::path& cache_dir) {
  PredictedCosts out;
  profiles::DeviceProfile id;
  id.cpu_model = profiles::cpu_model_name();
  id.has_gpu = true;
  id.gpu_vendor_id = device.info().vendor_id;
  id.gpu_device_id = device.info().device_id;
  id.gpu_driver_version = device.info().driver_version;
  out.profile_file = profiles::device_profile_path(cache_dir, id);
  if (!std::filesystem::exists(out.profile_file)) {
    out.note = fmt::format("no device profile {} (`hetsched profile --quick --gpu` builds one): ops measured",
                           out.profile_file.string());
    return out;
  }
  try {
    const profiles::DeviceProfile p = profiles::load_device_profile(out.profile_file);
    if (!p.predictor) {
      out.note = fmt::format("device profile {} has no predictor (`hetsched profile --install-predictor`): ops measured",
                             out.profile_file.string());
      return out;
    }
    profiles::Predictor predictor = profiles::Predictor::from_json(*p.predictor, out.profile_file.string());
    const int n = threads > 0 ? threads : profiles::hardware_threads();
    const std::string cpu_key = fmt::format("cpu:t{}", n);
    const std::string gpu_key = device.fp16_enabled() ? "gpu:fp16" : "gpu:fp32";
    for (const std::string& key : {cpu_key, gpu_key})
      if (!predictor.has(key)) {
        out.note = fmt::format("the predictor in {} has no '{}' model: ops measured", out.profile_file.string(), key);
        return out;
      }
    std::set<int> dispatched;
    for (const auto& d : gpu::plan_dispatches(g, true)) dispatched.insert(d.op_index);
    const profiles::ProcessorModel& cpu_model = predictor.processor(cpu_key);
    const profiles::ProcessorModel& gpu_model = predictor.processor(gpu_key);
    partition::CostModel c;
    c.model = g.model_name;
    c.device = device.describe();
    c.threads = threads;
    c.ops.assign(g.ops.size(), {});
    for (size_t i = 0; i < g.ops.size(); ++i) {
      const profiles::KernelFeatures f = profiles::kernel_features(g, g.ops[i]);
      const auto whole = OutputRange::whole(f.out);
      c.ops[i].cpu_ms = predictor.kernel_us(cpu_key, f, profiles::RangeAxis::kWhole, whole) / 1000;
      // -1: no GPU kernel (a CPU fallback); 0: a kernel that is not dispatched (a concat its
      // producers write in place).
      if (!partition::gpu_supports(g.ops[i])) c.ops[i].gpu_ms = -1;
      else if (!dispatched.count(int(i))) c.ops[i].gpu_ms = 0;
      else
        c.ops[i].gpu_ms =
            (predictor.kernel_us(gpu_key, f, profiles::RangeAxis::kWhole, whole) + gpu_model.fixed("per_op_us")) / 1000;
    }
    c.cpu_fixed_ms = cpu_model.fixed("per_op_us", c.cpu_fixed_ms * 1000) / 1000;
    c.gpu_submit_ms = gpu_model.fixed("gpu_submit_us", c.gpu_submit_ms * 1000) / 1000;
    c.sync_ms = gpu_model.fixed("sync_us", c.sync_ms * 1000) / 1000;
    c.cpu_corun_factor = cpu_model.fixed("corun_factor", 1);
    c.gpu_corun_factor = gpu_model.fixed("corun_factor", 1);
    out.costs = std::move(c);
    out.note = fmt::format("op costs predicted ({} and {}) from {}", cpu_key, gpu_key, out.profile_file.string());
  } catch (const Error& e) {
    out.note = fmt::format("{}: ops measured", e.what());
  }
  return out;
}

PlanningCosts planning_costs(const Graph& g, const gpu::VulkanDevice& device, const gpu::PipelineCache* cache,
                             int threads, bool predict) {
  PlanningCosts out;
  out.source = "op costs measured (prediction off)";
  if (predict) {
    PredictedCosts predicted = predict_op_costs(g, device, threads, gpu::default_cache_dir());
    out.source = std::move(predicted.note);
    if (predicted.costs) {
      out.costs = *std::move(predicted.costs);
      return out;
    }
  }
  out.costs = profile_ops(g, device, cache, ProfileOptions{threads});
  return out;
}

}  // namespace hetsched
