// prepare_graph: the fixed pass order (see pipeline.h).
#include "graph/passes/pipeline.h"

#include <fmt/format.h>

#include <cstdlib>
#include <cstring>

#include "base/error.h"
#include "graph/op_registry.h"
#include "graph/passes/eliminate_dead.h"
#include "graph/passes/fold_constants.h"
#include "graph/passes/fold_pads.h"
#include "graph/passes/fuse_activations.h"
#include "graph/passes/fuse_elementwise.h"
#include "graph/passes/topo_sort.h"

namespace hetsched {
namespace {

void infer_all(Graph& g) {
  for (Op& op : g.ops) {
    if (!has_descriptor(op.type))
      fail(ErrorKind::kUnsupported, "model '{}': {} has no op description (shape inference)", g.model_name,
           g.describe(op));
    infer_op_shape(g, op);
  }
}

}  // namespace

void prepare_graph(Graph& g, std::vector<std::string>* log, PrepareOptions options) {
  if (const char* env = std::getenv("HETSCHED_FUSE_ELEMENTWISE"); env && std::strcmp(env, "0") == 0)
    options.fuse_elementwise = false;
  auto note = [&](const char* pass, const PassResult& r) {
    if (log) log->push_back(fmt::format("{}: {}", pass, r.reason));
  };
  note("topological_sort", topological_sort(g));
  note("fold_constants", fold_constants(g, FoldScope::kAll));
  infer_all(g);
  note("fuse_activations", fuse_activations(g));
  note("fold_pads", fold_pads(g));
  infer_all(g);
  if (options.fuse_elementwise) {
    note("fuse_elementwise", fuse_elementwise(g));
    infer_all(g);
  }
  note("eliminate_dead", eliminate_dead(g));
  note("topological_sort", topological_sort(g));
}

}  // namespace hetsched
