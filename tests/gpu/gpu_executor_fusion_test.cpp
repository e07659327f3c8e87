// The GPU executor on fused graphs: concatenation by slice writes (the producers write into the
// concat output; the concat dispatch disappears) where the inputs are slice aligned, the copy where
// they are not, and elementwise chains in epilogues; every output vs the CPU executor on the
// unfused graph (itself checked against the float64 reference by the op tests).
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <cmath>

#include "cpu/executor.h"
#include "gpu/executor.h"
#include "graph/op_registry.h"
#include "graph/passes/fuse_elementwise.h"
#include "tests/support/gpu_op_runner.h"
#include "tests/support/gpu_op_harness.h"
#include "tests/support/op_test_harness.h"

namespace hetsched {
namespace {

int conv(test::GraphBuilder& b, std::mt19937_64& rng, int in, int out_c, int k, const std::string& name) {
  Conv2DAttributes a;
  a.padding = Padding::kSame;
  infer_shapes(b.graph());  // the shape of `in` (add_op infers none)
  const int ic = b.graph().tensors[size_t(in)].shape.back();
  b.add_op(OpType::kConv2D,
           {in, b.random_constant(rng, fmt::format("{}_w", name), {out_c, k, k, ic}, -0.5, 0.5), b.random_constant(rng, fmt::format("{}_b", name), {out_c})},
           a);
  return b.graph().ops.back().outputs[0];
}

// Runs `gpu_graph` on the GPU and `cpu_graph` on the CPU with the same random inputs; returns the
// worst relative L2 over the outputs (and the GPU executor's in-place concat count).
double gpu_vs_cpu(const Graph& gpu_graph, const Graph& cpu_graph, std::mt19937_64& rng, int* in_place) {
  gpu::VulkanDevice* device = test::test_gpu_device();
  gpu::GpuExecutor gpu_exec(gpu_graph, *device, nullptr, {});
  cpu::CpuExecutor cpu_exec(cpu_graph, {2, true});
  *in_place = gpu_exec.in_place_concats();
  std::uniform_real_distribution<float> d(-1, 1);
  for (size_t i = 0; i < gpu_graph.inputs.size(); ++i) {
    std::vector<float> x(gpu_graph.tensors[size_t(gpu_graph.inputs[i])].elements());
    for (float& v : x) v = d(rng);
    gpu_exec.set_input(int(i), x);
    cpu_exec.set_input(int(i), x);
  }
  gpu_exec.run();
  cpu_exec.run();
  double worst = 0;
  for (size_t o = 0; o < gpu_graph.outputs.size(); ++o)
    worst = std::max(worst, test::output_rel_l2(gpu_exec.output_nhwc(int(o)), cpu_exec.output_nhwc(int(o))));
  return worst;
}

// x -> convs of `channels` each -> CONCATENATION on C -> conv 3x3 (a reader of the whole output);
// with `skip`, a 1x1 conv reads the first part after the concat (a U-Net skip: a view with a reader).
Graph concat_net(std::mt19937_64& rng, std::vector<int> channels, int h, int w, bool concat_is_output,
                 bool skip) {
  test::GraphBuilder b("concat_net");
  const int x = b.input("x", {1, h, w, 3});
  std::vector<int> parts;
  for (size_t i = 0; i < channels.size(); ++i) parts.push_back(conv(b, rng, x, channels[i], 3, fmt::format("p{}", i)));
  b.add_op(OpType::kConcatenation, parts, ConcatenationAttributes{3, Activation::kNone});
  const int cat = b.graph().ops.back().outputs[0];
  const int end = concat_is_output ? cat : conv(b, rng, cat, 6, 3, "end");
  const int skip_out = skip ? conv(b, rng, parts[0], 4, 1, "skip") : -1;
  Graph g = b.graph();
  g.outputs = {end};
  if (skip) g.outputs.push_back(skip_out);
  infer_shapes(g);
  return g;
}

TEST(GpuExecutorFusion, ConcatBySliceWritesMatchesCpu) {
  HETSCHED_SKIP_WITHOUT_GPU();
  auto rng = test::make_rng(61);
  struct Case {
    std::vector<int> channels;
    bool is_output, skip;
    int in_place;  // expected in-place concats
  };
  for (const Case& c : {Case{{8, 5}, false, false, 1}, Case{{4, 8, 3}, false, false, 1}, Case{{8, 4}, true, false, 1},
                        Case{{8, 12, 3}, false, true, 1}, Case{{6, 5}, false, false, 0},
                        Case{{4, 7, 4}, false, true, 0}}) {
    SCOPED_TRACE(fmt::format("{} concat output {} skip {}", test::shape_str(c.channels), c.is_output, c.skip));
    const Graph g = concat_net(rng, c.channels, 7, 9, c.is_output, c.skip);
    int in_place = -1;
    EXPECT_LT(gpu_vs_cpu(g, g, rng, &in_place), 1e-5);
    // View offsets are multiples of H*W*16 bytes (here 1008): in place where the device's binding
    // offset alignment allows (16 bytes on lavapipe and NVIDIA).
    if (test::test_gpu_device()->info().min_storage_buffer_offset_alignment <= 16) {
      EXPECT_EQ(in_place, c.in_place);
    }
  }
}

// A residual block with swish: conv -> depthwise -> ADD(residual) -> HARD_SWISH; conv -> LOGISTIC
// -> MUL(conv output) (a swish): fused, the GPU gives the unfused CPU executor's outputs.
TEST(GpuExecutorFusion, FusedChainsMatchUnfusedCpu) {
  HETSCHED_SKIP_WITHOUT_GPU();
  auto rng = test::make_rng(62);
  test::GraphBuilder b("fused_net");
  const int x = b.input("x", {1, 9, 7, 5});
  const int t1 = conv(b, rng, x, 7, 3, "c1");
  DepthwiseConv2DAttributes da;
  da.padding = Padding::kSame;
  b.add_op(OpType::kDepthwiseConv2D, {t1, b.random_constant(rng, "dw", {1, 3, 3, 7}), -1}, da);
  const int t2 = b.graph().ops.back().outputs[0];
  b.add_op(OpType::kAdd, {t2, t1}, BinaryAttributes{});
  b.add_op(OpType::kHardSwish, {b.graph().ops.back().outputs[0]}, NoAttributes{});
  const int t4 = b.graph().ops.back().outputs[0];
  const int t5 = conv(b, rng, t4, 6, 1, "c2");
  b.add_op(OpType::kLogistic, {t5}, NoAttributes{});
  b.add_op(OpType::kMul, {t5, b.graph().ops.back().outputs[0]}, BinaryAttributes{});
  Graph plain = b.graph();
  plain.outputs = {plain.ops.back().outputs[0]};
  infer_shapes(plain);
  Graph fused = plain;
  ASSERT_TRUE(fuse_elementwise(fused).applied);
  infer_shapes(fused);
  EXPECT_EQ(fused.ops.size(), plain.ops.size() - 4);  // ADD, HARD_SWISH folded; LOGISTIC + MUL as SWISH
  int in_place = 0;
  EXPECT_LT(gpu_vs_cpu(fused, plain, rng, &in_place), 1e-5);
}

}  // namespace
}  // namespace hetsched
