// The GPU executor's kernel fusions (gpu/gpu_fusions.h) against the unfused ops on the CPU executor.
// Depthwise + pointwise (gpu/ops/dwpw_conv2d.h): random shapes (batches, odd sizes, channels not a
// multiple of 4, strides, dilations, SAME/VALID, activations, a HARD_SWISH step on the depthwise, a
// residual ADD on the pointwise), every tuning candidate. MEAN + FC [+ FC] (gpu/ops/mean_fc.h):
// random maps and widths, FULLY_CONNECTED or 1x1 CONV_2D, activations and epilogues. Each on
// whole, empty and partial slice x row ranges on poisoned output buffers. Then the GPU executor
// with the fusions on and off on small nets (outputs, which chains it fuses), and the device-free
// dispatch list (hetsched info --gpu) agreeing with it.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <map>

#include "cpu/executor.h"
#include "base/error.h"
#include "gpu/dispatch_plan.h"
#include "gpu/executor.h"
#include "gpu/fuse_dwpw.h"
#include "gpu/fuse_mean_fc.h"
#include "gpu/ops/mean_fc.h"
#include "gpu/ops/dwpw_conv2d.h"
#include "graph/op_registry.h"
#include "graph/passes/fuse_elementwise.h"
#include "tests/support/gpu_op_harness.h"
#include "tests/support/gpu_op_runner.h"
#include "tests/support/op_test_harness.h"

