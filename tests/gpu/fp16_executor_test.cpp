// The GPU executor with fp16: float32 inputs and outputs converted at the boundary, the model's
// outputs within the fp16 bound of the fp32 executor's, and co-execution (a shared arena the CPU
// reads as float32) refused with a clear error.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <cmath>

#include "gpu/executor.h"
#include "graph/op_registry.h"
#include "tests/support/conv_cases.h"
#include "tests/support/expect_error.h"
#include "tests/support/general_op_harness.h"
#include "tests/support/gpu_op_harness.h"

namespace hetsched {
namespace {

// input [1,17,15,7] -> CONV_2D 3x3 stride 2 SAME (10, relu6) -> DEPTHWISE 3x3 -> MEAN over H, W.
Graph model(std::mt19937_64& rng) {
  test::GraphBuilder g("fp16_model");
  const int x = g.input("x", {1, 17, 15, 7});
  const int conv = g.add_op(OpType::kConv2D, {x, g.random_constant(rng, "w", {10, 3, 3, 7}), g.random_constant(rng, "b", {10})},
                            test::same_padded<Conv2DAttributes>(2, Activation::kRelu6));
  const int dw = g.add_op(OpType::kDepthwiseConv2D,
                          {g.graph().ops[conv].outputs[0], g.random_constant(rng, "dw", {1, 3, 3, 10}),
                           g.random_constant(rng, "db", {10})},
                          test::same_padded<DepthwiseConv2DAttributes>(1, Activation::kNone));
  g.add_op(OpType::kMean, {g.graph().ops[dw].outputs[0]}, MeanAttributes{{1, 2}, true});
  Graph graph = g.graph();
  infer_shapes(graph);
  return graph;
}

double rel_l2(const std::vector<float>& got, const std::vector<float>& want) {
  double num = 0, den = 0;
  for (size_t i = 0; i < want.size(); ++i) {
    num += (double(got[i]) - want[i]) * (double(got[i]) - want[i]);
    den += double(want[i]) * want[i];
  }
  return std::sqrt(num) / std::max(std::sqrt(den), 1e-30);
}

// Both devices, and the model from the test's generator (which goes on drawing the inputs).
class Fp16Executor : public ::testing::Test {
 protected:
  void SetUp() override {
    HETSCHED_SKIP_WITHOUT_GPU();
    std::string why;
    dev16 = test::test_gpu_device_fp16(&why);
    if (!dev16) GTEST_SKIP() << "no fp16 device: " << why;
    rng = test::rng_for_current_test();
    graph = model(rng);
  }
  const gpu::VulkanDevice* dev16 = nullptr;
  std::mt19937_64 rng;
  Graph graph;
};

TEST_F(Fp16Executor, OutputsWithinTheFp16BoundOfFp32) {
  std::vector<float> x(graph.tensors[graph.inputs[0]].elements());
  std::uniform_real_distribution<float> u(0, 1);
  for (float& v : x) v = u(rng);
  gpu::GpuExecutor fp32(graph, *test::test_gpu_device(), nullptr, gpu::GpuExecutorOptions{});
  gpu::GpuExecutor fp16(graph, *dev16, nullptr, gpu::GpuExecutorOptions{});
  EXPECT_EQ(fp16.tensor_bytes(graph.inputs[0]) * 2, fp32.tensor_bytes(graph.inputs[0]));
  fp32.set_input(0, x);
  fp16.set_input(0, x);
  fp32.run();
  fp16.run();
  for (size_t i = 0; i < graph.outputs.size(); ++i) {
    const std::vector<float> want = fp32.output_nhwc(int(i)), got = fp16.output_nhwc(int(i));
    ASSERT_EQ(want.size(), got.size());
    const double r = rel_l2(got, want);
    fmt::print("output {} ({}): fp16 vs fp32 relative L2 {:.3g}\n", i, graph.tensors[graph.outputs[i]].name, r);
    EXPECT_LT(r, test::kGpuFp16MaxRelL2) << "output " << i;
    EXPECT_GT(r, 0.0) << "output " << i << " bit-identical to fp32: the fp16 path did not run";
  }
}

TEST_F(Fp16Executor, CoExecutionIsRefused) {
  gpu::GpuExecutorOptions o;
  o.shared_arena = true;
  test::expect_error_from([&] { gpu::GpuExecutor ex(graph, *dev16, nullptr, o); }, ErrorKind::kUnsupported, {"fp16"});
}

}  // namespace
}  // namespace hetsched
