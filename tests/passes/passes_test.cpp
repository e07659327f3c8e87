// Graph passes: activation fusion (single consumer only), PAD folding (exact, spatial only, never
// into pools), elementwise-chain fusion into epilogues (single consumer, no model outputs, no
// broadcast, order kept topological), constant folding, dead elimination, topological sort, and
// the whole pipeline.
// Exactness is checked by running the float64 reference kernels before and after a pass.
#include <gtest/gtest.h>

#include <cstring>
#include <map>

#include "base/error.h"
#include "graph/load_model.h"
#include "graph/op_registry.h"
#include "graph/passes/eliminate_dead.h"
#include "graph/passes/fold_constants.h"
#include "graph/passes/fold_pads.h"
#include "graph/epilogue.h"
#include "graph/passes/fuse_activations.h"
#include "graph/passes/fuse_elementwise.h"
#include "graph/passes/pipeline.h"
#include "graph/passes/topo_sort.h"
#include "base/fp16.h"
#include "graph/tflite/model_writer.h"
#include "tests/support/test_util.h"

namespace hetsched {
namespace {

struct Builder {
  Graph g;
  std::mt19937_64 rng = test::make_rng(3);

  Builder() { g.model_name = "pass_test"; }
  int activation(std::vector<int> shape, std::string name) {
    g.tensors.push_back(Tensor{std::move(name), DataType::kFloat32, std::move(shape), {}, false});
    return int(g.tensors.size() - 1);
  }
  int constant(std::vector<int> shape, std::string name) {
    Tensor t{std::move(name), DataType::kFloat32, std::move(shape), {}, true};
    const std::vector<double> v = test::random_doubles(rng, t.elements());
    std::vector<float> f(v.begin(), v.end());
    t.data.resize(f.size() * 4);
    std::memcpy(t.data.data(), f.data(), t.data.size());
    g.tensors.push_back(std::move(t));
    return int(g.tensors.size() - 1);
  }
  // The graph's inputs and outputs.
  void set_io(std::vector<int> inputs, std::vector<int> outputs) {
    g.inputs = std::move(inputs);
    g.outputs = std::move(outputs);
  }
  // The same, then shape inference: the graph is complete.
  void finish(std::vector<int> inputs, std::vector<int> outputs) {
    set_io(std::move(inputs), std::move(outputs));
    infer_shapes(g);
  }
  Op& op(OpType type, std::vector<int> in, std::vector<int> out, OpAttributes attrs = NoAttributes{}) {
    Op o;
    o.type = type;
    o.inputs = std::move(in);
    o.outputs = std::move(out);
    o.attributes = std::move(attrs);
    o.model_index = int(g.ops.size());
    g.ops.push_back(std::move(o));
    return g.ops.back();
  }
  int conv(int in, int out_c, int k, int stride, Padding p, std::vector<int> out_shape, const std::string& name) {
    const int ic = g.tensors[size_t(in)].shape[3];
    const int wt = constant({out_c, k, k, ic}, name + "_w");
    const int b = constant({out_c}, name + "_b");
    const int out = activation(std::move(out_shape), name);
    Conv2DAttributes a;
    a.stride_h = a.stride_w = stride;
    a.padding = p;
    op(OpType::kConv2D, {in, wt, b}, {out}, a);
    return out;
  }
  int pad(int in, std::array<std::array<int, 2>, 4> pads, const std::string& name) {
    std::vector<int> s = g.tensors[size_t(in)].shape;
    for (int a = 0; a < 4; ++a) s[size_t(a)] += pads[size_t(a)][0] + pads[size_t(a)][1];
    const int out = activation(s, name);
    op(OpType::kPad, {in}, {out}, PadAttributes{pads});
    return out;
  }
};

bool have_descriptors(const Graph& g) {
  for (const Op& op : g.ops)
    if (!has_descriptor(op.type) || !describe_op(op.type).reference) return false;
  return true;
}

// Runs the graph's reference kernels on `inputs` (one per graph input); returns the model outputs.
std::vector<RefTensor> run_reference(Graph g, const std::vector<RefTensor>& inputs) {
  infer_shapes(g);
  std::map<int, RefTensor> values;
  for (size_t i = 0; i < g.inputs.size(); ++i) values[g.inputs[i]] = inputs[i];
  for (const Op& op : g.ops) {
    std::vector<RefTensor> in;
    for (int t : op.inputs) {
      if (t < 0) {
        in.emplace_back();
      } else if (g.tensors[size_t(t)].is_constant) {
        const auto f = g.tensors[size_t(t)].f32();
        in.push_back(RefTensor{g.tensors[size_t(t)].shape4(), {f.begin(), f.end()}});
      } else {
        in.push_back(values.at(t));
      }
    }
    RefTensor out{g.tensors[size_t(op.outputs[0])].shape4(), {}};
    out.data.assign(out.shape.elements(), 0.0);
    hetsched::run_reference(g, op, in, out);
    values[op.outputs[0]] = std::move(out);
  }
  std::vector<RefTensor> outs;
  for (int t : g.outputs) outs.push_back(values.at(t));
  return outs;
}

// Compares the reference outputs of `before` and `after` on the same random inputs.
void expect_same_function(const Graph& before, const Graph& after, double tol = 1e-12) {
  if (!have_descriptors(before) || !have_descriptors(after)) {
    std::printf("[ skipped ] numeric comparison: op descriptors are not all registered yet\n");
    return;
  }
  std::mt19937_64 rng = test::make_rng(99);
  std::vector<RefTensor> inputs;
  for (int t : before.inputs) inputs.push_back(test::random_ref(rng, before.tensors[size_t(t)].shape4(), -2.0, 2.0));
  const auto a = run_reference(before, inputs), b = run_reference(after, inputs);
  ASSERT_EQ(a.size(), b.size());
  for (size_t i = 0; i < a.size(); ++i) {
    ASSERT_EQ(a[i].shape, b[i].shape);
    ASSERT_EQ(a[i].data.size(), b[i].data.size());
    double m = 0;
    for (size_t k = 0; k < a[i].data.size(); ++k) m = std::max(m, std::fabs(a[i].data[k] - b[i].data[k]));
    EXPECT_LE(m, tol) << "output " << i;
  }
}

TEST(Fp16, EveryHalfRoundTrips) {
  for (uint32_t h = 0; h < 65536; ++h) {
    const float f = half_to_float(uint16_t(h));
    if (f != f) continue;  // NaN payloads need not survive
    ASSERT_EQ(float_to_half(f), h) << h;
  }
  EXPECT_EQ(half_to_float(0x3C00), 1.0f);
  EXPECT_EQ(half_to_float(0xC000), -2.0f);
  EXPECT_EQ(half_to_float(0x0001), std::ldexp(1.0f, -24));
  EXPECT_EQ(half_to_float(0x7BFF), 65504.0f);
}

TEST(FuseActivations, FusesSingleConsumer) {
  Builder b;
  const int in = b.activation({1, 6, 6, 3}, "in");
  const int c = b.conv(in, 5, 3, 1, Padding::kSame, {1, 6, 6, 5}, "conv");
  const int r = b.activation({1, 6, 6, 5}, "relu");
  b.op(OpType::kRelu, {c}, {r});
  b.set_io({in}, {r});
  const Graph before = b.g;
  const PassResult res = fuse_activations(b.g);
  EXPECT_TRUE(res.applied) << res.reason;
  ASSERT_EQ(b.g.ops.size(), 1u);
  EXPECT_EQ(b.g.ops[0].activation(), Activation::kRelu);
  EXPECT_EQ(b.g.ops[0].outputs[0], r);
  expect_same_function(before, b.g);
}

TEST(FuseActivations, Relu6AndTanhIntoAdd) {
  for (OpType t : {OpType::kRelu6, OpType::kTanh}) {
    Builder b;
    const int x = b.activation({1, 4, 4, 8}, "x"), y = b.activation({1, 4, 4, 8}, "y");
    const int s = b.activation({1, 4, 4, 8}, "sum"), o = b.activation({1, 4, 4, 8}, "act");
    b.op(OpType::kAdd, {x, y}, {s}, BinaryAttributes{});
    b.op(t, {s}, {o});
    b.set_io({x, y}, {o});
    const Graph before = b.g;
    EXPECT_TRUE(fuse_activations(b.g).applied);
    ASSERT_EQ(b.g.ops.size(), 1u);
    EXPECT_EQ(b.g.ops[0].activation(), t == OpType::kRelu6 ? Activation::kRelu6 : Activation::kTanh);
    expect_same_function(before, b.g);
  }
}

TEST(FuseActivations, NotWithTwoConsumersOrModelOutputOrExistingActivation) {
  {  // the conv output is read by the RELU and an ADD
    Builder b;
    const int in = b.activation({1, 6, 6, 3}, "in");
    const int c = b.conv(in, 4, 1, 1, Padding::kValid, {1, 6, 6, 4}, "conv");
    const int r = b.activation({1, 6, 6, 4}, "relu"), s = b.activation({1, 6, 6, 4}, "sum");
    b.op(OpType::kRelu, {c}, {r});
    b.op(OpType::kAdd, {c, r}, {s}, BinaryAttributes{});
    b.set_io({in}, {s});
    EXPECT_FALSE(fuse_activations(b.g).applied);
    EXPECT_EQ(b.g.ops.size(), 3u);
  }
  {  // the conv output is also a model output
    Builder b;
    const int in = b.activation({1, 6, 6, 3}, "in");
    const int c = b.conv(in, 4, 1, 1, Padding::kValid, {1, 6, 6, 4}, "conv");
    const int r = b.activation({1, 6, 6, 4}, "relu");
    b.op(OpType::kRelu, {c}, {r});
    b.set_io({in}, {r, c});
    EXPECT_FALSE(fuse_activations(b.g).applied);
  }
  {  // the conv already has RELU6; LOGISTIC has no fused form
    Builder b;
    const int in = b.activation({1, 6, 6, 3}, "in");
    const int c = b.conv(in, 4, 1, 1, Padding::kValid, {1, 6, 6, 4}, "conv");
    b.g.ops[0].set_activation(Activation::kRelu6);
    const int r = b.activation({1, 6, 6, 4}, "relu");
    b.op(OpType::kRelu, {c}, {r});
    const int c2 = b.conv(r, 4, 1, 1, Padding::kValid, {1, 6, 6, 4}, "conv2");
    const int l = b.activation({1, 6, 6, 4}, "logistic");
    b.op(OpType::kLogistic, {c2}, {l});
    b.set_io({in}, {l});
    EXPECT_FALSE(fuse_activations(b.g).applied);
    EXPECT_EQ(b.g.ops.size(), 4u);
  }
}

TEST(FoldPads, SpatialPadIntoValidAndSameConvIsExact) {
  for (Padding p : {Padding::kValid, Padding::kSame})
    for (int stride : {1, 2}) {
      SCOPED_TRACE(testing::Message() << "padding " << int(p) << " stride " << stride);
      Builder b;
      const int in = b.activation({1, 7, 9, 3}, "in");
      const int padded = b.pad(in, {{{0, 0}, {1, 2}, {2, 1}, {0, 0}}}, "padded");  // 10 x 12
      const int kh = 3;
      const int oh = conv_output_size(10, kh, stride, 1, p), ow = conv_output_size(12, kh, stride, 1, p);
      const int c = b.conv(padded, 5, kh, stride, p, {1, oh, ow, 5}, "conv");
      b.set_io({in}, {c});
      const Graph before = b.g;
      const PassResult r = fold_pads(b.g);
      ASSERT_TRUE(r.applied) << r.reason;
      ASSERT_EQ(b.g.ops.size(), 1u);
      const auto& a = b.g.ops[0].attrs<Conv2DAttributes>();
      EXPECT_EQ(b.g.ops[0].inputs[0], in);
      EXPECT_EQ(a.padding, Padding::kValid);
      int st = 0, sb = 0, sl = 0, sr = 0;
      if (p == Padding::kSame) {
        same_padding(10, oh, kh, stride, 1, &st, &sb);
        same_padding(12, ow, kh, stride, 1, &sl, &sr);
      }
      EXPECT_EQ(a.pads, (Padding2D{1 + st, 2 + sb, 2 + sl, 1 + sr}));
      expect_same_function(before, b.g);
      if (has_descriptor(OpType::kConv2D)) {  // re-inference keeps the explicit pads and the shape
        infer_shapes(b.g);
        EXPECT_EQ(b.g.tensors[size_t(c)].shape, (std::vector<int>{1, oh, ow, 5}));
      }
    }
}

TEST(FoldPads, IntoDepthwise) {
  Builder b;
  const int in = b.activation({1, 8, 8, 6}, "in");
  const int padded = b.pad(in, {{{0, 0}, {2, 2}, {2, 2}, {0, 0}}}, "padded");
  const int wt = b.constant({1, 5, 5, 6}, "dw_w"), bias = b.constant({6}, "dw_b");
  const int out = b.activation({1, 8, 8, 6}, "dw");
  b.op(OpType::kDepthwiseConv2D, {padded, wt, bias}, {out}, DepthwiseConv2DAttributes{});
  b.set_io({in}, {out});
  const Graph before = b.g;
  ASSERT_TRUE(fold_pads(b.g).applied);
  EXPECT_EQ(b.g.ops[0].attrs<DepthwiseConv2DAttributes>().pads, (Padding2D{2, 2, 2, 2}));
  expect_same_function(before, b.g);
}

TEST(FoldPads, NeverChannelPadsPoolsOrSharedOutputs) {
  {  // channel pad (Blaze residual)
    Builder b;
    const int in = b.activation({1, 6, 6, 4}, "in");
    const int padded = b.pad(in, {{{0, 0}, {0, 0}, {0, 0}, {0, 4}}}, "padded");
    const int c = b.conv(padded, 3, 1, 1, Padding::kValid, {1, 6, 6, 3}, "conv");
    b.set_io({in}, {c});
    EXPECT_FALSE(fold_pads(b.g).applied);
  }
  for (OpType pool : {OpType::kMaxPool2D, OpType::kAveragePool2D}) {
    Builder b;
    const int in = b.activation({1, 6, 6, 4}, "in");
    const int padded = b.pad(in, {{{0, 0}, {1, 1}, {1, 1}, {0, 0}}}, "padded");
    const int out = b.activation({1, 3, 3, 4}, "pool");
    Pool2DAttributes a;
    a.filter_h = a.filter_w = a.stride_h = a.stride_w = 2;
    b.op(pool, {padded}, {out}, a);
    b.set_io({in}, {out});
    EXPECT_FALSE(fold_pads(b.g).applied) << to_string(pool);
  }
  {  // the padded tensor is read twice
    Builder b;
    const int in = b.activation({1, 6, 6, 4}, "in");
    const int padded = b.pad(in, {{{0, 0}, {1, 1}, {1, 1}, {0, 0}}}, "padded");
    const int c = b.conv(padded, 4, 3, 1, Padding::kValid, {1, 6, 6, 4}, "conv");
    const int s = b.activation({1, 6, 6, 4}, "sum");
    b.op(OpType::kAdd, {c, in}, {s}, BinaryAttributes{});
    b.g.outputs = {s, padded};  // ... and is a model output
    b.g.inputs = {in};
    EXPECT_FALSE(fold_pads(b.g).applied);
  }
}

TEST(TopologicalSort, SortsAndRejectsCycles) {
  Builder b;
  const int in = b.activation({1, 4}, "in"), x = b.activation({1, 4}, "x"), y = b.activation({1, 4}, "y");
  b.op(OpType::kLogistic, {x}, {y});
  b.op(OpType::kRelu, {in}, {x});
  b.set_io({in}, {y});
  EXPECT_TRUE(topological_sort(b.g).applied);
  EXPECT_EQ(b.g.ops[0].type, OpType::kRelu);
  EXPECT_FALSE(topological_sort(b.g).applied);
  b.g.ops[0].inputs = {y};  // x = relu(y), y = logistic(x)
  try {
    topological_sort(b.g);
    ADD_FAILURE() << "cycle accepted";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kInvalidModel);
    EXPECT_NE(std::string(e.what()).find("cycle"), std::string::npos) << e.what();
  }
}

TEST(EliminateDead, RemovesUnusedOpsAndRemaps) {
  Builder b;
  const int unused_const = b.constant({3}, "unused");
  const int in = b.activation({1, 4}, "in"), dead = b.activation({1, 4}, "dead"), out = b.activation({1, 4}, "out");
  b.op(OpType::kTanh, {in}, {dead});
  b.op(OpType::kRelu, {in}, {out});
  b.set_io({in}, {out});
  (void)unused_const;
  const PassResult r = eliminate_dead(b.g);
  EXPECT_TRUE(r.applied);
  ASSERT_EQ(b.g.ops.size(), 1u);
  ASSERT_EQ(b.g.tensors.size(), 2u);
  EXPECT_EQ(b.g.tensors[size_t(b.g.inputs[0])].name, "in");
  EXPECT_EQ(b.g.tensors[size_t(b.g.outputs[0])].name, "out");
  EXPECT_EQ(b.g.ops[0].inputs[0], b.g.inputs[0]);
  EXPECT_EQ(b.g.ops[0].outputs[0], b.g.outputs[0]);
}

TEST(FoldConstants, DequantizeAndReferenceFolding) {
  Builder b;
  Tensor h{"w16", DataType::kFloat16, {2, 2}, {}, true};
  for (float v : {1.5f, -0.25f, 3.0f, 65504.0f}) {
    const uint16_t x = float_to_half(v);
    h.data.push_back(uint8_t(x & 0xFF));
    h.data.push_back(uint8_t(x >> 8));
  }
  b.g.tensors.push_back(h);
  const int w16 = int(b.g.tensors.size() - 1);
  const int w32 = b.activation({2, 2}, "w32");
  const int other = b.constant({2, 2}, "other");
  const int sum = b.activation({2, 2}, "sum");
  const int in = b.activation({2, 2}, "in"), out = b.activation({2, 2}, "out");
  b.op(OpType::kDequantize, {w16}, {w32});
  b.op(OpType::kAdd, {w32, other}, {sum}, BinaryAttributes{});
  b.op(OpType::kMul, {in, sum}, {out}, BinaryAttributes{});
  b.set_io({in}, {out});
  const std::vector<float> other_v(b.g.tensors[size_t(other)].f32().begin(), b.g.tensors[size_t(other)].f32().end());

  Graph load_time = b.g;
  EXPECT_TRUE(fold_constants(load_time, FoldScope::kLoadTime).applied);
  ASSERT_EQ(load_time.ops.size(), 2u);
  const auto f = load_time.tensors[size_t(w32)].f32();
  EXPECT_EQ(std::vector<float>(f.begin(), f.end()), (std::vector<float>{1.5f, -0.25f, 3.0f, 65504.0f}));

  if (!has_descriptor(OpType::kAdd)) GTEST_SKIP() << "ADD has no descriptor yet: reference folding not checked";
  EXPECT_TRUE(fold_constants(b.g, FoldScope::kAll).applied);
  ASSERT_EQ(b.g.ops.size(), 1u);
  EXPECT_EQ(b.g.ops[0].type, OpType::kMul);
  const auto s = b.g.tensors[size_t(sum)].f32();
  const float expect[4] = {1.5f, -0.25f, 3.0f, 65504.0f};
  for (int i = 0; i < 4; ++i) EXPECT_EQ(s[size_t(i)], float(double(expect[i]) + double(other_v[size_t(i)])));
}

// A writer-built model through load_and_prepare's pipeline: PAD + CONV + RELU -> one conv with
// explicit pads and a fused RELU, computing the same function.
TEST(Pipeline, PrepareGraphFoldsAndFusesExactly) {
  namespace w = tflite_writer;
  w::ModelSpec m;
  const int in = m.add_tensor({1, 9, 9, 4}, "input");
  const int pads = m.add_i32_constant({4, 2}, "paddings", {0, 0, 1, 1, 1, 1, 0, 0});
  const int padded = m.add_tensor({1, 11, 11, 4}, "padded");
  m.add_op(w::op::kPad, {in, pads}, {padded});
  std::vector<float> wv(6 * 3 * 3 * 4), bv(6);
  std::mt19937_64 rng = test::make_rng(5);
  for (float& v : wv) v = float(int(rng() % 101) - 50) / 64.0f;
  for (float& v : bv) v = float(int(rng() % 11) - 5) / 8.0f;
  const int wt = m.add_f16_constant({6, 3, 3, 4}, "w16", wv);
  const int wf = m.add_tensor({6, 3, 3, 4}, "w");
  m.add_op(w::op::kDequantize, {wt}, {wf});
  const int b = m.add_f32_constant({6}, "b", bv);
  const int conv = m.add_tensor({1, 5, 5, 6}, "conv");
  m.add_op(w::op::kConv2D, {padded, wf, b}, {conv}, w::ConvOptions{w::kValid, 2, 2});
  const int relu = m.add_tensor({1, 5, 5, 6}, "relu");
  m.add_op(w::op::kRelu, {conv}, {relu});
  m.inputs = {in};
  m.outputs = {relu};
  const std::vector<uint8_t> bytes = w::write_model(m);
  const Graph imported = load_tflite_buffer(bytes, "pipeline.tflite");
  ASSERT_EQ(imported.ops.size(), 3u);
  if (!have_descriptors(imported)) GTEST_SKIP() << "op descriptors not registered yet";
  Graph prepared = imported;
  std::vector<std::string> log;
  prepare_graph(prepared, &log);
  for (const std::string& l : log) std::printf("  %s\n", l.c_str());
  ASSERT_EQ(prepared.ops.size(), 1u);
  const Op& op = prepared.ops[0];
  EXPECT_EQ(op.type, OpType::kConv2D);
  EXPECT_EQ(op.activation(), Activation::kRelu);
  EXPECT_EQ(op.attrs<Conv2DAttributes>().pads, (Padding2D{1, 1, 1, 1}));
  EXPECT_EQ(prepared.tensors[size_t(prepared.outputs[0])].shape, (std::vector<int>{1, 5, 5, 6}));
  expect_same_function(imported, prepared);
}

// Elementwise fusion: a residual ADD and a HARD_SWISH after a conv go into the conv's epilogue; the
// conv whose output is also the residual keeps no epilogue (two readers).
TEST(FuseElementwise, FusesSingleConsumerChain) {
  Builder b;
  const int x = b.activation({1, 6, 6, 5}, "x");
  const int t1 = b.conv(x, 6, 3, 1, Padding::kSame, {1, 6, 6, 6}, "c1");
  const int t2 = b.conv(t1, 6, 3, 1, Padding::kSame, {1, 6, 6, 6}, "c2");
  const int sum = b.activation({1, 6, 6, 6}, "sum");
  b.op(OpType::kAdd, {t2, t1}, {sum}, BinaryAttributes{Activation::kRelu6});
  const int hs = b.activation({1, 6, 6, 6}, "hs");
  b.op(OpType::kHardSwish, {sum}, {hs});
  b.finish({x}, {hs});
  const Graph before = b.g;
  const PassResult r = fuse_elementwise(b.g);
  EXPECT_TRUE(r.applied) << r.reason;
  ASSERT_EQ(b.g.ops.size(), 2u);
  EXPECT_TRUE(b.g.ops[0].epilogue.empty());
  const Op& fused = b.g.ops[1];
  ASSERT_EQ(fused.epilogue.size(), 2u);
  EXPECT_EQ(fused.epilogue[0].type, OpType::kAdd);
  EXPECT_EQ(fused.epilogue[0].activation, Activation::kRelu6);
  EXPECT_EQ(fused.inputs.at(size_t(fused.epilogue[0].operand_input)), t1);
  EXPECT_EQ(fused.epilogue[1].type, OpType::kHardSwish);
  EXPECT_EQ(fused.outputs[0], hs);
  EXPECT_EQ(fused.own_inputs(), 3);
  infer_shapes(b.g);
  expect_same_function(before, b.g, 1e-9);
}

// conv -> t; s = LOGISTIC(t); m = MUL(t, s) (or MUL(s, t) when `swapped`): a swish after a conv.
// The model outputs are m, and t too when `t_is_output` (a third reader of t).
struct SwishGraph {
  Builder b;
  int t = -1, m = -1;
};
SwishGraph swish_after_conv(bool swapped, bool t_is_output) {
  SwishGraph g;
  Builder& b = g.b;
  const int x = b.activation({1, 5, 5, 3}, "x");
  g.t = b.conv(x, 7, 1, 1, Padding::kSame, {1, 5, 5, 7}, "c");
  const int s = b.activation({1, 5, 5, 7}, "s");
  b.op(OpType::kLogistic, {g.t}, {s});
  g.m = b.activation({1, 5, 5, 7}, "m");
  b.op(OpType::kMul, swapped ? std::vector<int>{s, g.t} : std::vector<int>{g.t, s}, {g.m}, BinaryAttributes{});
  b.finish({x}, t_is_output ? std::vector<int>{g.m, g.t} : std::vector<int>{g.m});
  return g;
}

// Swish x * sigmoid(x) after a conv: the LOGISTIC and the MUL (inputs in either order) become one
// SWISH step of the conv, which then writes the MUL's output.
TEST(FuseElementwise, SwishFusesIntoTheProducer) {
  for (const bool swapped : {false, true}) {
    SCOPED_TRACE(swapped ? "MUL(s, x)" : "MUL(x, s)");
    SwishGraph sg = swish_after_conv(swapped, false);
    Graph& g = sg.b.g;
    const Graph before = g;
    EXPECT_TRUE(fuse_elementwise(g).applied);
    ASSERT_EQ(g.ops.size(), 1u);
    const Op& conv = g.ops[0];
    EXPECT_EQ(conv.type, OpType::kConv2D);
    ASSERT_EQ(conv.epilogue.size(), 1u);
    EXPECT_EQ(conv.epilogue[0].type, OpType::kLogistic);
    EXPECT_TRUE(conv.epilogue[0].times_input);
    EXPECT_EQ(conv.outputs[0], sg.m);
    EXPECT_EQ(epilogue_string(g, conv), "SWISH");
    infer_shapes(g);
    expect_same_function(before, g, 1e-9);
  }
}

// Not a swish when the conv output has a third reader (here a model output): LOGISTIC stays, and
// the MUL goes into the LOGISTIC's epilogue with the conv output as operand.
TEST(FuseElementwise, SwishWithAThirdReaderFusesIntoTheLogistic) {
  SwishGraph sg = swish_after_conv(false, true);
  Graph& g = sg.b.g;
  const Graph before = g;
  EXPECT_TRUE(fuse_elementwise(g).applied);
  ASSERT_EQ(g.ops.size(), 2u);
  EXPECT_TRUE(g.ops[0].epilogue.empty());
  EXPECT_EQ(g.ops[1].type, OpType::kLogistic);
  ASSERT_EQ(g.ops[1].epilogue.size(), 1u);
  EXPECT_EQ(g.ops[1].inputs.back(), sg.t);
  infer_shapes(g);
  expect_same_function(before, g, 1e-9);
}

// Refused: a model output in the middle, a second reader, a broadcast operand (activation or
// per-channel constant), a constant first operand of SUB.
TEST(FuseElementwise, RefusesUnsafeCases) {
  {
    Builder b;  // the conv output is a model output
    const int x = b.activation({1, 4, 4, 3}, "x");
    const int t = b.conv(x, 5, 1, 1, Padding::kSame, {1, 4, 4, 5}, "c");
    const int r = b.activation({1, 4, 4, 5}, "r");
    b.op(OpType::kHardSwish, {t}, {r});
    b.finish({x}, {t, r});
    EXPECT_FALSE(fuse_elementwise(b.g).applied);
  }
  {
    Builder b;  // two readers of the conv output
    const int x = b.activation({1, 4, 4, 3}, "x");
    const int t = b.conv(x, 5, 1, 1, Padding::kSame, {1, 4, 4, 5}, "c");
    const int r1 = b.activation({1, 4, 4, 5}, "r1"), r2 = b.activation({1, 4, 4, 5}, "r2");
    b.op(OpType::kHardSwish, {t}, {r1});
    b.op(OpType::kLogistic, {t}, {r2});
    b.finish({x}, {r1, r2});
    EXPECT_FALSE(fuse_elementwise(b.g).applied);
  }
  {
    Builder b;  // broadcast operands: an activation [1,1,1,5] and a per-channel constant [5]
    const int x = b.activation({1, 4, 4, 3}, "x");
    const int gate = b.activation({1, 1, 1, 5}, "gate");
    const int t = b.conv(x, 5, 1, 1, Padding::kSame, {1, 4, 4, 5}, "c");
    const int m = b.activation({1, 4, 4, 5}, "m");
    b.op(OpType::kMul, {t, gate}, {m}, BinaryAttributes{});
    const int t2 = b.conv(x, 5, 1, 1, Padding::kSame, {1, 4, 4, 5}, "c2");
    const int a = b.activation({1, 4, 4, 5}, "a");
    b.op(OpType::kAdd, {t2, b.constant({5}, "k")}, {a}, BinaryAttributes{});
    b.finish({x, gate}, {m, a});
    EXPECT_FALSE(fuse_elementwise(b.g).applied);
  }
  {
    Builder b;  // SUB with the producer's output second: k - t is no epilogue step
    const int x = b.activation({1, 4, 4, 3}, "x");
    const int t = b.conv(x, 5, 1, 1, Padding::kSame, {1, 4, 4, 5}, "c");
    const int d = b.activation({1, 4, 4, 5}, "d");
    b.op(OpType::kSub, {b.constant({1}, "k"), t}, {d}, BinaryAttributes{});
    b.finish({x}, {d});
    EXPECT_FALSE(fuse_elementwise(b.g).applied);
  }
}

// A one-element constant becomes a scalar step (no operand input).
TEST(FuseElementwise, ScalarConstantOperand) {
  Builder b;
  const int x = b.activation({1, 4, 4, 3}, "x");
  const int t = b.conv(x, 5, 1, 1, Padding::kSame, {1, 4, 4, 5}, "c");
  const int m = b.activation({1, 4, 4, 5}, "m");
  b.op(OpType::kMul, {b.constant({1}, "k"), t}, {m}, BinaryAttributes{});
  b.finish({x}, {m});
  const Graph before = b.g;
  EXPECT_TRUE(fuse_elementwise(b.g).applied);
  ASSERT_EQ(b.g.ops.size(), 1u);
  ASSERT_EQ(b.g.ops[0].epilogue.size(), 1u);
  EXPECT_EQ(b.g.ops[0].epilogue[0].operand_input, -1);
  EXPECT_EQ(b.g.ops[0].inputs.size(), 3u);
  infer_shapes(b.g);
  expect_same_function(before, b.g, 1e-6);  // the scalar is a float32 constant either way
}

// a - b where b's conv comes after a's: the fused op moves to the SUB's place, so b is computed
// before it; the order stays topological.
TEST(FuseElementwise, KeepsTopologicalOrderWhenTheOperandComesLater) {
  Builder b;
  const int x = b.activation({1, 4, 4, 3}, "x");
  const int ta = b.conv(x, 5, 1, 1, Padding::kSame, {1, 4, 4, 5}, "ca");
  const int tb = b.conv(x, 5, 3, 1, Padding::kSame, {1, 4, 4, 5}, "cb");
  const int d = b.activation({1, 4, 4, 5}, "d");
  b.op(OpType::kSub, {ta, tb}, {d}, BinaryAttributes{});
  b.finish({x}, {d});
  const Graph before = b.g;
  EXPECT_TRUE(fuse_elementwise(b.g).applied);
  ASSERT_EQ(b.g.ops.size(), 2u);
  EXPECT_EQ(b.g.ops[0].outputs[0], tb);
  EXPECT_EQ(b.g.ops[1].inputs.back(), tb);
  EXPECT_EQ(b.g.ops[1].outputs[0], d);
  const Graph fused = b.g;
  topological_sort(b.g);
  EXPECT_EQ(b.g.ops[0].outputs, fused.ops[0].outputs);  // already in order: nothing moved
  infer_shapes(b.g);
  expect_same_function(before, b.g, 1e-9);
}

}  // namespace
}  // namespace hetsched
