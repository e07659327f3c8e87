// The GPU kernel factory table and the constant upload helper.
#include "gpu/gpu_kernel.h"

#include <cstring>

#include "base/error.h"
#include "gpu/device.h"
#include "gpu/ops/tensor_core_choice.h"
#include "gpu/storage_precision.h"
#include "graph/op_type_table.h"

namespace hetsched::gpu {
namespace {
const OpTypeTable<GpuKernelEntry>& table() {
  static const OpTypeTable<GpuKernelEntry> t =
      fill_op_type_table<GpuKernelEntry>({register_conv_gpu_kernels, register_general_gpu_kernels});
  return t;
}
}  // namespace

const GpuKernelEntry& gpu_kernel_entry(OpType type) {
  static const GpuKernelEntry kNone{};
  const int i = static_cast<int>(type);
  return i >= 0 && i < kOpTypeCount ? table()[size_t(i)] : kNone;
}

GpuKernelFactory find_gpu_kernel(OpType type) { return gpu_kernel_entry(type).create; }

std::unique_ptr<GpuKernel> create_gpu_kernel(const GpuKernelContext& ctx, const Graph& graph, const Op& op) {
  const GpuKernelEntry& e = gpu_kernel_entry(op.type);
  if (!e.create) fail(ErrorKind::kUnsupported, "model '{}': {} has no GPU kernel", graph.model_name, graph.describe(op));
  std::unique_ptr<GpuKernel> tensor_cores = e.tensor_cores ? e.tensor_cores(ctx, graph, op) : nullptr;
  return with_tensor_core_choice(std::move(tensor_cores), e.create(ctx, graph, op));
}

std::string tuning_key_of(const ComputePipeline& pipeline, const SpecConstants& spec) {
  std::string key = pipeline.shader() + "|";
  for (const VkSpecializationMapEntry& e : spec.entries()) {
    const bool tuned = e.constantID <= 2 || e.constantID == kBlockSSpecId || e.constantID == kBlockXSpecId;
    if (tuned) continue;
    uint32_t word = 0;
    std::memcpy(&word, spec.data().data() + e.offset, 4);
    key += fmt::format("{}={:x},", e.constantID, word);
  }
  return key;
}

std::string workgroup_tuning_key(const GpuKernel& kernel, const Shape4& out) {
  const std::string key = kernel.tuning_key();
  return key.empty() ? key : key + "|out=" + out.to_string();
}

Buffer upload_constant(const VulkanDevice& device, std::span<const std::byte> bytes, std::string label) {
  const uint64_t size = std::max<uint64_t>(16, (bytes.size() + 15) / 16 * 16);
  Buffer dst(device, size, MemoryUse::kDeviceLocal, label);
  Buffer staging(device, size, MemoryUse::kStaging, label + " (staging)");
  std::memset(staging.mapped(), 0, size);
  if (!bytes.empty()) std::memcpy(staging.mapped(), bytes.data(), bytes.size());
  CommandBuffer cmd(device);
  cmd.begin();
  cmd.copy(staging.whole(), dst.whole());
  cmd.end();
  submit_and_wait(device, cmd, label);
  return dst;
}

Buffer upload_constant(const VulkanDevice& device, std::span<const float> values, std::string label) {
  if (!device.fp16_enabled()) return upload_constant(device, std::as_bytes(values), std::move(label));
  const std::vector<uint16_t> halves = to_half(values);
  return upload_constant(device, std::as_bytes(std::span<const uint16_t>(halves)), std::move(label));
}

}  // namespace hetsched::gpu
