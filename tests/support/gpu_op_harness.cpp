// The per-op GPU test harness (see gpu_op_harness.h).
#include "tests/support/gpu_op_harness.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <memory>
#include <utility>

#include "cpu/epilogue.h"

namespace hetsched::test {

OpCheck check_gpu_op(Graph& graph, std::mt19937_64& rng, const OpCheckOptions& options,
                     const std::optional<gpu::WorkgroupSize>& workgroup) {
  std::string why;
  gpu::VulkanDevice* device = test_gpu_device(&why);
  if (!device) {
    [&] { GTEST_SKIP() << "no Vulkan device: " << why; }();
    return {};
  }
  infer_shapes(graph);
  const Op& op = graph.ops.at(size_t(options.op_index));

  std::vector<DeviceRun> devices;
  std::unique_ptr<cpu::CpuKernel> cpu_kernel;
  const cpu::CpuEpilogue cpu_epilogue(graph, op);  // the executor applies it after the kernel, per tile
  if (cpu::find_cpu_kernel(op.type)) {
    cpu_kernel = cpu::create_cpu_kernel(graph, op);
    devices.push_back({"CPU",
                       [&](std::span<const cpu::ConstView> in, const cpu::MutableView& out, const OutputRange& r) {
                         cpu_kernel->run(in, out, r);
                         cpu_epilogue.apply(in, out, r);
                       },
                       max_rel_l2(op.type, Executor::kCpu), false});
  }
  GpuOpRunner gpu_runner(*device, graph, op, workgroup);
  devices.push_back({"GPU (" + device->describe() + ")",
                     [&](std::span<const cpu::ConstView> in, const cpu::MutableView& out, const OutputRange& r) {
                       gpu_runner.run(in, out, r);
                     },
                     max_rel_l2(op.type, Executor::kGpu), true});
  return check_op_with(graph, rng, options, devices);
}

OpCheck check_gpu_op_fp16(Graph& graph, std::mt19937_64& rng, const OpCheckOptions& options, double,
                          const std::optional<gpu::WorkgroupSize>& workgroup) {
  return check_op(Executor::kGpuFp16, graph, rng, options, workgroup);
}

}  // namespace hetsched::test
