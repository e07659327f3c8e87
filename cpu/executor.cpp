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
  }

  tensor_ptr_.assign(graph_.tensors.size(), nullptr);
  if (options.own_arena) {
    std::vector<int> tensors;
    const auto records = activation_usage_records(graph_, &tensors);
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

// Runs `range` on the calling thread. With an epilogue, in bands of rows, so the epilogue reads
// each band while it is in cache (the kernel's own loops are cache-blocked).
void CpuExecutor::run_piece(const CpuKernel& kernel, const CpuEpilogue& epilogue, bool split_rows,
                            std::span<const ConstView> views, const MutableView& out, const OutputRange& range) const {
  if (epilogue.empty() || !split_rows || range.row_end - range.row_begin <= kBandRows) {
    kernel.run(views, out, range);
    epilogue.apply(views, out, range);
    return;
  }
  for (int r0 = range.row_begin; r0 < range.row_end; r0 += kBandRows) {
    OutputRange band = range;
    band.row_begin = r0;
    band.row_end = std::min(range.row_end, r0 + kBandRows);
    kernel.run(views, out, band);
    epilogue.apply(views, out, band);
  }
}

void CpuExecutor::run_tiled(int op_index, const OutputRange& range, bool in_arena) {
  const Op& op = graph_.ops[op_index];
  std::vector<ConstView>& views = input_views_[op_index];
  for (size_t i = 0; i < op.inputs.size(); ++i)
    views[i].data = op.inputs[i] >= 0 ? tensor_ptr_[op.inputs[i]] : nullptr;
  const int out_id = op.outputs[0];
  const MutableView out{tensor_ptr_[out_id], graph_.tensors[out_id].shape4()};
  const CpuKernel& kernel = *kernels_[op_index];
  const CpuEpilogue& epilogue = epilogues_[op_index];
  const OpDescriptor& d = describe_op(op.type);

  const int slices = range.slice_end - range.slice_begin;
  const int rows = range.row_end - range.row_begin;
  if (slices <= 0 || rows <= 0) return;
  // A part of the op's output (the co-scheduler's share) gets its share of the op's tiles.
  const Shape4 whole = out.shape;
  const double part = double(slices) * rows / (double(whole.slices()) * whole.h);
  const int target_tiles = std::max(1, int(max_tiles_[size_t(op_index)] * part + 0.5));
  if (threads_ == 1 || target_tiles < 2) {
    run_piece(kernel, epilogue, d.split_rows, views, out, range);
    return;
  }
  // Rows only when there are enough: a tile spanning every slice reuses each weight panel over
  // all its rows and its input rows over every panel. Few rows (small maps, big weights): slices
  // first, so each weight panel is read by one tile. Slices go in chunks aligned to the kernel's
  // grain (the GEMM kernels compute whole 8-slice panels).
  const int grain = d.split_slices ? std::max(1, kernel.slice_grain()) : 1;
  const int unit_first = range.slice_begin / grain;
  const int units = (range.slice_end + grain - 1) / grain - unit_first;
  int row_tiles = 1, slice_tiles = 1;
  if (d.split_rows && rows >= target_tiles) {
    row_tiles = target_tiles;
  } else {
    slice_tiles = d.split_slices ? std::min(units, target_tiles) : 1;
    row_tiles = d.split_rows ? std::min(rows, (target_tiles + slice_tiles - 1) / slice_tiles) : 1;
  }
  if (slice_tiles * row_tiles == 1) {
    run_piece(kernel, epilogue, d.split_rows, views, out, range);
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
          if (!tile.empty()) run_piece(kernel, epilogue, d.split_rows, views, out, tile);
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
      run_tiled(i, OutputRange::whole(s), threads_ > 1);
      op_times_ms_[i] = std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
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
