// CPU executor: arena planning, kernel creation, tiled parallel execution.
#include "cpu/executor.h"

#include <tbb/blocked_range2d.h>
#include <tbb/parallel_for.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <new>
#include <thread>

#include "base/error.h"
#include "graph/live_ranges.h"
#include "graph/op_registry.h"

namespace hetsched::cpu {
namespace {

// Whether op i can run on each tile of op i - 1 right after it: an elementwise op (any range of
// slices and rows) whose first input is op i - 1's output with the output's shape, so each output
// element reads that input at the same element, which the producer's tile has just written. Its
// other inputs come from earlier ops (topological order) or are op i - 1's output again.
bool chains_to_previous(const Graph& graph, int i) {
  if (i == 0) return false;
  const Op& op = graph.ops[size_t(i)];
  const Op& prev = graph.ops[size_t(i) - 1];
  const OpDescriptor& d = describe_op(op.type);
  if (d.elementwise == ElementwiseKind::kNone || !d.split_slices || !d.split_rows) return false;
  if (op.inputs.empty() || op.inputs[0] != prev.outputs[0] || op.outputs.size() != 1) return false;
  const Shape4 out = graph.tensors[size_t(op.outputs[0])].shape4();
  for (int t : op.inputs)
    if (t == prev.outputs[0] && !(graph.tensors[size_t(t)].shape4() == out)) return false;
  return true;
}

}  // namespace

CpuExecutor::CpuExecutor(const Graph& graph, CpuExecutorOptions options) : graph_(graph) {
  threads_ = options.threads > 0 ? options.threads : int(std::max(1u, std::thread::hardware_concurrency()));
  arena_ = std::make_unique<tbb::task_arena>(threads_);

  for (const Op& op : graph_.ops) {
    // A tile handed to another thread costs a wake-up and a join (bench/fork_join_bench.cpp):
    // each tile gets at least about 2.5 us of single-thread work (100 K multiply-adds, or 8 K output
    // values of an op without MACs), so a small op runs on the calling thread alone (below 2 tiles)
    // and a mid-size one wakes only as many threads as it can feed, whatever the arena's size.
    const OpDescriptor& d = describe_op(op.type);
    const int64_t macs = d.macs ? d.macs(graph_, op) : 0;
    const int64_t values = int64_t(graph_.tensors[size_t(op.outputs[0])].shape4().elements());
    const int64_t by_work = macs > 0 ? macs / kMacsPerTile : values / kValuesPerTile;
    max_tiles_.push_back(int(std::clamp<int64_t>(by_work, 1, int64_t(threads_) * kTilesPerThread)));
    kernels_.push_back(create_cpu_kernel(graph_, op));
    epilogues_.emplace_back(graph_, op);
    std::vector<ConstView> views;
    for (int t : op.inputs) views.push_back({nullptr, t >= 0 ? graph_.tensors[t].shape4() : Shape4{}});
    input_views_.push_back(std::move(views));
    // Only with the executor's own arena: its plan (below) keeps a chained op's output apart from
    // what its producer reads; an external binding was planned for ops one after the other.
    chained_.push_back(options.chain_elementwise && options.own_arena &&
                       chains_to_previous(graph_, int(chained_.size())));
  }

  offer_fused_stores();

  tensor_ptr_.assign(graph_.tensors.size(), nullptr);
  if (options.own_arena) {
    std::vector<int> tensors;
    auto records = activation_usage_records(graph_, &tensors);
    // A chained op writes its output while its producer still reads its inputs (other tiles, later
    // bands): its output lives from the producer on, so it shares no memory with them.
    for (size_t i = 0; i < tensors.size(); ++i) {
      const int producer = records[i].first_task;
      if (producer < int(graph_.ops.size()) && chained_[size_t(producer)] &&
          graph_.ops[size_t(producer)].outputs[0] == tensors[i])
        records[i].first_task = producer - 1;
    }
    plan_ = memory::plan_memory_best(records, 64);
    arena_bytes_ = std::max<size_t>(plan_.total_bytes, 64);
    arena_base_ = static_cast<float*>(std::aligned_alloc(64, (arena_bytes_ + 63) / 64 * 64));
    if (!arena_base_)
      fail(ErrorKind::kResourceExhausted, "model '{}': cannot allocate the CPU activation arena of {} bytes",
           graph_.model_name, arena_bytes_);
    std::memset(arena_base_, 0, arena_bytes_);
    for (size_t i = 0; i < tensors.size(); ++i)
      tensor_ptr_[tensors[i]] = arena_base_ + plan_.offsets[i] / sizeof(float);
  }
  op_times_ms_.assign(graph_.ops.size(), 0.0);
}

CpuExecutor::~CpuExecutor() { std::free(arena_base_); }

// Offers each op's kernel its epilogue (one residual ADD) and the chained PRELU after it, when the
// PRELU's alphas are constants per channel and the op's output is read by the PRELU alone.
void CpuExecutor::offer_fused_stores() {
  const size_t n = graph_.ops.size();
  fused_follower_.assign(n, 0);
  std::vector<int> reads(graph_.tensors.size(), 0);
  for (const Op& op : graph_.ops)
    for (int t : op.inputs)
      if (t >= 0) ++reads[size_t(t)];
  for (int t : graph_.outputs) ++reads[size_t(t)];
  for (size_t i = 0; i < n; ++i) {
    const Op& op = graph_.ops[i];
    FusedStore store;
    if (op.epilogue.size() > 1) continue;
    if (op.epilogue.size() == 1) {
      const EpilogueStep& e = op.epilogue[0];
      if (e.type != OpType::kAdd || e.operand_input < 0 || e.times_input) continue;
      store.operand_input = e.operand_input;
      store.operand_activation = e.activation;
    }
    const int out = op.outputs[0];
    const int channels = graph_.tensors[size_t(out)].shape4().c;
    if (i + 1 < n && chained_[i + 1] && reads[size_t(out)] == 1) {
      const Op& next = graph_.ops[i + 1];
      const int alpha = next.inputs.size() == 2 ? next.inputs[1] : -1;
      if (next.type == OpType::kPrelu && next.epilogue.empty() && next.activation() == Activation::kNone &&
          alpha >= 0 && graph_.tensors[size_t(alpha)].is_constant &&
          graph_.tensors[size_t(alpha)].elements() == size_t(channels) &&
          graph_.tensors[size_t(alpha)].shape4().c == channels)
        store.prelu_alpha = graph_.tensors[size_t(alpha)].f32();
    }
    if (store.operand_input < 0 && store.prelu_alpha.empty()) continue;
    if (!kernels_[i]->fuse_store(store)) continue;
    if (store.operand_input >= 0) epilogues_[i] = CpuEpilogue();
    fused_follower_[i] = !store.prelu_alpha.empty();
  }
}

void CpuExecutor::set_input(int input_index, std::span<const float> nhwc) {
  const Tensor& t = graph_.tensors[graph_.inputs.at(input_index)];
  if (nhwc.size() != t.elements())
    fail(ErrorKind::kInvalidArgument, "model '{}': input {} ('{}') has {} elements, expected {} for shape {}",
         graph_.model_name, input_index, t.name, nhwc.size(), t.elements(), t.shape_string());
  nhwc_to_phwc4(nhwc.data(), t.shape4(), tensor_ptr_[graph_.inputs[input_index]]);
}

std::vector<float> CpuExecutor::output_nhwc(int output_index) const {
  const int id = graph_.outputs.at(output_index);
  const Tensor& t = graph_.tensors[id];
  std::vector<float> out(t.elements());
  phwc4_to_nhwc(tensor_ptr_[id], t.shape4(), out.data());
  return out;
}

// Runs `range` on the calling thread: the kernel, its epilogue, then the follower's. With an
// epilogue or a follower, in bands of rows, so they read each band while it is in cache (the
// kernel's own loops are cache-blocked).
void CpuExecutor::run_piece(const Step& op, const Step* follower, bool split_rows, const OutputRange& range) const {
  auto run = [&](const OutputRange& r) {
    if (op.fused) op.kernel->run_fused(op.views, op.out, r);
    else op.kernel->run(op.views, op.out, r);
    op.epilogue->apply(op.views, op.out, r);
    if (follower) {
      follower->kernel->run(follower->views, follower->out, r);
      follower->epilogue->apply(follower->views, follower->out, r);
    }
  };
  if ((op.epilogue->empty() && !follower) || !split_rows || range.row_end - range.row_begin <= kBandRows) return run(range);
  for (int r0 = range.row_begin; r0 < range.row_end; r0 += kBandRows) {
    OutputRange band = range;
    band.row_begin = r0;
    band.row_end = std::min(range.row_end, r0 + kBandRows);
    run(band);
  }
}

CpuExecutor::Step CpuExecutor::step(int op_index) {
  const Op& op = graph_.ops[size_t(op_index)];
  std::vector<ConstView>& views = input_views_[size_t(op_index)];
  for (size_t i = 0; i < op.inputs.size(); ++i)
    views[i].data = op.inputs[i] >= 0 ? tensor_ptr_[size_t(op.inputs[i])] : nullptr;
  const int out_id = op.outputs[0];
  return {kernels_[size_t(op_index)].get(), &epilogues_[size_t(op_index)], views,
          MutableView{tensor_ptr_[size_t(out_id)], graph_.tensors[size_t(out_id)].shape4()}};
}

void CpuExecutor::run_tiled(int op_index, const OutputRange& range, bool in_arena, int follower) {
  const Op& op = graph_.ops[size_t(op_index)];
  Step self = step(op_index);
  Step chained;
  const Step* next = nullptr;
  if (follower >= 0 && fused_follower_[size_t(op_index)]) {  // the kernel's store computes the follower
    self.out = step(follower).out;
    self.fused = true;
  } else if (follower >= 0) {
    chained = step(follower);
    next = &chained;
  }
  const CpuKernel& kernel = *self.kernel;
  const MutableView& out = self.out;
  const OpDescriptor& d = describe_op(op.type);

  const int slices = range.slice_end - range.slice_begin;
  const int rows = range.row_end - range.row_begin;
  if (slices <= 0 || rows <= 0) return;
  // A part of the op's output (the co-scheduler's share) gets its share of the op's tiles.
  const Shape4 whole = out.shape;
  const double part = double(slices) * rows / (double(whole.slices()) * whole.h);
  const int target_tiles = std::max(1, int(max_tiles_[size_t(op_index)] * part + 0.5));
  if (threads_ == 1 || target_tiles < 2) {
    run_piece(self, next, d.split_rows, range);
    return;
  }
  // Rows only when there are enough: a tile spanning every slice reuses each weight panel over
  // all its rows and its input rows over every panel. Few rows (small maps, big weights): slices
  // first, so each weight panel is read by one tile. Slices go in chunks aligned to the kernel's
  // grain (the GEMM kernels compute whole 8-slice panels). Kernels whose slices share nothing
  // (depthwise) ask for slices first whatever the rows.
  const int grain = d.split_slices ? std::max(1, kernel.slice_grain()) : 1;
  const int unit_first = range.slice_begin / grain;
  const int units = (range.slice_end + grain - 1) / grain - unit_first;
  const bool slices_first = d.split_slices && kernel.slices_first() && units >= 2 && rows < kMinRowsPerTile * target_tiles;
  int row_tiles = 1, slice_tiles = 1;
  if (d.split_rows && rows >= target_tiles && !slices_first) {
    row_tiles = target_tiles;
  } else {
    slice_tiles = d.split_slices ? std::min(units, target_tiles) : 1;
    row_tiles = d.split_rows ? std::min(rows, (target_tiles + slice_tiles - 1) / slice_tiles) : 1;
  }
  if (slice_tiles * row_tiles == 1) {
    run_piece(self, next, d.split_rows, range);
    return;
  }
  // One task per tile (simple_partitioner, grain 1): a worker descheduled mid-op (a loaded machine)
  // holds back the op's join by one tile at most; the auto partitioner hands a thief half the
  // remaining range as one task.
  auto tiles = [&] {
    tbb::parallel_for(tbb::blocked_range2d<int>(0, slice_tiles, 1, 0, row_tiles, 1), [&](const auto& r) {
      for (int si = r.rows().begin(); si < r.rows().end(); ++si)
        for (int ri = r.cols().begin(); ri < r.cols().end(); ++ri) {
          OutputRange tile;
          tile.slice_begin = std::max(range.slice_begin, (unit_first + units * si / slice_tiles) * grain);
          tile.slice_end = std::min(range.slice_end, (unit_first + units * (si + 1) / slice_tiles) * grain);
          tile.row_begin = range.row_begin + rows * ri / row_tiles;
          tile.row_end = range.row_begin + rows * (ri + 1) / row_tiles;
          if (!tile.empty()) run_piece(self, next, d.split_rows, tile);
        }
    }, tbb::simple_partitioner());
  };
  if (in_arena) {
    tiles();
  } else {
    arena_->execute(tiles);
  }
}

void CpuExecutor::run_op(int op_index, const OutputRange& range) { run_tiled(op_index, range, false); }

void CpuExecutor::run_ops(int first, int last) {
  using Clock = std::chrono::steady_clock;
  auto ops = [&] {
    for (int i = first; i < last; ++i) {
      const auto t0 = Clock::now();
      const Shape4 s = graph_.tensors[graph_.ops[i].outputs[0]].shape4();
      const int follower = i + 1 < last && chained_[size_t(i) + 1] ? i + 1 : -1;
      run_tiled(i, OutputRange::whole(s), threads_ > 1, follower);
      op_times_ms_[i] = std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
      if (follower >= 0) op_times_ms_[size_t(++i)] = 0.0;  // ran inside op i's tiles
    }
  };
  // One entry into the arena for the whole chain: the calling thread stays in it between ops, so
  // its workers keep spinning on the next op's tiles instead of the arena being left and joined
  // again per op.
  if (threads_ > 1) {
    arena_->execute(ops);
  } else {
    ops();
  }
}

void CpuExecutor::run() { run_ops(0, int(graph_.ops.size())); }

}  // namespace hetsched::cpu
