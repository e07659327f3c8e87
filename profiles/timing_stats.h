// Summary statistics of repeated timings: median, quartiles, and how many samples were outliers
// (outside [p25 - 1.5 IQR, p75 + 1.5 IQR], Tukey's fences): the profiler records them, it never drops
// them, so a noisy machine shows in the dataset.
#pragma once
#include <vector>

namespace hetsched::profiles {

struct TimingStats {
  double median_us = 0, p25_us = 0, p75_us = 0;
  int n = 0;
  int outliers = 0;
  bool operator==(const TimingStats&) const = default;
};

TimingStats summarize(std::vector<double> samples_us);

}  // namespace hetsched::profiles
