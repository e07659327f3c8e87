// Writes the .tflite of a generated architecture spec (archs.py's format) the way the TFLite converter
// writes build.py's Keras model (the mapping is in arch_writer.h).
#include "profiles/arch_writer.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <random>
#include <set>

#include "base/error.h"

namespace hetsched::profiles {
namespace {

namespace w = tflite_writer;
using json = nlohmann::json;

// Reads the spec's fields; every error names the file and the field ("blocks[2].kernel").
class SpecFields {
 public:
  explicit SpecFields(std::string context) : context_(std::move(context)) {}
  const std::string& context() const { return context_; }

  [[noreturn]] void bad(const std::string& field, const std::string& why) const {
    fail(ErrorKind::kInvalidArgument, "{}: architecture spec field '{}' {}", context_, field, why);
  }
  const json& member(const json& obj, const std::string& prefix, const char* key) const {
    if (!obj.is_object()) bad(prefix.empty() ? std::string("(spec)") : prefix, "must be a JSON object");
    const auto it = obj.find(key);
    if (it == obj.end()) bad(prefix + key, "is missing");
    return *it;
  }
  int integer(const json& obj, const std::string& prefix, const char* key, int lo, int hi) const {
    const json& v = member(obj, prefix, key);
    if (!v.is_number_integer()) bad(prefix + key, fmt::format("must be an integer (got {})", v.dump()));
    const int64_t x = v.get<int64_t>();
    if (x < lo || x > hi) bad(prefix + key, fmt::format("must be in [{}, {}] (got {})", lo, hi, x));
    return int(x);
  }
  double number(const json& obj, const std::string& prefix, const char* key, double lo, double hi) const {
    const json& v = member(obj, prefix, key);
    if (!v.is_number()) bad(prefix + key, fmt::format("must be a number (got {})", v.dump()));
    const double x = v.get<double>();
    if (!(x >= lo && x <= hi)) bad(prefix + key, fmt::format("must be in [{}, {}] (got {})", lo, hi, x));
    return x;
  }
  std::string choice(const json& obj, const std::string& prefix, const char* key,
                     std::initializer_list<const char*> allowed) const {
    const json& v = member(obj, prefix, key);
    const std::string s = v.is_string() ? v.get<std::string>() : v.dump();
    for (const char* a : allowed)
      if (v.is_string() && s == a) return s;
    bad(prefix + key, fmt::format("must be one of {} (got {})", fmt::join(allowed, ", "), v.dump()));
  }

 private:
  std::string context_;
};

constexpr int kMaxChannels = 1 << 16, kMaxResolution = 4096;
constexpr size_t kMaxWeights = size_t(1) << 28;  // 1 GiB of float32: no generated architecture comes close

// A value of the graph: its tensor and NHWC (or [1, C]) shape.
struct Value {
  int tensor = -1;
  std::vector<int> shape;
  int channels() const { return shape.back(); }
};

int same_size(int in, int stride) { return (in + stride - 1) / stride; }

// Builds the model op by op in Keras' build order; finish() puts the ops in the converter's order.
class ArchBuilder {
 public:
  ArchBuilder(uint64_t weight_seed, const SpecFields& fields) : rng_(weight_seed), fields_(fields) {}

  Value input(int resolution) {
    Value v{m_.add_tensor({1, resolution, resolution, 3}, "input"), {1, resolution, resolution, 3}};
    m_.inputs = {v.tensor};
    return v;
  }

  // Conv2D (bias, zero-initialized) with `act`: relu/relu6 fused, hard_swish/sigmoid a separate op.
  Value conv(const Value& x, int out, int kernel, int stride, const std::string& act, int padding = w::kSame) {
    const int cin = x.channels();
    const int weights = m_.add_f32_constant({out, kernel, kernel, cin}, name("conv_weights"),
                                            he_uniform(size_t(out) * kernel * kernel * cin, kernel * kernel * cin));
    const int oh = padding == w::kSame ? same_size(x.shape[1], stride) : (x.shape[1] - kernel) / stride + 1;
    const int ow = padding == w::kSame ? same_size(x.shape[2], stride) : (x.shape[2] - kernel) / stride + 1;
    Value y = activation_tensor({1, oh, ow, out});
    const std::string layer = layer_name("conv2d");
    add_op(layer, w::op::kConv2D, {x.tensor, weights, zero_bias(out)}, {y.tensor},
           w::ConvOptions{padding, stride, stride, fused(act)});
    return separate_activation(y, act, layer);
  }