namespace hetsched {
namespace {

// Both fusion kinds on, as the tests plan them (the depthwise + pointwise kind is off by default:
// slower on the H100; gpu/gpu_fusions.h).
const gpu::GpuFusionSwitches kDwPwOn{.depthwise_pointwise = true, .mean_fc = true};

struct PairCase {
  int n, h, w, c, out_c, k, stride, dilation;
  Padding padding;
  Activation dw_act, pw_act;
  bool dw_hard_swish, residual;
  std::string str() const {
    return fmt::format("n{} {}x{}x{} -> {} k{} s{} d{} {} dw_act {} hswish {} pw_act {} residual {}", n, h, w, c,
                       out_c, k, stride, dilation, padding == Padding::kSame ? "SAME" : "VALID", to_string(dw_act),
                       dw_hard_swish, to_string(pw_act), residual);
  }
};

// x -> DEPTHWISE_CONV_2D [-> HARD_SWISH] -> CONV_2D 1x1 [-> ADD(r)]: the unfused graph. Inputs x (and r).
Graph pair_graph(std::mt19937_64& rng, const PairCase& c) {
  test::GraphBuilder b("dwpw");
  const int x = b.input("x", {c.n, c.h, c.w, c.c});
  DepthwiseConv2DAttributes da;
  da.stride_h = da.stride_w = c.stride;
  da.dilation_h = da.dilation_w = c.dilation;
  da.padding = c.padding;
  da.activation = c.dw_act;
  b.add_op(OpType::kDepthwiseConv2D,
           {x, b.random_constant(rng, "dw_w", {1, c.k, c.k, c.c}), b.random_constant(rng, "dw_b", {c.c})}, da);
  int t = b.graph().ops.back().outputs[0];
  if (c.dw_hard_swish) {
    b.add_op(OpType::kHardSwish, {t}, NoAttributes{});
    t = b.graph().ops.back().outputs[0];
  }
  Conv2DAttributes pa;
  pa.padding = Padding::kSame;
  pa.activation = c.pw_act;
  b.add_op(OpType::kConv2D,
           {t, b.random_constant(rng, "pw_w", {c.out_c, 1, 1, c.c}, -0.5, 0.5), b.random_constant(rng, "pw_b", {c.out_c})},
           pa);
  t = b.graph().ops.back().outputs[0];
  infer_shapes(b.graph());
  if (c.residual) {
    const auto& s = b.graph().tensors[size_t(t)].shape;
    const int r = b.input("r", s);
    b.add_op(OpType::kAdd, {t, r}, BinaryAttributes{});
    t = b.graph().ops.back().outputs[0];
  }
  Graph g = b.graph();
  g.outputs = {t};
  infer_shapes(g);
  return g;
}

std::vector<float> random_values(std::mt19937_64& rng, size_t n) {
  std::uniform_real_distribution<float> d(-1, 1);
  std::vector<float> v(n);
  for (float& x : v) x = d(rng);
  return v;
}

PairCase random_case(std::mt19937_64& rng) {
  auto pick = [&](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); };
  const Activation acts[] = {Activation::kNone, Activation::kRelu, Activation::kRelu6};
  PairCase c;
  c.n = pick(1, 4) == 1 ? 2 : 1;
  c.h = pick(1, 19);
  c.w = pick(1, 19);
  const int channels[] = {1, 3, 4, 5, 8, 13, 20, 37, 70};
  c.c = channels[pick(0, 8)];
  c.out_c = channels[pick(0, 8)];
  c.k = pick(0, 3) == 0 ? 5 : 3;
  c.stride = pick(1, 2);
  c.dilation = c.stride == 1 && pick(0, 3) == 0 ? 2 : 1;
  c.padding = pick(0, 3) == 0 ? Padding::kValid : Padding::kSame;
  if (c.padding == Padding::kValid) c.h = std::max(c.h, (c.k - 1) * c.dilation + 1), c.w = std::max(c.w, (c.k - 1) * c.dilation + 1);
  c.dw_act = acts[pick(0, 2)];
  c.pw_act = acts[pick(0, 2)];
  c.dw_hard_swish = pick(0, 1) == 1;
  c.residual = pick(0, 1) == 1;
  return c;
}

// A fused kernel alone over `range` of its last op's output, from a poisoned output buffer.
// `plain` with its elementwise ops fused into epilogues, as the GPU executor runs it, and the
// kernel fusions the executor plans on that graph.
std::pair<Graph, gpu::GpuFusions> as_the_gpu_executor_sees_it(const Graph& plain) {
  Graph fused = plain;
  fuse_elementwise(fused);
  infer_shapes(fused);
  gpu::GpuFusions f = gpu::plan_gpu_fusions(fused, kDwPwOn);
  return {std::move(fused), std::move(f)};
}

// The unfused reference: random inputs (by tensor index) run through the CPU executor on the
// plain graph; its output 0 in PHWC4, shaped as the output of `fused`'s op `last`.
struct UnfusedReference {
  std::map<int, std::vector<float>> inputs;
  Shape4 shape;
  std::vector<float> want;
};
UnfusedReference unfused_reference(const Graph& plain, const Graph& fused, int last, std::mt19937_64& rng) {
  UnfusedReference r;
  cpu::CpuExecutor cpu_exec(plain, {test::test_threads(), true});
  for (size_t i = 0; i < plain.inputs.size(); ++i) {
    const int t = plain.inputs[i];
    r.inputs[t] = random_values(rng, plain.tensors[size_t(t)].elements());
    cpu_exec.set_input(int(i), r.inputs[t]);
  }
  cpu_exec.run();
  r.shape = fused.tensors[size_t(fused.ops[size_t(last)].outputs[0])].shape4();
  const std::vector<float> want_nhwc = cpu_exec.output_nhwc(0);
  r.want.resize(r.shape.phwc4_elements());
  nhwc_to_phwc4(want_nhwc.data(), r.shape, r.want.data());
  return r;
}

class FusedRunner {
 public:
  FusedRunner(gpu::VulkanDevice& device, const Graph& g, std::unique_ptr<gpu::GpuKernel> kernel, int head, int last)
      : device_(device), g_(g), head_(head), kernel_(std::move(kernel)) {
    const Op& p = g.ops[size_t(last)];
    std::vector<gpu::BufferRange> ranges(p.inputs.size());
    const auto make = [&](int t) {
      return gpu::Buffer(device_, g.tensors[size_t(t)].shape4().phwc4_elements() * 4, gpu::MemoryUse::kShared,
                         g.tensors[size_t(t)].name);
    };
    x_ = make(g.ops[size_t(head)].inputs[0]);
    ranges[0] = x_.whole();
    for (size_t i = 1; i < p.inputs.size(); ++i)
      if (p.inputs[i] >= 0 && !g.tensors[size_t(p.inputs[i])].is_constant) {
        operands_.push_back(make(p.inputs[i]));
        operand_tensors_.push_back(p.inputs[i]);
        ranges[i] = operands_.back().whole();
      }
    out_ = make(p.outputs[0]);
    descriptors_ = std::make_unique<gpu::DescriptorArena>(device_, 2, kernel_->storage_buffers() * 2);
    kernel_->bind(*descriptors_, ranges, out_.whole());
  }
  gpu::GpuKernel& kernel() { return *kernel_; }
  // Inputs by tensor index (NHWC); returns the whole PHWC4 output buffer after the dispatch.
  std::vector<float> run(const std::map<int, std::vector<float>>& nhwc, const OutputRange& range) {
    const auto upload = [&](int t, gpu::Buffer& b) {
      nhwc_to_phwc4(nhwc.at(t).data(), g_.tensors[size_t(t)].shape4(), static_cast<float*>(b.mapped()));
    };
    upload(g_.ops[size_t(head_)].inputs[0], x_);
    for (size_t i = 0; i < operands_.size(); ++i) upload(operand_tensors_[i], operands_[i]);
    const size_t n = out_.size() / 4;
    std::fill_n(static_cast<float*>(out_.mapped()), n, test::kPoison);
    gpu::CommandBuffer cmd(device_);
    cmd.begin();
    kernel_->record(cmd, range);
    cmd.compute_to_host();
    cmd.end();
    gpu::submit_and_wait(device_, cmd, "fused depthwise + pointwise");
    const float* p = static_cast<const float*>(out_.mapped());
    return {p, p + n};
  }

