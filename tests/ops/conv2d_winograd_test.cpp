// CONV_2D through Winograd F(2x2,3x3): the kernel forced on random 3x3 stride-1 shapes (odd sizes,
// channels not a multiple of 4, SAME/VALID, every activation) vs the float64 reference, with
// partial ranges on poisoned buffers (tiles straddling the range boundary), its error next to the
// direct conv's on the same cases, the selection rule, and the refusal of other convs.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include "cpu/kernels/conv2d.h"
#include "cpu/kernels/conv2d_winograd.h"
#include "base/error.h"
#include "tests/support/conv_cases.h"
#include "tests/support/expect_error.h"
#include "tests/support/op_check.h"

namespace hetsched {
namespace {

using test::pick;

struct Case {
  int batch, h, w, ic, oc;
  Conv2DAttributes a;
  bool bias;
  std::string str() const {
    return fmt::format("in [{},{},{},{}] 3x3 out {} {} {} bias {}", batch, h, w, ic, oc,
                       a.padding == Padding::kSame ? "SAME" : "VALID", to_string(a.activation), bias);
  }
};

Case random_case(std::mt19937_64& rng) {
  Case c;
  c.batch = pick(rng, {1, 1, 2});
  c.a.padding = pick(rng, {Padding::kSame, Padding::kValid});
  const int lo = c.a.padding == Padding::kValid ? 3 : 1;
  c.h = std::max(lo, pick(rng, {1, 2, 3, 5, 8, 13, 20}));
  c.w = std::max(lo, pick(rng, {1, 2, 3, 6, 13, 17, 35}));
  c.ic = pick(rng, {1, 3, 5, 8, 13, 17, 36});
  c.oc = pick(rng, {1, 3, 5, 8, 13, 17, 24, 40});
  c.a.activation = pick(rng, test::kFusedActivations);
  c.bias = pick(rng, {true, true, false});
  return c;
}

Graph case_graph(const Case& c, std::mt19937_64& rng) {
  test::GraphBuilder g("conv2d_winograd");
  const int x = g.input("x", {c.batch, c.h, c.w, c.ic});
  const int wt = g.random_constant(rng, "w", {c.oc, 3, 3, c.ic});
  const int b = c.bias ? g.random_constant(rng, "b", {c.oc}) : -1;
  g.add_op(OpType::kConv2D, {x, wt, b}, c.a);
  return g.graph();
}

TEST(Conv2DWinograd, RandomCasesMatchReference) {
  auto rng = test::make_rng(21);
  test::ErrorSummary winograd, direct;
  for (int n = 0; n < 120; ++n) {
    const Case c = random_case(rng);
    SCOPED_TRACE(c.str());
    const uint64_t case_seed = rng();
    test::OpCheckOptions o;
    o.partial_ranges = 6;
    // Tiny cases (1 channel, RELU leaving a few survivors near 1e-7) make the relative error
    // ill-conditioned for both kernels; a wrong kernel is off by far more than 1e-6 anywhere.
    o.abs_floor = 1e-6;
    o.make_kernel = cpu::create_conv2d_winograd_kernel;
    std::mt19937_64 r1(case_seed);
    Graph g1 = case_graph(c, r1);
    winograd.add(test::check_op(test::Executor::kCpu, g1, r1, o));
    // The same graph and inputs through the direct conv: Winograd's error next to it.
    o.make_kernel = cpu::create_conv2d_kernel;
    o.partial_ranges = 0;
    std::mt19937_64 r2(case_seed);
    Graph g2 = case_graph(c, r2);
    direct.add(test::check_op(test::Executor::kCpu, g2, r2, o));
    if (HasFailure()) break;
  }
  fmt::print("CONV_2D 3x3 Winograd F(2x2,3x3): {}\n", winograd.to_string());
  fmt::print("CONV_2D 3x3 direct, same cases: {}\n", direct.to_string());
}

// Deep channels (long dot products, several vector groups of output slices, partial groups).
TEST(Conv2DWinograd, DeepChannels) {
  auto rng = test::make_rng(22);
  test::ErrorSummary summary;
  for (auto [h, w, ic, oc] : {std::tuple{14, 14, 64, 64}, {9, 31, 96, 52}, {28, 28, 32, 24}}) {
    Case c{1, h, w, ic, oc, {}, true};
    c.a.padding = Padding::kSame;
    c.a.activation = Activation::kRelu;
    SCOPED_TRACE(c.str());
    test::OpCheckOptions o;
    o.make_kernel = cpu::create_conv2d_winograd_kernel;
    o.partial_ranges = 4;
    Graph g = case_graph(c, rng);
    summary.add(test::check_op(test::Executor::kCpu, g, rng, o));
  }
  fmt::print("CONV_2D 3x3 Winograd deep: {}\n", summary.to_string());
}

TEST(Conv2DWinograd, AppliesOnlyTo3x3Stride1Undilated) {
  auto rng = test::make_rng(23);
  // The case's graph after shape inference, and whether Winograd applies to it and pays.
  const auto inferred = [&](const Case& k) {
    Graph g = case_graph(k, rng);
    infer_shapes(g);
    return std::tuple{g, cpu::winograd_applies(g, g.ops[0]), cpu::winograd_pays(g, g.ops[0])};
  };
  Case c{1, 16, 16, 64, 64, {}, true};
  c.a.padding = Padding::kSame;
  const auto [g, applies, pays] = inferred(c);
  EXPECT_TRUE(applies);
  EXPECT_TRUE(pays);
  // Applies, but the packed-GEMM direct conv is faster with few channels (conv_kernels_bench).
  Case thin{1, 16, 16, 32, 32, {}, true};
  thin.a.padding = Padding::kSame;
  const auto [gt, thin_applies, thin_pays] = inferred(thin);
  EXPECT_TRUE(thin_applies);
  EXPECT_FALSE(thin_pays);
  for (auto [sh, dh] : {std::pair{2, 1}, {1, 2}}) {
    Case s = c;
    s.a.stride_h = s.a.stride_w = sh;
    s.a.dilation_h = s.a.dilation_w = dh;
    const auto [gs, s_applies, s_pays] = inferred(s);
    EXPECT_FALSE(s_applies);
    EXPECT_FALSE(s_pays);
    SCOPED_TRACE(fmt::format("stride {} dilation {}", sh, dh));
    test::expect_error_from([&] { cpu::create_conv2d_winograd_kernel(gs, gs.ops[0]); }, ErrorKind::kUnsupported,
                            {"CONV_2D"});
  }
}

}  // namespace
}  // namespace hetsched
