// One-vector groups of output channels (1-16 channels on AVX-512, 1-8 on AVX2) of the packed GEMM
// run in SliceTiles vectorized over pixels, and one-pixel outputs in GemvTiles
// (cpu/gemm/gemm_tile-inl.h): CONV_2D (flat 1x1, stride-1 KxK, dilated, stride 2 which keeps the
// channel tiles, 1x1 maps) and TRANSPOSE_CONV, widths that leave tails of every size, on every SIMD
// target vs the float64 reference with partial ranges on poisoned buffers; and bit-identical
// outputs on the targets that fuse multiply-adds (AVX2: 2 pixels per vector, AVX-512: 4), since a
// value must not depend on the tile it falls in.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <cstring>
#include <map>

#include "cpu/kernel.h"
#include "cpu/simd/simd_target.h"
#include "graph/op_registry.h"
#include "hwy/highway.h"
#include "tests/support/op_check.h"

namespace hetsched {
namespace {

struct Case {
  bool transposed;
  int h, w, ic, oc, k, stride, dilation;
};

constexpr Case kCases[] = {{false, 5, 23, 16, 1, 1, 1, 1}, {false, 4, 19, 5, 3, 3, 1, 1}, {false, 3, 17, 8, 4, 3, 1, 2},
                           {false, 6, 21, 7, 2, 3, 2, 1},  {true, 5, 13, 16, 1, 2, 2, 1},  {true, 4, 11, 6, 3, 3, 2, 1},
                           {true, 3, 9, 9, 4, 4, 1, 1},
                           // one-vector groups of 2-4 slices (5-16 channels; 40 = a full panel + 2 slices)
                           {false, 5, 23, 16, 16, 1, 1, 1}, {false, 4, 19, 5, 13, 3, 1, 1}, {false, 3, 18, 8, 6, 3, 1, 1},
                           {false, 3, 13, 9, 40, 1, 1, 1},  {true, 4, 11, 6, 8, 2, 2, 1},
                           // one-pixel maps (GemvTile): a long K, a 3x3 conv whose taps are clipped to the centre
                           {false, 1, 1, 67, 45, 1, 1, 1},  {false, 1, 1, 13, 70, 3, 1, 1}, {false, 1, 1, 130, 3, 1, 1, 1}};

Graph make_graph(const Case& c, std::mt19937_64& rng) {
  test::GraphBuilder b("slice_tile");
  const int x = b.input("x", {1, c.h, c.w, c.ic});
  const int w = b.random_constant(rng, "w", {c.oc, c.k, c.k, c.ic});
  const int bias = b.random_constant(rng, "b", {c.oc});
  if (c.transposed) {
    TransposeConvAttributes a;
    a.stride_h = a.stride_w = c.stride;
    a.out_h = c.h * c.stride;
    a.out_w = c.w * c.stride;
    a.out_c = c.oc;
    a.activation = Activation::kRelu;
    b.add_op(OpType::kTransposeConv, {x, w, bias}, a);
  } else {
    Conv2DAttributes a;
    a.stride_h = a.stride_w = c.stride;
    a.dilation_h = a.dilation_w = c.dilation;
    a.padding = Padding::kSame;
    a.activation = Activation::kRelu6;
    b.add_op(OpType::kConv2D, {x, w, bias}, a);
  }
  return b.graph();
}

std::string name(const Case& c) {
  return fmt::format("{} [1,{},{},{}] -> {} k{} stride {} dilation {}", c.transposed ? "TRANSPOSE_CONV" : "CONV_2D",
                     c.h, c.w, c.ic, c.oc, c.k, c.stride, c.dilation);
}

TEST(ConvSliceTile, MatchesReferenceOnEveryTarget) {
  int tested = 0;
  for (const int64_t target : cpu::simd_compiled_targets()) {
    hwy::SetSupportedTargetsForTest(target);
    SCOPED_TRACE(hwy::TargetName(target));
    auto rng = test::make_rng(41);
    test::ErrorSummary summary;
    for (const Case& c : kCases) {
      SCOPED_TRACE(name(c));
      Graph g = make_graph(c, rng);
      summary.add(test::check_op(test::Executor::kCpu, g, rng));
    }
    fmt::print("small-group GEMM tiles on {}: {}\n", hwy::TargetName(target), summary.to_string());
    ++tested;
  }
  hwy::SetSupportedTargetsForTest(0);
  EXPECT_GE(tested, 2);
}

TEST(ConvSliceTile, FmaTargetsGiveIdenticalBits) {
  std::map<std::string, std::vector<std::vector<float>>> outputs;  // target -> per case
  for (const int64_t target : cpu::simd_compiled_targets()) {
    const std::string t = hwy::TargetName(target);
    if (t != "AVX2" && t != "AVX3" && t != "AVX3_DL") continue;
    hwy::SetSupportedTargetsForTest(target);
    auto rng = test::make_rng(43);
    for (const Case& c : kCases) {
      Graph g = make_graph(c, rng);
      infer_shapes(g);
      const Op& op = g.ops[0];
      const Shape4 in_s = g.tensors[size_t(op.inputs[0])].shape4(), out_s = g.tensors[size_t(op.outputs[0])].shape4();
      std::vector<float> in(in_s.phwc4_elements());
      std::uniform_real_distribution<float> u(-1, 1);
      for (float& v : in) v = u(rng);
      std::vector<float> out(out_s.phwc4_elements(), 0.0f);
      const auto kernel = cpu::create_cpu_kernel(g, op);
      std::vector<cpu::ConstView> views(op.inputs.size());
      views[0] = {in.data(), in_s};
      kernel->run(views, {out.data(), out_s}, OutputRange::whole(out_s));
      outputs[t].push_back(std::move(out));
    }
  }
  hwy::SetSupportedTargetsForTest(0);
  if (outputs.size() < 2) GTEST_SKIP() << "fewer than two FMA targets supported here";
  const auto& first = outputs.begin()->second;
  for (const auto& [t, outs] : outputs)
    for (size_t i = 0; i < outs.size(); ++i) {
      SCOPED_TRACE(fmt::format("{} vs {}: {}", t, outputs.begin()->first, name(kCases[i])));
      ASSERT_EQ(outs[i].size(), first[i].size());
      EXPECT_EQ(std::memcmp(outs[i].data(), first[i].data(), outs[i].size() * sizeof(float)), 0);
    }
}

}  // namespace
}  // namespace hetsched