 private:
  gpu::VulkanDevice& device_;
  const Graph& g_;
  int head_;
  std::unique_ptr<gpu::GpuKernel> kernel_;
  gpu::Buffer x_, out_;
  std::vector<gpu::Buffer> operands_;
  std::vector<int> operand_tensors_;
  std::unique_ptr<gpu::DescriptorArena> descriptors_;
};

// Relative L2 of `got` vs `want` (PHWC4) over the elements inside `range`.
double range_rel_l2(std::span<const float> got, std::span<const float> want, const Shape4& s, const OutputRange& r) {
  double num = 0, den = 0;
  for (int b = 0; b < s.n; ++b)
    for (int sl = r.slice_begin; sl < r.slice_end; ++sl)
      for (int y = r.row_begin; y < r.row_end; ++y)
        for (int x = 0; x < s.w; ++x)
          for (int l = 0; l < kSliceWidth; ++l) {
            const size_t i = s.offset(b, sl, y, x) + size_t(l);
            num += (double(got[i]) - want[i]) * (double(got[i]) - want[i]);
            den += double(want[i]) * want[i];
          }
  return std::sqrt(num) / std::max(std::sqrt(den), 1e-30);
}

TEST(DwPwFusionGpu, RandomPairsAnyRangeMatchUnfusedCpu) {
  HETSCHED_SKIP_WITHOUT_GPU();
  gpu::VulkanDevice& device = *test::test_gpu_device();
  auto rng = test::make_rng(1601);
  for (int iter = 0; iter < 10; ++iter) {
    const PairCase c = random_case(rng);
    SCOPED_TRACE(c.str());
    const Graph plain = pair_graph(rng, c);
    const auto [fused, f] = as_the_gpu_executor_sees_it(plain);
    ASSERT_EQ(f.count(gpu::FusionKind::kDepthwisePointwise), 1) << "the pair must be fusable";
    int pw = -1;
    for (size_t i = 0; i < fused.ops.size(); ++i)
      if (f.head_of[i] >= 0) pw = int(i);
    // The unfused reference: the CPU executor on the plain graph.
    const auto [inputs, s, want] = unfused_reference(plain, fused, pw, rng);

    const gpu::GpuKernelContext ctx{device, nullptr};
    const int dw = f.head_of[size_t(pw)];
    FusedRunner runner(device, fused, gpu::create_dwpw_conv2d_gpu_kernel(ctx, fused, fused.ops[size_t(dw)], fused.ops[size_t(pw)]),
                       dw, pw);
    const auto candidates = runner.kernel().workgroup_candidates(device.info());
    ASSERT_FALSE(candidates.empty());
    for (const gpu::WorkgroupSize& wg : candidates) {
      SCOPED_TRACE(fmt::format("workgroup {}x{}x{} block {}", wg.x, wg.y, wg.z, wg.block_s));
      runner.kernel().set_workgroup(ctx, wg);
      std::vector<OutputRange> ranges = {OutputRange::whole(s), OutputRange{0, 0, 0, s.h}};
      for (int k = 0; k < 3; ++k) {
        const int s0 = std::uniform_int_distribution<int>(0, s.slices() - 1)(rng);
        const int s1 = std::uniform_int_distribution<int>(s0 + 1, s.slices())(rng);
        const int r0 = std::uniform_int_distribution<int>(0, s.h - 1)(rng);
        const int r1 = std::uniform_int_distribution<int>(r0 + 1, s.h)(rng);
        ranges.push_back({s0, s1, r0, r1});
      }
      for (const OutputRange& r : ranges) {
        SCOPED_TRACE(fmt::format("range slices [{},{}) rows [{},{})", r.slice_begin, r.slice_end, r.row_begin, r.row_end));
        const std::vector<float> got = runner.run(inputs, r);
        EXPECT_EQ(test::check_written_range(got, s, r), "");
        if (!r.empty()) {
          EXPECT_LT(range_rel_l2(got, want, s, r), test::kGpuDefaultMaxRelL2);
        }
      }
    }
  }
}

int conv(test::GraphBuilder& b, std::mt19937_64& rng, int in, int out_c, int k, int stride, bool depthwise,
         const std::string& name) {
  infer_shapes(b.graph());
  const int ic = b.graph().tensors[size_t(in)].shape.back();
  if (depthwise) {
    DepthwiseConv2DAttributes a;
    a.padding = Padding::kSame;
    a.stride_h = a.stride_w = stride;
    a.activation = Activation::kRelu6;
    b.add_op(OpType::kDepthwiseConv2D,
             {in, b.random_constant(rng, name + "_w", {1, k, k, ic}), b.random_constant(rng, name + "_b", {ic})}, a);
  } else {
    Conv2DAttributes a;
    a.padding = Padding::kSame;
    a.stride_h = a.stride_w = stride;
    b.add_op(OpType::kConv2D,
             {in, b.random_constant(rng, name + "_w", {out_c, k, k, ic}, -0.5, 0.5),
              b.random_constant(rng, name + "_b", {out_c})},
             a);
  }
  return b.graph().ops.back().outputs[0];
}

// conv -> [dw -> pw + residual] -> [dw s2 -> HARD_SWISH -> pw] -> dw (also an output) -> pw; then a
// dw -> 3x3 conv (not 1x1: not fused). Two pairs fuse; the third dw has a second reader.
Graph small_net(std::mt19937_64& rng) {
  test::GraphBuilder b("dwpw_net");
  const int x = b.input("x", {1, 13, 11, 6});
  const int c0 = conv(b, rng, x, 12, 3, 1, false, "c0");
  const int d1 = conv(b, rng, c0, 0, 3, 1, true, "d1");
  const int p1 = conv(b, rng, d1, 12, 1, 1, false, "p1");
  b.add_op(OpType::kAdd, {p1, c0}, BinaryAttributes{});
  const int a1 = b.graph().ops.back().outputs[0];
  const int d2 = conv(b, rng, a1, 0, 5, 2, true, "d2");
  b.add_op(OpType::kHardSwish, {d2}, NoAttributes{});
  const int p2 = conv(b, rng, b.graph().ops.back().outputs[0], 21, 1, 1, false, "p2");
  const int d3 = conv(b, rng, p2, 0, 3, 1, true, "d3");
  const int p3 = conv(b, rng, d3, 9, 1, 1, false, "p3");
  const int d4 = conv(b, rng, p3, 0, 3, 1, true, "d4");
  const int p4 = conv(b, rng, d4, 5, 3, 1, false, "p4");
  Graph g = b.graph();
  g.outputs = {p4, d3};
  infer_shapes(g);
  return g;
}

TEST(DwPwFusionGpu, ExecutorFusesPairsAndMatchesCpu) {
  HETSCHED_SKIP_WITHOUT_GPU();
  auto rng = test::make_rng(1602);
  const Graph plain = small_net(rng);
  Graph fused = plain;
  ASSERT_TRUE(fuse_elementwise(fused).applied);
  infer_shapes(fused);
  EXPECT_EQ(gpu::plan_gpu_fusions(fused, kDwPwOn).count(gpu::FusionKind::kDepthwisePointwise), 2);
  cpu::CpuExecutor cpu_exec(plain, {test::test_threads(), true});
  std::vector<float> xin = random_values(rng, plain.tensors[size_t(plain.inputs[0])].elements());
  cpu_exec.set_input(0, xin);
  cpu_exec.run();
  size_t arena[2] = {0, 0};
  for (bool on : {true, false}) {
    SCOPED_TRACE(on ? "fusion on" : "fusion off");
    gpu::GpuExecutorOptions o;
    o.fusions.depthwise_pointwise = on;
    o.fusions.depthwise_pointwise_on_software = true;
    gpu::GpuExecutor gpu_exec(fused, *test::test_gpu_device(), nullptr, o);
    EXPECT_EQ(gpu_exec.fusions().count(gpu::FusionKind::kDepthwisePointwise), on ? 2 : 0);
    arena[on] = gpu_exec.memory_plan().total_bytes;
    gpu_exec.set_input(0, xin);
    gpu_exec.run();
    for (size_t i = 0; i < plain.outputs.size(); ++i)
      EXPECT_LT(test::output_rel_l2(gpu_exec.output_nhwc(int(i)), cpu_exec.output_nhwc(int(i))), test::kGpuDefaultMaxRelL2) << "output " << i;
  }
  // The fused depthwise outputs get no storage: the arena does not grow (it shrinks unless
  // the widened live ranges of the depthwise inputs take the room back).
  EXPECT_LE(arena[1], arena[0]);
  // Co-execution (ops_on_gpu given): never fused, every op keeps its own kernel.
  gpu::GpuExecutorOptions co;
  co.ops_on_gpu.assign(fused.ops.size(), true);
  co.record_model = false;
  EXPECT_EQ(gpu::GpuExecutor(fused, *test::test_gpu_device(), nullptr, co).fusions().elided(), 0);
  // The device-free dispatch list: two dispatches fewer, the fused ones on dwpw_conv2d.
  const auto unfused_list = gpu::plan_dispatches(fused, true);
  const auto fused_list = gpu::plan_dispatches(fused, true, kDwPwOn);
  EXPECT_EQ(fused_list.size() + 2, unfused_list.size());
  EXPECT_EQ(std::count_if(fused_list.begin(), fused_list.end(), [](const auto& d) { return d.shader == "dwpw_conv2d"; }), 2);
}

// What the planner refuses: a depthwise output with a second reader, a 3x3 or strided consumer,
// a depth multiplier, a depthwise epilogue with an operand tensor.
TEST(DwPwFusionGpu, PlannerConditions) {
  auto rng = test::make_rng(1603);
  const Graph net = small_net(rng);
  Graph fused = net;
  fuse_elementwise(fused);
  infer_shapes(fused);
  const gpu::GpuFusions f = gpu::plan_gpu_fusions(fused, kDwPwOn);
  for (size_t i = 0; i < fused.ops.size(); ++i) {
    if (f.head_of[i] < 0) continue;
    EXPECT_EQ(fused.ops[i].type, OpType::kConv2D);
    EXPECT_TRUE(f.elided_op[size_t(f.head_of[i])]);
  }
  // Multiplier 2: not fused.
  test::GraphBuilder b("mult");
  const int x = b.input("x", {1, 5, 5, 3});
  DepthwiseConv2DAttributes a;
  a.padding = Padding::kSame;
  a.depth_multiplier = 2;
  b.add_op(OpType::kDepthwiseConv2D, {x, b.random_constant(rng, "w", {1, 3, 3, 6}), -1}, a);
  conv(b, rng, b.graph().ops.back().outputs[0], 4, 1, 1, false, "p");
  Graph g = b.graph();
  g.outputs = {g.ops.back().outputs[0]};
  infer_shapes(g);
  EXPECT_EQ(gpu::plan_gpu_fusions(g, kDwPwOn).elided(), 0);
  // Strided 1x1 consumer: not fused.
  test::GraphBuilder b2("strided");
  const int x2 = b2.input("x", {1, 6, 6, 4});
  const int d = conv(b2, rng, x2, 0, 3, 1, true, "d");
  conv(b2, rng, d, 4, 1, 2, false, "p");
  Graph g2 = b2.graph();
  g2.outputs = {g2.ops.back().outputs[0]};
  infer_shapes(g2);
  EXPECT_EQ(gpu::plan_gpu_fusions(g2, kDwPwOn).elided(), 0);
  EXPECT_TRUE(gpu::dwpw_fusable(g2, 0, 1) == false);
  // A wide squeeze-excite (FC1 of 480 x 240 weights, above kMeanFcMaxRedundantMacs): MEAN + FC1 fuse,
  // FC2 keeps its dispatch; a narrow one (480 x 24) fuses whole.
  for (int hidden : {240, 24}) {
    test::GraphBuilder b3("se");
    const int x3 = b3.input("x", {1, 7, 7, 480});
    b3.add_op(OpType::kMean, {x3}, MeanAttributes{{1, 2}, true});
    const int h = conv(b3, rng, b3.graph().ops.back().outputs[0], hidden, 1, 1, false, "fc1");
    conv(b3, rng, h, 480, 1, 1, false, "fc2");
    Graph g3 = b3.graph();
    g3.outputs = {g3.ops.back().outputs[0]};
    infer_shapes(g3);
    const gpu::GpuFusions f3 = gpu::plan_gpu_fusions(g3, kDwPwOn);
    ASSERT_EQ(f3.count(gpu::FusionKind::kMeanFc), 1);
    const int last = hidden == 240 ? 1 : 2;
    EXPECT_EQ(f3.kind[size_t(last)], gpu::FusionKind::kMeanFc) << "hidden " << hidden;
    EXPECT_EQ(gpu::fused_chain(g3, f3, last).size(), size_t(last + 1));
  }
}


struct MeanCase {
  int h, w, c, mid, out;
  bool pool;  // AVERAGE_POOL_2D over the whole map instead of MEAN
  bool fully_connected, two_fc, fc1_hard_swish, fc1_scalar_mul, residual;
  Activation act1, act;
  std::string str() const {
    return fmt::format("{}x{}x{} -> {}{} via {} act1 {} hswish {} scalar {} act {} residual {}", h, w, c, mid,
                       two_fc ? fmt::format(" -> {}", out) : "", fully_connected ? "FC" : "1x1 conv", to_string(act1),
                       fc1_hard_swish, fc1_scalar_mul, to_string(act), residual).insert(0, pool ? "pool " : "");
  }
};

// x -> MEAN(H, W) -> FC1 [-> HARD_SWISH] [-> MUL scalar] [-> FC2] [-> ADD(r)]: the unfused graph.
Graph mean_graph(std::mt19937_64& rng, const MeanCase& c) {
  test::GraphBuilder b("mean_fc");
  const int x = b.input("x", {1, c.h, c.w, c.c});
  if (c.pool) {
    Pool2DAttributes pa;
    pa.filter_h = c.h;
    pa.filter_w = c.w;
    b.add_op(OpType::kAveragePool2D, {x}, pa);  // [1,1,1,C]
  } else {
    b.add_op(OpType::kMean, {x}, MeanAttributes{{1, 2}, !c.fully_connected});
  }
  int t = b.graph().ops.back().outputs[0];
  const auto fc = [&](int in, int in_c, int out_c, Activation act, const std::string& name) {
    if (c.fully_connected) {
      b.add_op(OpType::kFullyConnected,
               {in, b.random_constant(rng, name + "_w", {out_c, in_c}), b.random_constant(rng, name + "_b", {out_c})},
               FullyConnectedAttributes{false, act});
    } else {
      Conv2DAttributes a;
      a.padding = Padding::kSame;
      a.activation = act;
      b.add_op(OpType::kConv2D,
               {in, b.random_constant(rng, name + "_w", {out_c, 1, 1, in_c}), b.random_constant(rng, name + "_b", {out_c})},
               a);
    }
    return b.graph().ops.back().outputs[0];
  };
  t = fc(t, c.c, c.mid, c.two_fc ? c.act1 : c.act, "fc1");
  if (c.two_fc) {
    if (c.fc1_hard_swish) {
      b.add_op(OpType::kHardSwish, {t}, NoAttributes{});
      t = b.graph().ops.back().outputs[0];
    }
    if (c.fc1_scalar_mul) {
      const float k = 0.25f;
      b.add_op(OpType::kMul, {t, b.constant("k", {1}, std::span<const float>(&k, 1))}, BinaryAttributes{});
      t = b.graph().ops.back().outputs[0];
    }
    t = fc(t, c.mid, c.out, c.act, "fc2");
  }
  infer_shapes(b.graph());
  if (c.residual) {
    const int r = b.input("r", b.graph().tensors[size_t(t)].shape);
    b.add_op(OpType::kAdd, {t, r}, BinaryAttributes{});
    t = b.graph().ops.back().outputs[0];
  }
  Graph g = b.graph();
  g.outputs = {t};
  infer_shapes(g);
  return g;
}

TEST(MeanFcFusionGpu, RandomChainsAnyRangeMatchUnfusedCpu) {
  HETSCHED_SKIP_WITHOUT_GPU();
  gpu::VulkanDevice& device = *test::test_gpu_device();
  auto rng = test::make_rng(1604);
  auto pick = [&](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); };
  const int widths[] = {1, 3, 5, 8, 13, 37, 72, 240, 1001};
  const Activation acts[] = {Activation::kNone, Activation::kRelu, Activation::kRelu6, Activation::kSigmoid};
  for (int iter = 0; iter < 12; ++iter) {
    MeanCase c;
    c.h = pick(1, 30);
    c.w = pick(1, 30);
    c.c = widths[pick(0, 8)];
    c.mid = widths[pick(0, 7)];
    c.out = widths[pick(0, 8)];
    c.fully_connected = pick(0, 1) == 1;
    c.pool = iter == 0 || pick(0, 3) == 0;
    c.two_fc = pick(0, 2) > 0;
    c.fc1_hard_swish = pick(0, 1) == 1;
    c.fc1_scalar_mul = pick(0, 1) == 1;
    c.residual = pick(0, 2) == 0;
    c.act1 = acts[pick(0, 3)];
    c.act = acts[pick(0, 3)];
    // FC1 joins only while small (fuse_mean_fc.h); the wide case: PlannerConditions.
    if (c.two_fc && int64_t(c.c) * c.mid > gpu::kMeanFcMaxRedundantMacs) c.mid = widths[pick(0, 5)];
    SCOPED_TRACE(c.str());
    const Graph plain = mean_graph(rng, c);
    const auto [fused, f] = as_the_gpu_executor_sees_it(plain);
    ASSERT_EQ(f.count(gpu::FusionKind::kMeanFc), 1) << "the chain must be fusable";
    int last = -1;
    for (size_t i = 0; i < fused.ops.size(); ++i)
      if (f.kind[i] == gpu::FusionKind::kMeanFc) last = int(i);
    const std::vector<int> chain = gpu::fused_chain(fused, f, last);
    ASSERT_EQ(chain.size(), c.two_fc ? 3u : 2u);
    EXPECT_EQ(fused.ops[size_t(chain[0])].type, c.pool ? OpType::kAveragePool2D : OpType::kMean);
    const auto [inputs, s, want] = unfused_reference(plain, fused, last, rng);
    const gpu::GpuKernelContext ctx{device, nullptr};
    FusedRunner runner(device, fused, gpu::create_mean_fc_gpu_kernel(ctx, fused, chain), chain[0], last);
    std::vector<OutputRange> ranges = {OutputRange::whole(s), OutputRange{0, s.slices(), 0, 0}};
    for (int k = 0; k < 3; ++k) {
      const int s0 = pick(0, s.slices() - 1);
      ranges.push_back({s0, pick(s0 + 1, s.slices()), 0, 1});
    }
    for (const OutputRange& r : ranges) {
      SCOPED_TRACE(fmt::format("range slices [{},{}) rows [{},{})", r.slice_begin, r.slice_end, r.row_begin, r.row_end));
      const std::vector<float> got = runner.run(inputs, r);
      EXPECT_EQ(test::check_written_range(got, s, r), "");
      if (!r.empty()) {
        EXPECT_LT(range_rel_l2(got, want, s, r), test::kGpuDefaultMaxRelL2);
      }
    }
  }
}

