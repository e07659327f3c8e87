// The per-op test harness: builds a one-op Graph, feeds it random inputs, runs the float64
// reference (the oracle) and the CPU kernel, compares them, and runs partial slice x row ranges on
// poisoned output buffers to check that a kernel writes exactly its range.
//
// Typical use (one random case):
//   test::GraphBuilder b("conv");
//   int x = b.input("x", {1, 13, 13, 5});
//   int w = b.random_constant(rng, "w", {8, 3, 3, 5});
//   int bias = b.random_constant(rng, "b", {8});
//   b.add_op(OpType::kConv2D, {x, w, bias}, Conv2DAttributes{...});
//   test::OpCheck r = test::check_op(test::Executor::kCpu, b.graph(), rng);   // op_check.h
#pragma once
#include <cstdint>
#include <functional>
#include <limits>
#include <random>
#include <span>
#include <string>
#include <vector>

#include "cpu/kernel.h"
#include "graph/graph.h"
#include "graph/op_registry.h"
#include "tests/support/test_util.h"

namespace hetsched::test {

// Builds a Graph tensor by tensor and op by op (model_index = position of the op).
class GraphBuilder {
 public:
  explicit GraphBuilder(std::string model_name = "test");

  // A non-constant float32 tensor that is a model input.
  int input(std::string name, std::vector<int> shape);
  // A float32 constant with the given values (size must match the shape).
  int constant(std::string name, std::vector<int> shape, std::span<const float> values);
  // A float32 constant with uniform random values in [lo, hi).
  int random_constant(std::mt19937_64& rng, std::string name, std::vector<int> shape, double lo = -1.0,
                      double hi = 1.0);
  // A tensor of any dtype/constness (for error tests: int32 weights, non-constant weights, ...).
  int tensor(Tensor t);
  // Appends an op with one fresh output tensor (shape set by shape inference); returns the op index.
  // The output becomes a model output. No shape inference here: call infer_shapes() or check_op().
  int add_op(OpType type, std::vector<int> inputs, OpAttributes attributes);

  Graph& graph() { return graph_; }
  const Graph& graph() const { return graph_; }

