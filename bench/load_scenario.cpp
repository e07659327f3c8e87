// load_scenario: one app-like loop under a schedule of background load. Loads a model and opens a
// Session with a policy through the public API only (scheduler/model.h, scheduler/session.h),
// warms up, then runs back to back on fixed random inputs (seed printed) while the schedule
// switches stress-ng (cpuNN) and hetsched_gpu_load (gpuNN) on and off (bench/load/). Writes one CSV
// row per run (latency, the runner the session used and the controller's decisions) and one per phase
// (load onset, measured CPU utilization, the GPU busy share hetsched_gpu_load reported).
//   load_scenario MODEL --policy auto --schedule idle:3,gpu90:5,idle:3,cpu100:5,both:5,idle:3
//     --csv runs.csv --phases-csv phases.csv
// `--policy P@B` runs P with a second, idle session of policy B open beside it in the same process
// (an A/B of what a process's extra state costs: `cpu@gpu` = a Vulkan device and a prepared GPU
// runner that never run, `cpu@cpu` = a second TBB arena); the CSVs name the policy `P@B`.
// bench/load_scenario.py runs it per model and policy and writes the plots and the summary.
#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <optional>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include "base/error.h"
#include "bench/load/cpu_stat.h"
#include "bench/load/phase_loads.h"
#include "bench/load/schedule.h"
#include "scheduler/model.h"
#include "scheduler/random_inputs.h"
#include "scheduler/session.h"

using namespace hetsched;

