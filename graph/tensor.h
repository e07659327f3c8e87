// A tensor of the model IR: name, dtype, logical shape (the model's, any rank <= 4 after import)
// and, for constants, its data. After load-time folding every constant used by a kernel is float32.
#pragma once
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "graph/phwc4.h"

namespace hetsched {

enum class DataType { kFloat32, kFloat16, kInt32, kInt64, kUInt8, kInt8, kInt16, kBool, kUnknown };

const char* to_string(DataType t);
size_t size_of(DataType t);  // bytes per element; 0 for kUnknown

struct Tensor {
  std::string name;
  DataType dtype = DataType::kFloat32;
  std::vector<int> shape;     // the model's logical shape (NHWC for rank 4)
  std::vector<uint8_t> data;  // constant data (raw little-endian bytes); empty for activations
  bool is_constant = false;

  size_t elements() const;
  Shape4 shape4() const { return to_shape4(shape); }
  std::span<const float> f32() const;  // constant float32 data; throws if not float32 const
  std::string shape_string() const;    // "[1,224,224,3]"
};

}  // namespace hetsched
