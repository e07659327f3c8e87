// PhaseLoads: the command lines of the two load programs and the parsing of hetsched_gpu_load's
// `gpu_load_ready` / `gpu_load_report` lines.
#include "bench/load/phase_loads.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "gpu/timestamps.h"

namespace hetsched::load {

namespace {

// The number after "key": in a one-line JSON object; NaN when absent.
double json_number(const std::string& line, const std::string& key) {
  const std::string pattern = "\"" + key + "\":";
  const size_t at = line.find(pattern);
  if (at == std::string::npos) return std::nan("");
  return std::strtod(line.c_str() + at + pattern.size(), nullptr);
}

}  // namespace

void PhaseLoads::start(const Phase& phase) {
  start_ns_ = gpu::host_now_ns();
  const int safety_s = int(std::ceil(phase.seconds)) + 30;
  workers_ = phase.cpu_percent > 0 ? cpu_workers(phase.cpu_percent, tools_.cores) : 0;
  duty_ = phase.gpu_percent / 100.0;
  if (workers_ > 0)
    cpu_ = std::make_unique<ChildProcess>(std::vector<std::string>{
        tools_.stress_ng, "--cpu", std::to_string(workers_), "--cpu-method", tools_.cpu_method, "--timeout",
        fmt::format("{}s", safety_s), "--quiet"});
  if (phase.gpu_percent > 0)
    gpu_ = std::make_unique<ChildProcess>(std::vector<std::string>{
        tools_.gpu_load, "--duty", fmt::format("{:.2f}", duty_), "--period-ms", fmt::format("{}", tools_.gpu_period_ms),
        "--device", std::to_string(tools_.device), "--seconds", std::to_string(safety_s)});
}

PhaseLoadResult PhaseLoads::stop() {
  PhaseLoadResult r;
  r.onset_ns = start_ns_;
  r.cpu_workers = workers_;
  r.gpu_duty = duty_;
  if (cpu_) {
    if (cpu_->exited())
      r.problems.push_back(fmt::format("{} exited before the phase ended: {}", cpu_->program(),
                                       describe_wait_status(cpu_->stop())));
    cpu_->stop();
    cpu_.reset();
  }
  if (gpu_) {
    const bool early = gpu_->exited();
    const int status = gpu_->stop();
    if (early) r.problems.push_back(fmt::format("{} exited before the phase ended: {}", gpu_->program(),
                                                describe_wait_status(status)));
    bool ready = false;
    for (const OutputLine& line : gpu_->lines()) {
      if (line.text.rfind("gpu_load_ready", 0) == 0) {
        r.onset_ns = std::max(r.onset_ns, line.host_ns);
        ready = true;
      } else if (line.text.rfind("gpu_load_report", 0) == 0) {
        r.gpu_busy = json_number(line.text, "busy_share");
      }
    }
    if (!ready) r.problems.push_back(fmt::format("{} never started its load ({})", gpu_->program(),
                                                 describe_wait_status(status)));
    if (!(r.gpu_busy >= 0)) {
      r.gpu_busy = -1;
      r.problems.push_back(fmt::format("{} printed no gpu_load_report", gpu_->program()));
    }
    gpu_.reset();
  }
  workers_ = 0;
  duty_ = 0;
  return r;
}

}  // namespace hetsched::load