// A squeeze-excite block and a classifier head: conv -> dw -> MEAN -> 1x1 conv (RELU) -> 1x1 conv
// (sigmoid) -> MUL(dw output, gate) -> 1x1 conv -> MEAN -> FC: two MEAN + FC chains (2 and 1 FC).
Graph se_net(std::mt19937_64& rng) {
  test::GraphBuilder b("se_net");
  const int x = b.input("x", {1, 14, 10, 5});
  const int c0 = conv(b, rng, x, 24, 3, 2, false, "c0");
  const int d0 = conv(b, rng, c0, 0, 3, 1, true, "d0");
  b.add_op(OpType::kMean, {d0}, MeanAttributes{{1, 2}, true});
  Conv2DAttributes a;
  a.activation = Activation::kRelu;
  b.add_op(OpType::kConv2D, {b.graph().ops.back().outputs[0], b.random_constant(rng, "s1_w", {6, 1, 1, 24}), -1}, a);
  a.activation = Activation::kSigmoid;
  b.add_op(OpType::kConv2D,
           {b.graph().ops.back().outputs[0], b.random_constant(rng, "s2_w", {24, 1, 1, 6}), b.random_constant(rng, "s2_b", {24})},
           a);
  b.add_op(OpType::kMul, {d0, b.graph().ops.back().outputs[0]}, BinaryAttributes{});
  const int p = conv(b, rng, b.graph().ops.back().outputs[0], 40, 1, 1, false, "p");
  b.add_op(OpType::kMean, {p}, MeanAttributes{{1, 2}, false});
  b.add_op(OpType::kFullyConnected,
           {b.graph().ops.back().outputs[0], b.random_constant(rng, "fc_w", {11, 40}), b.random_constant(rng, "fc_b", {11})},
           FullyConnectedAttributes{false, Activation::kNone});
  Graph plain = b.graph();
  plain.outputs = {plain.ops.back().outputs[0]};
  infer_shapes(plain);
  return plain;
}

