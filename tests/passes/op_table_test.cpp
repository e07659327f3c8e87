// The op table (graph/op_registry.h) is the one description of each op: its facts agree with each
// other, with the kernel registries, and with the shaders (no Vulkan device needed: SPIR-V is embedded).
#include <gtest/gtest.h>

#include <set>
#include <string>

#include "cpu/kernel.h"
#include "gpu/gpu_kernel.h"
#include "gpu/ops/general_gpu_kernel.h"
#include "gpu/spirv_registry.h"
#include "graph/epilogue.h"
#include "graph/op_codes.h"
#include "graph/op_registry.h"

namespace hetsched {
namespace {

std::vector<OpType> described_types() {
  std::vector<OpType> v;
  for (int i = 0; i < kOpTypeCount; ++i)
    if (has_descriptor(OpType(i))) v.push_back(OpType(i));
  return v;
}

TEST(OpTable, ElementwiseFactsAgree) {
  std::set<int> unary_codes, binary_codes, step_codes;
  int elementwise = 0;
  for (OpType t : described_types()) {
    const OpDescriptor& d = describe_op(t);
    SCOPED_TRACE(to_string(t));
    if (d.elementwise == ElementwiseKind::kNone) {
      EXPECT_EQ(d.epilogue_step, EPILOGUE_NONE);
      EXPECT_EQ(d.shader_op, -1);
      continue;
    }
    ++elementwise;
    EXPECT_TRUE(d.row_local && d.takes_epilogue && d.split_rows && d.split_slices);
    auto& codes = d.elementwise == ElementwiseKind::kUnary ? unary_codes : binary_codes;
    EXPECT_TRUE(codes.insert(d.shader_op).second) << "shader OP code used twice";
    EXPECT_GE(d.shader_op, 0);
    if (d.epilogue_step != EPILOGUE_NONE) {
      EXPECT_TRUE(step_codes.insert(d.epilogue_step).second) << "epilogue step code used twice";
      EXPECT_EQ(is_epilogue_unary(t), d.elementwise == ElementwiseKind::kUnary);
      EXPECT_EQ(is_epilogue_binary(t), d.elementwise == ElementwiseKind::kBinary);
      EpilogueStep step;
      step.type = t;
      EXPECT_EQ(epilogue_step_code(step), d.epilogue_step);
    } else {
      EXPECT_FALSE(is_epilogue_unary(t) || is_epilogue_binary(t));
    }
  }
  // Today's set: ADD SUB MUL DIV PRELU, HARD_SWISH LOGISTIC TANH RELU RELU6; the step codes 1..8
  // (EPILOGUE_SWISH, 9, is LOGISTIC with times_input).
  EXPECT_EQ(elementwise, 10);
  EXPECT_EQ(step_codes, (std::set<int>{EPILOGUE_ADD, EPILOGUE_SUB, EPILOGUE_MUL, EPILOGUE_HARD_SWISH,
                                       EPILOGUE_LOGISTIC, EPILOGUE_TANH, EPILOGUE_RELU, EPILOGUE_RELU6}));
  EpilogueStep swish;
  swish.type = OpType::kLogistic;
  swish.times_input = true;
  EXPECT_EQ(epilogue_step_code(swish), EPILOGUE_SWISH);
}

TEST(OpTable, EveryGpuKernelNamesAnEmbeddedShader) {
  int with_gpu = 0;
  for (OpType t : described_types()) {
    const gpu::GpuKernelEntry& e = gpu::gpu_kernel_entry(t);
    if (!e.create) continue;
    SCOPED_TRACE(to_string(t));
    ++with_gpu;
    ASSERT_NE(e.shader, nullptr);
    EXPECT_FALSE(gpu::find_spirv(e.shader).empty()) << e.shader;
    EXPECT_FALSE(gpu::find_spirv(std::string(e.shader) + "_fp16").empty()) << e.shader;
    const ElementwiseKind k = describe_op(t).elementwise;
    if (k == ElementwiseKind::kUnary) {
      EXPECT_STREQ(e.shader, gpu::kUnaryShader);
    }
    if (k == ElementwiseKind::kBinary) {
      EXPECT_STREQ(e.shader, gpu::kBinaryShader);
    }
    EXPECT_NE(cpu::find_cpu_kernel(t), nullptr) << "a GPU kernel without a CPU one";
  }
  EXPECT_GE(with_gpu, 20);
}

TEST(OpTable, RowLocalFollowsTheDescriptor) {
  // A 1x1 stride-1 conv is row-local; its 3x3 sibling is not (partition/plan_syncs.cpp asks this).
  Graph g;
  g.model_name = "row_local";
  auto tensor = [&](std::vector<int> shape, bool constant) {
    Tensor t;
    t.shape = std::move(shape);
    t.dtype = DataType::kFloat32;
    t.is_constant = constant;
    g.tensors.push_back(t);
    return int(g.tensors.size() - 1);
  };
  const int in = tensor({1, 5, 5, 8}, false), w1 = tensor({4, 1, 1, 8}, true), w3 = tensor({4, 3, 3, 8}, true);
  const int out = tensor({1, 5, 5, 4}, false);
  Op conv;
  conv.type = OpType::kConv2D;
  conv.attributes = Conv2DAttributes{};
  conv.inputs = {in, w1, -1};
  conv.outputs = {out};
  EXPECT_TRUE(is_row_local(g, conv));
  conv.inputs[1] = w3;
  EXPECT_FALSE(is_row_local(g, conv));
  Op relu;
  relu.type = OpType::kRelu;
  relu.inputs = {in};
  relu.outputs = {in};
  EXPECT_TRUE(is_row_local(g, relu));
  Op pool;
  pool.type = OpType::kMaxPool2D;
  pool.attributes = Pool2DAttributes{};
  pool.inputs = {in};
  pool.outputs = {in};
  EXPECT_FALSE(is_row_local(g, pool));
}

}  // namespace
}  // namespace hetsched
