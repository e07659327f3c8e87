// GpuOpRunner: one op on the test GPU device through shared (host-visible) buffers.
#include "tests/support/gpu_op_runner.h"

#include <cstring>
#include <optional>

#include "gpu/storage_precision.h"
#include "base/error.h"

namespace hetsched::test {

gpu::VulkanDevice* test_gpu_device(std::string* why) {
  static std::string reason;
  static std::unique_ptr<gpu::VulkanDevice> device = [] {
    try {
      return std::make_unique<gpu::VulkanDevice>();
    } catch (const Error& e) {
      reason = e.what();
      return std::unique_ptr<gpu::VulkanDevice>();
    }
  }();
  if (why) *why = reason;
  return device.get();
}

gpu::VulkanDevice* test_gpu_device_fp16(std::string* why) {
  static std::string reason;
  static std::unique_ptr<gpu::VulkanDevice> device = [] {
    try {
      return std::make_unique<gpu::VulkanDevice>(gpu::DeviceOptions{.fp16 = true});
    } catch (const Error& e) {
      reason = e.what();
      return std::unique_ptr<gpu::VulkanDevice>();
    }
  }();
  if (why) *why = reason;
  return device.get();
}

GpuOpRunner::GpuOpRunner(gpu::VulkanDevice& device, const Graph& graph, const Op& op,
                         const std::optional<gpu::WorkgroupSize>& workgroup)
    : device_(device), graph_(graph), op_(op) {
  kernel_ = gpu::create_gpu_kernel(gpu::GpuKernelContext{device_, nullptr}, graph_, op_);
  if (workgroup) kernel_->set_workgroup(gpu::GpuKernelContext{device_, nullptr}, *workgroup);
  std::vector<gpu::BufferRange> ranges(op.inputs.size());
  inputs_.resize(op.inputs.size());
  for (size_t i = 0; i < op.inputs.size(); ++i) {
    if (op.inputs[i] < 0 || graph.tensors[op.inputs[i]].is_constant) continue;
    const Tensor& t = graph.tensors[op.inputs[i]];
    inputs_[i] = gpu::Buffer(device_, t.shape4().phwc4_elements() * gpu::stored_float_bytes(device_.fp16_enabled()),
                             gpu::MemoryUse::kShared, "input " + t.name);
    ranges[i] = inputs_[i].whole();
  }
  const Tensor& out = graph.tensors[op.outputs[0]];
  output_ = gpu::Buffer(device_, out.shape4().phwc4_elements() * gpu::stored_float_bytes(device_.fp16_enabled()),
                        gpu::MemoryUse::kShared, "output " + out.name);
  descriptors_ = std::make_unique<gpu::DescriptorArena>(device_, 4 * kernel_->descriptor_sets(), kernel_->storage_buffers() * 4 + 4);
  kernel_->bind(*descriptors_, ranges, output_.whole());
}

void GpuOpRunner::run(std::span<const cpu::ConstView> inputs, const cpu::MutableView& output,
                      const OutputRange& range) {
  const bool fp16 = device_.fp16_enabled();
  const size_t out_n = output.shape.phwc4_elements();
  std::vector<uint16_t> uploaded_output;
  for (size_t i = 0; i < inputs_.size() && i < inputs.size(); ++i) {
    if (inputs_[i].get() == VK_NULL_HANDLE || !inputs[i].data) continue;
    if (fp16)
      gpu::to_half({inputs[i].data, inputs[i].shape.phwc4_elements()}, static_cast<uint16_t*>(inputs_[i].mapped()));
    else
      std::memcpy(inputs_[i].mapped(), inputs[i].data, inputs_[i].size());
  }
  if (fp16) {
    uploaded_output = gpu::to_half({output.data, out_n});
    std::memcpy(output_.mapped(), uploaded_output.data(), out_n * 2);
  } else {
    std::memcpy(output_.mapped(), output.data, output_.size());
  }
  gpu::CommandBuffer cmd(device_);
  cmd.begin();
  kernel_->record(cmd, range);
  cmd.compute_to_host();
  cmd.end();
  gpu::submit_and_wait(device_, cmd, graph_.describe(op_));
  if (!fp16) {
    std::memcpy(output.data, output_.mapped(), output_.size());
    return;
  }
  const auto* got = static_cast<const uint16_t*>(output_.mapped());
  for (size_t i = 0; i < out_n; ++i)
    if (got[i] != uploaded_output[i]) output.data[i] = half_to_float(got[i]);
}

}  // namespace hetsched::test
