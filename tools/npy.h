// Reading and writing NumPy .npy files (version 1.0/2.0, little-endian, C order) of float32.
#pragma once
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
void write_npy_f32(const std::string& path, const std::vector<int>& shape, const std::vector<float>& data);

}  // namespace hetsched::tools