TEST(MeanFcFusionGpu, ExecutorFusesSqueezeExciteAndHead) {
  HETSCHED_SKIP_WITHOUT_GPU();
  auto rng = test::make_rng(1605);
  const Graph plain = se_net(rng);
  const int x = plain.inputs[0];
  Graph fused = plain;
  fuse_elementwise(fused);
  infer_shapes(fused);
  EXPECT_EQ(gpu::plan_gpu_fusions(fused, kDwPwOn).count(gpu::FusionKind::kMeanFc), 2);
  EXPECT_EQ(gpu::plan_gpu_fusions(fused, kDwPwOn).elided(), 3);  // MEAN + FC1 of the SE block, MEAN of the head
  cpu::CpuExecutor cpu_exec(plain, {test::test_threads(), true});
  const std::vector<float> xin = random_values(rng, plain.tensors[size_t(x)].elements());
  cpu_exec.set_input(0, xin);
  cpu_exec.run();
  for (bool on : {true, false}) {
    SCOPED_TRACE(on ? "fusion on" : "fusion off");
    gpu::GpuExecutorOptions o;
    o.fusions.mean_fc = on;
    gpu::GpuExecutor gpu_exec(fused, *test::test_gpu_device(), nullptr, o);
    EXPECT_EQ(gpu_exec.fusions().count(gpu::FusionKind::kMeanFc), on ? 2 : 0);
    gpu_exec.set_input(0, xin);
    gpu_exec.run();
    EXPECT_LT(test::output_rel_l2(gpu_exec.output_nhwc(0), cpu_exec.output_nhwc(0)), test::kGpuDefaultMaxRelL2);
  }
  const auto fused_list = gpu::plan_dispatches(fused, true, kDwPwOn);
  EXPECT_EQ(fused_list.size() + 3, gpu::plan_dispatches(fused, true).size());
  EXPECT_EQ(std::count_if(fused_list.begin(), fused_list.end(), [](const auto& d) { return d.shader == "mean_fc"; }), 2);
}


