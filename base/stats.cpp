// Quantiles by linear interpolation between order statistics (see header).
#include "base/stats.h"

#include <algorithm>
#include <cmath>

namespace hetsched {

double quantile_of_sorted(const std::vector<double>& sorted, double q) {
  const double pos = std::clamp(q, 0.0, 1.0) * double(sorted.size() - 1);
  const size_t lo = size_t(std::floor(pos)), hi = size_t(std::ceil(pos));
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - double(lo));
}

double quantile(std::vector<double> values, double q, double if_empty) {
  if (values.empty()) return if_empty;
  std::sort(values.begin(), values.end());
  return quantile_of_sorted(values, q);
}

double median(std::vector<double> values, double if_empty) { return quantile(std::move(values), 0.5, if_empty); }

}  // namespace hetsched
