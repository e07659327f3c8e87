// The CPU kernel interface. Lifecycle (as XNNPACK): create (the factory packs weights once, at
// load) -> run. run() computes exactly the output slices and rows of `range` (every batch) of a
// PHWC4 output and writes nothing else: the unit the CPU/GPU partitioner splits. It is const and
// may be called concurrently on disjoint ranges of the same output.
#pragma once
#include <memory>
#include <span>

#include "graph/graph.h"
#include "graph/phwc4.h"

namespace hetsched::cpu {

// A PHWC4 activation (data == nullptr for a constant input: kernels own their constants).
struct ConstView {
  const float* data = nullptr;
  Shape4 shape;
};
struct MutableView {
  float* data = nullptr;
  Shape4 shape;
};

// What a kernel may compute in its store instead of passes over its output afterwards (the
// executor offers it once, after creation, cpu/executor.h): the op's epilogue when it is one ADD
// of an operand input (a residual), and a following PRELU with constant per-channel alphas.
struct FusedStore {
  int operand_input = -1;  // op.inputs position of the ADD step's operand; -1: no epilogue
  Activation operand_activation = Activation::kNone;  // the ADD step's (a clamp)
  std::span<const float> prelu_alpha;  // one per output channel; empty: no PRELU
};

class CpuKernel {
 public:
  virtual ~CpuKernel() = default;
  // inputs: one view per op.inputs entry (absent optional inputs: data == nullptr).
  virtual void run(std::span<const ConstView> inputs, const MutableView& output,
                   const OutputRange& range) const = 0;
  // Output slices a tile should span in multiples of (aligned to multiples of it): the GEMM
  // kernels compute whole weight panels, so a tile cutting a panel recomputes part of it.
  virtual int slice_grain() const { return 1; }
  // Whether the executor's tiles should split output slices before rows: true for kernels whose
  // slices are independent and whose cost grows with each tile's rows (depthwise: a tile of few
  // rows pays the filter's halo rows and per-row overheads once more per slice; a 14x14 map cut
  // into 8 row tiles of 1-2 rows ran no faster on 2 threads than on 1).
  virtual bool slices_first() const { return false; }
  // Takes `store` if the kernel can apply it (false: the executor keeps its passes). Once taken,
  // run() also applies the epilogue's ADD, and run_fused() the ADD and then the PRELU (`output`
  // is then the PRELU's output; the op's own output is not written).
  virtual bool fuse_store(const FusedStore& /*store*/) { return false; }
  virtual void run_fused(std::span<const ConstView> inputs, const MutableView& output, const OutputRange& range) const {
    run(inputs, output, range);
  }
};

using CpuKernelFactory = std::unique_ptr<CpuKernel> (*)(const Graph& graph, const Op& op);

// The factory for `type`, or nullptr if the CPU has no kernel for it.
CpuKernelFactory find_cpu_kernel(OpType type);
// Creates the kernel for `op`; throws kUnsupported naming the op if there is none.
std::unique_ptr<CpuKernel> create_cpu_kernel(const Graph& graph, const Op& op);

// Registration, one function per op family (each in cpu/kernels/).
void register_conv_kernels(CpuKernelFactory* table);     // indexed by OpType
void register_general_kernels(CpuKernelFactory* table);

}  // namespace hetsched::cpu