// On an fp16 device (float16 tensors; the fused kernels round their intermediates to float16 as the
// unfused ops store them): fused and unfused outputs agree, and both stay within the fp16 bound.
TEST(GpuFusionsFp16, FusedMatchesUnfused) {
  HETSCHED_SKIP_WITHOUT_GPU();
  std::string why;
  gpu::VulkanDevice* dev16 = test::test_gpu_device_fp16(&why);
  if (!dev16) GTEST_SKIP() << "no fp16 device: " << why;
  auto rng = test::make_rng(1606);
  for (const Graph& plain : {small_net(rng), se_net(rng)}) {
    SCOPED_TRACE(plain.model_name);
    Graph fused = plain;
    fuse_elementwise(fused);
    infer_shapes(fused);
    cpu::CpuExecutor cpu_exec(plain, {test::test_threads(), true});
    const std::vector<float> xin = random_values(rng, plain.tensors[size_t(plain.inputs[0])].elements());
    cpu_exec.set_input(0, xin);
    cpu_exec.run();
    std::vector<std::vector<float>> outs[2];
    for (bool on : {true, false}) {
      gpu::GpuExecutorOptions o;
      o.fusions = {on, on, /*depthwise_pointwise_on_software=*/true};
      gpu::GpuExecutor e(fused, *dev16, nullptr, o);
      EXPECT_EQ(e.fusions().elided() > 0, on);
      e.set_input(0, xin);
      e.run();
      for (size_t i = 0; i < plain.outputs.size(); ++i) outs[on].push_back(e.output_nhwc(int(i)));
    }
    for (size_t i = 0; i < plain.outputs.size(); ++i) {
      EXPECT_LT(test::output_rel_l2(outs[1][i], outs[0][i]), 2e-3) << "output " << i << ": fused vs unfused";
      EXPECT_LT(test::output_rel_l2(outs[1][i], cpu_exec.output_nhwc(int(i))), test::kGpuFp16MaxRelL2) << "output " << i;
    }
  }
}


