// The CPU executor: runs a prepared graph on PHWC4 activations with TBB. Weights are packed once
// (kernel creation); intermediates live in one arena planned by live ranges (memory/). Each op's
// output is tiled into (slice range x row range) pieces run in parallel inside a task_arena of
// `threads` threads (rows first, slices in multiples of the kernel's slice_grain(); one thread
// runs the whole range untiled). In run_ops an elementwise op whose first input is the previous
// op's output, of the same shape (face_landmark's 23 PRELUs after convs), is chained: it runs on
// each tile (band of rows) of its producer right after the producer's kernel and epilogue, and its
// time is counted in the producer's op_times_ms() entry (its own is 0). Kernels that can (the
// packed-GEMM convs) compute a residual-ADD epilogue and a chained PRELU in their store
// (CpuKernel::fuse_store): no pass over the output after them. The scheduler can also run one op on any OutputRange (run_op)
// and can bind a tensor to memory it owns (bind_tensor), e.g. a buffer shared with the GPU.
#pragma once
#include <memory>
#include <span>
#include <vector>

#include <tbb/task_arena.h>

#include "cpu/epilogue.h"
#include "cpu/kernel.h"
#include "graph/graph.h"
#include "memory/memory_planner.h"

namespace hetsched::cpu {

struct CpuExecutorOptions {
  int threads = 0;         // 0: all hardware threads
  bool own_arena = true;   // false: every activation tensor is bound with bind_tensor() before run
  // run_ops: an elementwise op reading its predecessor's output at the same elements (PRELU after
  // a conv) runs on each of the predecessor's tiles right after it, while the tile is in cache.
  bool chain_elementwise = true;
};

class CpuExecutor {
 public:
  // `graph` must outlive the executor and be prepared (shapes inferred, constants folded).
  CpuExecutor(const Graph& graph, CpuExecutorOptions options);
  ~CpuExecutor();
  CpuExecutor(const CpuExecutor&) = delete;
  CpuExecutor& operator=(const CpuExecutor&) = delete;

  int threads() const { return threads_; }
  // Copies a model input given in NHWC order into its PHWC4 tensor.
  void set_input(int input_index, std::span<const float> nhwc);
  // Runs every op in order; fills op_times_ms() with this run's per-op wall times.
  void run();
  // Runs ops [first, last) in order, each over its whole output.
  void run_ops(int first, int last);
  // Runs one op over `range` of its output, tiled over the arena's threads.
  void run_op(int op_index, const OutputRange& range);
  // Copies a model output out of PHWC4 into NHWC order.
  std::vector<float> output_nhwc(int output_index) const;

  // PHWC4 storage of a tensor (activations only; nullptr for constants).
  float* tensor_data(int tensor) const { return tensor_ptr_[tensor]; }
  // Points a tensor at external PHWC4 memory of at least its phwc4_bytes().
  void bind_tensor(int tensor, float* data) { tensor_ptr_[tensor] = data; }
  const std::vector<double>& op_times_ms() const { return op_times_ms_; }
  size_t arena_bytes() const { return arena_bytes_; }
  const memory::MemoryPlan& memory_plan() const { return plan_; }

 private:
  static constexpr int64_t kMacsPerTile = 100'000;  // ~2.5 us of single-thread work per tile
  static constexpr int64_t kValuesPerTile = 8 * 1024;
  static constexpr int kTilesPerThread = 4;
  // A kernel asking for slices first (CpuKernel::slices_first) still gets rows when each row tile
  // has at least this many: the ops before and after it are cut into rows too, so each thread
  // then reads mostly what it wrote.
  static constexpr int kMinRowsPerTile = 4;
  static constexpr int kBandRows = 8;  // rows per kernel call when an epilogue follows

  // One op's kernel, epilogue and views of one run.
  struct Step {
    const CpuKernel* kernel = nullptr;
    const CpuEpilogue* epilogue = nullptr;
    std::span<const ConstView> views;
    MutableView out;
    bool fused = false;  // kernel->run_fused, out = the fused follower's output
  };
  Step step(int op_index);

  // in_arena: called from inside arena_->execute (run_ops), so no second entry. follower: an op
  // chained to this one (chained_), run on each of its tiles after it; -1 for none.
  void run_tiled(int op_index, const OutputRange& range, bool in_arena, int follower = -1);
  void run_piece(const Step& op, const Step* follower, bool split_rows, const OutputRange& range) const;

  const Graph& graph_;
  int threads_;
  std::unique_ptr<tbb::task_arena> arena_;
  std::vector<std::unique_ptr<CpuKernel>> kernels_;
  std::vector<CpuEpilogue> epilogues_;  // per op: applied to each tile after its kernel
  std::vector<int> max_tiles_;          // per op, whole output: tiles its work pays for (1: inline)
  std::vector<char> chained_;           // per op: runs on the previous op's tiles in run_ops
  std::vector<char> fused_follower_;    // per op: its kernel's store computes the next (chained) op too
  void offer_fused_stores();
  std::vector<std::vector<ConstView>> input_views_;  // per op: shapes fixed, data resolved each run
  memory::MemoryPlan plan_;
  size_t arena_bytes_ = 0;
  float* arena_base_ = nullptr;
  std::vector<float*> tensor_ptr_;
  std::vector<double> op_times_ms_;
};

}  // namespace hetsched::cpu
