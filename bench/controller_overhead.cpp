// What adaptive `auto` costs per run when nothing changes (issue #12: < 1%): the controller's
// bookkeeping per run, one /proc CPU-load reading (every 50 ms) and one GPU probe submit + poll
// (every 25 ms), each timed alone with Google Benchmark. Per-run overhead = record + reading cost x
// runs between readings; bench/results/controller_overhead_<machine>_<date>.txt has the numbers.
// Usage: controller_overhead [benchmark flags] (the GPU probe fills its own buffer: no model needed)
#include <benchmark/benchmark.h>

#include "gpu/device.h"
#include "scheduler/adaptive_controller.h"
#include "scheduler/load_sensors.h"

namespace hetsched {
namespace {

void BM_ControllerRecord(benchmark::State& state) {
  AdaptiveController c({{"cpu", {true, false}, 2.5, false}, {"gpu", {false, true}, 0.6, false},
                        {"co", {true, true}, 0.8, true}},
                       AdaptOptions{});
  double now = 0;
  const LoadReading load{0.05, 0.05};
  while (!c.settled()) c.record(c.next() == 1 ? 0.6 : 2.5, load, now += 1);
  // The run period on the controller's clock, in us (Arg): the 100 ms horizon of an intermittent
  // runner holds 100 runs at 1 ms, 1000 at 0.1 ms.
  const double step_ms = double(state.range(0)) / 1000;
  uint64_t i = 0;
  for (auto _ : state) {
    // 1% noise around the steady latency.
    c.record(0.6 * (1 + 0.01 * double(i++ % 7) / 7), load, now += step_ms);
    benchmark::DoNotOptimize(c.next());
  }
}
BENCHMARK(BM_ControllerRecord)->Arg(1000)->Arg(100);

void BM_CpuLoadRead(benchmark::State& state) {
  CpuLoadSensor s;
  for (auto _ : state) benchmark::DoNotOptimize(s.read());
}
BENCHMARK(BM_CpuLoadRead);

// Submit a probe and poll until it completes (the session submits after one run and polls at later
// runs; the host cost is the submit plus the polls).
void BM_GpuProbeSubmitPoll(benchmark::State& state) {
  gpu::VulkanDevice device(gpu::DeviceOptions{-1, false});
  GpuProbe probe(device);
  for (auto _ : state) {
    probe.submit();
    state.PauseTiming();
    probe.drain();  // waiting is not a host cost the session pays: it polls without waiting
    state.ResumeTiming();
    benchmark::DoNotOptimize(probe.poll());
  }
}
BENCHMARK(BM_GpuProbeSubmitPoll)->Unit(benchmark::kMicrosecond);

}  // namespace
}  // namespace hetsched

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  benchmark::RunSpecifiedBenchmarks();
  return 0;
}
