// Tensor helpers: dtype names and sizes, element counts, typed access to constant data.
#include "graph/tensor.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "base/error.h"

namespace hetsched {

const char* to_string(DataType t) {
  switch (t) {
    case DataType::kFloat32: return "float32";
    case DataType::kFloat16: return "float16";
    case DataType::kInt32: return "int32";
    case DataType::kInt64: return "int64";
    case DataType::kUInt8: return "uint8";
    case DataType::kInt8: return "int8";
    case DataType::kInt16: return "int16";
    case DataType::kBool: return "bool";
    case DataType::kUnknown: return "unknown";
  }
  return "unknown";
}

size_t size_of(DataType t) {
  switch (t) {
    case DataType::kFloat32: case DataType::kInt32: return 4;
    case DataType::kFloat16: case DataType::kInt16: return 2;
    case DataType::kInt64: return 8;
    case DataType::kUInt8: case DataType::kInt8: case DataType::kBool: return 1;
    case DataType::kUnknown: return 0;
  }
  return 0;
}

size_t Tensor::elements() const {
  size_t n = 1;
  for (int d : shape) n *= size_t(d);
  return n;
}

std::span<const float> Tensor::f32() const {
  if (!is_constant || dtype != DataType::kFloat32)
    fail(ErrorKind::kInternal, "tensor '{}' is not a float32 constant ({}{})", name, to_string(dtype),
         is_constant ? "" : ", not constant");
  if (data.size() != elements() * 4)
    fail(ErrorKind::kInvalidModel, "tensor '{}' {} holds {} bytes, expected {}", name, shape_string(),
         data.size(), elements() * 4);
  return {reinterpret_cast<const float*>(data.data()), elements()};
}

std::string Tensor::shape_string() const { return fmt::format("[{}]", fmt::join(shape, ",")); }

}  // namespace hetsched