  Value depthwise(const Value& x, int kernel, int stride, const std::string& act) {
    const int c = x.channels();
    const int weights = m_.add_f32_constant({1, kernel, kernel, c}, name("depthwise_weights"),
                                            he_uniform(size_t(kernel) * kernel * c, kernel * kernel));
    Value y = activation_tensor({1, same_size(x.shape[1], stride), same_size(x.shape[2], stride), c});
    const std::string layer = layer_name("depthwise_conv2d");
    add_op(layer, w::op::kDepthwiseConv2D, {x.tensor, weights, zero_bias(c)}, {y.tensor},
           w::DepthwiseOptions{w::kSame, stride, stride, 1, fused(act)});
    return separate_activation(y, act, layer);
  }

  Value max_pool(const Value& x, int size, int stride) {
    Value y = activation_tensor({1, same_size(x.shape[1], stride), same_size(x.shape[2], stride), x.channels()});
    add_op(layer_name("max_pooling2d"), w::op::kMaxPool2D, {x.tensor}, {y.tensor},
           w::PoolOptions{w::kSame, stride, stride, size, size});
    return y;
  }

  // Keras Add of k inputs: ((a + b) + c) ...; an activation layer after it: relu/relu6 fused into
  // the last ADD, prelu a PRELU op.
  Value add(const std::vector<Value>& ins, const std::string& act = "none") {
    const std::string layer = layer_name("add");
    Value acc = ins[0];
    for (size_t i = 1; i < ins.size(); ++i)
      acc = binary(i == 1 ? layer + "Add" : fmt::format("{}Add_{}", layer, i - 1), w::op::kAdd, acc, ins[i], acc.shape,
                   i + 1 == ins.size() ? fused(act) : w::act::kNone);
    return act == "prelu" ? prelu(acc) : acc;
  }

  // Lambda(pad the channels with `extra` zeros): PAD with an int32 [4, 2] paddings constant.
  Value pad_channels(const Value& x, int extra) {
    const int paddings = m_.add_i32_constant({4, 2}, name("paddings"), {0, 0, 0, 0, 0, 0, 0, extra});
    std::vector<int> shape = x.shape;
    shape.back() += extra;
    Value y = activation_tensor(shape);
    add_op(layer_name("lambda"), w::op::kPad, {x.tensor, paddings}, {y.tensor}, w::PadOptions{});
    return y;
  }
  Value mul(const Value& x, const Value& scale) { return binary(layer_name("multiply"), w::op::kMul, x, scale, x.shape); }

  Value concat(const std::vector<Value>& ins) {
    std::vector<int> shape = ins[0].shape, tensors;
    shape.back() = 0;
    for (const Value& v : ins) {
      shape.back() += v.channels();
      tensors.push_back(v.tensor);
    }
    Value y = activation_tensor(shape);
    add_op(layer_name("concatenate"), w::op::kConcatenation, tensors, {y.tensor}, w::ConcatenationOptions{-1});
    return y;
  }

  // GlobalAveragePooling2D: MEAN over H and W ([1, 1, 1, C] with keep_dims, else [1, C]).
  Value mean(const Value& x, bool keep_dims) {
    if (axes_ < 0) axes_ = m_.add_i32_constant({2}, "mean_axes", {1, 2});
    Value y = activation_tensor(keep_dims ? std::vector<int>{1, 1, 1, x.channels()} : std::vector<int>{1, x.channels()});
    add_op(layer_name("global_average_pooling2d"), w::op::kMean, {x.tensor, axes_}, {y.tensor},
           w::ReducerOptions{keep_dims});
    return y;
  }

  // Dense on [1, C]: FULLY_CONNECTED without a bias input (the converter drops Keras' zero bias);
  // a ReLU activation is fused.
  Value dense(const Value& x, int units, const std::string& act = "none") {
    const int weights = m_.add_f32_constant({units, x.channels()}, name("dense_weights"),
                                            he_uniform(size_t(units) * x.channels(), x.channels()));
    Value y = activation_tensor({1, units});
    add_op(layer_name("dense"), w::op::kFullyConnected, {x.tensor, weights, -1}, {y.tensor},
           w::FullyConnectedOptions{fused(act)});
    return y;
  }

