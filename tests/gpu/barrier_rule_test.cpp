// The barrier rule shared by whole-model and segment recording (gpu/segment_recording.h): a
// dispatch waits behind a barrier when it reads bytes written since the last barrier (RAW) or
// writes bytes read or written since then (WAR, WAW: aliased arenas reuse slots); ranges in
// different buffers never collide. Pure: no device.
#include <gtest/gtest.h>

#include <cstdint>

#include "gpu/segment_recording.h"

namespace hetsched::gpu {
namespace {

VkBuffer fake_buffer(uintptr_t id) { return reinterpret_cast<VkBuffer>(id); }

BufferRange range(uintptr_t buffer, uint64_t offset, uint64_t size) { return {fake_buffer(buffer), offset, size, {}}; }

TEST(BarrierRule, ReadAfterWriteWriteAfterReadAndWriteAfterWrite) {
  HazardTracker h;
  const BufferRange a = range(1, 0, 256), b = range(1, 256, 256), c = range(1, 512, 256);
  EXPECT_FALSE(h.needs_barrier(std::vector<BufferRange>{a}, b));
  h.add(std::vector<BufferRange>{a}, b);  // reads a, writes b
  EXPECT_TRUE(h.needs_barrier(std::vector<BufferRange>{b}, c)) << "RAW";
  EXPECT_TRUE(h.needs_barrier(std::vector<BufferRange>{c}, a)) << "WAR: a's slot reused";
  EXPECT_TRUE(h.needs_barrier(std::vector<BufferRange>{c}, range(1, 300, 8))) << "WAW inside b";
  EXPECT_FALSE(h.needs_barrier(std::vector<BufferRange>{a}, c)) << "reads of a read slot need no barrier";
  EXPECT_FALSE(h.needs_barrier(std::vector<BufferRange>{range(1, 512, 64)}, range(1, 768, 64)));
  h.clear();
  EXPECT_FALSE(h.needs_barrier(std::vector<BufferRange>{b}, a)) << "after a barrier nothing is pending";
}

TEST(BarrierRule, RangesInOtherBuffersAndEmptyReadsNeverCollide) {
  HazardTracker h;
  h.add(std::vector<BufferRange>{range(1, 0, 1024)}, range(1, 1024, 1024));
  EXPECT_FALSE(h.needs_barrier(std::vector<BufferRange>{range(2, 1024, 1024)}, range(2, 0, 1024)));
  EXPECT_FALSE(h.needs_barrier(std::vector<BufferRange>{BufferRange{}}, range(2, 0, 64)));
  EXPECT_TRUE(h.needs_barrier(std::vector<BufferRange>{}, range(1, 2047, 1))) << "last byte of the write";
  EXPECT_FALSE(h.needs_barrier(std::vector<BufferRange>{}, range(1, 2048, 64))) << "just past it";
}

}  // namespace
}  // namespace hetsched::gpu
