// Writing a run's report: a CSV with one row per step part, and a Chrome/Perfetto trace (JSON
// trace-event format) with one track per processor.
#pragma once
#include <string>

#include "scheduler/session.h"

namespace hetsched {

void write_report_csv(const RunReport& report, const std::string& path);
void write_chrome_trace(const RunReport& report, const std::string& model, const std::string& path);

}  // namespace hetsched