  // UpSampling2D(2, interpolation="bilinear"): RESIZE_BILINEAR to twice the size, half-pixel centers
  // (tf.image.resize), the size an int32 constant.
  Value upsample2x_bilinear(const Value& x) {
    const int h = 2 * x.shape[1], wd = 2 * x.shape[2];
    const int size = m_.add_i32_constant({2}, name("resize_size"), {h, wd});
    Value y = activation_tensor({1, h, wd, x.channels()});
    add_op(layer_name("up_sampling2d"), w::op::kResizeBilinear, {x.tensor, size}, {y.tensor},
           w::ResizeBilinearOptions{false, true});
    return y;
  }

  // Reshape((-1, values)) of [1, H, W, C]: RESHAPE to [1, H * W * C / values, values], the new shape
  // an int32 constant input and no options (what the converter writes).
  Value reshape_rows(const Value& x, int values) {
    const int64_t n = int64_t(x.shape[1]) * x.shape[2] * x.channels();
    const std::vector<int> shape{1, int(n / values), values};
    const int new_shape = m_.add_i32_constant({3}, name("reshape_shape"), shape);
    Value y = activation_tensor(shape);
    add_op(layer_name("reshape"), w::op::kReshape, {x.tensor, new_shape}, {y.tensor});
    return y;
  }

  w::ModelSpec finish(const Value& output) {
    m_.outputs = {output.tensor};
    m_.tensors[size_t(output.tensor)].name = "output";
    order_ops_as_converter();
    return std::move(m_);
  }

 private:
  static int fused(const std::string& act) {
    if (act == "relu") return w::act::kRelu;
    if (act == "relu6") return w::act::kRelu6;
    return w::act::kNone;
  }
  // PReLU(shared_axes=[1, 2]): PRELU with a [1, 1, C] alpha constant. Keras initializes alpha to
  // zeros, which the converter deduplicates per width; here one seeded alpha in [0, 0.5) per width
  // (so the op does something, and the file holds as many constants as the converter's).
  Value prelu(const Value& x) {
    const int c = x.channels();
    auto it = prelu_alphas_.find(c);
    if (it == prelu_alphas_.end()) {
      std::vector<float> alpha = he_uniform(size_t(c), 24);  // in [-0.5, 0.5)
      for (float& a : alpha) a = std::abs(a);
      it = prelu_alphas_.emplace(c, m_.add_f32_constant({1, 1, c}, fmt::format("prelu_alpha_{}", c), alpha)).first;
    }
    Value y = activation_tensor(x.shape);
    add_op(layer_name("p_re_lu"), w::op::kPrelu, {x.tensor, it->second}, {y.tensor});
    return y;
  }
  // hard_swish is a Lambda and a Multiply layer in build.py; sigmoid the conv layer's own; prelu a
  // PReLU layer.
  Value separate_activation(const Value& x, const std::string& act, const std::string& conv_layer) {
    if (act == "prelu") return prelu(x);
    if (act == "swish") {  // Activation("swish"): LOGISTIC and MUL(x, sigmoid(x))
      const std::string layer = layer_name("activation");
      Value sig = activation_tensor(x.shape);
      add_op(layer + "Sigmoid", w::op::kLogistic, {x.tensor}, {sig.tensor});
      return binary(layer + "mul_1", w::op::kMul, x, sig, x.shape);
    }
    if (act != "hard_swish" && act != "sigmoid") return x;
    Value y = activation_tensor(x.shape);
    if (act == "hard_swish") add_op(layer_name("lambda"), w::op::kHardSwish, {x.tensor}, {y.tensor});
    else add_op(conv_layer + "Sigmoid", w::op::kLogistic, {x.tensor}, {y.tensor});
    return y;
  }
  Value binary(const std::string& node, int builtin, const Value& a, const Value& b, const std::vector<int>& shape,
               int activation = w::act::kNone) {
    Value y = activation_tensor(shape);
    add_op(node, builtin, {a.tensor, b.tensor}, {y.tensor}, w::BinaryOptions{builtin, activation});
    return y;
  }
  void add_op(const std::string& node, int builtin, std::vector<int> inputs, std::vector<int> outputs,
              w::OptionsSpec options = {}) {
    m_.add_op(builtin, std::move(inputs), std::move(outputs), std::move(options));
    node_names_.push_back(node);
  }
  // The name scope TensorFlow gives a layer's ops when the Keras model is traced: the k-th layer of
  // a class is named "conv2d", "conv2d_1", ... and its scope gets a suffix ("conv2d_1/",
  // "conv2d_1_2/", "conv2d_2_1/", ...). Only the order of these names matters (see
  // order_ops_as_converter): "conv2d_1/" < "conv2d_10_" < "conv2d_1_" < "conv2d_2_".
  std::string layer_name(const char* keras_class) {
    const int k = layer_counts_[keras_class]++;
    return k == 0 ? fmt::format("{}_1/", keras_class) : fmt::format("{}_{}_", keras_class, k);
  }
  Value activation_tensor(std::vector<int> shape) {
    const int t = m_.add_tensor(shape, name("activation"));
    return {t, std::move(shape)};
  }
  std::string name(const char* what) { return fmt::format("{}_{}", what, m_.tensors.size()); }

