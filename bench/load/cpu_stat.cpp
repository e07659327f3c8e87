// /proc/stat: "cpu  user nice system idle iowait irq softirq steal guest guest_nice" (guest time is
// already counted in user and nice, so it is not added again).
#include "bench/load/cpu_stat.h"

#include <sys/resource.h>

#include <fstream>
#include <sstream>
#include <string>

#include "graph/error.h"

namespace hetsched::load {

CpuTimes read_cpu_times() {
  std::ifstream in("/proc/stat");
  if (!in) fail(ErrorKind::kUnsupported, "cannot read /proc/stat (CPU utilization needs Linux procfs)");
  CpuTimes t;
  std::string line;
  bool have_total = false;
  while (std::getline(in, line)) {
    if (line.rfind("cpu", 0) != 0) continue;
    if (line.size() > 3 && line[3] != ' ') {
      ++t.cores;
      continue;
    }
    std::istringstream fields(line.substr(3));
    uint64_t v[8] = {};
    for (uint64_t& x : v) fields >> x;
    const uint64_t idle = v[3] + v[4];
    t.total = v[0] + v[1] + v[2] + v[3] + v[4] + v[5] + v[6] + v[7];
    t.busy = t.total - idle;
    have_total = true;
  }
  if (!have_total) fail(ErrorKind::kUnsupported, "/proc/stat has no aggregate 'cpu' line");
  return t;
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
