// File reading and error context (the model name) around the TFLite importer.
#include "graph/load_model.h"

#include <cstring>
#include <filesystem>
#include <fstream>
#include <vector>

#include "base/error.h"
#include "graph/passes/pipeline.h"
#include "graph/tflite/importer.h"

namespace hetsched {
namespace {

// Every importer message gets the model as context, once.
[[noreturn]] void rethrow_with_model(const Error& e, const std::string& model) {
  const std::string prefix = "model '" + model + "'";
  const std::string what = e.what();
  if (what.rfind(prefix, 0) == 0) throw e;
  throw Error(e.kind(), prefix + ": " + what);
}

}  // namespace

Graph load_tflite_buffer(std::span<const uint8_t> bytes, std::string model_name) {
  // Flatbuffers reads scalars in place: give it a 16-byte aligned copy if the caller's isn't.
  std::vector<uint8_t> aligned;
  if (reinterpret_cast<uintptr_t>(bytes.data()) % 16 != 0) {
    aligned.assign(bytes.begin(), bytes.end());
    bytes = aligned;
  }
  try {
    return tflite_import::import_model(bytes, model_name);
  } catch (const Error& e) {
    rethrow_with_model(e, model_name);
  }
}

Graph load_tflite(const std::string& path) {
  const std::string name = std::filesystem::path(path).filename().string();
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec))  // std::ifstream opens a directory, then reads a bogus size
    fail(ErrorKind::kInvalidArgument, "model '{}': '{}' is a directory, expected a .tflite file", name, path);
  std::ifstream f(path, std::ios::binary | std::ios::ate);
  if (!f) fail(ErrorKind::kInvalidArgument, "model '{}': cannot open '{}': {}", name, path, std::strerror(errno));
  const std::streamoff size = f.tellg();
  if (size < 0) fail(ErrorKind::kInvalidArgument, "model '{}': cannot read '{}'", name, path);
  std::vector<uint8_t> bytes(static_cast<size_t>(size));
  f.seekg(0);
  if (!f.read(reinterpret_cast<char*>(bytes.data()), size))
    fail(ErrorKind::kInvalidArgument, "model '{}': cannot read '{}'", name, path);
  return load_tflite_buffer(bytes, name);
}

Graph load_and_prepare(const std::string& path) {
  Graph g = load_tflite(path);
  try {
    prepare_graph(g);
  } catch (const Error& e) {
    rethrow_with_model(e, g.model_name);
  }
  return g;
}

}  // namespace hetsched
