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
  const double n = double(dot_terms(graph, op));
  if (n <= 1) return flat;
  // float16 operands: each rounded once (2^-11), n products of operands in [-1, 1].
  // float32 accumulation: each of the n partial sums s_k rounded (2^-24 |s_k| / sqrt(3) sd), and
  // s_k a random walk with E[(w x)^2] = 1/9 per step, so the sd is 2^-24 n / sqrt(54) (sequential
  // order, the worst of the kernels' orders; SIMD lanes and K splits only shorten the walks).
  const double sd = executor == Executor::kGpuFp16 ? std::ldexp(1.0, -11) * std::sqrt(2.0 * n / 27.0)
                                                   : std::ldexp(1.0, -24) * n / std::sqrt(54.0);
  return std::max(flat, 6 * sd);
}

}  // namespace hetsched::test
