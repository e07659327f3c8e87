// The per-op test harness (see op_test_harness.h).
#include "tests/support/op_test_harness.h"

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <utility>

#include "cpu/epilogue.h"
#include "cpu/kernel.h"

namespace hetsched::test {

GraphBuilder::GraphBuilder(std::string model_name) { graph_.model_name = std::move(model_name); }

int GraphBuilder::tensor(Tensor t) {
  graph_.tensors.push_back(std::move(t));
  return int(graph_.tensors.size()) - 1;
}

int GraphBuilder::input(std::string name, std::vector<int> shape) {
  Tensor t;
  t.name = std::move(name);
  t.shape = std::move(shape);
  const int i = tensor(std::move(t));
  graph_.inputs.push_back(i);
  return i;
}

int GraphBuilder::constant(std::string name, std::vector<int> shape, std::span<const float> values) {
  Tensor t;
  t.name = std::move(name);
  t.shape = std::move(shape);
  t.is_constant = true;
  if (values.size() != t.elements())
    throw std::invalid_argument(fmt::format("constant '{}': {} values for shape {}", t.name, values.size(),
                                            t.shape_string()));
  t.data.resize(values.size() * sizeof(float));
  if (!values.empty()) std::memcpy(t.data.data(), values.data(), t.data.size());
  return tensor(std::move(t));
}

int GraphBuilder::random_constant(std::mt19937_64& rng, std::string name, std::vector<int> shape, double lo,
                                  double hi) {
  size_t n = 1;
  for (int d : shape) n *= size_t(std::max(d, 0));
  const std::vector<double> v = random_doubles(rng, n, lo, hi);
  const std::vector<float> f(v.begin(), v.end());
  return constant(std::move(name), std::move(shape), f);
}

int GraphBuilder::add_op(OpType type, std::vector<int> inputs, OpAttributes attributes) {
  Tensor out;
  out.name = fmt::format("{}_out{}", to_string(type), graph_.ops.size());
  const int out_index = tensor(std::move(out));
  Op op;
  op.type = type;
  op.inputs = std::move(inputs);
  op.outputs = {out_index};
  op.attributes = std::move(attributes);
  op.model_index = int(graph_.ops.size());
  graph_.ops.push_back(std::move(op));
  graph_.outputs.push_back(out_index);
  return int(graph_.ops.size()) - 1;
}

std::string shape_str(const std::vector<int>& shape) { return fmt::format("[{}]", fmt::join(shape, ",")); }

OutputRange random_range(std::mt19937_64& rng, const Shape4& out, bool split_slices, bool split_rows) {
  auto sub = [&](int n, bool split, int* b, int* e) {
    if (!split || n <= 1) {
      *b = 0;
      *e = n;
      return;
    }
    std::uniform_int_distribution<int> d(0, n - 1);
    int x = d(rng), y = d(rng);
    if (x > y) std::swap(x, y);
    *b = x;
    *e = y + 1;  // non-empty
  };
  OutputRange r;
  sub(out.slices(), split_slices, &r.slice_begin, &r.slice_end);
  sub(out.h, split_rows, &r.row_begin, &r.row_end);
  return r;
}

std::string range_str(const OutputRange& r) {
  return fmt::format("slices [{},{}) rows [{},{})", r.slice_begin, r.slice_end, r.row_begin, r.row_end);
}

// Converts a constant tensor of the graph to a RefTensor (logical order, 4D shape). Constants that
// are not float32 (DEQUANTIZE's fp16, an int32 shape) come with their shape and no data: the
// reference reads them from the graph.
RefTensor constant_ref(const Tensor& t) {
  RefTensor r;
  r.shape = t.shape4();
  if (t.dtype != DataType::kFloat32) return r;
  const std::span<const float> f = t.f32();
  r.data.assign(f.begin(), f.end());
  return r;
}

// First padding lane (channel >= C of the last slice) that is not zero, or "".
std::string check_padding_lanes(std::span<const float> buf, const Shape4& s, const OutputRange& r) {
  if (s.c % kSliceWidth == 0 || r.slice_end != s.slices()) return "";
  const int last = s.slices() - 1;
  for (int b = 0; b < s.n; ++b)
    for (int y = r.row_begin; y < r.row_end; ++y)
      for (int x = 0; x < s.w; ++x)
        for (int l = s.c % kSliceWidth; l < kSliceWidth; ++l)
          if (buf[s.offset(b, last, y, x) + l] != 0.0f)
            return fmt::format("padding lane not zero: b={} y={} x={} lane={} value={}", b, y, x, l,
                               buf[s.offset(b, last, y, x) + l]);
  return "";
}

void log_check(const Op& op, const std::string& device, size_t partial_ranges) {
  static const char* path = std::getenv("HETSCHED_CHECK_LOG");
  if (!path || !*path) return;
  static std::mutex mutex;
  const std::lock_guard lock(mutex);
  if (FILE* f = std::fopen(path, "a")) {
    fmt::print(f, "{}\t{}\t{}\n", to_string(op.type), device, partial_ranges);
    std::fclose(f);
  }
}

void ErrorSummary::add(const OpCheck& c) {
  worst_rel_l2 = std::max(worst_rel_l2, c.rel_l2);
  worst_max_abs = std::max(worst_max_abs, c.max_abs);
  ++cases;
  ranges += int(c.ranges_checked.size());
}

std::string ErrorSummary::to_string() const {
  return fmt::format("{} cases, {} partial ranges; worst relative L2 {:.3g}, worst max-abs {:.3g}", cases, ranges,
                     worst_rel_l2, worst_max_abs);
}

namespace {

// The random inputs of one case, in the three forms the reference and the kernels take.
struct CaseInputs {
  std::vector<RefTensor> ref;                 // logical order, float64
  std::vector<std::vector<float>> phwc4;      // storage of the non-constant inputs
  std::vector<cpu::ConstView> views;          // data == nullptr for constant and absent inputs
};

CaseInputs make_inputs(const Graph& graph, const Op& op, const OpCheckOptions& options, std::mt19937_64& rng) {
  CaseInputs in;
  in.ref.resize(op.inputs.size());
  in.phwc4.resize(op.inputs.size());
  in.views.resize(op.inputs.size());
  for (size_t i = 0; i < op.inputs.size(); ++i) {
    if (op.inputs[i] < 0) continue;
    const Tensor& t = graph.tensors.at(size_t(op.inputs[i]));
    const Shape4 s = t.shape4();
    in.views[i].shape = s;
    if (t.is_constant) {
      in.ref[i] = constant_ref(t);
      continue;
    }
    std::vector<double> values;
    if (options.make_input) values = options.make_input(int(i), s, rng);
    if (values.empty()) {
      double lo = options.input_lo, hi = options.input_hi;
      if (i < options.input_domains.size()) std::tie(lo, hi) = options.input_domains[i];
      values = random_doubles(rng, s.elements(), lo, hi);
    }
    in.ref[i] = RefTensor{s, std::move(values)};
    in.phwc4[i] = to_phwc4(in.ref[i]);
    in.views[i].data = in.phwc4[i].data();
  }
  return in;
}

// Partial range `r` of `part` vs the whole-range result `full`: "" when they agree.
std::string compare_in_range(std::span<const float> part, std::span<const float> full, const Shape4& s,
                             const OutputRange& r, const OpCheckOptions& options, double max_rel_l2) {
  double num = 0, den = 0, max_abs = 0;
  size_t mismatches = 0;
  std::string first;
  for_each_in_range(s, r, [&](size_t o, int b, int sl, int y, int x, int l) {
    const double d = double(part[o]) - double(full[o]);
    num += d * d;
    max_abs = std::max(max_abs, std::abs(d));
    den += double(full[o]) * double(full[o]);
    if (part[o] != full[o] && mismatches++ == 0)
      first = fmt::format("b={} slice={} y={} x={} lane={}: {} vs full {}", b, sl, y, x, l, part[o], full[o]);
  });
  if (options.partial_bit_exact) {
    if (mismatches == 0) return "";
    return fmt::format("{} values differ from the whole-range run, first at {}", mismatches, first);
  }
  const double rel = std::sqrt(num) / std::max(std::sqrt(den), 1e-30);
  // The whole run's max-abs floor holds here too: a few cancelling outputs are ill-conditioned.
  if (rel < max_rel_l2 || max_abs <= options.abs_floor) return "";
  return fmt::format("relative L2 {} (max-abs {}) vs the whole-range run, first difference at {}", rel, max_abs, first);
}

}  // namespace

void run_trials(std::mt19937_64& rng, int count, ErrorSummary& summary, OnFailure on_failure, const TrialBody& body) {
  for (int trial = 0; trial < count; ++trial) {
    summary.add(body(rng, trial));
    if (on_failure == OnFailure::kStop && (::testing::Test::HasFailure() || ::testing::Test::IsSkipped())) break;
  }
}

size_t count_differing_in_range(std::span<const float> a, std::span<const float> b, const Shape4& s,
                                const OutputRange& r) {
  size_t differ = 0;
  for_each_in_range(s, r, [&](size_t o, int, int, int, int, int) { differ += a[o] != b[o]; });
  return differ;
}

OpCheck check_op_with(Graph& graph, std::mt19937_64& rng, const OpCheckOptions& options,
                      std::span<const DeviceRun> devices) {
  OpCheck result;
  const Op& op = graph.ops.at(size_t(options.op_index));
  const OpDescriptor& desc = describe_op(op.type);
  const Shape4 out_shape = graph.tensors.at(size_t(op.outputs.at(0))).shape4();
  result.output_shape = out_shape;
  if (!desc.reference) {
    ADD_FAILURE() << graph.describe(op) << " has no reference kernel";
    return result;
  }

  const CaseInputs inputs = make_inputs(graph, op, options, rng);
  RefTensor expected;
  expected.shape = out_shape;
  expected.data.assign(out_shape.elements(), 0.0);
  run_reference(graph, op, inputs.ref, expected);  // applies the op's epilogue too
  if (expected.data.size() != out_shape.elements()) {
    ADD_FAILURE() << graph.describe(op) << ": reference produced " << expected.data.size() << " values, expected "
                  << out_shape.elements();
    return result;
  }

  for (const DeviceRun& dev : devices) {
    const std::string who = fmt::format("{} on {}", graph.describe(op), dev.device);
    OpCheck check;
    check.output_shape = out_shape;

    // Whole range on a poisoned buffer.
    std::vector<float> full(out_shape.phwc4_elements(), kPoison);
    const OutputRange whole = OutputRange::whole(out_shape);
    dev.run(inputs.views, cpu::MutableView{full.data(), out_shape}, whole);
    if (std::string e = check_written_range(full, out_shape, whole); !e.empty())
      ADD_FAILURE() << who << " whole range: " << e;
    if (std::string e = check_padding_lanes(full, out_shape, whole); !e.empty())
      ADD_FAILURE() << who << " whole range: " << e;
    // An empty range writes nothing.
    {
      std::vector<float> none(out_shape.phwc4_elements(), kPoison);
      const OutputRange empty{0, 0, 0, 0};
      dev.run(inputs.views, cpu::MutableView{none.data(), out_shape}, empty);
      if (std::string e = check_written_range(none, out_shape, empty); !e.empty())
        ADD_FAILURE() << who << " empty range: " << e;
    }
    const std::vector<double> got = phwc4_to_nhwc_double(full, out_shape);
    const std::vector<float> got_f(got.begin(), got.end());
    check.rel_l2 = relative_l2(got_f, expected.data);
    check.max_abs = max_abs_diff(got_f, expected.data);
    EXPECT_TRUE(check.rel_l2 < dev.max_rel_l2 || check.max_abs <= options.abs_floor)
        << who << " output " << out_shape.to_string() << ": relative L2 " << check.rel_l2 << " (tolerance "
        << dev.max_rel_l2 << "), max-abs " << check.max_abs;

    // Partial ranges on poisoned buffers.
    const bool split_slices = desc.split_slices || options.split_slices;
    if (dev.partial_ranges && (split_slices || desc.split_rows)) {
      for (int k = 0; k < options.partial_ranges; ++k) {
        const OutputRange r = random_range(rng, out_shape, split_slices, desc.split_rows);
        check.ranges_checked.push_back(r);
        std::vector<float> part(out_shape.phwc4_elements(), kPoison);
        dev.run(inputs.views, cpu::MutableView{part.data(), out_shape}, r);
        if (std::string e = check_written_range(part, out_shape, r); !e.empty()) {
          ADD_FAILURE() << who << " " << range_str(r) << ": " << e;
          continue;
        }
        if (std::string e = check_padding_lanes(part, out_shape, r); !e.empty())
          ADD_FAILURE() << who << " " << range_str(r) << ": " << e;
        if (std::string e = compare_in_range(part, full, out_shape, r, options, dev.max_rel_l2); !e.empty())
          ADD_FAILURE() << who << " " << range_str(r) << ": " << e;
      }
    }
    log_check(op, dev.device.substr(0, dev.device.find(" (")), check.ranges_checked.size());
    result = std::move(check);
  }
  return result;
}

}  // namespace hetsched::test
