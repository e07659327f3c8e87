// Gradient-boosted regression trees evaluated in C++ (no Python at plan time). The trainer
// (profiles/train/) exports each LightGBM tree as flat arrays in node order:
//   feature[i] >= 0: internal node, go to left[i] when x[feature[i]] <= threshold[i] (NaN: default_left[i]),
//                    else right[i];
//   feature[i] == -1: leaf with value[i].
// Children always come after their parent (validated), so evaluation terminates. The ensemble's
// output is base + the sum of its trees' leaves.
#pragma once
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

namespace hetsched::profiles {

struct RegressionTree {
  std::vector<int> feature, left, right;
  std::vector<double> threshold, value;
  std::vector<uint8_t> default_left;

  double eval(std::span<const double> x) const;
};

struct TreeEnsemble {
  double base = 0;
  std::vector<RegressionTree> trees;

  double eval(std::span<const double> x) const;
};

// Parses and validates an ensemble ({"base": b, "trees": [{"feature": [...], ...}, ...]}) over
// `num_features` features. Errors (kInvalidModel) say what is wrong and where, prefixed by `context`
// (e.g. "predictor 'p.json': cpu:t1 CONV_2D").
TreeEnsemble tree_ensemble_from_json(const nlohmann::json& j, int num_features, const std::string& context);
nlohmann::json to_json(const TreeEnsemble& e);

}  // namespace hetsched::profiles
