// Precision `mixed` end to end (scheduler/session.h): parsed and printed as "mixed"; a session with
// it runs (gpu and a split) and matches the CPU; strict fp32 never builds a tensor-core kernel,
// mixed does where cooperative matrices are enabled (here through the emulated kernels, the test
// hook HETSCHED_COOPMAT_EMULATE=1, so lavapipe covers the session path too).
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <cstdlib>

#include "gpu/ops/conv2d_coopmat.h"
#include "base/error.h"
#include "partition/policy.h"
#include "scheduler/session.h"
#include "tests/support/gpu_op_harness.h"
#include "tests/support/op_test_harness.h"

namespace hetsched {
namespace {

const bool kPrivateCaches = test::use_private_cache_dir("hetsched_precision_mixed");

// input [1,12,11,20] -> conv 1x1 (40, relu6) -> conv 3x3 (24) -> FC-free head: logistic.
std::shared_ptr<const Model> model() {
  auto rng = test::make_rng(23);
  test::GraphBuilder b("mixed_net");
  const int x = b.input("x", {1, 12, 11, 20});
  Conv2DAttributes pw;
  pw.activation = Activation::kRelu6;
  b.add_op(OpType::kConv2D, {x, b.random_constant(rng, "w1", {40, 1, 1, 20}, -0.3, 0.3), b.random_constant(rng, "b1", {40})},
           pw);
  Conv2DAttributes k3;
  k3.padding = Padding::kSame;
  b.add_op(OpType::kConv2D,
           {b.graph().ops.back().outputs[0], b.random_constant(rng, "w2", {24, 3, 3, 40}, -0.2, 0.2), -1}, k3);
  b.add_op(OpType::kLogistic, {b.graph().ops.back().outputs[0]}, NoAttributes{});
  Graph g = b.graph();
  g.outputs = {g.ops.back().outputs[0]};
  infer_shapes(g);
  return std::make_shared<const Model>(std::move(g));
}

std::vector<float> run_with(const std::shared_ptr<const Model>& m, const char* policy, Precision p) {
  SessionOptions o;
  o.policy = partition::parse_policy(policy);
  o.threads = 2;
  o.tune = false;
  o.precision = p;
  Session s(m, o);
  std::mt19937_64 rng(5);
  std::uniform_real_distribution<float> d(-1, 1);
  std::vector<float> in(m->graph().tensors[m->graph().inputs[0]].elements());
  for (float& v : in) v = d(rng);
  s.set_input(0, in);
  s.run();
  return s.output(0);
}

double max_abs_diff(const std::vector<float>& a, const std::vector<float>& b) {
  EXPECT_EQ(a.size(), b.size());
  double worst = 0;
  for (size_t i = 0; i < std::min(a.size(), b.size()); ++i) worst = std::max(worst, double(std::fabs(a[i] - b[i])));
  return worst;
}

TEST(PrecisionMixedGpu, ParsedAndPrinted) {
  EXPECT_EQ(parse_precision("mixed"), Precision::kMixed);
  EXPECT_STREQ(to_string(Precision::kMixed), "mixed");
  EXPECT_STREQ(to_string(parse_precision("fp32")), "fp32");
  EXPECT_STREQ(to_string(parse_precision("fp16")), "fp16");
  try {
    parse_precision("tf32");
    ADD_FAILURE() << "tf32 accepted";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("mixed"), std::string::npos) << e.what();
  }
}

// Strict fp32 never uses tensor cores, even where they are enabled (emulated here); mixed does, and
// stays within float16-operand error of the CPU's float32.
TEST(PrecisionMixedGpu, StrictNeverMixedDoes) {
  HETSCHED_SKIP_WITHOUT_GPU();
  const auto m = model();
  const std::vector<float> cpu = run_with(m, "cpu", Precision::kFp32);
  setenv("HETSCHED_COOPMAT_EMULATE", "1", 1);
  int before = gpu::coopmat_kernels_created();
  const std::vector<float> strict = run_with(m, "gpu", Precision::kFp32);
  EXPECT_EQ(gpu::coopmat_kernels_created(), before) << "precision fp32 built a tensor-core kernel";
  EXPECT_LT(max_abs_diff(strict, cpu), 1e-5);
  for (const char* policy : {"gpu", "ratio=0.5"}) {
    SCOPED_TRACE(policy);
    before = gpu::coopmat_kernels_created();
    const std::vector<float> mixed = run_with(m, policy, Precision::kMixed);
    EXPECT_GT(gpu::coopmat_kernels_created(), before) << "precision mixed built no tensor-core kernel";
    const double d = max_abs_diff(mixed, cpu);
    fmt::print("{} mixed (emulated tensor cores) vs CPU fp32: max abs {:.3g}\n", policy, d);
    EXPECT_LT(d, 5e-3);  // float16 operands: ~1e-3 relative on logistic outputs in (0, 1)
  }
  unsetenv("HETSCHED_COOPMAT_EMULATE");
}

// fp16 builds the tensor-core kernels where the device has cooperative matrices (each beside its
// shader: tuning keeps the faster, gpu/ops/tensor_core_choice.h), and HETSCHED_NO_COOPMAT=1 keeps
// them off; both within float16 error of the CPU.
TEST(PrecisionMixedGpu, Fp16UsesTensorCoresUnlessTurnedOff) {
  HETSCHED_SKIP_WITHOUT_GPU();
  const auto m = model();
  const std::vector<float> cpu = run_with(m, "cpu", Precision::kFp32);
  setenv("HETSCHED_COOPMAT_EMULATE", "1", 1);
  for (const bool off : {false, true}) {
    SCOPED_TRACE(off ? "HETSCHED_NO_COOPMAT=1" : "default");
    if (off) setenv("HETSCHED_NO_COOPMAT", "1", 1);
    const int before = gpu::coopmat_kernels_created();
    std::vector<float> fp16;
    try {
      fp16 = run_with(m, "gpu", Precision::kFp16);
    } catch (const Error& e) {
      unsetenv("HETSCHED_NO_COOPMAT");
      unsetenv("HETSCHED_COOPMAT_EMULATE");
      GTEST_SKIP() << "no fp16 on this device: " << e.what();
    }
    if (off) EXPECT_EQ(gpu::coopmat_kernels_created(), before) << "HETSCHED_NO_COOPMAT=1 built a tensor-core kernel";
    else EXPECT_GT(gpu::coopmat_kernels_created(), before) << "precision fp16 built no tensor-core kernel";
    const double d = max_abs_diff(fp16, cpu);
    fmt::print("gpu fp16 ({}) vs CPU fp32: max abs {:.3g}\n", off ? "shaders only" : "shaders and emulated tensor cores",
               d);
    EXPECT_LT(d, 5e-3);
  }
  unsetenv("HETSCHED_NO_COOPMAT");
  unsetenv("HETSCHED_COOPMAT_EMULATE");
}

// Without cooperative matrices (lavapipe) mixed runs the fp32 kernels: the same results as fp32.
TEST(PrecisionMixedGpu, WithoutTensorCoresMixedIsFp32) {
  HETSCHED_SKIP_WITHOUT_GPU();
  unsetenv("HETSCHED_COOPMAT_EMULATE");
  const auto m = model();
  const int before = gpu::coopmat_kernels_created();
  const std::vector<float> mixed = run_with(m, "gpu", Precision::kMixed);
  if (gpu::coopmat_kernels_created() > before) GTEST_SKIP() << "this device has tensor cores: see StrictNeverMixedDoes";
  EXPECT_EQ(max_abs_diff(mixed, run_with(m, "gpu", Precision::kFp32)), 0.0);
}

}  // namespace
}  // namespace hetsched
