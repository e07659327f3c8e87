// Sessions under faults and threads. Device faults injected through gpu/fault_injection.h
// (VK_ERROR_DEVICE_LOST at a queue submit, VK_ERROR_OUT_OF_DEVICE_MEMORY at an allocation) give
// one clear error for that run or that session, never a hang, and a session created afterwards
// works and gives the CPU's outputs. Thread safety as scheduler/session.h states it: one Model
// shared by N threads, one Session per thread (policies cpu, gpu and a split), outputs checked
// against a single-threaded reference; runs under ThreadSanitizer in CI (scripts/test.sh, with
// HETSCHED_TEST_THREADS=1: the system TBB is not instrumented, see co_scheduler_test.cpp).
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <thread>

#include "base/error.h"
#include "gpu/cache_file.h"
#include "gpu/fault_injection.h"
#include "partition/policy.h"
#include "scheduler/session.h"
#include "tests/support/conv_cases.h"
#include "tests/support/expect_error.h"
#include "tests/support/gpu_op_harness.h"
#include "tests/support/gpu_op_runner.h"
#include "tests/support/op_test_harness.h"
#include "tests/support/test_util.h"

namespace hetsched {
namespace {
namespace fi = gpu::fault_injection;

using test::test_threads;

// The caches of these sessions go to a private directory, saved even on a busy machine.
const bool kPrivateCaches = test::use_private_cache_dir("hetsched_session_hardening");

// input [1,10,9,6] -> conv 3x3 (11, relu) -> depthwise 3x3 -> add(conv) -> logistic.
std::shared_ptr<const Model> small_model() {
  auto rng = test::make_rng(19);
  test::GraphBuilder b("hardening_net");
  const int x = b.input("x", {1, 10, 9, 6});
  b.add_op(OpType::kConv2D,
           {x, b.random_constant(rng, "w1", {11, 3, 3, 6}, -0.3, 0.3), b.random_constant(rng, "b1", {11})},
           test::same_padded<Conv2DAttributes>(1, Activation::kRelu));
  const int t1 = b.graph().ops.back().outputs[0];
  b.add_op(OpType::kDepthwiseConv2D, {t1, b.random_constant(rng, "w2", {1, 3, 3, 11}, -0.3, 0.3), -1},
           test::same_padded<DepthwiseConv2DAttributes>(1, Activation::kNone));
  b.add_op(OpType::kAdd, {b.graph().ops.back().outputs[0], t1}, BinaryAttributes{});
  b.add_op(OpType::kLogistic, {b.graph().ops.back().outputs[0]}, NoAttributes{});
  Graph g = b.graph();
  g.outputs = {g.ops.back().outputs[0]};
  infer_shapes(g);
  return std::make_shared<const Model>(std::move(g));
}

std::vector<float> input_for(const Model& m, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<float> d(-1, 1);
  std::vector<float> v(m.graph().tensors[m.graph().inputs[0]].elements());
  for (float& x : v) x = d(rng);
  return v;
}

std::vector<float> run_once(Session& s, const std::vector<float>& in) {
  s.set_input(0, in);
  s.run();
  return s.output(0);
}

void expect_close(const std::vector<float>& got, const std::vector<float>& want, const std::string& what) {
  ASSERT_EQ(got.size(), want.size()) << what;
  double worst = 0;
  for (size_t i = 0; i < got.size(); ++i) worst = std::max(worst, double(std::fabs(got[i] - want[i])));
  EXPECT_LT(worst, 1e-4) << what;
}

SessionOptions options(const char* policy) {
  SessionOptions o;
  o.policy = partition::parse_policy(policy);
  o.threads = test_threads();
  o.tune = false;
  return o;
}

// Needs the GPU; each test injects faults into sessions of small_model() and compares what they
// compute before and after with a CPU session's outputs.
class GpuSessionFaults : public ::testing::Test {
 protected:
  void SetUp() override {
    HETSCHED_SKIP_WITHOUT_GPU();
    model = small_model();
  }
  void TearDown() override { fi::disarm_all(); }
  std::vector<float> cpu_output(const std::vector<float>& in) const {
    Session cpu(model, options("cpu"));
    return run_once(cpu, in);
  }
  std::shared_ptr<const Model> model;
};

TEST_F(GpuSessionFaults, DeviceLostAtSubmitIsOneClearErrorAndANewSessionWorks) {
  const auto in = input_for(*model, 1);
  const auto want = cpu_output(in);
  for (const char* policy : {"gpu", "ratio=0.5", "ratio=0.5:rows"}) {
    SCOPED_TRACE(policy);
    Session s(model, options(policy));
    expect_close(run_once(s, in), want, "before the fault");
    const int before = fi::delivered();
    fi::arm(fi::Site::kQueueSubmit, VK_ERROR_DEVICE_LOST, 1);
    test::expect_error_from([&] { run_once(s, in); }, ErrorKind::kDeviceUnavailable,
                            {"vkQueueSubmit failed with VK_ERROR_DEVICE_LOST", "device was lost", "create a new session"});
    EXPECT_EQ(fi::delivered(), before + 1);
    EXPECT_EQ(fi::remaining(fi::Site::kQueueSubmit), 0);
    Session again(model, options(policy));
    expect_close(run_once(again, in), want, "a session created after the fault");
  }
}

TEST_F(GpuSessionFaults, OutOfDeviceMemoryAtCreationIsResourceExhaustedAndANewSessionWorks) {
  const auto in = input_for(*model, 2);
  const auto want = cpu_output(in);
  for (const char* policy : {"gpu", "ratio=0.25"}) {
    SCOPED_TRACE(policy);
    fi::arm(fi::Site::kMemoryAllocation, VK_ERROR_OUT_OF_DEVICE_MEMORY, 1);
    test::expect_error_from([&] { Session s(model, options(policy)); }, ErrorKind::kResourceExhausted,
                            {"vkAllocateMemory failed with VK_ERROR_OUT_OF_DEVICE_MEMORY", "out of GPU memory"});
    EXPECT_EQ(fi::remaining(fi::Site::kMemoryAllocation), 0);
    Session again(model, options(policy));
    expect_close(run_once(again, in), want, "a session created after the fault");
  }
}

TEST(FaultInjection, CountsAreConsumedOncePerCall) {
  fi::arm(fi::Site::kQueueSubmit, VK_ERROR_DEVICE_LOST, 3);
  EXPECT_EQ(fi::take(fi::Site::kMemoryAllocation), VK_SUCCESS);
  std::vector<std::thread> threads;
  std::atomic<int> hits{0};
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&] {
      for (int i = 0; i < 10; ++i)
        if (fi::take(fi::Site::kQueueSubmit) == VK_ERROR_DEVICE_LOST) ++hits;
    });
  for (auto& t : threads) t.join();
  EXPECT_EQ(hits.load(), 3);
  EXPECT_EQ(fi::remaining(fi::Site::kQueueSubmit), 0);
  fi::arm(fi::Site::kMemoryAllocation, VK_ERROR_OUT_OF_DEVICE_MEMORY, 2);
  fi::disarm_all();
  EXPECT_EQ(fi::take(fi::Site::kMemoryAllocation), VK_SUCCESS);
}

