// GPU command recording shared by the whole-model command buffer (GPU-only runs) and the
// co-scheduler's segments: the one barrier rule between dispatches, and what a segment is.
//
// Barrier rule: a compute->compute barrier goes before a dispatch that reads bytes written since
// the last barrier (read-after-write), or writes bytes read or written since then (write-after-
// read, write-after-write: the arenas alias, so a tensor's slot is reused by a later tensor).
// Ranges are compared per VkBuffer, so the host-visible and device-local arenas never collide.
#pragma once
#include <span>
#include <vector>

#include <vulkan/vulkan.h>

#include "gpu/buffer.h"
#include "gpu/command.h"
#include "graph/phwc4.h"

namespace hetsched::gpu {

class TimestampQueries;

// Bytes touched since the last barrier.
class HazardTracker {
 public:
  // Whether a dispatch reading `reads` and writing `write` must wait behind a barrier.
  bool needs_barrier(std::span<const BufferRange> reads, const BufferRange& write) const;
  // Notes the dispatch's accesses (after it is recorded).
  void add(std::span<const BufferRange> reads, const BufferRange& write);
  // A barrier was recorded: nothing is pending.
  void clear() { written_.clear(), read_.clear(); }

 private:
  struct Span {
    VkBuffer buffer;
    uint64_t begin, end;
  };
  static bool overlaps(const std::vector<Span>& v, const BufferRange& r);
  std::vector<Span> written_, read_;
};

// One GPU part of a co-scheduled step: op `op_index` over `range` of its output.
struct SegmentPart {
  int op_index = 0;
  OutputRange range;
};

struct SegmentRecordOptions {
  // Profiling: query 2*op_index at a part's start and 2*op_index+1 at its end (reset in the
  // segment), each part fenced by barriers so its time is its own. Null: no timestamps.
  const TimestampQueries* timestamps = nullptr;
  // Begin with a barrier from host writes (CPU parts signalled before the segment's wait) and from
  // shader reads and writes of earlier submissions (previous segments) to this segment's shaders.
  bool after_host_and_earlier_segments = true;
  // End with shader writes -> host reads (the host reads GPU parts after the segment's signal).
  bool to_host = true;
};

// A barrier from every earlier shader access and host write to later shader reads and writes.
void host_and_compute_to_compute(CommandBuffer& cmd);

}  // namespace hetsched::gpu
