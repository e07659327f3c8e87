// libFuzzer target: arbitrary bytes into the .npy reader (tools/npy.h). Any hetsched::Error is an
// accepted answer; a crash, sanitizer report or another exception (std::stoi's, std::bad_alloc)
// is a finding, and so is an accepted float32 array whose data does not match its shape.
#include <cstdint>
#include <cstdlib>
#include <span>

#include "base/error.h"
#include "tools/npy.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  try {
    const auto a = hetsched::tools::parse_npy(std::span<const char>(reinterpret_cast<const char*>(data), size),
                                              "fuzz.npy");
    for (int d : a.shape)
      if (d < 0) std::abort();
    if (a.dtype == "<f4" && a.data.size() != hetsched::tools::npy_elements(a.shape)) std::abort();
  } catch (const hetsched::Error&) {
  }
  return 0;
}
