// CPU utilization from /proc/stat (the cores this process may use, together) and the CPU time of reaped children
// (getrusage RUSAGE_CHILDREN: stress-ng's workers once stress-ng has waited for them).
#pragma once
#include <cstdint>

namespace hetsched::load {

struct CpuTimes {
  uint64_t busy = 0, total = 0;  // jiffies summed over the cores; busy excludes idle and iowait
  int cores = 0;                 // the cores this process may run on (sched_getaffinity)
};

// The per-core lines of /proc/stat for the cores in this process's affinity mask, summed. Error
// kUnsupported when it cannot be read.
CpuTimes read_cpu_times();
// Cores in this process's affinity mask (what `nproc` prints), at least 1.
int usable_cores();
// Share of all cores that was busy between two snapshots, 0..1 (0 when no time passed).
double busy_share(const CpuTimes& before, const CpuTimes& after);
// User + system seconds of every terminated and waited-for child of this process so far.
double children_cpu_seconds();

}  // namespace hetsched::load