// Where convs run on tensor cores (here the emulated cooperative kernels, any device with
// shaderFloat16) the 1x1 convs stay there: no depthwise + pointwise fusion; MEAN + FC still fuses.
TEST(GpuFusionsCoopMat, NoDepthwisePointwiseOnTensorCores) {
  HETSCHED_SKIP_WITHOUT_GPU();
  std::unique_ptr<gpu::VulkanDevice> dev;
  try {
    dev = std::make_unique<gpu::VulkanDevice>(gpu::DeviceOptions{.cooperative_matrix = true, .coopmat_emulate = true});
  } catch (const Error& e) {
    GTEST_SKIP() << "no device with cooperative matrices (emulated): " << e.what();
  }
  if (!dev->coopmat_enabled()) GTEST_SKIP() << "cooperative matrices not enabled on " << dev->describe();
  auto rng = test::make_rng(1607);
  for (const Graph& plain : {small_net(rng), se_net(rng)}) {
    Graph fused = plain;
    fuse_elementwise(fused);
    infer_shapes(fused);
    gpu::GpuExecutorOptions o;
    o.fusions.depthwise_pointwise_on_software = true;  // only the tensor cores may turn it off here
    gpu::GpuExecutor e(fused, *dev, nullptr, o);
    EXPECT_EQ(e.fusions().count(gpu::FusionKind::kDepthwisePointwise), 0) << plain.model_name;
    EXPECT_EQ(e.fusions().count(gpu::FusionKind::kMeanFc), plain.model_name == "se_net" ? 2 : 0);
  }
}

// The depthwise + pointwise fusion is on by default on a real GPU, off on a software device
// (lavapipe), where the fused kernel was slower; MEAN + FC fuses on both.
TEST(GpuFusionsDefaults, DepthwisePointwiseOnlyOnRealGpus) {
  HETSCHED_SKIP_WITHOUT_GPU();
  gpu::VulkanDevice& device = *test::test_gpu_device();
  auto rng = test::make_rng(1611);
  const Graph plain = small_net(rng);
  Graph fused = plain;
  fuse_elementwise(fused);
  infer_shapes(fused);
  gpu::GpuExecutorOptions o;
  o.fusions = {true, true};
  gpu::GpuExecutor e(fused, device, nullptr, o);
  const bool software = device.info().type == gpu::DeviceType::kCpu;
  EXPECT_EQ(e.fusions().count(gpu::FusionKind::kDepthwisePointwise) > 0, !software) << device.describe();
  o.fusions.depthwise_pointwise_on_software = true;
  EXPECT_GT(gpu::GpuExecutor(fused, device, nullptr, o).fusions().count(gpu::FusionKind::kDepthwisePointwise), 0);
}

}  // namespace
}  // namespace hetsched
