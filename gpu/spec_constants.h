// Specialization constants: each shader has a typed struct of them; SpecConstants turns it into the
// VkSpecializationInfo of its pipeline. Rule: field i of the struct is `constant_id = i` in the
// shader, and every field is 4 bytes (uint32_t, int32_t, float, or VkBool32 for bool).
//   struct FillRangeSpec { uint32_t local_size_x = 64; };   // layout(local_size_x_id = 0) in;
//   SpecConstants::from_struct(FillRangeSpec{128})
#pragma once
#include <vulkan/vulkan.h>

#include <cstdint>
#include <cstring>
#include <type_traits>
#include <vector>

namespace hetsched::gpu {

// Value type; copies are independent. Not thread-safe for concurrent modification.
class SpecConstants {
 public:
  SpecConstants() = default;

  template <typename S>
  static SpecConstants from_struct(const S& values) {
    static_assert(std::is_trivially_copyable_v<S> && std::is_standard_layout_v<S>,
                  "a specialization struct is plain data");
    static_assert(sizeof(S) % 4 == 0, "every specialization constant field is 4 bytes");
    SpecConstants out;
    out.data_.resize(sizeof(S));
    std::memcpy(out.data_.data(), &values, sizeof(S));
    for (uint32_t i = 0; i < sizeof(S) / 4; ++i) out.entries_.push_back({i, i * 4, 4});
    return out;
  }

  // Adds (or overrides) constant `id`. T is uint32_t, int32_t, float or bool (stored as VkBool32).
  template <typename T>
  SpecConstants& set(uint32_t id, T value) {
    static_assert(std::is_same_v<T, uint32_t> || std::is_same_v<T, int32_t> || std::is_same_v<T, float> ||
                      std::is_same_v<T, bool>,
                  "specialization constants are uint32_t, int32_t, float or bool");
    uint32_t word = 0;
    if constexpr (std::is_same_v<T, bool>) {
      word = value ? VK_TRUE : VK_FALSE;
    } else {
      std::memcpy(&word, &value, 4);
    }
    for (const auto& e : entries_) {
      if (e.constantID == id) {
        std::memcpy(data_.data() + e.offset, &word, 4);
        return *this;
      }
    }
    entries_.push_back({id, static_cast<uint32_t>(data_.size()), 4});
    data_.resize(data_.size() + 4);
    std::memcpy(data_.data() + entries_.back().offset, &word, 4);
    return *this;
  }

  bool empty() const { return entries_.empty(); }
  const std::vector<VkSpecializationMapEntry>& entries() const { return entries_; }
  const std::vector<uint8_t>& data() const { return data_; }

  // The info for VkPipelineShaderStageCreateInfo; nullptr when there are no constants. Points into
  // this object: valid while it lives unmodified.
  const VkSpecializationInfo* info() const {
    if (entries_.empty()) return nullptr;
    info_ = {static_cast<uint32_t>(entries_.size()), entries_.data(), data_.size(), data_.data()};
    return &info_;
  }

 private:
  std::vector<VkSpecializationMapEntry> entries_;
  std::vector<uint8_t> data_;
  mutable VkSpecializationInfo info_{};
};

}  // namespace hetsched::gpu
