// Tensor import: dtypes, shapes and constant buffers of subgraph 0 (sparse buffers densified).
#include <flatbuffers/flatbuffers.h>

#include "base/error.h"
#include "graph/tflite/densify.h"
#include "graph/tflite/importer.h"
#include "tflite_schema_generated.h"

namespace hetsched::tflite_import {
namespace {

// Upper bound on any tensor's element count (activations too): 2^31, so byte sizes fit easily.
constexpr uint64_t kMaxElements = uint64_t(1) << 31;

DataType to_dtype(tflite::TensorType t) {
  switch (t) {
    case tflite::TensorType::FLOAT32: return DataType::kFloat32;
    case tflite::TensorType::FLOAT16: return DataType::kFloat16;
    case tflite::TensorType::INT32: return DataType::kInt32;
    case tflite::TensorType::INT64: return DataType::kInt64;
    case tflite::TensorType::UINT8: return DataType::kUInt8;
    case tflite::TensorType::INT8: return DataType::kInt8;
    case tflite::TensorType::INT16: return DataType::kInt16;
    case tflite::TensorType::BOOL: return DataType::kBool;
    default: return DataType::kUnknown;
  }
}

std::vector<int> index_vector(tflite::SparseIndexVector type, const void* v, const std::string& name) {
  std::vector<int> out;
  if (!v) fail(ErrorKind::kInvalidModel, "sparse tensor '{}': a sparse dimension has no index vector", name);
  switch (type) {
    case tflite::SparseIndexVector::Int32Vector:
      if (auto* x = static_cast<const tflite::Int32Vector*>(v)->values()) out.assign(x->begin(), x->end());
      break;
    case tflite::SparseIndexVector::Uint16Vector:
      if (auto* x = static_cast<const tflite::Uint16Vector*>(v)->values()) out.assign(x->begin(), x->end());
      break;
    case tflite::SparseIndexVector::Uint8Vector:
      if (auto* x = static_cast<const tflite::Uint8Vector*>(v)->values()) out.assign(x->begin(), x->end());
      break;
    default: fail(ErrorKind::kInvalidModel, "sparse tensor '{}': a sparse dimension has no index vector", name);
  }
  return out;
}

SparseLayout read_sparsity(const tflite::SparsityParameters& s, const std::string& name) {
  SparseLayout l;
  if (s.traversal_order()) l.traversal_order.assign(s.traversal_order()->begin(), s.traversal_order()->end());
  if (s.block_map()) l.block_map.assign(s.block_map()->begin(), s.block_map()->end());
  if (s.dim_metadata())
    for (const tflite::DimensionMetadata* m : *s.dim_metadata()) {
      SparseDimension d;
      d.sparse = m->format() == tflite::DimensionType::SPARSE_CSR;
      d.dense_size = m->dense_size();
      if (d.sparse) {
        d.segments = index_vector(m->array_segments_type(), m->array_segments(), name);
        d.indices = index_vector(m->array_indices_type(), m->array_indices(), name);
      }
      l.dims.push_back(std::move(d));
    }
  return l;
}

}  // namespace

std::vector<Tensor> import_tensors(const tflite::Model& model, const tflite::SubGraph& sg) {
  std::vector<Tensor> out;
  if (!sg.tensors()) return out;
  out.reserve(sg.tensors()->size());
  for (flatbuffers::uoffset_t i = 0; i < sg.tensors()->size(); ++i) {
    const tflite::Tensor& ft = *sg.tensors()->Get(i);
    Tensor t;
    t.name = ft.name() ? ft.name()->str() : "tensor_" + std::to_string(i);
    t.dtype = to_dtype(ft.type());
    if (ft.shape()) t.shape.assign(ft.shape()->begin(), ft.shape()->end());
    if (t.shape.size() > 4)
      fail(ErrorKind::kUnsupported, "tensor '{}' {} has rank {} (at most 4 is supported)", t.name, t.shape_string(),
           t.shape.size());
    uint64_t elements = 1;
    for (int d : t.shape) {
      if (d < 0) fail(ErrorKind::kUnsupported, "tensor '{}' {} has a dynamic dimension", t.name, t.shape_string());
      elements *= uint64_t(d);
      if (elements > kMaxElements)
        fail(ErrorKind::kUnsupported, "tensor '{}' {} has more than 2^31 elements", t.name, t.shape_string());
    }
    if (ft.is_variable()) fail(ErrorKind::kUnsupported, "tensor '{}' is a variable", t.name);
    const tflite::Buffer* buffer = ft.buffer() != 0 && model.buffers() ? model.buffers()->Get(ft.buffer()) : nullptr;
    if (buffer && buffer->offset() > 1)
      fail(ErrorKind::kUnsupported, "tensor '{}': buffers stored outside the flatbuffer (> 2 GB models) are not supported",
           t.name);
    const flatbuffers::Vector<uint8_t>* data = buffer ? buffer->data() : nullptr;
    if (data && data->size() > 0) {
      t.is_constant = true;
      const size_t esize = size_of(t.dtype);
      // A constant of a type we do not know cannot be sized (a flipped type byte used to surface
      // later as "holds 3600 bytes, expected 0").
      if (esize == 0) {
        const char* type_name = tflite::EnumNameTensorType(ft.type());
        fail(ErrorKind::kUnsupported,
             "constant tensor '{}' {} has TFLite tensor type {} ({}), which hetsched does not read (supported: "
             "FLOAT32, FLOAT16, INT32, INT64, UINT8, INT8, INT16, BOOL)",
             t.name, t.shape_string(), int(ft.type()), *type_name ? type_name : "not a known type");
      }
      std::span<const uint8_t> bytes(data->data(), data->size());
      if (ft.sparsity()) {
        if (esize == 0) fail(ErrorKind::kUnsupported, "sparse tensor '{}' has an unsupported dtype", t.name);
        t.data = densify(read_sparsity(*ft.sparsity(), t.name), t.shape, bytes, esize, t.name);
      } else {
        if (esize != 0 && bytes.size() != elements * esize)
          fail(ErrorKind::kInvalidModel, "tensor '{}' {} {} needs {} bytes, but buffer {} holds {}", t.name,
               t.shape_string(), to_string(t.dtype), elements * esize, ft.buffer(), bytes.size());
        t.data.assign(bytes.begin(), bytes.end());
      }
    }
    out.push_back(std::move(t));
  }
  return out;
}

}  // namespace hetsched::tflite_import
