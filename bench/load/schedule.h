// Load schedules: "idle:3,gpu90:5,idle:3,cpu100:5,both:5,idle:3" (phase:seconds, in order).
// Phase names: idle; cpuNN (stress-ng with NN% of the cores as workers); gpuNN (hetsched_gpu_load
// at NN% duty); `+` combines them (cpu50+gpu90); both = cpu100+gpu90.
#pragma once
#include <string>
#include <string_view>
#include <vector>

namespace hetsched::load {

struct Phase {
  std::string name;  // as written
  double seconds = 0;
  int cpu_percent = 0;  // 0: no CPU load
  int gpu_percent = 0;  // 0: no GPU load
};

// Error kInvalidArgument naming the bad item (unknown phase, NN outside 1..100, seconds <= 0, empty).
std::vector<Phase> parse_schedule(std::string_view text);
// stress-ng workers for `percent` of `cores`: rounded, at least 1.
int cpu_workers(int percent, int cores);

}  // namespace hetsched::load
