// The one median and quantile of hetsched (timings, controller estimates, benchmarks). One rule, numpy's
// default ("linear"): the q-quantile of n sorted values sits at position q * (n - 1) and interpolates
// linearly between the two order statistics around it, so the median of an even count is the mean of the
// two middle values. An empty sample has no quantile: the caller says what stands for it (`if_empty`).
#pragma once
#include <limits>
#include <vector>

namespace hetsched {

// q in [0, 1]; `values` in any order.
double quantile(std::vector<double> values, double q,
                double if_empty = std::numeric_limits<double>::quiet_NaN());

// quantile(values, 0.5): the middle value, or the mean of the two middle values for an even count.
double median(std::vector<double> values, double if_empty = std::numeric_limits<double>::quiet_NaN());

// The same on values already sorted ascending (no copy); `sorted` must not be empty.
double quantile_of_sorted(const std::vector<double>& sorted, double q);

}  // namespace hetsched
