// GPU executor: arena planning, kernel creation, one recorded command buffer per model.
#include "gpu/executor.h"

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <string_view>

#include "base/error.h"
#include "gpu/concat_in_place.h"
#include "gpu/ops/dwpw_conv2d.h"
#include "gpu/ops/mean_fc.h"
#include "gpu/storage_precision.h"
#include "graph/live_ranges.h"

namespace hetsched::gpu {

namespace {

// GpuExecutorOptions::host_wait for `device`: kAuto is HETSCHED_GPU_WAIT when set, else spin on a
// real GPU and block on a CPU device.
GpuExecutorOptions::HostWait resolve_host_wait(GpuExecutorOptions::HostWait wanted, const VulkanDevice& device) {
  using HostWait = GpuExecutorOptions::HostWait;
  if (wanted != HostWait::kAuto) return wanted;
  if (const char* e = std::getenv("HETSCHED_GPU_WAIT"); e && *e) {
    const std::string_view v(e);
    if (v == "spin") return HostWait::kSpin;
    if (v == "block") return HostWait::kBlock;
    fail(ErrorKind::kInvalidArgument, "HETSCHED_GPU_WAIT must be 'spin' or 'block', not '{}'", v);
  }
  return device.info().type == DeviceType::kCpu ? HostWait::kBlock : HostWait::kSpin;
}

}  // namespace

GpuExecutor::GpuExecutor(const Graph& graph, const VulkanDevice& device, const PipelineCache* cache,
                         GpuExecutorOptions options)
    : graph_(graph), device_(device), options_(options) {
  // fp16 keeps float16 tensors on the GPU and converts only the model inputs and outputs (in
  // set_input / output_nhwc); the CPU reads shared-arena tensors as float32, so co-execution is fp32.
  if (device_.fp16_enabled() && options_.shared_arena)
    fail(ErrorKind::kUnsupported,
         "model '{}': fp16 runs GPU-only (the CPU reads and writes shared tensors in fp32); use precision fp32 "
         "for co-execution",
         graph_.model_name);
  const GpuKernelContext ctx{device_, cache};
  const size_t alignment = std::max<size_t>(64, device_.info().min_storage_buffer_offset_alignment);
  // Concats by slice writes in GPU-only runs (concat_in_place.h); co-execution keeps the copies.
  const bool gpu_only = !options_.shared_arena && options_.ops_on_gpu.empty();
  in_place_ = plan_in_place_concats(gpu_only ? graph_ : Graph{}, device_.info().min_storage_buffer_offset_alignment,
                                    4 * stored_float_bytes(device_.fp16_enabled()));
  in_place_.elided_op.resize(graph_.ops.size(), false);
  in_place_.view_of.resize(graph_.tensors.size(), -1);
  in_place_.view_offset.resize(graph_.tensors.size(), 0);
  // Op chains in one dispatch, in GPU-only runs like the concats (gpu_fusions.h), with offsets the
  // executor plans (the records must see the chain head's input read at the chain's end).
  // Where the device runs convs on tensor cores (precision fp16/mixed, conv2d_coopmat.h) the 1x1
  // conv stays there: the fused depthwise + pointwise kernel is scalar (and off by default: slower
  // than the two kernels it replaces on the H100, gpu/gpu_fusions.h).
  GpuFusionSwitches switches = options_.fusions;
  if (device_.coopmat_enabled()) switches.depthwise_pointwise = false;
  if (device_.info().type == DeviceType::kCpu && !switches.depthwise_pointwise_on_software)
    switches.depthwise_pointwise = false;
  fusions_ = gpu_only && options_.tensor_offsets.empty() ? plan_gpu_fusions(graph_, switches)
                                                         : GpuFusions::none(graph_.ops.size());
  uint32_t buffers = 0, sets = 0;
  for (size_t i = 0; i < graph_.ops.size(); ++i) {
    const bool on_gpu = (options_.ops_on_gpu.empty() || options_.ops_on_gpu.at(i)) && !in_place_.elided_op[i] &&
                        !fusions_.elided_op[i];
    std::unique_ptr<GpuKernel> k;
    if (on_gpu && fusions_.kind[i] == FusionKind::kDepthwisePointwise)
      k = create_dwpw_conv2d_gpu_kernel(ctx, graph_, graph_.ops[size_t(fusions_.head_of[i])], graph_.ops[i]);
    else if (on_gpu && fusions_.kind[i] == FusionKind::kMeanFc)
      k = create_mean_fc_gpu_kernel(ctx, graph_, fused_chain(graph_, fusions_, int(i)));
    else if (on_gpu)
      k = create_gpu_kernel(ctx, graph_, graph_.ops[i]);
    if (k) buffers += k->storage_buffers(), sets += k->descriptor_sets();
    kernels_.push_back(std::move(k));
  }

  // Activation arenas planned by live ranges, aligned for storage-buffer binding offsets: one
  // device-local, and with shared_arena one host-visible for the tensors the CPU touches.
  std::vector<int> tensors;
  auto records = activation_usage_records(graph_, &tensors);
  extend_fused_live_ranges(graph_, fusions_, tensors, records);  // a fused chain's last op reads its head's input
  {  // The outputs of ops inside a fused chain never reach memory: no record, no storage.
    std::vector<bool> inside(graph_.tensors.size(), false);
    for (size_t i = 0; i < graph_.ops.size(); ++i)
      if (fusions_.elided_op[i]) inside[size_t(graph_.ops[i].outputs[0])] = true;
    size_t kept = 0;
    for (size_t i = 0; i < tensors.size(); ++i)
      if (!inside[size_t(tensors[i])]) records[kept] = records[i], tensors[kept++] = tensors[i];
    records.resize(kept);
    tensors.resize(kept);
  }
  {  // Views of an in-place concat's output: no record; the output's covers their live ranges.
    std::vector<int> record_of(graph_.tensors.size(), -1);
    for (size_t i = 0; i < tensors.size(); ++i) record_of[size_t(tensors[i])] = int(i);
    for (size_t i = 0; i < tensors.size(); ++i)
      if (const int base = in_place_.view_of[size_t(tensors[i])]; base >= 0) {
        auto& b = records[size_t(record_of[size_t(base)])];
        b.first_task = std::min(b.first_task, records[i].first_task);
        b.last_task = std::max(b.last_task, records[i].last_task);
      }
    std::vector<memory::TensorUsageRecord> kept_records;
    std::vector<int> kept_tensors;
    for (size_t i = 0; i < tensors.size(); ++i)
      if (in_place_.view_of[size_t(tensors[i])] < 0) kept_records.push_back(records[i]), kept_tensors.push_back(tensors[i]);
    records = std::move(kept_records);
    tensors = std::move(kept_tensors);
  }
  tensor_offset_.assign(graph_.tensors.size(), -1);
  in_host_arena_.assign(graph_.tensors.size(), false);
  std::vector<memory::TensorUsageRecord> by_arena[2];
  std::vector<int> ids[2];
  for (size_t i = 0; i < tensors.size(); ++i) {
    const int t = tensors[i];
    const bool host = options_.shared_arena && (options_.host_tensors.empty() || options_.host_tensors.at(t));
    in_host_arena_[t] = host;
    by_arena[host].push_back(records[i]);
    ids[host].push_back(t);
    if (records[i].size > device_.info().max_storage_buffer_range)
      fail(ErrorKind::kResourceExhausted,
           "model '{}': tensor '{}' {} needs {} bytes, more than the device's maxStorageBufferRange ({} bytes) on {}",
           graph_.model_name, graph_.tensors[t].name, graph_.tensors[t].shape_string(), records[i].size,
           device_.info().max_storage_buffer_range, device_.describe());
  }
  uint64_t arena_bytes[2] = {0, 0};
  for (int host = 0; host < 2 && !options_.tensor_offsets.empty(); ++host) {  // planned by the caller
    memory::MemoryPlan p;
    p.alignment = alignment;
    for (size_t i = 0; i < ids[host].size(); ++i) {
      const int t = ids[host][i];
      const int64_t offset = options_.tensor_offsets.at(size_t(t));
      if (offset < 0 || uint64_t(offset) % alignment != 0)
        fail(ErrorKind::kInvalidArgument, "model '{}': tensor '{}' has planned offset {}, not a multiple of {}",
             graph_.model_name, graph_.tensors[t].name, offset, alignment);
      tensor_offset_[t] = offset;
      p.offsets.push_back(size_t(offset));
      arena_bytes[host] = std::max<uint64_t>(arena_bytes[host], uint64_t(offset) + by_arena[host][i].size);
    }
    p.total_bytes = size_t((arena_bytes[host] + alignment - 1) / alignment * alignment);
    if (!host) plan_ = p;
  }
  for (int host = 0; host < 2 && options_.tensor_offsets.empty(); ++host) {
    const memory::MemoryPlan p = options_.memory_strategy
                                     ? memory::plan_memory(by_arena[host], *options_.memory_strategy, alignment)
                                     : memory::plan_memory_best(by_arena[host], alignment);
    for (size_t i = 0; i < ids[host].size(); ++i) tensor_offset_[ids[host][i]] = int64_t(p.offsets[i]);
    arena_bytes[host] = p.total_bytes;
    if (!host) plan_ = p;
  }
  for (size_t t = 0; t < graph_.tensors.size(); ++t)
    if (const int base = in_place_.view_of[t]; base >= 0) {
      tensor_offset_[t] = tensor_offset_[size_t(base)] + int64_t(in_place_.view_offset[t]);
      in_host_arena_[t] = in_host_arena_[size_t(base)];
    }
  arena_ = Buffer(device_, std::max<uint64_t>(arena_bytes[0], 256), MemoryUse::kDeviceLocal,
                  "activation arena of model '" + graph_.model_name + "'");
  if (options_.shared_arena)
    host_arena_ = Buffer(device_, std::max<uint64_t>(arena_bytes[1], 256), MemoryUse::kShared,
                         "shared activation arena of model '" + graph_.model_name + "'");

  descriptors_ = std::make_unique<DescriptorArena>(device_, sets + 1, buffers + 1);
  for (size_t i = 0; i < graph_.ops.size(); ++i) {
    if (!kernels_[i]) continue;
    const Op& op = graph_.ops[i];
    std::vector<BufferRange> inputs;
    for (size_t k = 0; k < op.inputs.size(); ++k) {
      // A fused chain's kernel reads its head's input in place of the (storage-less) intermediate.
      const int head = k == 0 ? fusions_.head_of[i] : -1;
      const int t = head >= 0 ? graph_.ops[size_t(head)].inputs[0] : op.inputs[k];
      inputs.push_back(t >= 0 && !graph_.tensors[t].is_constant ? tensor_range(t) : BufferRange{});
    }
    kernels_[i]->bind(*descriptors_, inputs, tensor_range(op.outputs[0]));
  }

  for (int t : graph_.inputs)
    input_staging_.emplace_back(device_, tensor_bytes(t), MemoryUse::kStaging,
                                "staging of input '" + graph_.tensors[t].name + "'");
  for (int t : graph_.outputs)
    output_staging_.emplace_back(device_, tensor_bytes(t), MemoryUse::kStaging,
                                 "staging of output '" + graph_.tensors[t].name + "'");
  op_times_ms_.assign(graph_.ops.size(), 0.0);
  fence_ = std::make_unique<Fence>(device_);
  spin_wait_ = resolve_host_wait(options_.host_wait, device_) == GpuExecutorOptions::HostWait::kSpin;
  if (options_.tuning) tune_workgroups(*options_.tuning, cache);
  if (options_.record_model && options_.ops_on_gpu.empty()) record_model();
}

GpuExecutor::~GpuExecutor() = default;

BufferRange GpuExecutor::tensor_range(int tensor) const {
  const int64_t offset = tensor_offset_.at(size_t(tensor));
  if (offset < 0) fail(ErrorKind::kInternal, "tensor '{}' has no GPU storage", graph_.tensors[tensor].name);
  const Buffer& arena = in_host_arena_[tensor] ? host_arena_ : arena_;
  return arena.range(uint64_t(offset), tensor_bytes(tensor));
}

uint64_t GpuExecutor::tensor_bytes(int tensor) const {
  // The arena is planned with float32 sizes; an fp16 tensor uses the first half of its slot.
  return graph_.tensors.at(size_t(tensor)).shape4().phwc4_elements() * stored_float_bytes(device_.fp16_enabled());
}

float* GpuExecutor::tensor_host_data(int tensor) const {
  const int64_t offset = tensor_offset_.at(size_t(tensor));
  if (offset < 0 || !in_host_arena_[tensor]) return nullptr;
  return reinterpret_cast<float*>(static_cast<char*>(host_arena_.mapped()) + offset);
}

void GpuExecutor::record_op(CommandBuffer& cmd, int op_index, const OutputRange& range) const {
  // An in-place concat's inputs wrote its output; a fused op runs in its chain's last op's dispatch.
  if (range.empty() || in_place_.elided_op[size_t(op_index)] || fusions_.elided_op[size_t(op_index)]) return;
  if (!kernels_[op_index])
    fail(ErrorKind::kInternal, "model '{}': {} has no GPU kernel in this executor", graph_.model_name,
         graph_.describe(graph_.ops[op_index]));
  kernels_[op_index]->record(cmd, range);
}

void GpuExecutor::set_profiling(bool on) {
  if (on == profiling_) return;
  profiling_ = on;
  if (model_cmd_) record_model();
}

void GpuExecutor::record_model() {
  const uint32_t n_ops = uint32_t(graph_.ops.size());
  timestamps_.reset();
  if (profiling_) {
    try {
      timestamps_ = std::make_unique<TimestampQueries>(device_, n_ops + 1);
    } catch (const Error&) {
      timestamps_.reset();  // no timestamps on this queue: per-op times stay 0
    }
  }
  recorded_with_timestamps_ = timestamps_ != nullptr;
  model_cmd_ = std::make_unique<CommandBuffer>(device_);
  CommandBuffer& cmd = *model_cmd_;
  cmd.begin();
  if (timestamps_) timestamps_->reset(cmd);
  for (size_t i = 0; i < graph_.inputs.size(); ++i)
    cmd.copy(input_staging_[i].whole(), tensor_range(graph_.inputs[i]));
  cmd.transfer_to_compute();
  HazardTracker hazards;  // the barrier rule (segment_recording.h)
  for (uint32_t i = 0; i < n_ops; ++i) {
    const Op& op = graph_.ops[i];
    if (in_place_.elided_op[i] || fusions_.elided_op[i]) {
      if (timestamps_) timestamps_->write(cmd, i, VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT);
      continue;
    }
    const std::vector<BufferRange> reads = op_reads(int(i));
    const BufferRange write = tensor_range(op.outputs[0]);
    if (hazards.needs_barrier(reads, write) || timestamps_) {
      // With timestamps every op is fenced off, so its time is its own.
      cmd.compute_to_compute();
      hazards.clear();
    }
    if (timestamps_) timestamps_->write(cmd, i, VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT);
    record_op(cmd, int(i), OutputRange::whole(graph_.tensors[op.outputs[0]].shape4()));
    hazards.add(reads, write);
  }
  cmd.compute_to_transfer();
  if (timestamps_) timestamps_->write(cmd, n_ops, VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT);
  for (size_t i = 0; i < graph_.outputs.size(); ++i)
    cmd.copy(tensor_range(graph_.outputs[i]), output_staging_[i].whole());
  cmd.barrier(kTransferWrite, kHostRead);
  cmd.end();
}

void GpuExecutor::set_input(int input_index, std::span<const float> nhwc) {
  const Tensor& t = graph_.tensors[graph_.inputs.at(size_t(input_index))];
  if (nhwc.size() != t.elements())
    fail(ErrorKind::kInvalidArgument, "model '{}': input {} ('{}') has {} elements, expected {} for shape {}",
         graph_.model_name, input_index, t.name, nhwc.size(), t.elements(), t.shape_string());
  void* staging = input_staging_[size_t(input_index)].mapped();
  if (!device_.fp16_enabled()) {
    nhwc_to_phwc4(nhwc.data(), t.shape4(), static_cast<float*>(staging));
    return;
  }
  std::vector<float> phwc4(t.shape4().phwc4_elements());
  nhwc_to_phwc4(nhwc.data(), t.shape4(), phwc4.data());
  to_half(phwc4, static_cast<uint16_t*>(staging));
}

void GpuExecutor::run() {
  if (!model_cmd_) fail(ErrorKind::kInternal, "model '{}': the GPU executor recorded no model", graph_.model_name);
  fence_->reset();
  const VkCommandBuffer cb = model_cmd_->get();
  const std::string context = "model '" + graph_.model_name + "'";
  const auto start = std::chrono::steady_clock::now();
  submit(device_, Submission{{&cb, 1}, {}, {}, fence_->get()}, context);
  const std::chrono::nanoseconds spin(spin_wait_ ? int64_t(std::clamp(2 * last_run_ms_, 0.2, 5.0) * 1e6) : 0);
  if (!fence_->spin_then_wait(spin, std::chrono::seconds(120), context))
    fail(ErrorKind::kDeviceUnavailable, "model '{}': the GPU did not finish within 120 s on {}", graph_.model_name,
         device_.describe());
  last_run_ms_ = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  if (recorded_with_timestamps_) {
    const std::vector<uint64_t> ns = timestamps_->read_ns(0, uint32_t(graph_.ops.size()) + 1);
    for (size_t i = 0; i < graph_.ops.size(); ++i) op_times_ms_[i] = double(ns[i + 1] - ns[i]) * 1e-6;
  }
}

std::vector<float> GpuExecutor::output_nhwc(int output_index) const {
  const Tensor& t = graph_.tensors[graph_.outputs.at(size_t(output_index))];
  std::vector<float> out(t.elements());
  const void* staging = output_staging_[size_t(output_index)].mapped();
  if (!device_.fp16_enabled()) {
    phwc4_to_nhwc(static_cast<const float*>(staging), t.shape4(), out.data());
    return out;
  }
  std::vector<float> phwc4(t.shape4().phwc4_elements());
  from_half(static_cast<const uint16_t*>(staging), phwc4);
  phwc4_to_nhwc(phwc4.data(), t.shape4(), out.data());
  return out;
}

int GpuExecutor::tensor_core_kernels() const {
  int n = 0;
  for (const auto& k : kernels_)
    if (k && k->on_tensor_cores()) ++n;
  return n;
}

}  // namespace hetsched::gpu
