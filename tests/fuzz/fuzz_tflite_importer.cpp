// libFuzzer target: arbitrary bytes into the TFLite importer. Any hetsched::Error is an accepted
// answer; a crash, sanitizer report, other exception or leak is a finding. With
// HETSCHED_FUZZ_PREPARE=1 a successfully loaded graph also goes through prepare_graph.
#include <cstdint>
#include <cstdlib>
#include <span>

#include "base/error.h"
#include "graph/load_model.h"
#include "graph/passes/pipeline.h"

namespace {
const bool kPrepare = [] {
  const char* e = std::getenv("HETSCHED_FUZZ_PREPARE");
  return e && *e == '1';
}();
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  try {
    hetsched::Graph g = hetsched::load_tflite_buffer(std::span<const uint8_t>(data, size), "fuzz.tflite");
    if (kPrepare) hetsched::prepare_graph(g);
  } catch (const hetsched::Error&) {
  }
  return 0;
}
