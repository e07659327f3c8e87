// The one conversion of the Python Session options into SessionOptions (see bindings.h): the
// policy and precision text are parsed here, with the library's own parsers, as the CLI does.
#include "base/error.h"
#include "bindings.h"
#include "partition/policy.h"

namespace hetsched::python {

SessionOptions session_options(const std::string& policy, int threads, std::optional<int> device,
                               const std::string& precision, bool tune) {
  if (threads < 0) fail(ErrorKind::kInvalidArgument, "threads must be >= 0 (0 = all hardware threads), got {}", threads);
  if (device && *device < 0)
    fail(ErrorKind::kInvalidArgument, "device must be a Vulkan device index >= 0 or None (the best), got {}", *device);
  SessionOptions o;
  o.policy = partition::parse_policy(policy);  // kInvalidArgument listing the valid forms
  o.threads = threads;
  o.device = device.value_or(-1);
  o.precision = parse_precision(precision);    // kInvalidArgument naming fp32, fp16, mixed
  o.tune = tune;
  return o;
}

}  // namespace hetsched::python