namespace {

std::atomic<bool> g_stop{false};
extern "C" void on_signal(int) { g_stop.store(true); }

// The adaptive controller's decisions taken right before a run: "switch gpu->cpu: <reason>", ...
std::string events_of(const RunReport& r) {
  std::string out;
  for (const ControllerEvent& e : r.events)
    out += fmt::format("{}{} {}->{}: {}", out.empty() ? "" : " | ", e.kind, e.from, e.to, e.reason);
  return out;
}

// The controller's load reading after a run (empty: none, or not `auto`).
std::string optional_field(const std::optional<double>& v, int decimals) {
  return v ? fmt::format("{:.{}f}", *v, decimals) : std::string();
}

std::string csv_field(const std::string& s) {
  if (s.find_first_of(",\"\n") == std::string::npos) return s;
  std::string q = "\"";
  for (char c : s) q += c == '"' ? std::string("\"\"") : std::string(1, c == '\n' ? ' ' : c);
  return q + "\"";
}

double ms_between(std::chrono::steady_clock::time_point a, std::chrono::steady_clock::time_point b) {
  return std::chrono::duration<double, std::milli>(b - a).count();
}

std::string sibling_of_self(const std::string& name) {
  std::error_code ec;
  const auto self = std::filesystem::read_symlink("/proc/self/exe", ec);
  return ec ? name : (self.parent_path() / name).string();
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Run a model back to back under a schedule of background CPU/GPU load"};
  std::string model_path, csv_path, phases_path, schedule_text = "idle:3,gpu90:5,idle:3,cpu100:5,both:5,idle:3";
  SessionOptions options;
  std::string policy = "auto";
  int warmup = 20;
  int64_t seed = -1;
  load::LoadTools tools;
  tools.gpu_load = sibling_of_self("hetsched_gpu_load");
  tools.cores = load::usable_cores();
  app.add_option("model", model_path, ".tflite model")->required()->check(CLI::ExistingFile);
  app.add_option("--policy", policy, "session policy: cpu, gpu, auto (adaptive), auto:static (decide once), ...");
  app.add_option("--threads", options.threads, "CPU threads of the session (0: all)");
  app.add_option("--device", options.device, "Vulkan device index for the session and the GPU load (-1: best)");
  app.add_option("--schedule", schedule_text, "phase:seconds,... with phases idle, cpuNN, gpuNN, both, a+b");
  app.add_option("--warmup", warmup, "runs before the schedule starts")->check(CLI::NonNegativeNumber);
  app.add_option("--seed", seed, "seed of the random inputs (default: random, printed)");
  app.add_option("--csv", csv_path, "per-run CSV (model,policy,run,t_ms,phase_index,phase,latency_ms,runner,events,gpu_probe_ms,cpu_other_share)")
      ->required();
  app.add_option("--phases-csv", phases_path, "per-phase CSV (onset, CPU utilization, GPU busy share)");
  app.add_option("--stress-ng", tools.stress_ng, "stress-ng program (cpuNN phases)");
  app.add_option("--cpu-method", tools.cpu_method, "stress-ng --cpu-method");
  app.add_option("--cores", tools.cores, "cores that cpuNN takes NN% of (default: those this process may use, as nproc)")
      ->check(CLI::PositiveNumber);
  app.add_option("--gpu-load", tools.gpu_load, "hetsched_gpu_load program (gpuNN phases)");
  app.add_option("--gpu-period-ms", tools.gpu_period_ms, "hetsched_gpu_load --period-ms");
  app.add_option("--sensor-interval-ms", options.adapt.sensor_interval_ms,
                 "auto: its GPU probe at most this often (1e9: none, for an A/B of its cost; the CPU load reading keeps its 50 ms)")
      ->check(CLI::PositiveNumber);
  bool complete_tuning = false;
  app.add_flag("--complete-tuning", complete_tuning,
               "first open `gpu` sessions until no kernel is left untuned by the tuning budget (needs a tuning "
               "cache: $HETSCHED_CACHE_DIR), so `auto` never races a half-tuned GPU");
  CLI11_PARSE(app, argc, argv);
  tools.device = options.device;

  std::signal(SIGTERM, on_signal);
  std::signal(SIGINT, on_signal);
  try {
    const std::vector<load::Phase> phases = load::parse_schedule(schedule_text);
    const size_t at = policy.find('@');
    options.policy = partition::parse_policy(policy.substr(0, at));
    const std::string model_name = std::filesystem::path(model_path).stem().string();
    auto model = Model::load(model_path);
    std::optional<Session> beside;  // idle, only held open
    if (at != std::string::npos) {
      SessionOptions beside_options = options;
      beside_options.policy = partition::parse_policy(policy.substr(at + 1));
      beside.emplace(model, beside_options);
    }
    if (complete_tuning && options.policy.kind != partition::PolicySpec::Kind::kCpu) {
      SessionOptions gpu_options = options;
      gpu_options.policy = partition::parse_policy("gpu");
      for (int start = 1; start <= 20; ++start) {
        const Session tuning(model, gpu_options);
        if (tuning.tuning().deferred == 0) break;
        std::printf("load_scenario: tuning start %d left %d kernels untuned\n", start, tuning.tuning().deferred);
      }
    }
    Session session(model, options);
    if (seed < 0) seed = int64_t(std::random_device{}() & 0x7fffffff);
    std::printf("load_scenario: model %s, policy %s, seed %lld, schedule %s\n", model_name.c_str(),
                policy.c_str(), static_cast<long long>(seed), schedule_text.c_str());
    std::mt19937 rng{static_cast<uint32_t>(seed)};
    set_random_inputs(session, rng);
    for (int i = 0; i < warmup && !g_stop; ++i) session.run();

    std::ofstream csv(csv_path);
    if (!csv) fail(ErrorKind::kInvalidArgument, "cannot write --csv '{}'", csv_path);
    csv << "model,policy,run,t_ms,phase_index,phase,latency_ms,runner,events,gpu_probe_ms,cpu_other_share\n";
    std::ofstream phases_csv;
    if (!phases_path.empty()) {
      phases_csv.open(phases_path);
      if (!phases_csv) fail(ErrorKind::kInvalidArgument, "cannot write --phases-csv '{}'", phases_path);
      phases_csv << "model,policy,phase_index,phase,seconds,start_ms,end_ms,onset_ms,runs,mean_ms,cpu_util,cores,"
                    "cpu_workers,load_cpu_cores,gpu_duty,gpu_busy,problems\n";
    }

    load::PhaseLoads loads(tools);
    const auto t0 = std::chrono::steady_clock::now();
    const int64_t t0_ns = std::chrono::duration_cast<std::chrono::nanoseconds>(t0.time_since_epoch()).count();
    int run = 0;
    double phase_end_s = 0;
    for (size_t p = 0; p < phases.size() && !g_stop; ++p) {
      const load::Phase& phase = phases[p];
      const auto phase_start = std::chrono::steady_clock::now();
      const load::CpuTimes cpu_before = load::read_cpu_times();
      const double children_before = load::children_cpu_seconds();
      loads.start(phase);
      phase_end_s += phase.seconds;
      const auto phase_end = t0 + std::chrono::duration<double>(phase_end_s);
      int runs = 0;
      double sum_ms = 0;
      while (!g_stop && std::chrono::steady_clock::now() < phase_end) {
        const auto a = std::chrono::steady_clock::now();
        session.run();
        const auto b = std::chrono::steady_clock::now();
        const RunReport& report = session.last_report();
        const double ms = ms_between(a, b);
        csv << model_name << ',' << csv_field(policy) << ',' << run++ << ',' << fmt::format("{:.3f}", ms_between(t0, a))
            << ',' << p << ',' << phase.name << ',' << fmt::format("{:.4f}", ms) << ',' << csv_field(report.runner)
            << ',' << csv_field(events_of(report)) << ',' << optional_field(report.load_gpu_probe_ms, 4) << ','
            << optional_field(report.load_cpu_other_share, 3) << '\n';
        ++runs;
        sum_ms += ms;
      }
      const load::PhaseLoadResult r = loads.stop();
      const load::CpuTimes cpu_after = load::read_cpu_times();
      const double phase_s = ms_between(phase_start, std::chrono::steady_clock::now()) / 1000;
      const double load_cores = (load::children_cpu_seconds() - children_before) / std::max(phase_s, 1e-9);
      const double util = load::busy_share(cpu_before, cpu_after);
      std::string problems;
      for (const std::string& s : r.problems) {
        problems += (problems.empty() ? "" : "; ") + s;
        std::fprintf(stderr, "load_scenario: phase %zu (%s): %s\n", p, phase.name.c_str(), s.c_str());
      }
      const double onset_ms = double(r.onset_ns - t0_ns) / 1e6;
      std::printf("  phase %zu %-10s %5.1f s: %6d runs, mean %8.3f ms; CPU %3.0f%% of %d cores (load %.2f cores)%s\n",
                  p, phase.name.c_str(), phase.seconds, runs, runs ? sum_ms / runs : 0.0, 100 * util, cpu_after.cores,
                  load_cores, r.gpu_busy >= 0 ? fmt::format(", GPU load busy {:.0f}%", 100 * r.gpu_busy).c_str() : "");
      std::fflush(stdout);
      if (phases_csv.is_open())
        phases_csv << model_name << ',' << csv_field(policy) << ',' << p << ',' << phase.name << ','
                   << phase.seconds << ',' << fmt::format("{:.3f}", ms_between(t0, phase_start)) << ','
                   << fmt::format("{:.3f}", phase_end_s * 1000) << ',' << fmt::format("{:.3f}", onset_ms) << ','
                   << runs << ',' << fmt::format("{:.4f}", runs ? sum_ms / runs : 0.0) << ','
                   << fmt::format("{:.4f}", util) << ',' << cpu_after.cores << ',' << r.cpu_workers << ','
                   << fmt::format("{:.3f}", load_cores) << ',' << r.gpu_duty << ','
                   << (r.gpu_busy >= 0 ? fmt::format("{:.4f}", r.gpu_busy) : std::string()) << ','
                   << csv_field(problems) << '\n';
    }
    if (g_stop) {
      std::fprintf(stderr, "load_scenario: stopped by a signal after %d runs\n", run);
      return 130;
    }
    return 0;
  } catch (const Error& e) {
    std::fprintf(stderr, "load_scenario: %s\n", e.what());
    return 1;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "load_scenario: %s\n", e.what());
    return 1;
  }
}
