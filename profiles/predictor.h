// Latency predictor: per processor ("cpu:t1", "cpu:t2", "gpu:fp32", "gpu:fp16"), one model per kernel
// type (op type; "*" is the fallback for types without their own) and the processor's fixed costs,
// loaded from the JSON file profiles/train/train.py writes. Kernel models:
//   "gbt":    a tree ensemble (tree_ensemble.h) over feature_vector() (kernel_features.h)
//   "linear": intercept + sum coef[i] * x[i] (the FLOPs-linear baseline: one coefficient, on range_macs)
// with "target" "log_us" (the output is log(us): exp() is applied) or "us".
// A kernel's prediction is its model's output (the kernel timed alone, as most dataset rows are)
// times its context factor, the processor's "context" model evaluated on the kernel's whole-output
// features (how much slower this kernel runs inside a whole run, learned from the profiler's
// in_model rows: its weights are no longer in cache there; 1 where the file has none), times the
// processor's kernel_scale (fixed_us, fitted by the trainer with per_op_us; 1 where absent): what
// remains between a run and its kernels. A model's prediction is the sum of
// its kernels plus the processor's fixed costs (per_op_us per kernel: what a whole run spends
// between kernels; gpu_submit_us once on a GPU); a split op's is
// the slower side (CPU over the first part of the output, GPU over the rest) plus one sync.
#pragma once
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "graph/graph.h"
#include "profiles/kernel_features.h"
#include "profiles/tree_ensemble.h"

namespace hetsched::profiles {

struct KernelModel {
  enum class Kind { kTrees, kLinear } kind = Kind::kTrees;
  bool log_target = true;
  TreeEnsemble trees;
  double intercept = 0;
  std::vector<double> coef;  // per feature (kLinear)

  double predict_us(std::span<const double> x) const;
};

struct ProcessorModel {
  std::map<std::string, KernelModel> kernels;  // by op type; "*": fallback
  std::map<std::string, double> fixed_us;      // cpu_task_us, gpu_submit_us, gpu_dispatch_us, sync_us, ...
  std::optional<KernelModel> context;          // log of the in-model / alone factor (target log_us)

  const KernelModel* find(const std::string& op_type) const;
  double fixed(const std::string& name, double fallback = 0) const;
};

struct Prediction {
  double total_us = 0;
  std::vector<double> kernel_us;  // per op (0 for ops not predicted on this processor)
  double fixed_us = 0;
};

class Predictor {
 public:
  static constexpr int kVersion = 1;
  // Loads and validates a predictor file. Error kInvalidModel naming the file and what is wrong
  // (format, version, feature list other than feature_names(), a malformed model); kInvalidArgument
  // when it cannot be read.
  static Predictor load(const std::filesystem::path& file);
  static Predictor from_json(const nlohmann::json& j, const std::string& context);

  const std::map<std::string, ProcessorModel>& processors() const { return processors_; }
  const ProcessorModel& processor(const std::string& key) const;  // kInvalidArgument listing the keys
  bool has(const std::string& key) const { return processors_.count(key) != 0; }

  // One kernel over `range` of its output on `processor`.
  double kernel_us(const std::string& processor, const KernelFeatures& f, RangeAxis axis,
                   const OutputRange& range) const;
  // The whole graph on one processor. GPU processors ("gpu:*") predict only the ops in
  // `gpu_ops` when it is given (the dispatched ones), plus one submission.
  Prediction model_us(const Graph& graph, const std::string& processor,
                      const std::vector<bool>* gpu_ops = nullptr) const;
  // One op split along `axis`: the CPU computes `cpu_fraction` of the output from the start, the
  // GPU the rest; max of the two sides, each times its processor's co-running slowdown
  // (fixed_us "corun_factor", from `hetsched profile --corun` rows; 1 without), plus one sync.
  double split_us(const Graph& graph, int op_index, RangeAxis axis, double cpu_fraction, const std::string& cpu,
                  const std::string& gpu) const;

 private:
  std::string file_;
  std::map<std::string, ProcessorModel> processors_;
};

}  // namespace hetsched::profiles
