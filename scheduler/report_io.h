// Writing a run's report: a CSV with one row per step part, and a Chrome/Perfetto trace (JSON
// trace-event format) with one track per processor.
#pragma once
#include <string>

#include "scheduler/session.h"

namespace hetsched {

// The CSV also has one row per controller decision taken right before the run (device
// "controller", op_type the decision's kind, op_index -1).
void write_report_csv(const RunReport& report, const std::string& path);
// `decisions` (Session::decisions()) appear as instant markers on a "controller" track, on the
// session's clock (ms since the session was created), with their reason.
void write_chrome_trace(const RunReport& report, const std::string& model, const std::string& path,
                        const std::vector<ControllerEvent>& decisions = {});

}  // namespace hetsched
