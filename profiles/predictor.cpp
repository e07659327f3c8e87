// Predictor loading, validation and evaluation (see header).
#include "profiles/predictor.h"

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <nlohmann/json.hpp>

#include <cmath>
#include <fstream>

#include "base/error.h"

namespace hetsched::profiles {
namespace {

constexpr const char* kFormat = "hetsched-latency-predictor";

KernelModel kernel_model_from_json(const nlohmann::json& j, const std::string& context) {
  KernelModel m;
  const int nf = int(feature_names().size());
  const std::string kind = j.value("kind", "");
  const std::string target = j.value("target", "us");
  if (target != "us" && target != "log_us")
    fail(ErrorKind::kInvalidModel, "{}: target '{}' (expected us or log_us)", context, target);
  m.log_target = target == "log_us";
  if (kind == "gbt") {
    m.kind = KernelModel::Kind::kTrees;
    m.trees = tree_ensemble_from_json(j, nf, context);
  } else if (kind == "linear") {
    m.kind = KernelModel::Kind::kLinear;
    m.intercept = j.value("intercept", 0.0);
    if (!j.contains("coef") || !j["coef"].is_array() || j["coef"].size() != size_t(nf))
      fail(ErrorKind::kInvalidModel, "{}: a linear model needs \"coef\" with {} numbers", context, nf);
    j["coef"].get_to(m.coef);
    for (double c : m.coef)
      if (!std::isfinite(c)) fail(ErrorKind::kInvalidModel, "{}: a linear coefficient is not finite", context);
  } else {
    fail(ErrorKind::kInvalidModel, "{}: kind '{}' (expected gbt or linear)", context, kind);
  }
  return m;
}

}  // namespace

double KernelModel::predict_us(std::span<const double> x) const {
  double y = 0;
  if (kind == Kind::kTrees) {
    y = trees.eval(x);
  } else {
    y = intercept;
    for (size_t i = 0; i < coef.size(); ++i) y += coef[i] * x[i];
  }
  return log_target ? std::exp(y) : std::max(0.0, y);
}

const KernelModel* ProcessorModel::find(const std::string& op_type) const {
  if (auto it = kernels.find(op_type); it != kernels.end()) return &it->second;
  if (auto it = kernels.find("*"); it != kernels.end()) return &it->second;
  return nullptr;
}

double ProcessorModel::fixed(const std::string& name, double fallback) const {
  const auto it = fixed_us.find(name);
  return it == fixed_us.end() ? fallback : it->second;
}

Predictor Predictor::load(const std::filesystem::path& file) {
  std::ifstream f(file);
  if (!f) fail(ErrorKind::kInvalidArgument, "predictor '{}': cannot be read", file.string());
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(f);
  } catch (const nlohmann::json::exception& e) {
    fail(ErrorKind::kInvalidModel, "predictor '{}': not valid JSON ({})", file.string(), e.what());
  }
  Predictor p = from_json(j, fmt::format("predictor '{}'", file.string()));
  p.file_ = file.string();
  return p;
}

Predictor Predictor::from_json(const nlohmann::json& j, const std::string& context) {
  if (!j.is_object() || j.value("format", "") != kFormat)
    fail(ErrorKind::kInvalidModel, "{}: not a hetsched latency predictor (\"format\" must be \"{}\")", context,
         kFormat);
  if (j.value("version", -1) != kVersion)
    fail(ErrorKind::kInvalidModel, "{}: version {} (this build reads version {}); train it again", context,
         j.value("version", -1), kVersion);
  std::vector<std::string> names;
  try {
    j.at("features").get_to(names);
  } catch (const nlohmann::json::exception&) {
    fail(ErrorKind::kInvalidModel, "{}: \"features\" must list the feature names", context);
  }
  if (names != feature_names())
    fail(ErrorKind::kInvalidModel, "{}: its features [{}] are not this build's [{}]; train it again", context,
         fmt::join(names, ","), fmt::join(feature_names(), ","));
  if (!j.contains("processors") || !j["processors"].is_object() || j["processors"].empty())
    fail(ErrorKind::kInvalidModel, "{}: \"processors\" must be a non-empty object", context);
  Predictor p;
  for (const auto& [key, jp] : j["processors"].items()) {
    ProcessorModel pm;
    if (!jp.is_object() || !jp.contains("kernels") || !jp["kernels"].is_object())
      fail(ErrorKind::kInvalidModel, "{}: processor '{}' needs a \"kernels\" object", context, key);
    for (const auto& [type, jk] : jp["kernels"].items())
      pm.kernels[type] = kernel_model_from_json(jk, fmt::format("{}: {} {}", context, key, type));
    if (jp.contains("context")) {
      // A context model of the trainer's CONTEXT_EXTRA knob names inputs beyond the kernel's features.
      if (jp["context"].contains("features") && jp["context"]["features"] != nlohmann::json(feature_names()))
        fail(ErrorKind::kInvalidModel, "{}: {} context model reads features {} (this build gives it the kernel's "
             "only); train it with predictors.CONTEXT_EXTRA empty", context, key, jp["context"]["features"].dump());
      pm.context = kernel_model_from_json(jp["context"], fmt::format("{}: {} context", context, key));
      if (!pm.context->log_target)
        fail(ErrorKind::kInvalidModel, "{}: {} context model needs target \"log_us\" (a factor's log)", context, key);
    }
    if (jp.contains("fixed_us")) {
      for (const auto& [name, v] : jp["fixed_us"].items()) {
        if (!v.is_number() || !std::isfinite(v.get<double>()))
          fail(ErrorKind::kInvalidModel, "{}: {} fixed cost '{}' is not a number", context, key, name);
        pm.fixed_us[name] = v.get<double>();
      }
    }
    p.processors_[key] = std::move(pm);
  }
  return p;
}