  // One shared zero bias per length (the converter deduplicates equal constants).
  int zero_bias(int n) {
    const auto it = zero_biases_.find(n);
    if (it != zero_biases_.end()) return it->second;
    const int t = m_.add_f32_constant({n}, fmt::format("zero_bias_{}", n), std::vector<float>(size_t(n), 0.0f));
    zero_biases_[n] = t;
    return t;
  }

  // He-scaled uniform in [-sqrt(6 / fan_in), sqrt(6 / fan_in)): the top 24 bits of each draw mapped
  // to [0, 1) by hand (std::uniform_real_distribution differs between standard libraries).
  std::vector<float> he_uniform(size_t n, int fan_in) {
    weights_ += n;
    if (weights_ > kMaxWeights)
      fail(ErrorKind::kInvalidArgument, "{}: the architecture spec asks for more than {} weights (the writer's limit)",
           fields_.context(), kMaxWeights);
    const double limit = std::sqrt(6.0 / double(std::max(fan_in, 1)));
    std::vector<float> v(n);
    for (float& x : v) {
      const double u = double(rng_() >> 40) * (1.0 / double(1 << 24));
      x = float((2.0 * u - 1.0) * limit);
    }
    return v;
  }

  // TensorFlow's GetReversePostOrder with its node-name comparator (the order in which the converter
  // imports the traced graph, kept through to the file): a depth-first walk from the input pushes
  // each op's consumers sorted by name, so it visits the last-named first; the ops are listed in
  // reverse order of finishing.
  void order_ops_as_converter() {
    const size_t n = m_.ops.size();
    std::map<int, std::vector<size_t>> consumers_of_tensor;
    for (size_t i = 0; i < n; ++i)
      for (int t : m_.ops[i].inputs)
        if (t >= 0) consumers_of_tensor[t].push_back(i);
    const auto children = [&](size_t op) {  // op == n: the source (the model input)
      std::set<size_t> c;
      const std::vector<int> outs = op == n ? m_.inputs : m_.ops[op].outputs;
      for (int t : outs)
        for (size_t k : consumers_of_tensor[t]) c.insert(k);
      std::vector<size_t> sorted(c.begin(), c.end());
      std::sort(sorted.begin(), sorted.end(), [&](size_t a, size_t b) { return node_names_[a] < node_names_[b]; });
      return sorted;
    };
    std::vector<bool> visited(n + 1, false);
    std::vector<size_t> finished;
    std::vector<std::pair<size_t, bool>> stack{{n, false}};  // (op, leave)
    while (!stack.empty()) {
      const auto [op, leave] = stack.back();
      stack.pop_back();
      if (leave) {
        finished.push_back(op);
        continue;
      }
      if (visited[op]) continue;
      visited[op] = true;
      stack.push_back({op, true});
      for (size_t c : children(op))
        if (!visited[c]) stack.push_back({c, false});
    }
    std::vector<w::OperatorSpec> ordered;
    for (auto it = finished.rbegin(); it != finished.rend(); ++it)
      if (*it != n) ordered.push_back(std::move(m_.ops[*it]));
    m_.ops = std::move(ordered);
  }

