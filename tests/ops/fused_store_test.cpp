// The packed-GEMM conv's fused store (CpuKernel::fuse_store, cpu/gemm/conv_gemm.h's StoreOps): a
// residual ADD epilogue (with a clamp activation) and a following PRELU with per-channel alphas,
// computed in the store. On every SIMD target, for channel tiles, SliceTiles, GemvTiles, stride 2
// and TRANSPOSE_CONV: the kernel's run_fused() on the whole output and on random partial slice x
// row ranges of a poisoned buffer gives bit for bit the unfused sequence (run(), the executor's
// epilogue pass, the PRELU kernel) inside the range and leaves the rest untouched. And the
// executor (1 and 2 threads) chains the PRELU, never writes the conv's own output, and gives the
// same model outputs as with chaining off.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>

#include "cpu/epilogue.h"
#include "cpu/executor.h"
#include "cpu/kernel.h"
#include "cpu/simd/simd_target.h"
#include "hwy/highway.h"
#include "tests/support/op_test_harness.h"

namespace hetsched {
namespace {

struct Case {
  bool transposed;
  int h, w, ic, oc, k, stride;
  bool residual;
  Activation add_activation;
};

constexpr Case kCases[] = {
    {false, 7, 19, 8, 16, 1, 1, true, Activation::kNone},   // flat 1x1, one-vector group (SliceTile on AVX-512)
    {false, 6, 21, 5, 40, 3, 1, true, Activation::kRelu6},  // 3x3, a full panel + 2 slices (channel tiles)
    {false, 5, 17, 16, 13, 3, 2, false, Activation::kNone}, // stride 2, PRELU only
    {false, 4, 11, 6, 3, 3, 1, true, Activation::kRelu},    // one slice, padding lanes
    {true, 4, 9, 6, 8, 3, 2, true, Activation::kNone},      // TRANSPOSE_CONV (output pixel stride 8)
    {false, 1, 1, 67, 45, 1, 1, true, Activation::kNone},   // one-pixel map (GemvTile)
};

std::string name(const Case& c) {
  return fmt::format("{} [1,{},{},{}] -> {} k{} stride {}{}", c.transposed ? "TRANSPOSE_CONV" : "CONV_2D", c.h, c.w,
                     c.ic, c.oc, c.k, c.stride, c.residual ? " + ADD" : "");
}

// conv (+ ADD(residual) epilogue) -> PRELU(alpha per channel); op 0's output is read by op 1 only.
Graph make_graph(const Case& c, std::mt19937_64& rng) {
  test::GraphBuilder b("fused_store");
  const int x = b.input("x", {1, c.h, c.w, c.ic});
  const int w = b.random_constant(rng, "w", {c.oc, c.k, c.k, c.ic});
  const int bias = b.random_constant(rng, "b", {c.oc});
  int conv = -1;
  if (c.transposed) {
    TransposeConvAttributes a;
    a.stride_h = a.stride_w = c.stride;
    a.out_h = c.h * c.stride, a.out_w = c.w * c.stride, a.out_c = c.oc;
    a.padding = Padding::kSame;
    conv = b.add_op(OpType::kTransposeConv, {x, w, bias}, a);
  } else {
    Conv2DAttributes a;
    a.stride_h = a.stride_w = c.stride;
    a.padding = Padding::kSame;
    a.activation = c.residual ? Activation::kRelu : Activation::kNone;  // the PRELU needs negatives
    conv = b.add_op(OpType::kConv2D, {x, w, bias}, a);
  }
  Graph& g = b.graph();
  infer_shapes(g);
  if (c.residual) {
    const std::vector<int> shape = g.tensors[size_t(g.ops[size_t(conv)].outputs[0])].shape;
    Op& op = g.ops[size_t(conv)];
    op.inputs.push_back(b.input("residual", shape));
    op.epilogue = {EpilogueStep{OpType::kAdd, int(op.inputs.size()) - 1, 0.0f, c.add_activation}};
  }
  const int alpha = b.random_constant(rng, "alpha", {1, 1, c.oc}, 0.05, 0.5);
  b.add_op(OpType::kPrelu, {g.ops[size_t(conv)].outputs[0], alpha}, BinaryAttributes{});
  g.outputs = {g.ops[1].outputs[0]};  // the conv's output is the PRELU's alone
  infer_shapes(g);
  return g;
}

std::vector<float> random_phwc4(std::mt19937_64& rng, const Shape4& s) {
  std::vector<float> v(s.phwc4_elements(), 0.0f);
  std::uniform_real_distribution<float> u(-1.0f, 1.0f);
  for (int b = 0; b < s.n; ++b)
    for (int y = 0; y < s.h; ++y)
      for (int x = 0; x < s.w; ++x)
        for (int ch = 0; ch < s.c; ++ch) v[s.offset_of_channel(b, y, x, ch)] = u(rng);
  return v;
}

void check_kernel(const Case& c, std::mt19937_64& rng) {
  const Graph g = make_graph(c, rng);
  const Op& conv = g.ops[0];
  const Op& prelu = g.ops[1];
  const Shape4 in_s = g.tensors[size_t(conv.inputs[0])].shape4();
  const Shape4 out_s = g.tensors[size_t(conv.outputs[0])].shape4();
  const std::vector<float> in = random_phwc4(rng, in_s), residual = random_phwc4(rng, out_s);
  std::vector<cpu::ConstView> views(conv.inputs.size());
  views[0] = {in.data(), in_s};
  if (c.residual) views[3] = {residual.data(), out_s};

  // Unfused: the kernel, the executor's epilogue pass, the PRELU kernel.
  const auto plain = cpu::create_cpu_kernel(g, conv);
  std::vector<float> t(out_s.phwc4_elements(), test::kPoison), expected(out_s.phwc4_elements(), test::kPoison);
  plain->run(views, {t.data(), out_s}, OutputRange::whole(out_s));
  cpu::CpuEpilogue(g, conv).apply(views, {t.data(), out_s}, OutputRange::whole(out_s));
  const auto prelu_kernel = cpu::create_cpu_kernel(g, prelu);
  std::vector<cpu::ConstView> prelu_views = {{t.data(), out_s}, {nullptr, {}}};
  prelu_kernel->run(prelu_views, {expected.data(), out_s}, OutputRange::whole(out_s));

  // Fused.
  auto fused = cpu::create_cpu_kernel(g, conv);
  cpu::FusedStore store;
  if (c.residual) {
    store.operand_input = 3;
    store.operand_activation = c.add_activation;
  }
  store.prelu_alpha = g.tensors[size_t(prelu.inputs[1])].f32();
  ASSERT_TRUE(fused->fuse_store(store));
  std::vector<float> whole(out_s.phwc4_elements(), test::kPoison);
  fused->run_fused(views, {whole.data(), out_s}, OutputRange::whole(out_s));
  ASSERT_EQ(std::memcmp(whole.data(), expected.data(), whole.size() * sizeof(float)), 0) << "whole output";
  // The values really went through the PRELU: negative ones scaled (none left after a clamp).
  int negative = 0;
  for (size_t i = 0; i < whole.size(); ++i) negative += whole[i] < 0.0f && whole[i] != t[i];
  if (c.add_activation == Activation::kNone) {
    EXPECT_GT(negative, 0);
  }
  // run() (the co-scheduler's run_op path) applies the ADD but not the PRELU.
  std::vector<float> no_prelu(out_s.phwc4_elements(), test::kPoison);
  fused->run(views, {no_prelu.data(), out_s}, OutputRange::whole(out_s));
  ASSERT_EQ(std::memcmp(no_prelu.data(), t.data(), t.size() * sizeof(float)), 0) << "run() without PRELU";

  for (int i = 0; i < 4; ++i) {
    OutputRange r;
    const int S = out_s.slices();
    r.slice_begin = std::uniform_int_distribution<int>(0, S - 1)(rng);
    r.slice_end = std::uniform_int_distribution<int>(r.slice_begin + 1, S)(rng);
    r.row_begin = std::uniform_int_distribution<int>(0, out_s.h - 1)(rng);
    r.row_end = std::uniform_int_distribution<int>(r.row_begin + 1, out_s.h)(rng);
    SCOPED_TRACE(fmt::format("range slices [{}, {}) rows [{}, {})", r.slice_begin, r.slice_end, r.row_begin, r.row_end));
    std::vector<float> part(out_s.phwc4_elements(), test::kPoison);
    fused->run_fused(views, {part.data(), out_s}, r);
    for (int s = 0; s < S; ++s)
      for (int y = 0; y < out_s.h; ++y)
        for (int x = 0; x < out_s.w; ++x)
          for (int l = 0; l < 4; ++l) {
            const size_t at = out_s.offset(0, s, y, x) + size_t(l);
            const bool inside = s >= r.slice_begin && s < r.slice_end && y >= r.row_begin && y < r.row_end;
            const float want = inside ? expected[at] : test::kPoison;
            ASSERT_EQ(std::memcmp(&part[at], &want, sizeof(float)), 0)
                << "slice " << s << " row " << y << " x " << x << " lane " << l << ": " << part[at] << " vs " << want;
          }
  }
}

TEST(FusedStore, MatchesUnfusedPassesOnEveryTarget) {
  int tested = 0;
  for (const int64_t target : cpu::simd_compiled_targets()) {
    hwy::SetSupportedTargetsForTest(target);
    SCOPED_TRACE(hwy::TargetName(target));
    auto rng = test::make_rng(51);
    for (const Case& c : kCases) {
      SCOPED_TRACE(name(c));
      check_kernel(c, rng);
      if (HasFatalFailure()) break;
    }
    ++tested;
  }
  hwy::SetSupportedTargetsForTest(0);
  EXPECT_GE(tested, 2);
}

TEST(FusedStore, ExecutorChainsThePrelu) {
  auto rng = test::make_rng(52);
  for (const Case& c : kCases) {
    SCOPED_TRACE(name(c));
    const Graph g = make_graph(c, rng);
    std::vector<std::vector<float>> inputs;
    for (int t : g.inputs) {
      std::vector<float> v(g.tensors[size_t(t)].elements());
      std::uniform_real_distribution<float> u(-1.0f, 1.0f);
      for (float& x : v) x = u(rng);
      inputs.push_back(std::move(v));
    }
    auto run = [&](int threads, bool chain, bool* conv_output_untouched) {
      cpu::CpuExecutorOptions o;
      o.threads = threads;
      o.chain_elementwise = chain;
      cpu::CpuExecutor e(g, o);
      for (size_t i = 0; i < inputs.size(); ++i) e.set_input(int(i), inputs[i]);
      const Shape4 ts = g.tensors[size_t(g.ops[0].outputs[0])].shape4();
      float* t = e.tensor_data(g.ops[0].outputs[0]);
      std::fill(t, t + ts.phwc4_elements(), test::kPoison);
      e.run();
      if (conv_output_untouched) {
        *conv_output_untouched = std::all_of(t, t + ts.phwc4_elements(), [](float v) { return v == test::kPoison; });
        EXPECT_EQ(e.op_times_ms()[1], 0.0) << "the PRELU ran on its own";
      }
      return e.output_nhwc(0);
    };
    const std::vector<float> want = run(1, false, nullptr);
    for (const int threads : {1, 2}) {
      bool untouched = false;
      const std::vector<float> got = run(threads, true, &untouched);
      EXPECT_TRUE(untouched) << threads << " threads: the conv wrote its own output";
      ASSERT_EQ(got.size(), want.size());
      EXPECT_EQ(std::memcmp(got.data(), want.data(), got.size() * sizeof(float)), 0) << threads << " threads";
    }
  }
}

}  // namespace
}  // namespace hetsched
