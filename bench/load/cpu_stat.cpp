// /proc/stat: "cpuN user nice system idle iowait irq softirq steal guest guest_nice" (guest time is
// already counted in user and nice, so it is not added again).
#include "bench/load/cpu_stat.h"

#include <sched.h>
#include <sys/resource.h>

#include <algorithm>

#include <fstream>
#include <sstream>
#include <string>

#include "base/error.h"

namespace hetsched::load {

CpuTimes read_cpu_times() {
  std::ifstream in("/proc/stat");
  if (!in) fail(ErrorKind::kUnsupported, "cannot read /proc/stat (CPU utilization needs Linux procfs)");
  cpu_set_t mask;
  CPU_ZERO(&mask);
  const bool have_mask = sched_getaffinity(0, sizeof(mask), &mask) == 0;
  CpuTimes t;
  std::string line;
  while (std::getline(in, line)) {
    // Only the per-core lines of the cores this process may run on (a container's /proc/stat may
    // list every core of the host).
    if (line.rfind("cpu", 0) != 0 || line.size() < 4 || line[3] == ' ') continue;
    std::istringstream fields(line.substr(3));
    int core = -1;
    fields >> core;
    if (have_mask && (core < 0 || core >= CPU_SETSIZE || !CPU_ISSET(core, &mask))) continue;
    uint64_t v[8] = {};
    for (uint64_t& x : v) fields >> x;
    const uint64_t total = v[0] + v[1] + v[2] + v[3] + v[4] + v[5] + v[6] + v[7];
    t.total += total;
    t.busy += total - (v[3] + v[4]);
    ++t.cores;
  }
  if (t.cores == 0) fail(ErrorKind::kUnsupported, "/proc/stat lists none of this process's cores");
  return t;
}

int usable_cores() {
  cpu_set_t mask;
  CPU_ZERO(&mask);
  if (sched_getaffinity(0, sizeof(mask), &mask) != 0) return 1;
  return std::max(1, CPU_COUNT(&mask));
}

double busy_share(const CpuTimes& before, const CpuTimes& after) {
  if (after.total <= before.total) return 0;
  return double(after.busy - before.busy) / double(after.total - before.total);
}

double children_cpu_seconds() {
  rusage u{};
  getrusage(RUSAGE_CHILDREN, &u);
  return double(u.ru_utime.tv_sec + u.ru_stime.tv_sec) + 1e-6 * double(u.ru_utime.tv_usec + u.ru_stime.tv_usec);
}

}  // namespace hetsched::load
