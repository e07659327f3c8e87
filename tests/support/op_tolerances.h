// The one tolerance table of the per-op tests: each op's largest relative L2 error against the
// float64 reference, per executor (CPU float32, GPU float32, GPU fp16: float16 storage, float32
// arithmetic). check_op reads it; a test never writes a tolerance of its own.
#pragma once
#include <array>
#include <cstdint>
#include <ostream>
#include <string>

#include "graph/graph.h"

namespace hetsched::test {

// Where a per-op test runs an op: the executors that have kernels for it.
enum class Executor { kCpu, kGpu, kGpuFp16 };
inline constexpr std::array<Executor, 3> kAllExecutors = {Executor::kCpu, Executor::kGpu, Executor::kGpuFp16};

// "Cpu", "Gpu", "GpuFp16": gtest instantiation names (the GPU ones match the ASan no-leak-check
// regex of scripts/test.sh, which every test that touches Vulkan must).
std::string to_string(Executor e);
// gtest's printer (ctest's test names end in "# GetParam() = Gpu").
inline void PrintTo(Executor e, std::ostream* os) { *os << to_string(e); }

struct OpTolerance {
  double cpu = 1e-5;   // float32 kernels: rounding only
  double gpu = 1e-4;   // GPU float math may differ (FMA contraction, reassociation, approximate exp/tanh)
  double fp16 = 5e-3;  // float16 tensors and weights (~2.4e-4 per rounding), float32 accumulators
  // fp16 also passes when max-abs <= this (2^-9, 4 float16 ulps at 1.0): a long dot of rounded
  // inputs that cancels to a small output (FULLY_CONNECTED [1,72] -> 1 then HARD_SWISH: relative
  // L2 8e-3, max-abs 4e-4; measured on lavapipe) is ill-conditioned in relative terms.
  double fp16_abs_floor = 1.0 / 512;
  double operator[](Executor e) const { return e == Executor::kCpu ? cpu : e == Executor::kGpu ? gpu : fp16; }
};

// The tolerance of `type` on `executor` (relative L2 of the whole output vs the reference; for
// ops with an epilogue, the producer's row).
double max_rel_l2(OpType type, Executor executor);
// The max-abs floor `executor` adds to a test's OpCheckOptions::abs_floor for `type` (0: none).
double abs_floor(OpType type, Executor executor);
// The products each output of `op` sums: CONV_2D and TRANSPOSE_CONV kh x kw x input channels,
// DEPTHWISE_CONV_2D kh x kw, FULLY_CONNECTED the input features; 1 for every other op.
int64_t dot_terms(const Graph& graph, const Op& op);
// The floor for `op` on `executor`: 6 standard deviations of the rounding error of a dot product
// of dot_terms(op) products of operands in [-1, 1]. For float16 operands each operand is rounded
// once (2^-11 at most: sd 2^-11 x sqrt(2 terms / 27)); FULLY_CONNECTED [1,1152] -> 1 on lavapipe
// fp16 was off by 6.7e-3 (CI, seed 5719501789781673169): 1.5 sd, 3.4x the flat floor. For float32
// (CPU, GPU) the accumulator's roundings (sd 2^-24 x terms / sqrt(54), 5.6e-5 at 6 sd for 1152
// terms): FULLY_CONNECTED [1,1152] -> 1 + TANH on the CPU, one output near zero after a cancelling
// sum, had relative L2 1.8e-5 (tolerance 1e-5) at max-abs 3.7e-6 (seed 2803657229855182936). A
// wrong or missing term is off by ~1/3 and still fails.
double abs_floor(const Graph& graph, const Op& op, Executor executor);

}  // namespace hetsched::test
