// The barrier rule and segment recording (see segment_recording.h); GpuExecutor::record_model
// uses the same rule for the whole-model command buffer.
#include "gpu/segment_recording.h"

#include "gpu/executor.h"
#include "gpu/timestamps.h"

namespace hetsched::gpu {

bool HazardTracker::overlaps(const std::vector<Span>& v, const BufferRange& r) {
  for (const Span& s : v)
    if (s.buffer == r.buffer && r.offset < s.end && s.begin < r.offset + r.size) return true;
  return false;
}

bool HazardTracker::needs_barrier(std::span<const BufferRange> reads, const BufferRange& write) const {
  for (const BufferRange& r : reads)
    if (r.size && overlaps(written_, r)) return true;  // read after write
  return overlaps(written_, write) || overlaps(read_, write);  // write after write / read
}

void HazardTracker::add(std::span<const BufferRange> reads, const BufferRange& write) {
  for (const BufferRange& r : reads)
    if (r.size) read_.push_back({r.buffer, r.offset, r.offset + r.size});
  written_.push_back({write.buffer, write.offset, write.offset + write.size});
}

void host_and_compute_to_compute(CommandBuffer& cmd) {
  cmd.barrier(SyncScope{VK_PIPELINE_STAGE_HOST_BIT | VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT,
                        VK_ACCESS_HOST_WRITE_BIT | VK_ACCESS_SHADER_WRITE_BIT},
              kComputeReadWrite);
}

std::vector<BufferRange> GpuExecutor::op_reads(int op_index) const {
  std::vector<BufferRange> reads;
  const std::vector<int>& inputs = graph_.ops[size_t(op_index)].inputs;
  // A fused chain's kernel (gpu_fusions.h) reads its head's input, not the intermediate tensor.
  const int head = fusions_.head_of.empty() ? -1 : fusions_.head_of[size_t(op_index)];
  for (size_t k = 0; k < inputs.size(); ++k) {
    const int t = k == 0 && head >= 0 ? graph_.ops[size_t(head)].inputs[0] : inputs[k];
    if (t >= 0 && !graph_.tensors[size_t(t)].is_constant) reads.push_back(tensor_range(t));
  }
  return reads;
}

void GpuExecutor::record_segment(CommandBuffer& cmd, std::span<const SegmentPart> parts,
                                 const SegmentRecordOptions& options) const {
  const TimestampQueries* ts = options.timestamps;
  cmd.begin();
  if (ts)
    for (const SegmentPart& p : parts) cmd.reset_queries(ts->get(), uint32_t(2 * p.op_index), 2);
  if (options.after_host_and_earlier_segments) host_and_compute_to_compute(cmd);
  HazardTracker hazards;
  for (const SegmentPart& p : parts) {
    const std::vector<BufferRange> reads = op_reads(p.op_index);
    const BufferRange write = tensor_range(graph_.ops[size_t(p.op_index)].outputs[0]);
    if (hazards.needs_barrier(reads, write) || ts) {  // with timestamps every part is fenced off
      cmd.compute_to_compute();
      hazards.clear();
    }
    if (ts) ts->write(cmd, uint32_t(2 * p.op_index), VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT);
    record_op(cmd, p.op_index, p.range);
    hazards.add(reads, write);
    if (ts) {
      cmd.compute_to_compute();
      hazards.clear();
      ts->write(cmd, uint32_t(2 * p.op_index + 1), VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT);
    }
  }
  if (options.to_host) cmd.compute_to_host();
  cmd.end();
}

}  // namespace hetsched::gpu
