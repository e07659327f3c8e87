// Serializes a ModelSpec with the flatbuffers builder of our schema subset.
#include "graph/tflite/model_writer.h"

#include <flatbuffers/flatbuffers.h>

#include <cstring>

#include "base/fp16.h"
#include "tflite_schema_generated.h"

namespace hetsched::tflite_writer {
namespace {

using flatbuffers::FlatBufferBuilder;
using flatbuffers::Offset;

template <typename T>
std::vector<uint8_t> bytes_of(const std::vector<T>& v) {
  std::vector<uint8_t> b(v.size() * sizeof(T));
  if (!b.empty()) std::memcpy(b.data(), v.data(), b.size());
  return b;
}

tflite::ActivationFunctionType A(int a) { return static_cast<tflite::ActivationFunctionType>(a); }
tflite::Padding P(int p) { return static_cast<tflite::Padding>(p); }

std::pair<tflite::SparseIndexVector, Offset<void>> index_vector(FlatBufferBuilder& b, const std::vector<int>& v,
                                                                 int bits) {
  if (bits == 8) {
    std::vector<uint8_t> x(v.begin(), v.end());
    return {tflite::SparseIndexVector::Uint8Vector, tflite::CreateUint8VectorDirect(b, &x).Union()};
  }
  if (bits == 16) {
    std::vector<uint16_t> x(v.begin(), v.end());
    return {tflite::SparseIndexVector::Uint16Vector, tflite::CreateUint16VectorDirect(b, &x).Union()};
  }
  return {tflite::SparseIndexVector::Int32Vector, tflite::CreateInt32VectorDirect(b, &v).Union()};
}

Offset<tflite::SparsityParameters> sparsity(FlatBufferBuilder& b, const SparsitySpec& s) {
  std::vector<Offset<tflite::DimensionMetadata>> dims;
  for (const SparseDimSpec& d : s.dims) {
    if (!d.sparse) {
      dims.push_back(tflite::CreateDimensionMetadata(b, tflite::DimensionType::DENSE, d.dense_size));
      continue;
    }
    auto seg = index_vector(b, d.segments, d.index_bits);
    auto idx = index_vector(b, d.indices, d.index_bits);
    dims.push_back(tflite::CreateDimensionMetadata(b, tflite::DimensionType::SPARSE_CSR, d.dense_size, seg.first,
                                                   seg.second, idx.first, idx.second));
  }
  return tflite::CreateSparsityParametersDirect(b, &s.traversal_order, s.block_map.empty() ? nullptr : &s.block_map,
                                                &dims);
}

std::pair<tflite::BuiltinOptions, Offset<void>> options(FlatBufferBuilder& b, const OptionsSpec& o) {
  using BO = tflite::BuiltinOptions;
  struct V {
    FlatBufferBuilder& b;
    std::pair<BO, Offset<void>> operator()(std::monostate) { return {BO::NONE, 0}; }
    std::pair<BO, Offset<void>> operator()(const ConvOptions& x) {
      return {BO::Conv2DOptions, tflite::CreateConv2DOptions(b, P(x.padding), x.stride_w, x.stride_h, A(x.activation),
                                                             x.dilation_w, x.dilation_h).Union()};
    }
    std::pair<BO, Offset<void>> operator()(const DepthwiseOptions& x) {
      return {BO::DepthwiseConv2DOptions,
              tflite::CreateDepthwiseConv2DOptions(b, P(x.padding), x.stride_w, x.stride_h, x.depth_multiplier,
                                                   A(x.activation)).Union()};
    }
    std::pair<BO, Offset<void>> operator()(const PoolOptions& x) {
      return {BO::Pool2DOptions, tflite::CreatePool2DOptions(b, P(x.padding), x.stride_w, x.stride_h, x.filter_w,
                                                             x.filter_h, A(x.activation)).Union()};
    }
    std::pair<BO, Offset<void>> operator()(const FullyConnectedOptions& x) {
      return {BO::FullyConnectedOptions,
              tflite::CreateFullyConnectedOptions(b, A(x.activation), tflite::FullyConnectedOptionsWeightsFormat::DEFAULT,
                                                  x.keep_num_dims).Union()};
    }
    std::pair<BO, Offset<void>> operator()(const BinaryOptions& x) {
      switch (x.builtin) {
        case op::kSub: return {BO::SubOptions, tflite::CreateSubOptions(b, A(x.activation)).Union()};
        case op::kMul: return {BO::MulOptions, tflite::CreateMulOptions(b, A(x.activation)).Union()};
        case op::kDiv: return {BO::DivOptions, tflite::CreateDivOptions(b, A(x.activation)).Union()};
        default: return {BO::AddOptions, tflite::CreateAddOptions(b, A(x.activation)).Union()};
      }
    }
    std::pair<BO, Offset<void>> operator()(const ConcatenationOptions& x) {
      return {BO::ConcatenationOptions, tflite::CreateConcatenationOptions(b, x.axis, A(x.activation)).Union()};
    }
    std::pair<BO, Offset<void>> operator()(const ReducerOptions& x) {
      return {BO::ReducerOptions, tflite::CreateReducerOptions(b, x.keep_dims).Union()};
    }
    std::pair<BO, Offset<void>> operator()(const ResizeBilinearOptions& x) {
      return {BO::ResizeBilinearOptions,
              tflite::CreateResizeBilinearOptions(b, x.align_corners, x.half_pixel_centers).Union()};
    }
    std::pair<BO, Offset<void>> operator()(const TransposeConvOptions& x) {
      return {BO::TransposeConvOptions,
              tflite::CreateTransposeConvOptions(b, P(x.padding), x.stride_w, x.stride_h, A(x.activation)).Union()};
    }
    std::pair<BO, Offset<void>> operator()(const SoftmaxOptions& x) {
      return {BO::SoftmaxOptions, tflite::CreateSoftmaxOptions(b, x.beta).Union()};
    }
    std::pair<BO, Offset<void>> operator()(const DepthToSpaceOptions& x) {
      return {BO::DepthToSpaceOptions, tflite::CreateDepthToSpaceOptions(b, x.block_size).Union()};
    }
    std::pair<BO, Offset<void>> operator()(const PadOptions&) {
      return {BO::PadOptions, tflite::CreatePadOptions(b).Union()};
    }
  };
  return std::visit(V{b}, o);
}

}  // namespace

int ModelSpec::add_opcode(int builtin, std::string custom_code) {
  for (size_t i = 0; i < opcodes.size(); ++i)
    if (opcodes[i].builtin == builtin && opcodes[i].custom_code == custom_code) return int(i);
  opcodes.push_back({builtin, std::move(custom_code)});
  return int(opcodes.size() - 1);
}

int ModelSpec::add_buffer(std::vector<uint8_t> bytes) {
  buffers.push_back(std::move(bytes));
  return int(buffers.size() - 1);
}

int ModelSpec::add_tensor(std::vector<int> shape, std::string name, int type, uint32_t buffer) {
  TensorSpec t;
  t.shape = std::move(shape);
  t.name = std::move(name);
  t.type = type;
  t.buffer = buffer;
  tensors.push_back(std::move(t));
  return int(tensors.size() - 1);
}

int ModelSpec::add_f32_constant(std::vector<int> shape, std::string name, const std::vector<float>& values) {
  return add_tensor(std::move(shape), std::move(name), dtype::kFloat32, uint32_t(add_buffer(bytes_of(values))));
}

int ModelSpec::add_f16_constant(std::vector<int> shape, std::string name, const std::vector<float>& values) {
  std::vector<uint16_t> h;
  for (float v : values) h.push_back(float_to_half(v));
  return add_tensor(std::move(shape), std::move(name), dtype::kFloat16, uint32_t(add_buffer(bytes_of(h))));
}

int ModelSpec::add_i32_constant(std::vector<int> shape, std::string name, const std::vector<int32_t>& values) {
  return add_tensor(std::move(shape), std::move(name), dtype::kInt32, uint32_t(add_buffer(bytes_of(values))));
}

int ModelSpec::add_op(int builtin, std::vector<int> in, std::vector<int> out, OptionsSpec opts,
                      std::string custom_code, std::vector<uint8_t> custom_options) {
  OperatorSpec o;
  o.opcode_index = uint32_t(add_opcode(builtin, std::move(custom_code)));
  o.inputs = std::move(in);
  o.outputs = std::move(out);
  o.options = std::move(opts);
  o.custom_options = std::move(custom_options);
  ops.push_back(std::move(o));
  return int(ops.size() - 1);
}

std::vector<uint8_t> write_model(const ModelSpec& s) {
  FlatBufferBuilder b;
  std::vector<Offset<tflite::OperatorCode>> codes;
  for (const OpCodeSpec& c : s.opcodes) {
    const int8_t deprecated = int8_t(c.builtin < 127 ? c.builtin : 127);
    codes.push_back(tflite::CreateOperatorCodeDirect(
        b, deprecated, c.custom_code.empty() ? nullptr : c.custom_code.c_str(), c.version,
        c.deprecated_only ? tflite::BuiltinOperator::ADD : static_cast<tflite::BuiltinOperator>(c.builtin)));
  }
  std::vector<Offset<tflite::Tensor>> tensors;
  for (const TensorSpec& t : s.tensors) {
    Offset<tflite::QuantizationParameters> q = 0;
    if (t.quantized) {
      std::vector<float> scale{1.0f};
      std::vector<int64_t> zero{0};
      q = tflite::CreateQuantizationParametersDirect(b, nullptr, nullptr, &scale, &zero);
    }
    Offset<tflite::SparsityParameters> sp = t.has_sparsity ? sparsity(b, t.sparsity) : 0;
    tensors.push_back(tflite::CreateTensorDirect(b, &t.shape, static_cast<tflite::TensorType>(t.type), t.buffer,
                                                 t.name.c_str(), q, false, sp));
  }
  std::vector<Offset<tflite::Operator>> ops;
  for (const OperatorSpec& o : s.ops) {
    auto opt = options(b, o.options);
    ops.push_back(tflite::CreateOperatorDirect(b, o.opcode_index, &o.inputs, &o.outputs, opt.first, opt.second,
                                               o.custom_options.empty() ? nullptr : &o.custom_options));
  }
  std::vector<Offset<tflite::SubGraph>> subgraphs;
  subgraphs.push_back(tflite::CreateSubGraphDirect(b, &tensors, &s.inputs, &s.outputs, &ops, "main"));
  for (int i = 0; i < s.extra_subgraphs; ++i) subgraphs.push_back(tflite::CreateSubGraphDirect(b));
  std::vector<Offset<tflite::Buffer>> buffers;
  for (const std::vector<uint8_t>& d : s.buffers) {
    b.ForceVectorAlignment(d.size(), sizeof(uint8_t), 16);
    buffers.push_back(tflite::CreateBuffer(b, d.empty() ? 0 : b.CreateVector(d)));
  }
  auto model = tflite::CreateModelDirect(b, 3, &codes, &subgraphs, "hetsched test model", &buffers);
  tflite::FinishModelBuffer(b, model);
  return {b.GetBufferPointer(), b.GetBufferPointer() + b.GetSize()};
}

}  // namespace hetsched::tflite_writer
