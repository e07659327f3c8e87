// hetsched_gpu_load: a separate process that keeps a Vulkan device busy at a chosen duty cycle
// (background GPU load for bench/load_scenario; vendor-neutral, so it also loads lavapipe, whose
// "GPU" is CPU threads). Prints `gpu_load_ready {...}` once the load starts, `gpu_load_second {...}`
// every second with --verbose, and `gpu_load_report {...}` (JSON) at exit: the busy share it
// achieved, measured from GPU timestamps. Runs for --seconds, or until SIGTERM/SIGINT.
#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <atomic>
#include <csignal>
#include <cstdio>

#include "base/error.h"
#include "bench/load/duty_cycle.h"
#include "gpu/device.h"

namespace {

std::atomic<bool> g_stop{false};
extern "C" void on_signal(int) { g_stop.store(true); }

std::string json_escape(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    out += (static_cast<unsigned char>(c) < 0x20) ? ' ' : c;
  }
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Keep a Vulkan device busy at a duty cycle (background load for bench/load_scenario)"};
  hetsched::load::DutyCycleOptions options;
  int device_index = -1;
  bool verbose = false;
  app.add_option("--duty", options.duty, "share of each period the device is busy, 0..1")->check(CLI::Range(0.0, 1.0));
  app.add_option("--period-ms", options.period_ms, "busy + idle cycle length in ms")->check(CLI::PositiveNumber);
  app.add_option("--dispatch-ms", options.dispatch_ms, "target duration of one dispatch in ms")
      ->check(CLI::PositiveNumber);
  app.add_option("--device", device_index, "Vulkan device index (-1: the best, as hetsched picks)");
  app.add_option("--seconds", options.seconds, "stop after this many seconds (0: until SIGTERM)")
      ->check(CLI::NonNegativeNumber);
  app.add_flag("--verbose", verbose, "print the busy share of every second");
  CLI11_PARSE(app, argc, argv);

  std::signal(SIGTERM, on_signal);
  std::signal(SIGINT, on_signal);
  try {
    hetsched::gpu::DeviceOptions device_options;
    device_options.device_index = device_index;
    const hetsched::gpu::VulkanDevice device(device_options);
    hetsched::load::DutyCycleLoad load(device, options);
    std::printf("gpu_load_ready {\"duty\":%.3f,\"period_ms\":%.3f,\"groups\":%u,\"iterations\":%u,\"device\":\"%s\"}\n",
                options.duty, options.period_ms, load.groups(), load.iterations(),
                json_escape(device.describe()).c_str());
    std::fflush(stdout);
    auto each_second = [](int second, double busy) {
      std::printf("gpu_load_second {\"second\":%d,\"busy\":%.4f}\n", second, busy);
      std::fflush(stdout);
    };
    const hetsched::load::DutyCycleReport r =
        load.run(g_stop, verbose ? std::function<void(int, double)>(each_second) : nullptr);
    std::printf(
        "gpu_load_report {\"duty\":%.3f,\"busy_share\":%.4f,\"wall_s\":%.3f,\"dispatches\":%lld,"
        "\"mean_dispatch_ms\":%.4f,\"groups\":%u,\"iterations\":%u,\"busy_source\":\"%s\",\"device\":\"%s\"}\n",
        r.duty, r.busy_share, r.wall_s, static_cast<long long>(r.dispatches), r.mean_dispatch_ms, r.groups,
        r.iterations, r.busy_source.c_str(), json_escape(r.device).c_str());
    std::fflush(stdout);
    return 0;
  } catch (const hetsched::Error& e) {
    std::fprintf(stderr, "hetsched_gpu_load: %s\n", e.what());
    return 1;
  }
}
