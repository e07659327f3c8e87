// Public API: a loaded, prepared model (imported, constants folded, shapes inferred, fused).
#pragma once
#include <memory>
#include <string>
#include <vector>

#include "graph/graph.h"

namespace hetsched {

struct TensorInfo {
  std::string name;
  std::vector<int> shape;  // NHWC, as in the model
};

// Thread safety: a Model is immutable once loaded; one shared_ptr<const Model> may be shared by any
// number of threads and Sessions at once.
class Model {
 public:
  // Loads and prepares a .tflite file; throws hetsched::Error naming the model, op and tensor.
  static std::shared_ptr<const Model> load(const std::string& path);
  explicit Model(Graph graph) : graph_(std::move(graph)) {}

  const Graph& graph() const { return graph_; }
  const std::string& name() const { return graph_.model_name; }
  std::vector<TensorInfo> inputs() const;
  std::vector<TensorInfo> outputs() const;

 private:
  Graph graph_;
};

}  // namespace hetsched
