// A session's reports as JSON, one spelling for `hetsched run --json` and the Python package's
// dicts (Session.last_report(), tuning(), decisions()). Ordered: keys stay in the order written
// here, which Python dicts keep (nlohmann::json, sorted, converts from it).
#pragma once
#include <nlohmann/json.hpp>

#include "scheduler/session.h"

namespace hetsched {

// {run, session_ms, kind, from, to, reason}
nlohmann::ordered_json to_json(const ControllerEvent& e);
// {enabled, kernels, shapes_timed, cache_hits, changed, deferred, timed_default_us, timed_best_us, tuning_ms}
nlohmann::ordered_json to_json(const TuningSummary& t);
// {op_index, op_type, device, start_ms, end_ms, wait_ms, bytes_copied}
nlohmann::ordered_json to_json(const StepReport& s);
// {total_ms, steps: [StepReport], runner, events: [ControllerEvent]}
nlohmann::ordered_json to_json(const RunReport& r);
// [ControllerEvent]
nlohmann::ordered_json to_json(const std::vector<ControllerEvent>& events);

}  // namespace hetsched
