// Writes .tflite flatbuffers from plain structs (our schema subset): for tests, fuzz seeds and
// generated models. Writes exactly what it is given, valid or not (bad indices, sizes, cycles).
#pragma once
#include <cstdint>
#include <string>
#include <variant>
#include <vector>

namespace hetsched::tflite_writer {

// Official TFLite numbers (tflite::BuiltinOperator / TensorType / ActivationFunctionType / Padding).
namespace op {
inline constexpr int kAdd = 0, kAveragePool2D = 1, kConcatenation = 2, kConv2D = 3, kDepthwiseConv2D = 4,
                     kDepthToSpace = 5, kDequantize = 6, kFullyConnected = 9, kLogistic = 14, kMaxPool2D = 17,
                     kMul = 18, kRelu = 19, kReluN1To1 = 20, kRelu6 = 21, kReshape = 22, kResizeBilinear = 23,
                     kSoftmax = 25, kTanh = 28, kCustom = 32, kPad = 34, kMean = 40, kSub = 41, kDiv = 42,
                     kStridedSlice = 45, kPrelu = 54, kTransposeConv = 67, kHardSwish = 117, kDensify = 124;
}
namespace dtype {
inline constexpr int kFloat32 = 0, kFloat16 = 1, kInt32 = 2, kUInt8 = 3, kInt64 = 4, kInt8 = 9;
}
namespace act {
inline constexpr int kNone = 0, kRelu = 1, kReluN1To1 = 2, kRelu6 = 3, kTanh = 4;
}
inline constexpr int kSame = 0, kValid = 1;

struct SparseDimSpec {
  bool sparse = false;
  int dense_size = 0;
  std::vector<int> segments, indices;
  int index_bits = 32;  // 8, 16 or 32: Uint8Vector, Uint16Vector or Int32Vector
};
struct SparsitySpec {
  std::vector<int> traversal_order, block_map;
  std::vector<SparseDimSpec> dims;
};

struct TensorSpec {
  std::vector<int> shape;
  int type = dtype::kFloat32;
  uint32_t buffer = 0;
  std::string name;
  bool has_sparsity = false;
  SparsitySpec sparsity;
  bool quantized = false;  // writes scale [1.0] / zero_point [0]
};

struct OpCodeSpec {
  int builtin = 0;
  std::string custom_code;
  int version = 1;
  bool deprecated_only = false;  // old files: only deprecated_builtin_code is set
};

struct ConvOptions { int padding = kSame, stride_w = 1, stride_h = 1, activation = act::kNone, dilation_w = 1, dilation_h = 1; };
struct DepthwiseOptions { int padding = kSame, stride_w = 1, stride_h = 1, depth_multiplier = 1, activation = act::kNone; };
struct PoolOptions { int padding = kValid, stride_w = 1, stride_h = 1, filter_w = 1, filter_h = 1, activation = act::kNone; };
struct FullyConnectedOptions { int activation = act::kNone; bool keep_num_dims = false; };
// AddOptions / SubOptions / MulOptions / DivOptions, chosen by `builtin`.
struct BinaryOptions { int builtin = op::kAdd; int activation = act::kNone; };
struct ConcatenationOptions { int axis = 3; int activation = act::kNone; };
struct ReducerOptions { bool keep_dims = false; };
struct ResizeBilinearOptions { bool align_corners = false, half_pixel_centers = false; };
struct TransposeConvOptions { int padding = kSame, stride_w = 1, stride_h = 1, activation = act::kNone; };
struct SoftmaxOptions { float beta = 1.0f; };
struct DepthToSpaceOptions { int block_size = 2; };
struct PadOptions {};

using OptionsSpec = std::variant<std::monostate, ConvOptions, DepthwiseOptions, PoolOptions, FullyConnectedOptions,
                                 BinaryOptions, ConcatenationOptions, ReducerOptions, ResizeBilinearOptions,
                                 TransposeConvOptions, SoftmaxOptions, DepthToSpaceOptions, PadOptions>;

struct OperatorSpec {
  uint32_t opcode_index = 0;
  std::vector<int> inputs, outputs;
  OptionsSpec options;
  std::vector<uint8_t> custom_options;
};

struct ModelSpec {
  std::vector<OpCodeSpec> opcodes;
  std::vector<TensorSpec> tensors;
  std::vector<std::vector<uint8_t>> buffers{{}};  // buffer 0: the empty sentinel
  std::vector<int> inputs, outputs;
  std::vector<OperatorSpec> ops;
  int extra_subgraphs = 0;  // empty subgraphs after subgraph 0

  // Helpers: each returns the new index.
  int add_opcode(int builtin, std::string custom_code = "");
  int add_buffer(std::vector<uint8_t> bytes);
  int add_tensor(std::vector<int> shape, std::string name, int type = dtype::kFloat32, uint32_t buffer = 0);
  int add_f32_constant(std::vector<int> shape, std::string name, const std::vector<float>& values);
  int add_f16_constant(std::vector<int> shape, std::string name, const std::vector<float>& values);
  int add_i32_constant(std::vector<int> shape, std::string name, const std::vector<int32_t>& values);
  // Adds an operator with a fresh opcode entry (or the existing one for the same code).
  int add_op(int builtin, std::vector<int> inputs, std::vector<int> outputs, OptionsSpec options = {},
             std::string custom_code = "", std::vector<uint8_t> custom_options = {});
};

std::vector<uint8_t> write_model(const ModelSpec& spec);

}  // namespace hetsched::tflite_writer
