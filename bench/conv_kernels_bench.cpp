// Per-shape timings of the CPU conv fast paths against the kernels they replace, one thread:
// 3x3 stride-1 CONV_2D through Winograd F(2x2,3x3) vs the direct conv, and DEPTHWISE_CONV_2D alone.
// Kernels of one shape run interleaved (A B A B ...) so background load hits both alike; prints the
// median and p10 of --reps runs per kernel and the ratio of medians. Shapes from the zoo models.
#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <random>

#include "base/random_values.h"
#include "base/stats.h"
#include "cpu/kernels/conv2d.h"
#include "cpu/kernels/conv2d_winograd.h"
#include "cpu/kernel.h"
#include "graph/op_registry.h"
#include "graph/phwc4.h"

using namespace hetsched;

namespace {

struct ConvShape {
  int h, w, ic, oc;
};

int add_tensor(Graph& g, std::string name, std::vector<int> shape, std::mt19937& rng, bool constant) {
  Tensor t;
  t.name = std::move(name);
  t.shape = std::move(shape);
  t.is_constant = constant;
  if (constant) {
    const std::vector<float> v = random_values(t.elements(), rng);
    t.data.resize(v.size() * sizeof(float));
    std::memcpy(t.data.data(), v.data(), t.data.size());
  }
  g.tensors.push_back(std::move(t));
  return int(g.tensors.size()) - 1;
}

// One op y = op(x, w, b): x of shape `x`, random constant weights `w` and bias of `bias` values,
// y's shape inferred.
Graph one_op_graph(const char* model, OpType type, OpAttributes attributes, std::vector<int> x, std::vector<int> w,
                   int bias, std::mt19937& rng) {
  Graph g;
  g.model_name = model;
  Op op;
  op.type = type;
  op.inputs = {add_tensor(g, "x", std::move(x), rng, false), add_tensor(g, "w", std::move(w), rng, true),
               add_tensor(g, "b", {bias}, rng, true)};
  op.outputs = {add_tensor(g, "y", {}, rng, false)};
  op.attributes = std::move(attributes);
  g.inputs = {op.inputs[0]};
  g.outputs = op.outputs;
  g.ops.push_back(std::move(op));
  infer_shapes(g);
  return g;
}

struct DwShape {
  int h, w, c, k, stride;
};

Graph depthwise_graph(const DwShape& s, std::mt19937& rng) {
  DepthwiseConv2DAttributes a;
  a.stride_h = a.stride_w = s.stride;
  a.padding = Padding::kSame;
  a.activation = Activation::kRelu6;
  return one_op_graph("dw_bench", OpType::kDepthwiseConv2D, a, {1, s.h, s.w, s.c}, {1, s.k, s.k, s.c}, s.c, rng);
}

Graph conv_graph(const ConvShape& s, std::mt19937& rng) {
  Conv2DAttributes a;
  a.padding = Padding::kSame;
  a.activation = Activation::kRelu;
  return one_op_graph("conv_bench", OpType::kConv2D, a, {1, s.h, s.w, s.ic}, {s.oc, 3, 3, s.ic}, s.oc, rng);
}

// The one op of `g` on a random input (uniform in [0, 1)): the kernels under test run on these buffers.
struct OpBuffers {
  const Op& op;
  Shape4 is, os;
  std::vector<float> in, out;
  OpBuffers(const Graph& g, std::mt19937& rng)
      : op(g.ops[0]),
        is(g.tensors[size_t(op.inputs[0])].shape4()),
        os(g.tensors[size_t(op.outputs[0])].shape4()),
        in(random_values(is.phwc4_elements(), rng, 0, 1)),
        out(os.phwc4_elements()) {}
  double seconds_of(const cpu::CpuKernel& k) {
    const cpu::ConstView views[] = {{in.data(), is}, {}, {}};
    const auto t0 = std::chrono::steady_clock::now();
    k.run(views, {out.data(), os}, OutputRange::whole(os));
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  }
};

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"CPU conv fast paths vs the kernels they replace (1 thread)"};
  int reps = 30;
  app.add_option("--reps", reps, "timed runs per kernel and shape");
  bool dw_only = false;
  app.add_flag("--dw-only", dw_only, "time the depthwise shapes only");
  CLI11_PARSE(app, argc, argv);
  // 3x3 stride-1 convs of the zoo (h, w, in channels, out channels).
  const std::vector<ConvShape> shapes = {
      {112, 112, 32, 32}, {56, 56, 64, 64}, {28, 28, 128, 128}, {14, 14, 256, 256}, {7, 7, 512, 512},
      {64, 64, 16, 16},   {32, 32, 32, 32}, {16, 16, 64, 64},   {128, 128, 8, 8},   {96, 96, 24, 24},
      {56, 56, 24, 24},   {28, 28, 16, 16}, {14, 14, 96, 24},   {20, 20, 4, 4},     {40, 40, 12, 12},
      {64, 64, 4, 16},    {64, 64, 16, 4},  {32, 32, 8, 8},     {64, 64, 8, 8},     {8, 8, 32, 32},
      {4, 4, 64, 64},     {2, 2, 128, 128}, {3, 40, 16, 16},    {128, 128, 3, 16}};
  std::mt19937 rng(5);
  // DEPTHWISE_CONV_2D shapes of MobileNetV2 / EfficientNet-B0 (h, w, c, k, stride): the kernel alone.
  const std::vector<DwShape> dw_shapes = {{112, 112, 32, 3, 1}, {112, 112, 96, 3, 2}, {56, 56, 144, 3, 1},
                                          {56, 56, 144, 5, 2},  {28, 28, 240, 5, 1},  {14, 14, 576, 3, 1},
                                          {14, 14, 672, 5, 1},  {7, 7, 1152, 5, 1},   {7, 7, 960, 3, 1},
                                          // hand_landmark_lite / face_landmark: few channels, large maps
                                          {112, 112, 24, 3, 1}, {112, 112, 64, 3, 2}, {56, 56, 96, 3, 1},
                                          {96, 96, 16, 3, 1},   {128, 128, 16, 3, 1}, {64, 64, 32, 3, 1},
                                          // hand_landmark_lite's small maps and strided layers
                                          {7, 7, 672, 5, 1},    {14, 14, 384, 5, 1},  {14, 14, 288, 3, 1},
                                          {28, 28, 144, 5, 1},  {56, 56, 96, 5, 2},   {28, 28, 144, 3, 2},
                                          {14, 14, 384, 5, 2}};
  fmt::print("| depthwise (h w c k stride) | ms (p10) | GFLOP/s |\n|---|---|---|\n");
  for (const DwShape& s : dw_shapes) {
    Graph g = depthwise_graph(s, rng);
    OpBuffers b(g, rng);
    const auto k = cpu::create_cpu_kernel(g, b.op);
    b.seconds_of(*k);
    std::vector<double> t;
    for (int r = 0; r < reps; ++r) t.push_back(b.seconds_of(*k));
    const double m = quantile(t, 0.5);
    fmt::print("| {} {} {} {} {} | {:.3f} ({:.3f}) | {:.1f} |\n", s.h, s.w, s.c, s.k, s.stride, m * 1e3,
               quantile(t, 0.1) * 1e3, 2.0 * double(total_macs(g)) / m * 1e-9);
  }
  if (dw_only) return 0;
  fmt::print("| conv 3x3 s1 (h w ic oc) | direct ms (p10) | winograd ms (p10) | winograd/direct | pays |\n|---|---|---|---|---|\n");
  for (const ConvShape& s : shapes) {
    Graph g = conv_graph(s, rng);
    OpBuffers b(g, rng);
    const Op& op = b.op;
    const auto direct = cpu::create_conv2d_kernel(g, op);
    const auto wino = cpu::create_conv2d_winograd_kernel(g, op);
    b.seconds_of(*direct);
    b.seconds_of(*wino);
    std::vector<double> td, tw;
    for (int r = 0; r < reps; ++r) {
      td.push_back(b.seconds_of(*direct));
      tw.push_back(b.seconds_of(*wino));
    }
    const double md = quantile(td, 0.5), mw = quantile(tw, 0.5);
    fmt::print("| {} {} {} {} | {:.3f} ({:.3f}) | {:.3f} ({:.3f}) | {:.2f} | {} |\n", s.h, s.w, s.ic, s.oc, md * 1e3,
               quantile(td, 0.1) * 1e3, mw * 1e3, quantile(tw, 0.1) * 1e3, mw / md, cpu::winograd_pays(g, op) ? "yes" : "no");
  }
  return 0;
}
