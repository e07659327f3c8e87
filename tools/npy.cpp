// .npy I/O: parses the header dict ('descr', 'fortran_order', 'shape') and the raw data.
#include "tools/npy.h"

#include <cstdint>
#include <cstring>
#include <fstream>
#include <iterator>
#include <string_view>
#include <limits>
#include <algorithm>
#include <cerrno>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "base/error.h"

namespace hetsched::tools {

std::vector<int> parse_npy_shape(const std::string& dims, const std::string& path) {
  // "128, 128, 3" or "5," or "": every entry a non-negative decimal integer that fits an int. The
  // old parser took the digits of each entry, so (-1,128,128,3) read as [1,128,128,3].
  std::vector<int> shape;
  size_t at = 0;
  while (at <= dims.size()) {
    const size_t comma = std::min(dims.find(',', at), dims.size());
    std::string item = dims.substr(at, comma - at);
    const size_t b = item.find_first_not_of(" \t\n"), e = item.find_last_not_of(" \t\n");
    item = b == std::string::npos ? "" : item.substr(b, e - b + 1);
    if (!item.empty() && item.back() == 'L') item.pop_back();  // Python 2 longs
    if (item.empty()) {
      // Allowed only as the last entry: "5," (a 1-tuple) or "" (a scalar).
      if (comma < dims.size())
        fail(ErrorKind::kInvalidArgument, "'{}': .npy shape ({}) has an empty dimension", path, dims);
      break;
    }
    if (item.find_first_not_of("0123456789") != std::string::npos)
      fail(ErrorKind::kInvalidArgument, "'{}': .npy shape ({}) has dimension '{}', expected a non-negative integer",
           path, dims, item);
    if (item.size() > 10 || std::stoll(item) > std::numeric_limits<int>::max())
      fail(ErrorKind::kInvalidArgument, "'{}': .npy shape ({}) has dimension {}, larger than {}", path, dims, item,
           std::numeric_limits<int>::max());
    shape.push_back(int(std::stoll(item)));
    at = comma + 1;
  }
  return shape;
}

size_t npy_elements(const std::vector<int>& shape) {
  size_t count = 1;
  for (int d : shape) {
    if (d != 0 && count > kMaxNpyElements / size_t(d)) return kMaxNpyElements + 1;
    count *= size_t(d);
  }
  return count;
}

NpyArray read_npy(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  if (!f) fail(ErrorKind::kInvalidArgument, "cannot open input file '{}': {}", path, std::strerror(errno));
  std::vector<char> bytes;
  try {
    bytes.assign(std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>());
  } catch (const std::exception& e) {
    fail(ErrorKind::kInvalidArgument, "cannot read input file '{}': {}", path, e.what());
  }
  if (f.bad()) fail(ErrorKind::kInvalidArgument, "cannot read input file '{}' (a directory?)", path);
  return parse_npy(bytes, path);
}

NpyArray parse_npy(std::span<const char> bytes, const std::string& path) {
  if (bytes.size() < 10 || std::memcmp(bytes.data(), "\x93NUMPY", 6) != 0)
    fail(ErrorKind::kInvalidArgument, "'{}' is not a .npy file", path);
  const int major = static_cast<unsigned char>(bytes[6]);
  if (major < 1 || major > 3)
    fail(ErrorKind::kInvalidArgument, "'{}': .npy format version {} (expected 1, 2 or 3)", path, major);
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
  // The header is a Python dict literal; the three keys are found by hand (std::regex recursed once
  // per character and overflowed the stack on long headers).
  const auto value_of = [&](std::string_view key) -> std::string_view {
    const size_t k = header.find(key);
    if (k == std::string::npos) return {};
    size_t v = header.find_first_not_of(" \t", k + key.size());
    if (v == std::string::npos || header[v] != ':') return {};
    v = header.find_first_not_of(" \t", v + 1);
    return v == std::string::npos ? std::string_view() : std::string_view(header).substr(v);
  };
  const std::string_view descr = value_of("'descr'");
  const size_t descr_end = descr.size() > 1 && descr[0] == '\'' ? descr.find('\'', 1) : std::string_view::npos;
  if (descr_end == std::string_view::npos)
    fail(ErrorKind::kInvalidArgument, "'{}': .npy header has no descr (expected e.g. 'descr': '<f4')", path);
  a.dtype = std::string(descr.substr(1, descr_end - 1));
  if (value_of("'fortran_order'").starts_with("True"))
    fail(ErrorKind::kInvalidArgument, "'{}': Fortran-ordered arrays are not supported", path);
  const std::string_view shape = value_of("'shape'");
  const size_t shape_end = shape.size() > 1 && shape[0] == '(' ? shape.find(')') : std::string_view::npos;
  if (shape_end == std::string_view::npos)
    fail(ErrorKind::kInvalidArgument, "'{}': .npy header has no shape (expected e.g. 'shape': (1, 224, 224, 3))",
         path);
  a.shape = parse_npy_shape(std::string(shape.substr(1, shape_end - 1)), path);
  const size_t count = npy_elements(a.shape);
  if (count > kMaxNpyElements)
    fail(ErrorKind::kInvalidArgument, "'{}': .npy shape ({}) has more than 2^31 elements", path,
         fmt::join(a.shape, ","));
  if (a.dtype != "<f4") return a;
  const size_t data_at = header_at + header_len;
  if (bytes.size() - data_at != count * 4)
    fail(ErrorKind::kInvalidArgument, "'{}': holds {} data bytes, expected {} (shape ({}) of float32)", path,
         bytes.size() - data_at, count * 4, fmt::join(a.shape, ","));
  a.data.resize(count);
  if (count > 0) std::memcpy(a.data.data(), bytes.data() + data_at, count * 4);  // empty: data() may be null
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