  w::ModelSpec m_;
  std::mt19937_64 rng_;
  const SpecFields& fields_;
  size_t weights_ = 0;
  int axes_ = -1;
  std::map<int, int> zero_biases_;
  std::map<int, int> prelu_alphas_;  // width -> alpha constant
  std::vector<std::string> node_names_;  // per op (build order): its layer's name scope
  std::map<std::string, int> layer_counts_;
};

// ---- NAS-Bench-101 ----------------------------------------------------------------------------

struct Cell {
  std::vector<std::vector<int>> matrix;
  std::vector<std::string> ops;  // ops[0] = "input", ops.back() = "output"
};

Cell read_cell(const json& spec, const SpecFields& f) {
  const json& cell = f.member(spec, "", "cell");
  const json& matrix = f.member(cell, "cell.", "matrix");
  const json& ops = f.member(cell, "cell.", "ops");
  if (!ops.is_array() || ops.size() < 2 || ops.size() > 7)
    f.bad("cell.ops", "must be an array of 2 to 7 vertex operations");
  const size_t n = ops.size();
  if (!matrix.is_array() || matrix.size() != n)
    f.bad("cell.matrix", fmt::format("must be a {}x{} array (one row per entry of cell.ops)", n, n));
  Cell c;
  for (size_t i = 0; i < n; ++i) {
    const std::string where = fmt::format("cell.ops[{}]", i);
    if (!ops[i].is_string()) f.bad(where, "must be a string");
    const std::string op = ops[i].get<std::string>();
    const bool ok = i == 0 ? op == "input"
                  : i == n - 1 ? op == "output"
                               : op == "conv3x3-bn-relu" || op == "conv1x1-bn-relu" || op == "maxpool3x3";
    if (!ok)
      f.bad(where, i == 0       ? "must be \"input\""
                   : i == n - 1 ? "must be \"output\""
                                : fmt::format("must be conv3x3-bn-relu, conv1x1-bn-relu or maxpool3x3 (got \"{}\")", op));
    c.ops.push_back(op);
    const json& row = matrix[i];
    if (!row.is_array() || row.size() != n) f.bad(fmt::format("cell.matrix[{}]", i), fmt::format("must have {} entries", n));
    c.matrix.emplace_back();
    for (size_t j = 0; j < n; ++j) {
      const json& e = row[j];
      if (!e.is_number_integer() || (e.get<int>() != 0 && e.get<int>() != 1))
        f.bad(fmt::format("cell.matrix[{}][{}]", i, j), "must be 0 or 1");
      if (j <= i && e.get<int>() != 0)
        f.bad(fmt::format("cell.matrix[{}][{}]", i, j), "must be 0 (the matrix is strictly upper triangular)");
      c.matrix.back().push_back(e.get<int>());
    }
  }
  // Every vertex on a path from the input to the output (archs.py prunes the others).
  std::vector<bool> from_input(n, false), to_output(n, false);
  from_input[0] = true;
  for (size_t j = 1; j < n; ++j)
    for (size_t i = 0; i < j; ++i) from_input[j] = from_input[j] || (c.matrix[i][j] && from_input[i]);
  to_output[n - 1] = true;
  for (size_t i = n - 1; i-- > 0;)
    for (size_t j = i + 1; j < n; ++j) to_output[i] = to_output[i] || (c.matrix[i][j] && to_output[j]);
  std::vector<std::string> off_path;
  for (size_t v = 0; v < n; ++v)
    if (!from_input[v] || !to_output[v]) off_path.push_back(fmt::format("vertex {} ({})", v, c.ops[v]));
  if (!off_path.empty())
    f.bad("cell.matrix", fmt::format("leaves {} off every input-to-output path (a disconnected cell; archs.py "
                                     "prunes such vertices)", fmt::join(off_path, ", ")));
  return c;
}

// build.py's _vertex_channels: the output's channels split over the vertices feeding it; the others
// take the widest of their successors.
std::vector<int> vertex_channels(const Cell& cell, int out_channels) {
  const size_t n = cell.ops.size();
  std::vector<int> ch(n, 0);
  ch[0] = -1;
  ch[n - 1] = out_channels;
  std::vector<size_t> feeders;
  for (size_t i = 1; i + 1 < n; ++i)
    if (cell.matrix[i][n - 1]) feeders.push_back(i);
  if (!feeders.empty()) {
    const int per = out_channels / int(feeders.size()), extra = out_channels % int(feeders.size());
    for (size_t j = 0; j < feeders.size(); ++j) ch[feeders[j]] = per + (int(j) < extra ? 1 : 0);
  }
  for (size_t i = n - 2; i >= 1; --i) {
    if (cell.matrix[i][n - 1]) continue;
    int widest = 0;
    bool any = false;
    for (size_t j = i + 1; j + 1 < n; ++j)
      if (cell.matrix[i][j]) {
        widest = any ? std::max(widest, ch[j]) : ch[j];
        any = true;
      }
    ch[i] = any ? widest : out_channels;
  }
  return ch;
}

// build.py's _cell.
Value nb101_cell(ArchBuilder& b, const Value& x, const Cell& cell, int out_channels) {
  const size_t n = cell.ops.size();
  const std::vector<int> ch = vertex_channels(cell, out_channels);
  std::vector<Value> vals(n);
  vals[0] = x;
  for (size_t j = 1; j + 1 < n; ++j) {
    std::vector<Value> ins;
    for (size_t i = 0; i < j; ++i) {
      if (!cell.matrix[i][j]) continue;
      Value v = vals[i];
      if (i == 0 || v.channels() != ch[j]) v = b.conv(v, ch[j], 1, 1, "relu");  // projection or width change
      ins.push_back(v);
    }
    Value y = ins.size() == 1 ? ins[0] : b.add(ins);
    if (cell.ops[j] == "conv3x3-bn-relu") y = b.conv(y, ch[j], 3, 1, "relu");
    else if (cell.ops[j] == "conv1x1-bn-relu") y = b.conv(y, ch[j], 1, 1, "relu");
    else y = b.max_pool(y, 3, 1);
    vals[j] = y;
  }
  std::vector<Value> feeders;
  for (size_t i = 1; i + 1 < n; ++i)
    if (cell.matrix[i][n - 1]) feeders.push_back(vals[i]);
  Value out;
  if (feeders.size() == 1) out = feeders[0];
  else if (feeders.size() > 1) out = b.concat(feeders);
  if (cell.matrix[0][n - 1]) {
    const Value proj = b.conv(x, out_channels, 1, 1, "relu");
    out = out.tensor < 0 ? proj : b.add({out, proj});
  }
  return out;
}

w::ModelSpec build_nb101(const json& spec, const SpecFields& f, uint64_t seed) {
  const int res = f.integer(spec, "", "resolution", 1, kMaxResolution);
  int c = f.integer(spec, "", "stem_channels", 1, kMaxChannels);
  const int stacks = f.integer(spec, "", "stacks", 1, 16);
  const int cells = f.integer(spec, "", "cells_per_stack", 1, 64);
  const int classes = f.integer(spec, "", "classes", 1, kMaxChannels);
  const Cell cell = read_cell(spec, f);
  if ((int64_t(c) << (stacks - 1)) > kMaxChannels)
    f.bad("stem_channels", fmt::format("doubled over {} stacks exceeds {} channels", stacks, kMaxChannels));
  ArchBuilder b(seed, f);
  Value x = b.conv(b.input(res), c, 3, 1, "relu");
  for (int s = 0; s < stacks; ++s) {
    if (s > 0) {
      x = b.max_pool(x, 2, 2);
      c *= 2;
    }
    for (int k = 0; k < cells; ++k) x = nb101_cell(b, x, cell, c);
  }
  return b.finish(b.dense(b.mean(x, false), classes));
}

// ---- mobile blocks ----------------------------------------------------------------------------

Value squeeze_excite(ArchBuilder& b, const Value& x, double ratio) {
  const int c = x.channels();
  Value s = b.mean(x, true);
  s = b.conv(s, std::max(8, int(c * ratio)), 1, 1, "relu", w::kValid);
  s = b.conv(s, c, 1, 1, "sigmoid", w::kValid);
  return b.mul(x, s);
}

w::ModelSpec build_mobile(const json& spec, const SpecFields& f, uint64_t seed) {
  const std::initializer_list<const char*> kActs = {"relu", "relu6", "hard_swish", "none"};
  const int res = f.integer(spec, "", "resolution", 1, kMaxResolution);
  const int stem = f.integer(spec, "", "stem_channels", 1, kMaxChannels);
  const std::string stem_act = f.choice(spec, "", "stem_act", kActs);
  const int head = f.integer(spec, "", "head_channels", 1, kMaxChannels);
  const int classes = f.integer(spec, "", "classes", 1, kMaxChannels);
  const json& blocks = f.member(spec, "", "blocks");
  if (!blocks.is_array()) f.bad("blocks", "must be an array");
  ArchBuilder b(seed, f);
  Value x = b.conv(b.input(res), stem, 3, 2, stem_act);
  for (size_t i = 0; i < blocks.size(); ++i) {
    const std::string p = fmt::format("blocks[{}].", i);
    const json& blk = blocks[i];
    const std::string kind = f.choice(blk, p, "kind", {"ds", "ir", "ir_se"});
    const int kernel = f.integer(blk, p, "kernel", 1, 15);
    const int stride = f.integer(blk, p, "stride", 1, 2);
    const int expansion = f.integer(blk, p, "expansion", 1, 16);
    const int out = f.integer(blk, p, "out", 1, kMaxChannels);
    const std::string act = f.choice(blk, p, "act", kActs);
    const double se_ratio = f.number(blk, p, "se_ratio", 0.0, 1.0);
    const int cin = x.channels();
    if (kind == "ds") {
      x = b.conv(b.depthwise(x, kernel, stride, act), out, 1, 1, act);
      continue;
    }
    Value y = x;
    if (expansion > 1) y = b.conv(y, cin * expansion, 1, 1, act);
    y = b.depthwise(y, kernel, stride, act);
    if (se_ratio > 0) y = squeeze_excite(b, y, se_ratio);
    y = b.conv(y, out, 1, 1, "none");
    if (stride == 1 && cin == out) y = b.add({x, y});
    x = y;
  }
  x = b.conv(x, head, 1, 1, stem_act);
  return b.finish(b.dense(b.mean(x, false), classes));
}

// ---- encoder-decoders ----------------------------------------------------------------------

// build.py's _blaze: a BlazeFace block.
Value blaze_block(ArchBuilder& b, const Value& x, int out, int kernel, int stride, const std::string& act) {
  const Value y = b.conv(b.depthwise(x, kernel, stride, "none"), out, 1, 1, "none");
  Value shortcut = x;
  if (stride == 2) shortcut = b.max_pool(shortcut, 2, 2);
  if (out > x.channels()) shortcut = b.pad_channels(shortcut, out - x.channels());
  return b.add({y, shortcut}, act);
}

w::ModelSpec build_encdec(const json& spec, const SpecFields& f, uint64_t seed) {
  const std::initializer_list<const char*> kActs = {"relu", "relu6", "hard_swish", "prelu", "swish", "none"};
  const int res = f.integer(spec, "", "resolution", 1, kMaxResolution);
  const int stem = f.integer(spec, "", "stem_channels", 1, kMaxChannels);
  const int stem_kernel = f.integer(spec, "", "stem_kernel", 1, 15);
  const std::string stem_act = f.choice(spec, "", "stem_act", kActs);
  const json& levels = f.member(spec, "", "levels");
  const json& decoder = f.member(spec, "", "decoder");
  const json& head = f.member(spec, "", "head");
  if (!levels.is_array() || levels.empty() || levels.size() > 8) f.bad("levels", "must be an array of 1 to 8 levels");
  if (!decoder.is_array()) f.bad("decoder", "must be an array");
  ArchBuilder b(seed, f);
  Value x = b.conv(b.input(res), stem, stem_kernel, 2, stem_act);
  std::vector<Value> skips{x};
  for (size_t i = 0; i < levels.size(); ++i) {
    const std::string p = fmt::format("levels[{}].", i);
    const json& lv = levels[i];
    const std::string block = f.choice(lv, p, "block", {"conv", "blaze"});
    const int out = f.integer(lv, p, "out", 1, kMaxChannels);
    const int kernel = f.integer(lv, p, "kernel", 1, 15);
    const int residual = f.integer(lv, p, "residual", 0, 16);
    if (block == "blaze") {
      const std::string act = f.choice(lv, p, "act", {"relu", "relu6", "prelu", "none"});
      const int grow = f.integer(lv, p, "grow", 0, 256);
      if (out < x.channels())
        f.bad(p + "out", fmt::format("must be at least the level's {} input channels (a blaze block pads its "
                                     "shortcut, it cannot narrow it)", x.channels()));
      if (int64_t(out) + int64_t(residual) * grow > kMaxChannels) f.bad(p + "grow", "widens the level past the limit");
      x = blaze_block(b, x, out, kernel, 2, act);
      for (int r = 0; r < residual; ++r) x = blaze_block(b, x, out + (r + 1) * grow, kernel, 1, act);
    } else {
      const std::string act = f.choice(lv, p, "act", kActs);
      const int rk = f.integer(lv, p, "residual_kernel", 1, 15);
      x = b.conv(x, out, kernel, 2, act);
      for (int r = 0; r < residual; ++r) x = b.add({x, b.conv(b.conv(x, out, rk, 1, act), out, rk, 1, "none")});
    }
    skips.push_back(x);
  }
  const std::string kind = f.choice(head, "head.", "kind", {"classes", "boxes", "mask"});
  if (kind == "classes") {
    if (!decoder.empty()) f.bad("decoder", "must be empty with a classes head");
    const int hidden = f.integer(head, "head.", "hidden", 0, kMaxChannels);
    const int classes = f.integer(head, "head.", "classes", 1, kMaxChannels);
    x = b.mean(x, false);
    if (hidden > 0) x = b.dense(x, hidden, "relu");
    return b.finish(b.dense(x, classes));
  }
  if (decoder.size() + 1 > skips.size())
    f.bad("decoder", fmt::format("has {} levels, more than the {} encoder levels below the bottleneck", decoder.size(),
                                 skips.size() - 1));
  for (size_t d = 0; d < decoder.size(); ++d) {
    const std::string p = fmt::format("decoder[{}].", d);
    const int out = f.integer(decoder[d], p, "out", 1, kMaxChannels);
    const int kernel = f.integer(decoder[d], p, "kernel", 1, 15);
    const std::string act = f.choice(decoder[d], p, "act", kActs);
    const Value& skip = skips[skips.size() - 2 - d];
    const Value up = b.upsample2x_bilinear(x);
    if (up.shape[1] != skip.shape[1] || up.shape[2] != skip.shape[2])
      f.bad(p + "out", fmt::format("joins a {}x{} upsampling to a {}x{} skip (the resolution must halve evenly at "
                                   "every level: a multiple of 32)", up.shape[1], up.shape[2], skip.shape[1],
                                   skip.shape[2]));
    x = b.conv(b.concat({up, skip}), out, kernel, 1, act);
  }
  if (kind == "mask") {
    const int channels = f.integer(head, "head.", "channels", 1, kMaxChannels);
    const int kernel = f.integer(head, "head.", "kernel", 1, 15);
    x = b.conv(b.upsample2x_bilinear(x), channels, 3, 1, "relu");
    return b.finish(b.conv(x, 1, kernel, 1, "sigmoid"));
  }
  const int anchors = f.integer(head, "head.", "anchors", 1, 64);
  const int values = f.integer(head, "head.", "values", 1, 64);
  x = b.conv(x, anchors * values, 1, 1, "none");
  return b.finish(b.reshape_rows(x, values));
}

}  // namespace

w::ModelSpec arch_model_spec(const json& spec, uint64_t weight_seed, const std::string& context) {
  const SpecFields f(context);
  const std::string family = f.choice(spec, "", "family", {"nb101", "mobile", "encdec"});
  if (family == "nb101") return build_nb101(spec, f, weight_seed);
  if (family == "encdec") return build_encdec(spec, f, weight_seed);
  return build_mobile(spec, f, weight_seed);
}

std::vector<uint8_t> write_arch_tflite(const json& spec, uint64_t weight_seed, const std::string& context) {
  return w::write_model(arch_model_spec(spec, weight_seed, context));
}

}  // namespace hetsched::profiles
