// The choice between a conv-like op's shader and its tensor-core kernel (see tensor_core_choice.h):
// candidates of both, WorkgroupSize::kernel 0 for the shader's and 1 for the tensor cores'.
#include "gpu/ops/tensor_core_choice.h"

#include <utility>

#include "gpu/coopmat_support.h"

namespace hetsched::gpu {
namespace {

constexpr uint32_t kShader = 0, kTensorCores = 1;

class TensorCoreChoiceKernel final : public GpuKernel {
 public:
  TensorCoreChoiceKernel(std::unique_ptr<GpuKernel> tensor_cores, std::unique_ptr<GpuKernel> shader)
      : tensor_cores_(std::move(tensor_cores)), shader_(std::move(shader)) {}

  uint32_t storage_buffers() const override { return tensor_cores_->storage_buffers() + shader_->storage_buffers(); }
  uint32_t descriptor_sets() const override { return tensor_cores_->descriptor_sets() + shader_->descriptor_sets(); }
  void bind(DescriptorArena& arena, std::span<const BufferRange> inputs, const BufferRange& output) override {
    tensor_cores_->bind(arena, inputs, output);
    shader_->bind(arena, inputs, output);
  }
  void record(CommandBuffer& cmd, const OutputRange& range) const override { active().record(cmd, range); }

  // Both kernels' keys: a cached choice is the choice between these two.
  std::string tuning_key() const override {
    const std::string a = shader_->tuning_key(), b = tensor_cores_->tuning_key();
    return a.empty() || b.empty() ? std::string() : "choice[" + a + "][" + b + "]";
  }
  // The kernel in use first (its current size), then the shader's others, then the tensor cores'.
  std::vector<WorkgroupSize> workgroup_candidates(const DeviceInfo& device) const override {
    std::vector<WorkgroupSize> c;
    for (const uint32_t k : {active_, active_ == kShader ? kTensorCores : kShader})
      for (WorkgroupSize w : kernel(k).workgroup_candidates(device)) {
        w.kernel = k;
        c.push_back(w);
      }
    return c;
  }
  void set_workgroup(const GpuKernelContext& ctx, const WorkgroupSize& size) override {
    kernel(size.kernel).set_workgroup(ctx, own(size));
    active_ = size.kernel;
  }
  std::optional<ComputePipelineDesc> candidate_pipeline(const WorkgroupSize& size) const override {
    return kernel(size.kernel).candidate_pipeline(own(size));
  }
  bool on_tensor_cores() const override { return active().on_tensor_cores(); }

 private:
  // The size as the chosen kernel knows it (its own kernel field is 0).
  static WorkgroupSize own(WorkgroupSize size) {
    size.kernel = 0;
    return size;
  }
  GpuKernel& kernel(uint32_t k) const { return k == kTensorCores ? *tensor_cores_ : *shader_; }
  const GpuKernel& active() const { return kernel(active_); }

  std::unique_ptr<GpuKernel> tensor_cores_, shader_;
  uint32_t active_ = kShader;
};

}  // namespace

std::unique_ptr<GpuKernel> with_tensor_core_choice(std::unique_ptr<GpuKernel> tensor_cores,
                                                   std::unique_ptr<GpuKernel> shader) {
  if (!tensor_cores) return shader;
  if (!shader || tensor_cores_only_by_env()) return tensor_cores;
  return std::make_unique<TensorCoreChoiceKernel>(std::move(tensor_cores), std::move(shader));
}

}  // namespace hetsched::gpu