// Options out of range are one clear error naming the model, before any device is opened.
TEST(SessionOptionsCheck, ThreadsAndTuningBudgetOutOfRangeNameTheModel) {
  const auto model = small_model();
  for (int threads : {-1, kMaxThreads + 1}) {
    SessionOptions o = options("cpu");
    o.threads = threads;
    SCOPED_TRACE(fmt::format("threads {}", threads));
    test::expect_error_from([&] { Session s(model, o); }, ErrorKind::kInvalidArgument,
                            {"hardening_net", fmt::format("{} CPU threads", threads)});
  }
  for (double budget : {-1.0, std::nan(""), HUGE_VAL}) {
    SessionOptions o = options("gpu");
    o.tuning_budget_ms = budget;
    SCOPED_TRACE(fmt::format("tuning budget {}", budget));
    test::expect_error_from([&] { Session s(model, o); }, ErrorKind::kInvalidArgument,
                            {"hardening_net", "tuning budget"});
  }
  SessionOptions o = options("cpu");
  o.tuning_budget_ms = 0;  // no tuning: valid
  Session s(model, o);
  EXPECT_EQ(run_once(s, input_for(*model, 1)).size(), model->graph().tensors[model->graph().outputs[0]].elements());
}

// scheduler/session.h: a Model may be shared by any number of threads; each thread uses its own
// Session. N sessions on N threads, created and run at the same time, give the reference outputs.
TEST(GpuSessionThreads, OneSessionPerThreadSharingOneModel) {
  const auto model = small_model();
  std::vector<const char*> policies = {"cpu", "cpu"};
  std::string why;
  if (test::test_gpu_device(&why)) policies.insert(policies.end(), {"gpu", "ratio=0.5", "gpu"});
  else std::fprintf(stderr, "no Vulkan device (%s): CPU sessions only\n", why.c_str());
  constexpr int kRuns = 3;
  std::vector<std::vector<float>> want(policies.size() * kRuns);
  {
    Session reference(model, options("cpu"));
    for (size_t t = 0; t < policies.size(); ++t)
      for (int r = 0; r < kRuns; ++r) want[t * kRuns + r] = run_once(reference, input_for(*model, 100 * t + r));
  }
  std::vector<std::vector<float>> got(want.size());
  std::vector<std::string> errors(policies.size());
  std::vector<std::thread> threads;
  for (size_t t = 0; t < policies.size(); ++t)
    threads.emplace_back([&, t] {
      try {
        Session s(model, options(policies[t]));
        for (int r = 0; r < kRuns; ++r) got[t * kRuns + r] = run_once(s, input_for(*model, 100 * t + r));
      } catch (const std::exception& e) {
        errors[t] = e.what();
      }
    });
  for (auto& th : threads) th.join();
  for (size_t t = 0; t < policies.size(); ++t) {
    EXPECT_EQ(errors[t], "") << policies[t];
    for (int r = 0; r < kRuns; ++r)
      expect_close(got[t * kRuns + r], want[t * kRuns + r], fmt::format("thread {} ({}) run {}", t, policies[t], r));
  }
}

}  // namespace
}  // namespace hetsched
