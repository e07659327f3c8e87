// What the profiler notes about the host: the CPU model (/proc/cpuinfo), hardware threads and the
// load average (/proc/loadavg), so a dataset says on what, and how busy, it was measured.
#pragma once
#include <string>

namespace hetsched::profiles {

// "AMD EPYC 7B13" (the first "model name" of /proc/cpuinfo), or "unknown cpu".
std::string cpu_model_name();
int hardware_threads();
// The 1-minute load average, or -1 when /proc/loadavg cannot be read.
double load_average_1min();
// A file-name-safe form of a name: lower case, [a-z0-9] kept, runs of anything else as one '-'.
std::string slug(const std::string& name);

}  // namespace hetsched::profiles