const ProcessorModel& Predictor::processor(const std::string& key) const {
  const auto it = processors_.find(key);
  if (it == processors_.end()) {
    std::vector<std::string> keys;
    for (const auto& [k, v] : processors_) keys.push_back(k);
    fail(ErrorKind::kInvalidArgument, "predictor '{}' has no processor '{}' (it has {})", file_, key,
         fmt::join(keys, ", "));
  }
  return it->second;
}

double Predictor::kernel_us(const std::string& processor_key, const KernelFeatures& f, RangeAxis axis,
                            const OutputRange& range) const {
  if (range.empty()) return 0;
  const ProcessorModel& pm = processor(processor_key);
  const KernelModel* m = pm.find(f.op_type);
  if (!m)
    fail(ErrorKind::kInvalidArgument, "predictor '{}': processor '{}' has no model for {} and no fallback", file_,
         processor_key, f.op_type);
  const std::vector<double> x = feature_vector(f, axis, range);
  double us = pm.fixed("kernel_scale", 1.0) * m->predict_us(x);  // inside a model run, not alone
  if (pm.context) {
    const std::vector<double> whole = feature_vector(f, RangeAxis::kWhole, OutputRange::whole(f.out));
    us *= pm.context->predict_us(whole);
  }
  return us;
}

Prediction Predictor::model_us(const Graph& g, const std::string& processor_key,
                              const std::vector<bool>* gpu_ops) const {
  const bool gpu = processor_key.rfind("gpu", 0) == 0;
  const ProcessorModel& pm = processor(processor_key);
  Prediction p;
  p.kernel_us.assign(g.ops.size(), 0.0);
  for (size_t i = 0; i < g.ops.size(); ++i) {
    if (gpu && gpu_ops && !gpu_ops->at(i)) continue;
    const Op& op = g.ops[i];
    const KernelFeatures f = kernel_features(g, op);
    p.kernel_us[i] = kernel_us(processor_key, f, RangeAxis::kWhole, OutputRange::whole(f.out));
    p.total_us += p.kernel_us[i];
  }
  int kernels = 0;
  for (double k : p.kernel_us) kernels += k > 0;
  p.fixed_us = pm.fixed("per_op_us") * kernels + (gpu ? pm.fixed("gpu_submit_us") : 0);
  p.total_us += p.fixed_us;
  return p;
}

double Predictor::split_us(const Graph& g, int op_index, RangeAxis axis, double cpu_fraction, const std::string& cpu,
                           const std::string& gpu) const {
  const Op& op = g.ops.at(size_t(op_index));
  const KernelFeatures f = kernel_features(g, op);
  const OutputRange cpu_range = fraction_range(f.out, axis, cpu_fraction);
  OutputRange gpu_range = OutputRange::whole(f.out);
  if (axis == RangeAxis::kSlices) gpu_range.slice_begin = cpu_range.slice_end;
  else if (axis == RangeAxis::kRows) gpu_range.row_begin = cpu_range.row_end;
  else gpu_range = OutputRange{};  // kWhole: all on the CPU
  const bool both = !cpu_range.empty() && !gpu_range.empty();
  // Both sides at once: each at its co-running slowdown (--corun rows; 1 when not measured).
  const double c = kernel_us(cpu, f, axis, cpu_range) * (both ? processor(cpu).fixed("corun_factor", 1) : 1);
  const double gp = kernel_us(gpu, f, axis, gpu_range) * (both ? processor(gpu).fixed("corun_factor", 1) : 1);
  return std::max(c, gp) + (both ? processor(gpu).fixed("sync_us") : 0);
}

}  // namespace hetsched::profiles
