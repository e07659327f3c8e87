// Names of error kinds, for messages and the CLI.
#include "base/error.h"

namespace hetsched {
const char* to_string(ErrorKind kind) {
  switch (kind) {
    case ErrorKind::kInvalidModel: return "invalid model";
    case ErrorKind::kUnsupported: return "unsupported";
    case ErrorKind::kInvalidArgument: return "invalid argument";
    case ErrorKind::kResourceExhausted: return "resource exhausted";
    case ErrorKind::kDeviceUnavailable: return "device unavailable";
    case ErrorKind::kInternal: return "internal error";
  }
  return "error";
}
}  // namespace hetsched
