// FNV-1a, 64 bits, over bytes fed in pieces: a hash that is the same in every run and build
// (std::hash is not), for cache keys, fingerprints and deterministic sampling.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string_view>

namespace hetsched {

class Fnv1a {
 public:
  void mix(const void* data, size_t n) {
    const auto* b = static_cast<const uint8_t*>(data);
    for (size_t i = 0; i < n; ++i) h_ = (h_ ^ b[i]) * 1099511628211ull;
  }
  uint64_t value() const { return h_; }

 private:
  uint64_t h_ = 1469598103934665603ull;
};

inline uint64_t fnv1a(std::string_view s) {
  Fnv1a h;
  h.mix(s.data(), s.size());
  return h.value();
}

}  // namespace hetsched
