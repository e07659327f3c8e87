// libFuzzer target: arbitrary bytes as a plan JSON (partition/plan.h) for a small fixed graph of
// three ADDs on a [1,8,8,8] tensor (every op splittable by slices and rows). A graph_hash of
// "FUZZ" is replaced by the graph's real hash so the fuzzer gets past the identity check to the
// steps. Any hetsched::Error is an accepted answer; a crash, sanitizer report or another exception
// is a finding, and so is an accepted plan that does not survive to_json -> plan_from_json
// unchanged or has a boundary outside its op's extent.
#include <cstdint>
#include <cstdlib>
#include <string>

#include <nlohmann/json.hpp>

#include "base/error.h"
#include "graph/graph.h"
#include "partition/plan.h"
#include "tests/support/plan_builders.h"

namespace {

const hetsched::Graph kGraph = hetsched::test::chain_of_adds(8, "fuzz_plan");

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace hetsched;
  nlohmann::json j = nlohmann::json::parse(data, data + size, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return 0;
  if (j.is_object() && j.contains("graph_hash") && j["graph_hash"] == "FUZZ")
    j["graph_hash"] =
        partition::to_json(partition::Plan{.graph_hash = partition::graph_fingerprint(kGraph)})["graph_hash"];
  partition::Plan p;
  try {
    p = partition::plan_from_json(j, kGraph);
  } catch (const Error&) {
    return 0;
  }
  // Accepted: the plan must be one the co-scheduler can run and must round-trip.
  if (p.steps.size() != kGraph.ops.size()) std::abort();
  for (size_t i = 0; i < p.steps.size(); ++i) {
    const auto& s = p.steps[i];
    if (s.op_index != int(i)) std::abort();
    if (s.kind == partition::StepKind::kSplit && (s.boundary < 0 || s.boundary > 8)) std::abort();
  }
  const partition::Plan back = partition::plan_from_json(partition::to_json(p), kGraph);
  for (size_t i = 0; i < p.steps.size(); ++i)
    if (back.steps[i].kind != p.steps[i].kind || back.steps[i].boundary != p.steps[i].boundary ||
        back.steps[i].axis != p.steps[i].axis)
      std::abort();
  return 0;
}
