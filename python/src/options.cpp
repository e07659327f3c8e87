// The one conversion of the Python Session options into SessionOptions (see bindings.h).
#include <fmt/format.h>

#include "bindings.h"
#include "graph/error.h"
#include "partition/policy.h"

namespace hetsched::python {

SessionOptions session_options(const std::string& policy, int threads, std::optional<int> device,
                               const std::string& precision, bool tune) {
  if (threads < 0) fail(ErrorKind::kInvalidArgument, "threads must be >= 0 (0 = all hardware threads), got {}", threads);
  if (device && *device < 0)
    fail(ErrorKind::kInvalidArgument, "device must be a Vulkan device index >= 0 or None (the best), got {}", *device);
  if (precision != "fp32" && precision != "fp16")
    fail(ErrorKind::kInvalidArgument, "precision '{}' is not one of fp32, fp16", precision);
  partition::parse_policy(policy);  // throws kInvalidArgument listing the valid forms
  SessionOptions o;
  o.policy = policy;
  o.threads = threads;
  o.device = device.value_or(-1);
  o.precision = precision;
  o.tune = tune;
  return o;
}

}  // namespace hetsched::python
