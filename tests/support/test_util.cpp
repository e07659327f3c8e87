// Shared test helpers (see test_util.h).
#include "tests/support/test_util.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <string>

#include <unistd.h>

namespace hetsched::test {

uint64_t test_seed() {
  static const uint64_t seed = [] {
    uint64_t s;
    if (const char* e = std::getenv("HETSCHED_SEED"); e && *e) s = std::strtoull(e, nullptr, 10);
    else s = std::random_device{}() ^ (uint64_t(std::random_device{}()) << 32);
    fmt::print("[hetsched] test seed {} (reproduce with HETSCHED_SEED={})\n", s, s);
    return s;
  }();
  return seed;
}

std::mt19937_64 make_rng(uint64_t salt) { return std::mt19937_64(test_seed() ^ (salt * 0x9E3779B97F4A7C15ull)); }

std::vector<double> random_doubles(std::mt19937_64& rng, size_t n, double lo, double hi) {
  std::uniform_real_distribution<double> d(lo, hi);
  std::vector<double> v(n);
  for (double& x : v) x = float(d(rng));  // representable in float32: the kernels see the same values
  return v;
}

RefTensor random_ref(std::mt19937_64& rng, const Shape4& shape, double lo, double hi) {
  return RefTensor{shape, random_doubles(rng, shape.elements(), lo, hi)};
}

double output_rel_l2(std::span<const float> a, std::span<const float> b) {
  double num = 0, den = 0;
  for (size_t i = 0; i < a.size(); ++i) num += (a[i] - b[i]) * (a[i] - b[i]), den += double(b[i]) * b[i];
  return std::sqrt(num / std::max(den, 1e-30));
}

bool use_private_cache_dir(const std::string& prefix) {
  const auto dir = std::filesystem::temp_directory_path() / fmt::format("{}_{}", prefix, ::getpid());
  setenv("HETSCHED_CACHE_DIR", dir.c_str(), 1);
  return true;
}

int test_threads() {
  const char* e = std::getenv("HETSCHED_TEST_THREADS");
  return e && *e ? std::max(1, std::atoi(e)) : 2;
}

double relative_l2(std::span<const float> a, std::span<const double> b) {
  double num = 0, den = 0;
  for (size_t i = 0; i < a.size() && i < b.size(); ++i) {
    num += (double(a[i]) - b[i]) * (double(a[i]) - b[i]);
    den += b[i] * b[i];
  }
  if (a.size() != b.size()) return INFINITY;
  return std::sqrt(num) / std::max(std::sqrt(den), 1e-30);
}

double max_abs_diff(std::span<const float> a, std::span<const double> b) {
  double m = a.size() == b.size() ? 0.0 : INFINITY;
  for (size_t i = 0; i < a.size() && i < b.size(); ++i) m = std::max(m, std::fabs(double(a[i]) - b[i]));
  return m;
}

std::vector<float> to_phwc4(const RefTensor& t) {
  std::vector<float> nhwc(t.data.begin(), t.data.end());
  std::vector<float> out(t.shape.phwc4_elements());
  nhwc_to_phwc4(nhwc.data(), t.shape, out.data());
  return out;
}

std::vector<double> phwc4_to_nhwc_double(std::span<const float> phwc4, const Shape4& shape) {
  std::vector<float> nhwc(shape.elements());
  phwc4_to_nhwc(phwc4.data(), shape, nhwc.data());
  return {nhwc.begin(), nhwc.end()};
}

std::string check_written_range(std::span<const float> buf, const Shape4& s, const OutputRange& r) {
  for (int b = 0; b < s.n; ++b)
    for (int sl = 0; sl < s.slices(); ++sl)
      for (int y = 0; y < s.h; ++y)
        for (int x = 0; x < s.w; ++x)
          for (int l = 0; l < kSliceWidth; ++l) {
            const bool inside = sl >= r.slice_begin && sl < r.slice_end && y >= r.row_begin && y < r.row_end;
            const float v = buf[s.offset(b, sl, y, x) + l];
            const bool poisoned = std::memcmp(&v, &kPoison, sizeof v) == 0;
            if (inside && poisoned)
              return fmt::format("not written inside the range: b={} slice={} y={} x={} lane={}", b, sl, y, x, l);
            if (!inside && !poisoned)
              return fmt::format("written outside the range: b={} slice={} y={} x={} lane={} value={}", b, sl, y, x, l, v);
          }
  return "";
}

}  // namespace hetsched::test
