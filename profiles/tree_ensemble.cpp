// Tree ensemble evaluation and validation (see header).
#include "profiles/tree_ensemble.h"

#include <nlohmann/json.hpp>

#include <cmath>

#include "base/error.h"

namespace hetsched::profiles {

double RegressionTree::eval(std::span<const double> x) const {
  size_t i = 0;
  while (feature[i] >= 0) {
    const double v = x[size_t(feature[i])];
    const bool go_left = std::isnan(v) ? default_left[i] != 0 : v <= threshold[i];
    i = size_t(go_left ? left[i] : right[i]);
  }
  return value[i];
}

double TreeEnsemble::eval(std::span<const double> x) const {
  double s = base;
  for (const RegressionTree& t : trees) s += t.eval(x);
  return s;
}

TreeEnsemble tree_ensemble_from_json(const nlohmann::json& j, int num_features, const std::string& context) {
  auto bad = [&](const std::string& what) -> void { fail(ErrorKind::kInvalidModel, "{}: {}", context, what); };
  if (!j.is_object() || !j.contains("trees") || !j["trees"].is_array())
    bad("a tree ensemble needs an object with a \"trees\" array");
  TreeEnsemble e;
  try {
    e.base = j.value("base", 0.0);
    for (size_t t = 0; t < j["trees"].size(); ++t) {
      const nlohmann::json& jt = j["trees"][t];
      RegressionTree tree;
      jt.at("feature").get_to(tree.feature);
      jt.at("threshold").get_to(tree.threshold);
      jt.at("left").get_to(tree.left);
      jt.at("right").get_to(tree.right);
      jt.at("value").get_to(tree.value);
      std::vector<int> dl;
      jt.at("default_left").get_to(dl);
      tree.default_left.assign(dl.begin(), dl.end());
      const size_t n = tree.feature.size();
      if (n == 0) bad(fmt::format("tree {} has no nodes", t));
      if (tree.threshold.size() != n || tree.left.size() != n || tree.right.size() != n || tree.value.size() != n ||
          tree.default_left.size() != n)
        bad(fmt::format("tree {}: the node arrays differ in length (feature has {})", t, n));
      for (size_t i = 0; i < n; ++i) {
        if (tree.feature[i] == -1) {
          if (!std::isfinite(tree.value[i])) bad(fmt::format("tree {} node {}: leaf value is not finite", t, i));
          continue;
        }
        if (tree.feature[i] < 0 || tree.feature[i] >= num_features)
          bad(fmt::format("tree {} node {}: feature {} is not in [0, {})", t, i, tree.feature[i], num_features));
        for (const int c : {tree.left[i], tree.right[i]})
          if (c <= int(i) || c >= int(n))
            bad(fmt::format("tree {} node {}: child {} must come after its parent and be < {}", t, i, c, n));
      }
      e.trees.push_back(std::move(tree));
    }
  } catch (const nlohmann::json::exception& ex) {
    bad(fmt::format("malformed tree ensemble: {}", ex.what()));
  }
  if (!std::isfinite(e.base)) bad("base is not finite");
  return e;
}

nlohmann::json to_json(const TreeEnsemble& e) {
  nlohmann::json trees = nlohmann::json::array();
  for (const RegressionTree& t : e.trees) {
    std::vector<int> dl(t.default_left.begin(), t.default_left.end());
    trees.push_back({{"feature", t.feature}, {"threshold", t.threshold}, {"left", t.left}, {"right", t.right},
                     {"value", t.value}, {"default_left", dl}});
  }
  return {{"base", e.base}, {"trees", trees}};
}

}  // namespace hetsched::profiles
