// The CPU kernel factory table, filled once from the per-family registration functions.
#include <array>

#include "base/error.h"
#include "cpu/kernel.h"

namespace hetsched::cpu {
namespace {
const std::array<CpuKernelFactory, kOpTypeCount>& table() {
  static const std::array<CpuKernelFactory, kOpTypeCount> t = [] {
    std::array<CpuKernelFactory, kOpTypeCount> a{};
    register_conv_kernels(a.data());
    register_general_kernels(a.data());
    return a;
  }();
  return t;
}
}  // namespace

CpuKernelFactory find_cpu_kernel(OpType type) {
  const int i = static_cast<int>(type);
  return i >= 0 && i < kOpTypeCount ? table()[i] : nullptr;
}

std::unique_ptr<CpuKernel> create_cpu_kernel(const Graph& graph, const Op& op) {
  CpuKernelFactory f = find_cpu_kernel(op.type);
  if (!f) fail(ErrorKind::kUnsupported, "model '{}': {} has no CPU kernel", graph.model_name, graph.describe(op));
  return f(graph, op);
}

}  // namespace hetsched::cpu
