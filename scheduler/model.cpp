// Model loading through the importer and the preparation passes.
#include "scheduler/model.h"

#include "graph/load_model.h"

namespace hetsched {

std::shared_ptr<const Model> Model::load(const std::string& path) {
  return std::make_shared<const Model>(load_and_prepare(path));
}

namespace {
std::vector<TensorInfo> infos(const Graph& g, const std::vector<int>& ids) {
  std::vector<TensorInfo> out;
  for (int id : ids) out.push_back({g.tensors[id].name, g.tensors[id].shape});
  return out;
}
}  // namespace

std::vector<TensorInfo> Model::inputs() const { return infos(graph_, graph_.inputs); }
std::vector<TensorInfo> Model::outputs() const { return infos(graph_, graph_.outputs); }

}  // namespace hetsched
