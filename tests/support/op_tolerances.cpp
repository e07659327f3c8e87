// The per-op tolerance table (see op_tolerances.h).
#include "tests/support/op_tolerances.h"

#include <algorithm>
#include <cmath>
#include <utility>
#include <vector>

namespace hetsched::test {
namespace {

// One row per op that deviates from OpTolerance's defaults (none today: every op's measured
// error is well inside them; add a row with the measurement that needs it).
constexpr std::pair<OpType, OpTolerance> kTable[] = {
    {OpType::kConv2D, {}},
};

const OpTolerance& row(OpType type) {
  static const OpTolerance defaults;
  for (const auto& [t, tol] : kTable)
    if (t == type) return tol;
  return defaults;
}

}  // namespace

std::string to_string(Executor e) {
  switch (e) {
    case Executor::kCpu: return "Cpu";
    case Executor::kGpu: return "Gpu";
    case Executor::kGpuFp16: return "GpuFp16";
  }
  return "?";
}

double max_rel_l2(OpType type, Executor executor) { return row(type)[executor]; }

double abs_floor(OpType type, Executor executor) {
  return executor == Executor::kGpuFp16 ? row(type).fp16_abs_floor : 0.0;
}

int64_t dot_terms(const Graph& graph, const Op& op) {
  if (op.inputs.size() < 2 || op.inputs[1] < 0) return 1;
  const std::vector<int>& w = graph.tensors.at(size_t(op.inputs[1])).shape;
  switch (op.type) {
    case OpType::kConv2D:
    case OpType::kTransposeConv: return w.size() == 4 ? int64_t(w[1]) * w[2] * w[3] : 1;
    case OpType::kDepthwiseConv2D: return w.size() == 4 ? int64_t(w[1]) * w[2] : 1;
    case OpType::kFullyConnected: return w.size() == 2 ? int64_t(w[1]) : 1;
    default: return 1;
  }
}

double abs_floor(const Graph& graph, const Op& op, Executor executor) {
  const double flat = abs_floor(op.type, executor);
  if (executor != Executor::kGpuFp16) return flat;
  const double sd = std::ldexp(1.0, -11) * std::sqrt(2.0 * double(dot_terms(graph, op)) / 27.0);
  return std::max(flat, 6 * sd);
}

}  // namespace hetsched::test
