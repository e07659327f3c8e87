// Timing summaries (see header); quantiles by base/stats.h's rule (linear between order statistics).
#include "profiles/timing_stats.h"

#include "base/stats.h"

#include <algorithm>

namespace hetsched::profiles {

TimingStats summarize(std::vector<double> v) {
  TimingStats s;
  s.n = int(v.size());
  if (v.empty()) return s;
  std::sort(v.begin(), v.end());
  s.median_us = quantile_of_sorted(v, 0.5);
  s.p25_us = quantile_of_sorted(v, 0.25);
  s.p75_us = quantile_of_sorted(v, 0.75);
  const double iqr = s.p75_us - s.p25_us;
  for (double x : v)
    if (x < s.p25_us - 1.5 * iqr || x > s.p75_us + 1.5 * iqr) ++s.outliers;
  return s;
}

}  // namespace hetsched::profiles
