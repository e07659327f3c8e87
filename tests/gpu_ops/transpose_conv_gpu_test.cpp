// TRANSPOSE_CONV's GPU kernel (gather form) vs the float64 reference (TFLite's scatter form) and
// the CPU kernel on random awkward shapes, through the GPU op harness (whole, empty, partial ranges).
#include <fmt/format.h>
#include <gtest/gtest.h>

#include "tests/support/general_op_harness.h"
#include "tests/support/gpu_op_harness.h"

namespace hetsched {
namespace {

using test::pick;

// The output size TFLite's converter writes for a transpose conv: SAME in*s, VALID (in-1)*s + k.
int natural_out(int in, int k, int s, Padding p) { return p == Padding::kSame ? in * s : (in - 1) * s + k; }

TEST(TransposeConvGpu, RandomCasesMatchReference) {
  HETSCHED_SKIP_WITHOUT_GPU();
  auto rng = test::rng_for_current_test();
  test::ErrorSummary summary;
  for (int n = 0; n < 24; ++n) {
    const int batch = pick(rng, {1, 1, 2});
    const int h = test::uniform_int(rng, 1, 9), w = test::uniform_int(rng, 1, 9);
    const int ic = test::random_channels(rng), oc = test::random_channels(rng);
    const int kh = pick(rng, {1, 2, 3, 4, 5}), kw = pick(rng, {kh, kh, 1, 3});
    TransposeConvAttributes a;
    a.stride_h = pick(rng, {1, 2, 3});
    a.stride_w = pick(rng, {1, 2, 3, a.stride_h});
    a.padding = pick(rng, {Padding::kSame, Padding::kValid});
    a.activation = pick(rng, {Activation::kNone, Activation::kRelu, Activation::kRelu6, Activation::kSigmoid});
    a.out_h = natural_out(h, kh, a.stride_h, a.padding);
    a.out_w = natural_out(w, kw, a.stride_w, a.padding);
    // Also the other output sizes consistent with the input (SAME: ceil(out/s) == in).
    if (a.padding == Padding::kSame && a.stride_h > 1 && pick(rng, {false, true})) a.out_h -= a.stride_h - 1;
    a.out_c = oc;
    const bool bias = pick(rng, {true, true, false});
    SCOPED_TRACE(fmt::format("in [{},{},{},{}] w [{},{},{},{}] stride {}x{} {} out {}x{} {} bias {}", batch, h, w, ic,
                             oc, kh, kw, ic, a.stride_h, a.stride_w, a.padding == Padding::kSame ? "SAME" : "VALID",
                             a.out_h, a.out_w, to_string(a.activation), bias));
    test::GraphBuilder g("transpose_conv_gpu_random");
    const int x = g.input("x", {batch, h, w, ic});
    const int wt = g.random_constant(rng, "w", {oc, kh, kw, ic});
    const int b = bias ? g.random_constant(rng, "b", {oc}) : -1;
    g.add_op(OpType::kTransposeConv, {x, wt, b}, a);
    summary.add(test::check_gpu_op(g.graph(), rng));
    if (HasFailure()) break;
  }
  fmt::print("TRANSPOSE_CONV GPU: {}\n", summary.to_string());
}

}  // namespace
}  // namespace hetsched
