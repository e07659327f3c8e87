// The per-op tolerance table (see op_tolerances.h).
#include "tests/support/op_tolerances.h"

#include <utility>

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

}  // namespace hetsched::test
