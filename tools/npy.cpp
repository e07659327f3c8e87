// .npy I/O: parses the header dict ('descr', 'fortran_order', 'shape') and the raw data.
#include "tools/npy.h"

#include <cstdint>
#include <cstring>
#include <fstream>
#include <iterator>
#include <regex>

#include "graph/error.h"

namespace hetsched::tools {

NpyArray read_npy(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  if (!f) fail(ErrorKind::kInvalidArgument, "cannot open input file '{}'", path);
  std::vector<char> bytes((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  if (bytes.size() < 10 || std::memcmp(bytes.data(), "\x93NUMPY", 6) != 0)
    fail(ErrorKind::kInvalidArgument, "'{}' is not a .npy file", path);
  const int major = static_cast<unsigned char>(bytes[6]);
  size_t header_len, header_at;
  if (major == 1) {
    header_len = uint8_t(bytes[8]) | (uint8_t(bytes[9]) << 8);
    header_at = 10;
  } else {
    if (bytes.size() < 12) fail(ErrorKind::kInvalidArgument, "'{}': truncated .npy header", path);
    header_len = uint32_t(uint8_t(bytes[8])) | (uint32_t(uint8_t(bytes[9])) << 8) |
                 (uint32_t(uint8_t(bytes[10])) << 16) | (uint32_t(uint8_t(bytes[11])) << 24);
    header_at = 12;
  }
  if (header_at + header_len > bytes.size()) fail(ErrorKind::kInvalidArgument, "'{}': truncated .npy header", path);
  const std::string header(bytes.data() + header_at, header_len);
  NpyArray a;
  std::smatch m;
  if (!std::regex_search(header, m, std::regex("'descr'\\s*:\\s*'([^']*)'")))
    fail(ErrorKind::kInvalidArgument, "'{}': .npy header has no descr", path);
  a.dtype = m[1];
  if (std::regex_search(header, m, std::regex("'fortran_order'\\s*:\\s*True")))
    fail(ErrorKind::kInvalidArgument, "'{}': Fortran-ordered arrays are not supported", path);
  if (!std::regex_search(header, m, std::regex("'shape'\\s*:\\s*\\(([^)]*)\\)")))
    fail(ErrorKind::kInvalidArgument, "'{}': .npy header has no shape", path);
  const std::string dims = m[1];
  std::regex num("\\d+");
  size_t count = 1;
  for (auto it = std::sregex_iterator(dims.begin(), dims.end(), num); it != std::sregex_iterator(); ++it) {
    a.shape.push_back(std::stoi(it->str()));
    count *= size_t(a.shape.back());
  }
  if (a.dtype != "<f4") return a;
  const size_t data_at = header_at + header_len;
  if (bytes.size() - data_at < count * 4)
    fail(ErrorKind::kInvalidArgument, "'{}': holds {} data bytes, expected {}", path, bytes.size() - data_at, count * 4);
  a.data.resize(count);
  std::memcpy(a.data.data(), bytes.data() + data_at, count * 4);
  return a;
}

void write_npy_f32(const std::string& path, const std::vector<int>& shape, const std::vector<float>& data) {
  std::string dims;
  for (int d : shape) dims += std::to_string(d) + ",";
  if (shape.size() > 1) dims.pop_back();
  std::string header = "{'descr': '<f4', 'fortran_order': False, 'shape': (" + dims + "), }";
  while ((10 + header.size() + 1) % 64 != 0) header += ' ';
  header += '\n';
  std::ofstream f(path, std::ios::binary);
  if (!f) fail(ErrorKind::kInvalidArgument, "cannot write output file '{}'", path);
  const uint16_t len = uint16_t(header.size());
  f.write("\x93NUMPY\x01\x00", 8);
  f.put(char(len & 0xff));
  f.put(char(len >> 8));
  f.write(header.data(), std::streamsize(header.size()));
  f.write(reinterpret_cast<const char*>(data.data()), std::streamsize(data.size() * 4));
  if (!f) fail(ErrorKind::kInvalidArgument, "failed writing output file '{}'", path);
}

}  // namespace hetsched::tools
