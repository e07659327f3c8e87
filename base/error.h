// The one error type of hetsched: an exception whose message carries its context
// (model, op index and type, tensor name, Vulkan call, sizes). Thrown at the point of failure,
// caught at the API/CLI boundary, where it becomes one clear line on stderr.
#pragma once
#include <fmt/format.h>

#include <stdexcept>
#include <string>
#include <utility>

namespace hetsched {

enum class ErrorKind {
  kInvalidModel,      // malformed/truncated file, bad indices, cycles
  kUnsupported,       // unsupported op, dtype or feature
  kInvalidArgument,   // bad user input: wrong shape, missing file, bad option
  kResourceExhausted, // out of host or device memory
  kDeviceUnavailable, // no Vulkan device, device creation failed, device lost
  kInternal,
};

const char* to_string(ErrorKind kind);

class Error : public std::runtime_error {
 public:
  Error(ErrorKind kind, std::string message) : std::runtime_error(std::move(message)), kind_(kind) {}
  ErrorKind kind() const { return kind_; }

 private:
  ErrorKind kind_;
};

// Throws Error(kind, formatted message).
template <typename... Args>
[[noreturn]] void fail(ErrorKind kind, fmt::format_string<Args...> f, Args&&... args) {
  throw Error(kind, fmt::format(f, std::forward<Args>(args)...));
}

}  // namespace hetsched