 private:
  Graph graph_;
};

// How one op is checked.
struct OpCheckOptions {
  // (The tolerance is not here: it is the op's row of tests/support/op_tolerances.h.)
  // The full run also passes when max-abs <= abs_floor: for long dot products whose outputs are
  // small after cancellation (or clipped by ReLU to a few small survivors), the relative error is
  // ill-conditioned. 0 = relative L2 only.
  double abs_floor = 0.0;
  // Value domain of the random non-constant inputs, per op input index (missing: [lo, hi)).
  double input_lo = -1.0, input_hi = 1.0;
  std::vector<std::pair<double, double>> input_domains;  // index = op input position
  // Optional generator of one input (op input position, 4D shape) -> values in NHWC order;
  // overrides the domains for the inputs it returns a non-empty vector for.
  std::function<std::vector<double>(int input_pos, const Shape4& shape, std::mt19937_64& rng)> make_input;
  // Random partial ranges per case (only along the axes the descriptor says are splittable).
  int partial_ranges = 3;
  // Split slices too where the descriptor does not (a kernel that can, e.g. the GPU's MEAN kernels,
  // of an op the scheduler splits by rows only).
  bool split_slices = false;
  // Partial results must be bit-identical to the full run inside the range (a kernel whose
  // arithmetic does not depend on the range). Else they are compared with the executor's tolerance.
  bool partial_bit_exact = true;
  // Index of the op to check in graph.ops.
  int op_index = 0;
  // The CPU kernel to check (a specific fast path); empty: the registry's, as the executor gets it.
  // Used by the CPU executor only.
  cpu::CpuKernelFactory make_kernel = nullptr;
};

struct OpCheck {
  double rel_l2 = std::numeric_limits<double>::infinity();  // full run vs reference
  double max_abs = std::numeric_limits<double>::infinity();
  Shape4 output_shape;
  std::vector<OutputRange> ranges_checked;  // the partial ranges that were run
};

// CpuKernel::run's signature: PHWC4 host buffers in and out, one output range.
using KernelRun =
    std::function<void(std::span<const cpu::ConstView> inputs, const cpu::MutableView& output, const OutputRange& range)>;

// One executor's kernel of the op under test, as the shared test body sees it.
struct DeviceRun {
  std::string device;  // "CPU", "GPU (...)", "GPU fp16 (...)": for messages and the case tally
  KernelRun run;
  double max_rel_l2 = 1e-5;
  bool partial_ranges = true;  // also run options.partial_ranges random sub-ranges
};

// The shared test body. `graph` must already have been through infer_shapes(). Creates random
// inputs for the non-constant inputs of the op (constants: float32 ones are passed to the
// reference as RefTensors, others with their shape and no data; the kernels get views with
// data == nullptr for every constant, as the executors do), runs the float64 reference, then for
// each device in order: the whole range on a kPoison-filled buffer (checked: written exactly,
// padding lanes zero, relative L2 vs the reference below the device's tolerance or max-abs <=
// options.abs_floor) and an empty range (must write nothing); then, if the device's
// partial_ranges is set, options.partial_ranges random sub-ranges (check_written_range; values vs
// that device's whole-range result, bit-exact when options.partial_bit_exact). Failures are
// ADD_FAILUREs naming the device (callers add SCOPED_TRACE with the case description). Returns the
// metrics of the LAST device. check_op (op_check.h) runs it for one executor.
OpCheck check_op_with(Graph& graph, std::mt19937_64& rng, const OpCheckOptions& options,
                      std::span<const DeviceRun> devices);

// A random non-empty sub-range of the output (slices and/or rows, as `split_*` allow).
OutputRange random_range(std::mt19937_64& rng, const Shape4& out, bool split_slices, bool split_rows);

// "slices [a,b) rows [c,d)" of a range (for failure messages).
std::string range_str(const OutputRange& r);
// A constant of the graph as a RefTensor (logical order, 4D shape); non-float32 constants come
// with their shape and no data (the reference reads them from the graph).
RefTensor constant_ref(const Tensor& t);
// First padding lane (channel >= C of the last slice) inside `r` that is not zero, or "".
std::string check_padding_lanes(std::span<const float> buf, const Shape4& s, const OutputRange& r);

// Calls f(offset, b, slice, y, x, lane) for every float of the PHWC4 buffer of shape `s` inside
// `r` (all batches, every lane of the range's slices, padding lanes included).
template <class F>
void for_each_in_range(const Shape4& s, const OutputRange& r, F&& f) {
  for (int b = 0; b < s.n; ++b)
    for (int sl = r.slice_begin; sl < r.slice_end; ++sl)
      for (int y = r.row_begin; y < r.row_end; ++y)
        for (int x = 0; x < s.w; ++x)
          for (int l = 0; l < kSliceWidth; ++l) f(s.offset(b, sl, y, x) + size_t(l), b, sl, y, x, l);
}
// How many floats inside `r` differ (bitwise, as floats) between two PHWC4 buffers of shape `s`.
size_t count_differing_in_range(std::span<const float> a, std::span<const float> b, const Shape4& s,
                                const OutputRange& r);

// Pretty "[1,13,13,5]" of a shape vector (for case descriptions).
std::string shape_str(const std::vector<int>& shape);

// Tracks the worst error over many cases and prints it at the end of a test.
struct ErrorSummary {
  double worst_rel_l2 = 0, worst_max_abs = 0;
  int cases = 0, ranges = 0;
  void add(const OpCheck& c);
  std::string to_string() const;
};

// What a loop over cases (or SIMD targets) does after one that failed (or skipped the test).
enum class OnFailure { kContinue, kStop };

// One trial of a random-case test: draws its case from `rng` and checks it.
using TrialBody = std::function<OpCheck(std::mt19937_64& rng, int trial)>;
// The trial loop of a random-case test: body(rng, trial) for trial = 0 .. count-1, each OpCheck
// added to `summary`; with OnFailure::kStop the loop ends after the first trial that adds a
// failure or skips the test.
void run_trials(std::mt19937_64& rng, int count, ErrorSummary& summary, OnFailure on_failure, const TrialBody& body);

}  // namespace hetsched::test
