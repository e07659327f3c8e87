// parse_schedule: comma-separated items, each "name:seconds"; name is '+'-joined load terms.
#include "bench/load/schedule.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdlib>

#include "base/error.h"

namespace hetsched::load {

namespace {

int parse_percent(std::string_view term, std::string_view prefix, std::string_view item) {
  const std::string_view digits = term.substr(prefix.size());
  int value = 0;
  const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
  if (digits.empty() || ec != std::errc() || end != digits.data() + digits.size() || value < 1 || value > 100)
    fail(ErrorKind::kInvalidArgument, "schedule item '{}': '{}' needs a percentage 1..100 after '{}'", item, term,
         prefix);
  return value;
}

void add_term(Phase& phase, std::string_view term, std::string_view item) {
  if (term == "idle") return;
  if (term == "both") {
    phase.cpu_percent = 100;
    phase.gpu_percent = 90;
  } else if (term.rfind("cpu", 0) == 0) {
    phase.cpu_percent = parse_percent(term, "cpu", item);
  } else if (term.rfind("gpu", 0) == 0) {
    phase.gpu_percent = parse_percent(term, "gpu", item);
  } else {
    fail(ErrorKind::kInvalidArgument, "schedule item '{}': unknown load '{}' (idle, cpuNN, gpuNN, both)", item, term);
  }
}

}  // namespace

std::vector<Phase> parse_schedule(std::string_view text) {
  std::vector<Phase> phases;
  while (!text.empty()) {
    const size_t comma = text.find(',');
    const std::string_view item = text.substr(0, comma);
    text = comma == std::string_view::npos ? std::string_view() : text.substr(comma + 1);
    const size_t colon = item.find(':');
    if (colon == std::string_view::npos)
      fail(ErrorKind::kInvalidArgument, "schedule item '{}' is not phase:seconds", item);
    Phase p;
    p.name = std::string(item.substr(0, colon));
    const std::string seconds(item.substr(colon + 1));
    char* end = nullptr;
    p.seconds = std::strtod(seconds.c_str(), &end);
    if (seconds.empty() || *end != '\0' || !(p.seconds > 0) || !std::isfinite(p.seconds))
      fail(ErrorKind::kInvalidArgument, "schedule item '{}': seconds must be a number > 0", item);
    std::string_view terms = item.substr(0, colon);
    while (true) {
      const size_t plus = terms.find('+');
      add_term(p, terms.substr(0, plus), item);
      if (plus == std::string_view::npos) break;
      terms = terms.substr(plus + 1);
    }
    phases.push_back(std::move(p));
  }
  if (phases.empty()) fail(ErrorKind::kInvalidArgument, "the schedule is empty (e.g. idle:3,gpu90:5,cpu100:5)");
  return phases;
}

int cpu_workers(int percent, int cores) {
  return std::max(1, int(std::lround(double(percent) * double(cores) / 100.0)));
}

}  // namespace hetsched::load
