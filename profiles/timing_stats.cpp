// Timing summaries (see header); quantiles by linear interpolation between order statistics.
#include "profiles/timing_stats.h"

#include <algorithm>
#include <cmath>

namespace hetsched::profiles {
namespace {
double quantile(const std::vector<double>& sorted, double q) {
  const double pos = q * double(sorted.size() - 1);
  const size_t lo = size_t(std::floor(pos)), hi = size_t(std::ceil(pos));
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - double(lo));
}
}  // namespace

TimingStats summarize(std::vector<double> v) {
  TimingStats s;
  s.n = int(v.size());
  if (v.empty()) return s;
  std::sort(v.begin(), v.end());
  s.median_us = quantile(v, 0.5);
  s.p25_us = quantile(v, 0.25);
  s.p75_us = quantile(v, 0.75);
  const double iqr = s.p75_us - s.p25_us;
  for (double x : v)
    if (x < s.p25_us - 1.5 * iqr || x > s.p75_us + 1.5 * iqr) ++s.outliers;
  return s;
}

}  // namespace hetsched::profiles
