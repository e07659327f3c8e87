// TFLite importer: models built in-test with the schema writer (valid, unsupported and malformed),
// op normalization, load-time DEQUANTIZE/DENSIFY folding, and the real zoo files (skipped if absent)
// truncated and bit-flipped at random: an Error or a valid graph, never a crash.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>

#include "base/error.h"
#include "base/fp16.h"
#include "graph/load_model.h"
#include "graph/tflite/model_writer.h"
#include "tests/support/expect_error.h"
#include "tests/support/test_util.h"

namespace hetsched {
namespace {

namespace w = tflite_writer;

std::vector<float> ramp(size_t n, float scale = 0.01f) {
  std::vector<float> v(n);
  for (size_t i = 0; i < n; ++i) v[i] = scale * float(int(i % 37) - 18);
  return v;
}

// input [1,8,8,3] -> CONV_2D 3x3 SAME (+RELU), weights fp16 behind DEQUANTIZE, f32 bias.
w::ModelSpec conv_model() {
  w::ModelSpec m;
  const int in = m.add_tensor({1, 8, 8, 3}, "input");
  const int wh = m.add_f16_constant({4, 3, 3, 3}, "weights_fp16", ramp(4 * 27));
  const int wf = m.add_tensor({4, 3, 3, 3}, "weights");
  const int b = m.add_f32_constant({4}, "bias", {0.5f, -0.25f, 1.0f, 2.0f});
  const int out = m.add_tensor({1, 8, 8, 4}, "output");
  m.add_op(w::op::kDequantize, {wh}, {wf});
  m.add_op(w::op::kConv2D, {in, wf, b}, {out}, w::ConvOptions{w::kSame, 1, 1, w::act::kRelu});
  m.inputs = {in};
  m.outputs = {out};
  return m;
}

size_t index_of(const w::ModelSpec& m, const std::string& name) {
  for (size_t i = 0; i < m.tensors.size(); ++i)
    if (m.tensors[i].name == name) return i;
  return m.tensors.size();
}

Graph load(const w::ModelSpec& m, const std::string& name = "test.tflite") {
  const std::vector<uint8_t> bytes = w::write_model(m);
  return load_tflite_buffer(bytes, name);
}

using test::expect_error_from;

const Tensor& tensor(const Graph& g, int t) { return g.tensors[size_t(t)]; }

TEST(Importer, ConvModelFoldsDequantizeAndNormalizes) {
  const Graph g = load(conv_model(), "conv.tflite");
  EXPECT_EQ(g.model_name, "conv.tflite");
  ASSERT_EQ(g.ops.size(), 1u);
  const Op& op = g.ops[0];
  EXPECT_EQ(op.type, OpType::kConv2D);
  EXPECT_EQ(op.model_index, 1);
  ASSERT_EQ(op.inputs.size(), 3u);
  const auto& a = op.attrs<Conv2DAttributes>();
  EXPECT_EQ(a.padding, Padding::kSame);
  EXPECT_EQ(a.activation, Activation::kRelu);
  EXPECT_EQ(tensor(g, op.inputs[0]).name, "input");
  const Tensor& wt = tensor(g, op.inputs[1]);
  EXPECT_TRUE(wt.is_constant);
  EXPECT_EQ(wt.dtype, DataType::kFloat32);
  EXPECT_EQ(wt.shape, (std::vector<int>{4, 3, 3, 3}));
  const std::vector<float> expect = ramp(4 * 27);
  const std::span<const float> got = wt.f32();
  ASSERT_EQ(got.size(), expect.size());
  for (size_t i = 0; i < got.size(); ++i) EXPECT_EQ(got[i], half_to_float(float_to_half(expect[i]))) << i;
  EXPECT_EQ(tensor(g, op.inputs[2]).f32()[3], 2.0f);
  ASSERT_EQ(g.inputs.size(), 1u);
  ASSERT_EQ(g.outputs.size(), 1u);
  EXPECT_EQ(tensor(g, g.inputs[0]).name, "input");
  EXPECT_EQ(tensor(g, g.outputs[0]).name, "output");
  EXPECT_EQ(op.outputs[0], g.outputs[0]);
  // The fp16 tensor is gone (dead after folding).
  for (const Tensor& t : g.tensors) EXPECT_NE(t.name, "weights_fp16");
}

TEST(Importer, DeprecatedBuiltinCodeOnly) {
  w::ModelSpec m = conv_model();
  for (auto& c : m.opcodes) c.deprecated_only = true;
  const Graph g = load(m);
  ASSERT_EQ(g.ops.size(), 1u);
  EXPECT_EQ(g.ops[0].type, OpType::kConv2D);
}

TEST(Importer, UnsupportedBuiltinNamesOpAndModel) {
  w::ModelSpec m = conv_model();
  const int o = m.outputs[0];
  const int sliced = m.add_tensor({1, 8, 8, 4}, "sliced");
  m.add_op(w::op::kStridedSlice, {o}, {sliced});
  m.outputs = {sliced};
  expect_error_from([&] { load(m, "sliced.tflite"); }, ErrorKind::kUnsupported,
               {"model 'sliced.tflite'", "op 2 (STRIDED_SLICE) is not supported"});
}

TEST(Importer, UnsupportedCustomNamesCustomCode) {
  w::ModelSpec m = conv_model();
  const int o = m.outputs[0];
  const int t = m.add_tensor({1, 8, 8, 4}, "landmarks");
  m.add_op(w::op::kCustom, {o}, {t}, {}, "TransformLandmarks");
  m.outputs = {t};
  expect_error_from([&] { load(m, "custom.tflite"); }, ErrorKind::kUnsupported,
               {"model 'custom.tflite'", "op 2 (CUSTOM:TransformLandmarks) is not supported"});
}

TEST(Importer, RelunN1To1StandaloneIsUnsupported) {
  w::ModelSpec m = conv_model();
  const int t = m.add_tensor({1, 8, 8, 4}, "clipped");
  m.add_op(w::op::kReluN1To1, {m.outputs[0]}, {t});
  m.outputs = {t};
  expect_error_from([&] { load(m); }, ErrorKind::kUnsupported, {"RELU_N1_TO_1"});
}

TEST(Importer, MediaPipeTransposeConvBias) {
  w::ModelSpec m;
  const int in = m.add_tensor({1, 4, 5, 16}, "input");
  const int wt = m.add_f32_constant({1, 2, 2, 16}, "w", ramp(64));
  const int b = m.add_f32_constant({1}, "b", {0.25f});
  const int out = m.add_tensor({1, 8, 10, 1}, "mask");
  const int32_t opts[3] = {1, 2, 2};  // SAME, stride_w 2, stride_h 2
  std::vector<uint8_t> raw(12);
  std::memcpy(raw.data(), opts, 12);
  m.add_op(w::op::kCustom, {in, wt, b}, {out}, {}, "Convolution2DTransposeBias", raw);
  m.inputs = {in};
  m.outputs = {out};
  const Graph g = load(m);
  ASSERT_EQ(g.ops.size(), 1u);
  const Op& op = g.ops[0];
  EXPECT_EQ(op.type, OpType::kTransposeConv);
  const auto& a = op.attrs<TransposeConvAttributes>();
  EXPECT_EQ(a.padding, Padding::kSame);
  EXPECT_EQ(a.stride_h, 2);
  EXPECT_EQ(a.stride_w, 2);
  EXPECT_EQ(a.out_h, 8);
  EXPECT_EQ(a.out_w, 10);
  EXPECT_EQ(a.out_c, 1);
  EXPECT_EQ(tensor(g, op.inputs[0]).name, "input");
  EXPECT_EQ(tensor(g, op.inputs[1]).name, "w");
  EXPECT_EQ(tensor(g, op.inputs[2]).name, "b");

  m.ops[0].custom_options.resize(8);
  expect_error_from([&] { load(m); }, ErrorKind::kInvalidModel, {"custom options hold 8 bytes"});
}

TEST(Importer, BuiltinTransposeConvReordersInputs) {
  w::ModelSpec m;
  const int shape = m.add_i32_constant({4}, "out_shape", {1, 9, 7, 2});
  const int wt = m.add_f32_constant({2, 3, 3, 5}, "w", ramp(90));
  const int in = m.add_tensor({1, 5, 4, 5}, "input");
  const int out = m.add_tensor({1, 9, 7, 2}, "out");
  m.add_op(w::op::kTransposeConv, {shape, wt, in}, {out}, w::TransposeConvOptions{w::kValid, 2, 2});
  m.inputs = {in};
  m.outputs = {out};
  const Graph g = load(m);
  ASSERT_EQ(g.ops.size(), 1u);
  const Op& op = g.ops[0];
  EXPECT_EQ(tensor(g, op.inputs[0]).name, "input");
  EXPECT_EQ(tensor(g, op.inputs[1]).name, "w");
  EXPECT_EQ(op.inputs[2], -1);
  const auto& a = op.attrs<TransposeConvAttributes>();
  EXPECT_EQ(a.out_h, 9);
  EXPECT_EQ(a.out_w, 7);
  EXPECT_EQ(a.out_c, 2);
  EXPECT_EQ(a.padding, Padding::kValid);
}

TEST(Importer, ConstantOperandsBecomeAttributes) {
  w::ModelSpec m;
  const int in = m.add_tensor({1, 6, 6, 4}, "input");
  const int pads = m.add_i32_constant({4, 2}, "paddings", {0, 0, 1, 2, 3, 0, 0, 4});
  const int padded = m.add_tensor({1, 9, 9, 8}, "padded");
  m.add_op(w::op::kPad, {in, pads}, {padded});
  const int size = m.add_i32_constant({2}, "size", {18, 18});
  const int resized = m.add_tensor({1, 18, 18, 8}, "resized");
  m.add_op(w::op::kResizeBilinear, {padded, size}, {resized}, w::ResizeBilinearOptions{false, true});
  const int axes = m.add_i32_constant({2}, "axes", {2, -3});
  const int mean = m.add_tensor({1, 8}, "mean");
  m.add_op(w::op::kMean, {resized, axes}, {mean}, w::ReducerOptions{false});
  const int shape = m.add_i32_constant({3}, "shape", {1, 2, 4});
  const int reshaped = m.add_tensor({1, 2, 4}, "reshaped");
  m.add_op(w::op::kReshape, {mean, shape}, {reshaped});
  const int cat = m.add_tensor({1, 2, 8}, "cat");
  m.add_op(w::op::kConcatenation, {reshaped, reshaped}, {cat}, w::ConcatenationOptions{-1, w::act::kNone});
  m.inputs = {in};
  m.outputs = {cat};
  const Graph g = load(m);
  ASSERT_EQ(g.ops.size(), 5u);
  const auto& pa = g.ops[0].attrs<PadAttributes>();
  EXPECT_EQ(g.ops[0].inputs.size(), 1u);
  EXPECT_EQ(pa.pads[0], (std::array<int, 2>{0, 0}));
  EXPECT_EQ(pa.pads[1], (std::array<int, 2>{1, 2}));
  EXPECT_EQ(pa.pads[2], (std::array<int, 2>{3, 0}));
  EXPECT_EQ(pa.pads[3], (std::array<int, 2>{0, 4}));
  const auto& ra = g.ops[1].attrs<ResizeBilinearAttributes>();
  EXPECT_EQ(g.ops[1].inputs.size(), 1u);
  EXPECT_EQ(ra.out_h, 18);
  EXPECT_EQ(ra.out_w, 18);
  EXPECT_FALSE(ra.align_corners);
  EXPECT_TRUE(ra.half_pixel_centers);
  const auto& ma = g.ops[2].attrs<MeanAttributes>();
  EXPECT_EQ(ma.axes, (std::vector<int>{1, 2}));
  EXPECT_FALSE(ma.keep_dims);
  EXPECT_EQ(g.ops[3].type, OpType::kReshape);
  EXPECT_EQ(g.ops[3].inputs.size(), 1u);
  EXPECT_EQ(tensor(g, g.ops[3].outputs[0]).shape, (std::vector<int>{1, 2, 4}));
  // rank 3 [N,W,C], axis -1 -> C (3).
  EXPECT_EQ(g.ops[4].attrs<ConcatenationAttributes>().axis, 3);
  EXPECT_EQ(g.ops[4].inputs.size(), 2u);
  // No int32 operand survives.
  for (const Tensor& t : g.tensors) EXPECT_EQ(t.dtype, DataType::kFloat32) << t.name;
}

// A 1x1-conv weight [4,1,1,6] stored sparse: dims 0..2 dense, the innermost CSR with uint8 indices
// (MediaPipe's layout), fp16 values -> DENSIFY -> DEQUANTIZE -> CONV_2D.
w::ModelSpec sparse_model(int index_bits, std::vector<float>* dense_out) {
  std::mt19937_64 rng = test::make_rng(index_bits);
  std::vector<float> dense(24, 0.0f), values;
  w::SparseDimSpec inner{true, 0, {0}, {}, index_bits};
  for (int o = 0; o < 4; ++o) {
    for (int i = 0; i < 6; ++i)
      if (rng() % 2) {
        const float v = half_to_float(float_to_half(float(int(rng() % 200) - 100) / 64.0f));
        dense[size_t(o * 6 + i)] = v;
        values.push_back(v);
        inner.indices.push_back(i);
      }
    inner.segments.push_back(int(inner.indices.size()));
  }
  *dense_out = dense;
  w::ModelSpec m;
  const int in = m.add_tensor({1, 3, 3, 6}, "input");
  const int sp = m.add_f16_constant({4, 1, 1, 6}, "w_sparse", values);
  w::TensorSpec& t = m.tensors[size_t(sp)];
  t.has_sparsity = true;
  t.sparsity.traversal_order = {0, 1, 2, 3};
  auto dense_dim = [&](int n) {
    w::SparseDimSpec d;
    d.dense_size = n;
    return d;
  };
  t.sparsity.dims = {dense_dim(4), dense_dim(1), dense_dim(1), inner};
  const int dh = m.add_tensor({4, 1, 1, 6}, "w_fp16", w::dtype::kFloat16);
  const int wf = m.add_tensor({4, 1, 1, 6}, "w");
  const int out = m.add_tensor({1, 3, 3, 4}, "out");
  m.add_op(w::op::kDensify, {sp}, {dh});
  m.add_op(w::op::kDequantize, {dh}, {wf});
  m.add_op(w::op::kConv2D, {in, wf, -1}, {out}, w::ConvOptions{w::kValid});
  m.inputs = {in};
  m.outputs = {out};
  return m;
}

TEST(Importer, DensifyFoldsSparseWeights) {
  for (int bits : {8, 16, 32}) {
    std::vector<float> dense;
    const Graph g = load(sparse_model(bits, &dense));
    ASSERT_EQ(g.ops.size(), 1u) << bits;
    const Tensor& wt = tensor(g, g.ops[0].inputs[1]);
    ASSERT_EQ(wt.dtype, DataType::kFloat32);
    const std::span<const float> got = wt.f32();
    ASSERT_EQ(got.size(), dense.size());
    for (size_t i = 0; i < dense.size(); ++i) EXPECT_EQ(got[i], dense[i]) << "bits " << bits << " element " << i;
  }
}

TEST(Importer, DensifyRejectsBadMetadata) {
  std::vector<float> dense;
  w::ModelSpec m = sparse_model(16, &dense);
  w::SparseDimSpec& inner = m.tensors[1].sparsity.dims[3];
  if (inner.indices.empty()) inner.indices.push_back(0), inner.segments.back() = 1;
  inner.indices[0] = 6;  // out of range for a dimension of 6
  expect_error_from([&] { load(m); }, ErrorKind::kInvalidModel, {"w_sparse", "array_indices out of range"});
  m = sparse_model(16, &dense);
  m.tensors[1].sparsity.traversal_order = {0, 1, 1, 3};
  expect_error_from([&] { load(m); }, ErrorKind::kInvalidModel, {"not a permutation"});
}

TEST(Importer, TensorIndexOutOfRange) {
  w::ModelSpec m = conv_model();
  m.ops[1].inputs[0] = 99;
  expect_error_from([&] { load(m, "idx.tflite"); }, ErrorKind::kInvalidModel, {"model 'idx.tflite'", "op 1", "tensor 99"});
  m = conv_model();
  m.outputs = {-1};
  expect_error_from([&] { load(m); }, ErrorKind::kInvalidModel, {"output 0 is tensor -1"});
}

TEST(Importer, BufferIndexOutOfRange) {
  w::ModelSpec m = conv_model();
  m.tensors[index_of(m, "bias")].buffer = 77;
  expect_error_from([&] { load(m); }, ErrorKind::kInvalidModel, {"'bias'", "buffer 77"});
}

TEST(Importer, WrongBufferSize) {
  w::ModelSpec m = conv_model();
  m.buffers[m.tensors[index_of(m, "bias")].buffer].resize(12);
  expect_error_from([&] { load(m); }, ErrorKind::kInvalidModel, {"'bias'", "needs 16 bytes", "holds 12"});
}

TEST(Importer, CycleIsRejected) {
  w::ModelSpec m;
  const int in = m.add_tensor({1, 4}, "input");
  const int a = m.add_tensor({1, 4}, "a");
  const int b = m.add_tensor({1, 4}, "b");
  m.add_op(w::op::kAdd, {in, b}, {a}, w::BinaryOptions{});
  m.add_op(w::op::kRelu, {a}, {b});
  m.inputs = {in};
  m.outputs = {a};
  expect_error_from([&] { load(m); }, ErrorKind::kInvalidModel, {"cycle"});
}

TEST(Importer, OpsOutOfOrderAreSorted) {
  w::ModelSpec m;
  const int in = m.add_tensor({1, 4}, "input");
  const int a = m.add_tensor({1, 4}, "a");
  const int b = m.add_tensor({1, 4}, "b");
  m.add_op(w::op::kLogistic, {a}, {b});
  m.add_op(w::op::kRelu, {in}, {a});
  m.inputs = {in};
  m.outputs = {b};
  const Graph g = load(m);
  ASSERT_EQ(g.ops.size(), 2u);
  EXPECT_EQ(g.ops[0].type, OpType::kRelu);
  EXPECT_EQ(g.ops[1].type, OpType::kLogistic);
}

TEST(Importer, ReadOfUnwrittenTensorIsRejected) {
  w::ModelSpec m;
  const int in = m.add_tensor({1, 4}, "input");
  const int ghost = m.add_tensor({1, 4}, "ghost");
  const int out = m.add_tensor({1, 4}, "out");
  m.add_op(w::op::kAdd, {in, ghost}, {out}, w::BinaryOptions{});
  m.inputs = {in};
  m.outputs = {out};
  expect_error_from([&] { load(m); }, ErrorKind::kInvalidModel, {"'ghost'", "no op writes"});
}

TEST(Importer, OutputsAndInputsMustBeConsistent) {
  w::ModelSpec m = conv_model();
  const int orphan = m.add_tensor({1, 8, 8, 4}, "orphan");
  m.outputs.push_back(orphan);
  expect_error_from([&] { load(m); }, ErrorKind::kInvalidModel, {"no op writes the model output 'orphan'"});
  m = conv_model();
  m.ops[1].outputs = {m.inputs[0]};
  expect_error_from([&] { load(m); }, ErrorKind::kInvalidModel, {"op 1 (CONV_2D)", "model input 'input'"});
  m = conv_model();
  m.ops.push_back(m.ops[1]);  // a second writer of 'output'
  expect_error_from([&] { load(m); }, ErrorKind::kInvalidModel, {"'output' is written by"});
}

TEST(Importer, RankAboveFourIsUnsupported) {
  w::ModelSpec m;
  const int in = m.add_tensor({1, 2, 2, 2, 2}, "input5d");
  const int out = m.add_tensor({1, 2, 2, 2, 2}, "out");
  m.add_op(w::op::kRelu, {in}, {out});
  m.inputs = {in};
  m.outputs = {out};
  expect_error_from([&] { load(m); }, ErrorKind::kUnsupported, {"'input5d'", "rank 5"});
}

TEST(Importer, QuantizedActivationsAreUnsupported) {
  w::ModelSpec m;
  const int in = m.add_tensor({1, 4}, "q_input", w::dtype::kInt8);
  m.tensors[size_t(in)].quantized = true;
  const int out = m.add_tensor({1, 4}, "q_out", w::dtype::kInt8);
  m.tensors[size_t(out)].quantized = true;
  m.add_op(w::op::kRelu, {in}, {out});
  m.inputs = {in};
  m.outputs = {out};
  expect_error_from([&] { load(m); }, ErrorKind::kUnsupported, {"int8", "quantized"});
}

TEST(Importer, MissingOptionsAndBadStrides) {
  w::ModelSpec m = conv_model();
  m.ops[1].options = std::monostate{};
  expect_error_from([&] { load(m); }, ErrorKind::kInvalidModel, {"op 1 (CONV_2D)", "options are missing"});
  m = conv_model();
  std::get<w::ConvOptions>(m.ops[1].options).stride_h = 0;
  expect_error_from([&] { load(m); }, ErrorKind::kInvalidModel, {"stride_h is 0"});
}

TEST(Importer, NotAFlatbuffer) {
  std::vector<uint8_t> junk(100, 0x41);
  expect_error_from([&] { load_tflite_buffer(junk, "junk.tflite"); }, ErrorKind::kInvalidModel, {"model 'junk.tflite'"});
  expect_error_from([&] { load_tflite("/nonexistent/x.tflite"); }, ErrorKind::kInvalidArgument, {"model 'x.tflite'"});
}

// Loads `bytes`: an Error is fine, a graph must be self-consistent; anything else fails the test.
void load_mutant(std::span<const uint8_t> bytes, const std::string& what) {
  try {
    const Graph g = load_tflite_buffer(bytes, "mutant.tflite");
    for (const Op& op : g.ops) {
      for (int t : op.inputs) ASSERT_TRUE(t >= -1 && t < int(g.tensors.size())) << what;
      for (int t : op.outputs) ASSERT_TRUE(t >= 0 && t < int(g.tensors.size())) << what;
      ASSERT_NE(op.type, OpType::kDequantize) << what;
      ASSERT_NE(op.type, OpType::kDensify) << what;
    }
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("mutant.tflite"), std::string::npos) << e.what();
  }
}

void mutate_and_load(const std::vector<uint8_t>& bytes, std::mt19937_64& rng, int truncations, int flips) {
  for (int i = 0; i < truncations; ++i) {
    const size_t len = rng() % bytes.size();
    load_mutant(std::span<const uint8_t>(bytes.data(), len), fmt::format("truncated to {}", len));
  }
  std::vector<uint8_t> copy;
  for (int i = 0; i < flips; ++i) {
    copy = bytes;
    const int n = 1 + int(rng() % 8);
    std::string what = "flipped bits";
    for (int k = 0; k < n; ++k) {
      const size_t pos = rng() % copy.size();
      const int bit = int(rng() % 8);
      copy[pos] ^= uint8_t(1u << bit);
      what += fmt::format(" {}:{}", pos, bit);
    }
    load_mutant(copy, what);
  }
}

TEST(Importer, MutatedSmallModelsNeverCrash) {
  std::mt19937_64 rng = test::make_rng(7);
  std::vector<float> dense;
  for (const w::ModelSpec& m : {conv_model(), sparse_model(8, &dense)}) {
    const std::vector<uint8_t> bytes = w::write_model(m);
    mutate_and_load(bytes, rng, 200, 400);
  }
}

// Writes the in-test models as fuzzing seeds when HETSCHED_FUZZ_SEED_DIR is set (small models with
// every importer feature make the fuzzer reach sparse metadata and custom options quickly).
TEST(Importer, WritesFuzzSeedsOnRequest) {
  const char* dir = std::getenv("HETSCHED_FUZZ_SEED_DIR");
  if (!dir || !*dir) GTEST_SKIP() << "set HETSCHED_FUZZ_SEED_DIR to write fuzzing seeds";
  std::filesystem::create_directories(dir);
  std::vector<float> dense;
  const std::vector<std::pair<std::string, w::ModelSpec>> seeds = {
      {"conv", conv_model()}, {"sparse8", sparse_model(8, &dense)}, {"sparse16", sparse_model(16, &dense)}};
  for (const auto& [name, m] : seeds) {
    const std::vector<uint8_t> bytes = w::write_model(m);
    std::ofstream(std::filesystem::path(dir) / (name + ".tflite"), std::ios::binary)
        .write(reinterpret_cast<const char*>(bytes.data()), std::streamsize(bytes.size()));
  }
}

std::filesystem::path model_dir() {
  if (const char* e = std::getenv("HETSCHED_MODEL_DIR"); e && *e) return e;
  return std::filesystem::path(__FILE__).parent_path().parent_path().parent_path() / "models";
}

std::vector<std::filesystem::path> zoo_files() {
  std::vector<std::filesystem::path> v;
  std::error_code ec;
  for (const auto& e : std::filesystem::directory_iterator(model_dir(), ec))
    if (e.path().extension() == ".tflite") v.push_back(e.path());
  std::sort(v.begin(), v.end());
  return v;
}

std::vector<uint8_t> read_file(const std::filesystem::path& p) {
  std::ifstream f(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>()};
}

// Non-DEQUANTIZE/DENSIFY op counts of some MediaPipe models (docs: shared/models/INVENTORY.md).
const std::map<std::string, std::map<OpType, int>>& inventory() {
  static const std::map<std::string, std::map<OpType, int>> m = {
      {"face_detection_short_range.tflite",
       {{OpType::kConv2D, 21}, {OpType::kRelu, 17}, {OpType::kAdd, 16}, {OpType::kDepthwiseConv2D, 16},
        {OpType::kPad, 11}, {OpType::kReshape, 4}, {OpType::kMaxPool2D, 3}, {OpType::kConcatenation, 2}}},
      {"selfie_segmentation.tflite",
       {{OpType::kConv2D, 43}, {OpType::kRelu, 22}, {OpType::kAdd, 14}, {OpType::kDepthwiseConv2D, 11},
        {OpType::kHardSwish, 11}, {OpType::kLogistic, 11}, {OpType::kAveragePool2D, 10}, {OpType::kMul, 10},
        {OpType::kResizeBilinear, 3}, {OpType::kTransposeConv, 1}}},
      {"pose_detection.tflite",
       {{OpType::kConv2D, 45}, {OpType::kDepthwiseConv2D, 28}, {OpType::kAdd, 15}, {OpType::kPad, 8},
        {OpType::kReshape, 6}, {OpType::kDepthToSpace, 3}, {OpType::kConcatenation, 2},
        {OpType::kResizeBilinear, 2}}},
      {"face_detection_full_range_sparse.tflite",
       {{OpType::kConv2D, 49}, {OpType::kPad, 43}, {OpType::kDepthwiseConv2D, 42}, {OpType::kAdd, 19},
        {OpType::kResizeBilinear, 3}, {OpType::kDepthToSpace, 2}, {OpType::kReshape, 2}}},
      {"hand_landmark_full.tflite",
       {{OpType::kConv2D, 31}, {OpType::kDepthwiseConv2D, 16}, {OpType::kAdd, 9}, {OpType::kFullyConnected, 4},
        {OpType::kLogistic, 2}, {OpType::kMean, 1}}},
  };
  return m;
}

TEST(ImporterZoo, LoadsEveryModelOrNamesTheUnsupportedOp) {
  const auto files = zoo_files();
  if (files.empty()) GTEST_SKIP() << "no .tflite files in " << model_dir();
  for (const auto& p : files) {
    const std::string name = p.filename().string();
    SCOPED_TRACE(name);
    if (name == "face_landmark_with_attention.tflite") {
      expect_error_from([&] { load_tflite(p.string()); }, ErrorKind::kUnsupported,
                   {"model 'face_landmark_with_attention.tflite'", "(CUSTOM:", "is not supported"});
      continue;
    }
    Graph g;
    try {
      g = load_tflite(p.string());
    } catch (const Error& e) {
      // Models of the generated zoo may use ops we do not support yet: that must be the reason.
      EXPECT_EQ(e.kind(), ErrorKind::kUnsupported) << e.what();
      EXPECT_NE(std::string(e.what()).find(fmt::format("model '{}'", name)), std::string::npos) << e.what();
      continue;
    }
    EXPECT_EQ(g.model_name, name);
    EXPECT_FALSE(g.inputs.empty());
    EXPECT_FALSE(g.outputs.empty());
    std::map<OpType, int> counts;
    for (const Op& op : g.ops) {
      ++counts[op.type];
      EXPECT_NE(op.type, OpType::kDequantize);
      EXPECT_NE(op.type, OpType::kDensify);
      for (int t : op.inputs)
        if (t >= 0) {
          const Tensor& x = g.tensors[size_t(t)];
          EXPECT_EQ(x.dtype, DataType::kFloat32) << x.name;
          if (x.is_constant) {
            EXPECT_EQ(x.data.size(), x.elements() * 4) << x.name;
          }
        }
    }
    if (auto it = inventory().find(name); it != inventory().end()) {
      EXPECT_EQ(counts, it->second);
    }
  }
}

TEST(ImporterZoo, TruncatedAndBitFlippedFilesNeverCrash) {
  const auto files = zoo_files();
  if (files.empty()) GTEST_SKIP() << "no .tflite files in " << model_dir();
  std::mt19937_64 rng = test::make_rng(11);
  for (const auto& p : files) {
    SCOPED_TRACE(p.filename().string());
    const std::vector<uint8_t> bytes = read_file(p);
    if (bytes.empty()) continue;
    // Fewer rounds for the big files (each load converts megabytes of fp16).
    const int rounds = bytes.size() > (8u << 20) ? 4 : bytes.size() > (2u << 20) ? 12 : 30;
    mutate_and_load(bytes, rng, rounds, rounds);
  }
}

}  // namespace
}  // namespace hetsched
