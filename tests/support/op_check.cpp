// One op on one executor against the reference (see op_check.h).
#include "tests/support/op_check.h"

#include <fmt/format.h>

#include <algorithm>
#include <memory>
#include <string>

#include "cpu/epilogue.h"
#include "cpu/kernel.h"
#include "tests/support/gpu_op_runner.h"

namespace hetsched::test {
namespace {

gpu::VulkanDevice* device_for(Executor e, std::string* why) {
  return e == Executor::kGpuFp16 ? test_gpu_device_fp16(why) : test_gpu_device(why);
}

}  // namespace

OpCheck check_op(Executor executor, Graph& graph, std::mt19937_64& rng, const OpCheckOptions& options,
                 const std::optional<gpu::WorkgroupSize>& workgroup) {
  std::string why;
  gpu::VulkanDevice* device = nullptr;
  if (executor != Executor::kCpu && !(device = device_for(executor, &why))) {
    [&] { GTEST_SKIP() << "no Vulkan device for " << to_string(executor) << ": " << why; }();
    return {};
  }
  infer_shapes(graph);
  const Op& op = graph.ops.at(size_t(options.op_index));
  const double tolerance = max_rel_l2(op.type, executor);
  OpCheckOptions opts = options;
  opts.abs_floor = std::max(opts.abs_floor, abs_floor(graph, op, executor));
  if (executor == Executor::kCpu) {
    const std::unique_ptr<cpu::CpuKernel> kernel =
        options.make_kernel ? options.make_kernel(graph, op) : cpu::create_cpu_kernel(graph, op);
    const cpu::CpuEpilogue epilogue(graph, op);  // the executor applies it after the kernel, per tile
    const DeviceRun run{"CPU",
                        [&](std::span<const cpu::ConstView> in, const cpu::MutableView& out, const OutputRange& r) {
                          kernel->run(in, out, r);
                          epilogue.apply(in, out, r);
                        },
                        tolerance, true};
    return check_op_with(graph, rng, opts, std::span<const DeviceRun>(&run, 1));
  }
  GpuOpRunner runner(*device, graph, op, workgroup);
  const DeviceRun run{fmt::format("{} ({})", executor == Executor::kGpu ? "GPU" : "GPU fp16", device->describe()),
                      [&](std::span<const cpu::ConstView> in, const cpu::MutableView& out, const OutputRange& r) {
                        runner.run(in, out, r);
                      },
                      tolerance, true};
  return check_op_with(graph, rng, opts, std::span<const DeviceRun>(&run, 1));
}

void print_summary(std::string_view label, Executor executor, const ErrorSummary& summary) {
  fmt::print("{} {}: {}\n", label, to_string(executor), summary.to_string());
}

void OpTest::SetUp() {
  if (!on_gpu()) return;
  std::string why;
  if (!device_for(executor(), &why)) GTEST_SKIP() << "no Vulkan device for " << to_string(executor()) << ": " << why;
}

int OpTest::cases(const CaseCounts& c) const {
  switch (executor()) {
    case Executor::kCpu: return c.cpu;
    case Executor::kGpu: return c.gpu;
    case Executor::kGpuFp16: return c.fp16;
  }
  return 0;
}

std::mt19937_64 OpTest::rng() {
  const ::testing::TestInfo* info = ::testing::UnitTest::GetInstance()->current_test_info();
  const std::string name = info->name();
  const std::string salt = fmt::format("{}.{}", info->test_suite_name(), name.substr(0, name.find('/')));
  return make_rng(std::hash<std::string>{}(salt));
}

}  // namespace hetsched::test
