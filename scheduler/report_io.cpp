// Report CSV and Chrome trace writers.
#include "scheduler/report_io.h"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <fstream>

#include "base/error.h"

namespace hetsched {

void write_report_csv(const RunReport& r, const std::string& path) {
  std::ofstream f(path);
  if (!f) fail(ErrorKind::kInvalidArgument, "cannot write report file '{}'", path);
  f << "op_index,op_type,device,start_ms,end_ms,duration_ms,wait_ms,bytes_copied\n";
  for (const StepReport& s : r.steps)
    f << fmt::format("{},{},{},{:.6f},{:.6f},{:.6f},{:.6f},{}\n", s.op_index, s.op_type, s.device, s.start_ms,
                     s.end_ms, s.end_ms - s.start_ms, s.wait_ms, s.bytes_copied);
  for (const ControllerEvent& e : r.events) f << fmt::format("-1,{},controller,0,0,0,0,0\n", e.kind);
}

void write_chrome_trace(const RunReport& r, const std::string& model, const std::string& path,
                        const std::vector<ControllerEvent>& decisions) {
  nlohmann::json events = nlohmann::json::array();
  for (const char* dev : {"cpu", "gpu"})
    events.push_back({{"name", "thread_name"}, {"ph", "M"}, {"pid", 1}, {"tid", dev[0] == 'c' ? 1 : 2},
                      {"args", {{"name", dev}}}});
  for (const StepReport& s : r.steps) {
    const int tid = s.device == "cpu" ? 1 : 2;
    if (s.wait_ms > 0)
      events.push_back({{"name", "wait"}, {"ph", "X"}, {"pid", 1}, {"tid", tid}, {"ts", (s.start_ms - s.wait_ms) * 1e3},
                        {"dur", s.wait_ms * 1e3}});
    events.push_back({{"name", fmt::format("{} {}", s.op_index, s.op_type)},
                      {"ph", "X"},
                      {"pid", 1},
                      {"tid", tid},
                      {"ts", s.start_ms * 1e3},
                      {"dur", (s.end_ms - s.start_ms) * 1e3},
                      {"args", {{"op", s.op_index}, {"bytes_copied", s.bytes_copied}}}});
  }
  if (!decisions.empty()) {
    events.push_back({{"name", "process_name"}, {"ph", "M"}, {"pid", 2}, {"args", {{"name", "controller (session time)"}}}});
    for (const ControllerEvent& e : decisions)
      events.push_back({{"name", fmt::format("{} {}{}{}", e.kind, e.from, e.from.empty() ? "" : "->", e.to)},
                        {"ph", "i"},
                        {"s", "p"},
                        {"pid", 2},
                        {"tid", 1},
                        {"ts", e.session_ms * 1e3},
                        {"args", {{"run", e.run}, {"reason", e.reason}}}});
  }
  nlohmann::json j = {{"traceEvents", events}, {"displayTimeUnit", "ms"}, {"otherData", {{"model", model}}}};
  std::ofstream f(path);
  if (!f) fail(ErrorKind::kInvalidArgument, "cannot write trace file '{}'", path);
  f << j.dump() << "\n";
}

}  // namespace hetsched
