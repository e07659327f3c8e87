// Reading and writing NumPy .npy files (version 1.0/2.0, little-endian, C order) of float32.
#pragma once
#include <cstddef>
#include <span>
#include <string>
#include <vector>

namespace hetsched::tools {

struct NpyArray {
  std::string dtype;  // the descr, e.g. "<f4"
  std::vector<int> shape;
  std::vector<float> data;  // filled only when dtype is "<f4"
};

// Reads a .npy file; throws hetsched::Error (kInvalidArgument) naming the file on any problem.
NpyArray read_npy(const std::string& path);
// The same on bytes already read (`path` names them in errors); the fuzz target's entry point.
NpyArray parse_npy(std::span<const char> bytes, const std::string& path);

// The dimensions inside a .npy header's shape tuple ("1, 128, 128, 3"): non-negative integers
// that fit an int, or Error(kInvalidArgument) naming the file and the bad dimension.
std::vector<int> parse_npy_shape(const std::string& dims, const std::string& path);
// Element count of `shape`, saturated at kMaxNpyElements + 1 instead of overflowing.
inline constexpr size_t kMaxNpyElements = size_t(1) << 31;
size_t npy_elements(const std::vector<int>& shape);
void write_npy_f32(const std::string& path, const std::vector<int>& shape, const std::vector<float>& data);

}  // namespace hetsched::tools
