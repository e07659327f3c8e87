// The one median/quantile rule of hetsched (base/stats.h): numpy's default linear interpolation.
#include "base/stats.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

namespace hetsched {
namespace {

TEST(Stats, MedianOddAndEvenCounts) {
  EXPECT_DOUBLE_EQ(median({3, 1, 2}), 2);
  EXPECT_DOUBLE_EQ(median({4, 1, 2, 3}), 2.5);  // the mean of the two middle values
  EXPECT_DOUBLE_EQ(median({7}), 7);
}

TEST(Stats, EmptySampleGivesTheCallersValue) {
  EXPECT_TRUE(std::isnan(median({})));
  EXPECT_DOUBLE_EQ(median({}, 0), 0);
  EXPECT_EQ(median({}, std::numeric_limits<double>::infinity()), std::numeric_limits<double>::infinity());
}

TEST(Stats, QuantilesInterpolateLikeNumpy) {
  // numpy.quantile([10, 20, 30, 40, 50], [0.1, 0.25, 0.9]) == [14, 20, 46]
  const std::vector<double> v{50, 10, 40, 20, 30};
  EXPECT_DOUBLE_EQ(quantile(v, 0.1), 14);
  EXPECT_DOUBLE_EQ(quantile(v, 0.25), 20);
  EXPECT_DOUBLE_EQ(quantile(v, 0.9), 46);
  EXPECT_DOUBLE_EQ(quantile(v, 0), 10);
  EXPECT_DOUBLE_EQ(quantile(v, 1), 50);
  EXPECT_DOUBLE_EQ(quantile(v, 0.5), median(v));
  // numpy.quantile([1, 2, 3, 4], 0.25) == 1.75
  EXPECT_DOUBLE_EQ(quantile_of_sorted({1, 2, 3, 4}, 0.25), 1.75);
}

}  // namespace
}  // namespace hetsched
