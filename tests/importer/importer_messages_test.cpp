// Importer error messages that used to mislead: a constant of a tensor type hetsched does not read
// (a flipped type byte) named the byte counts "holds 3600 bytes, expected 0"; a directory given as
// the model threw std::bad_alloc.
#include <gtest/gtest.h>

#include <filesystem>

#include "base/error.h"
#include "graph/load_model.h"
#include "graph/tflite/model_writer.h"
#include "tests/support/expect_error.h"

namespace hetsched {
namespace {
namespace w = tflite_writer;

TEST(ImporterMessages, ConstantOfAnUnknownTensorTypeNamesTheType) {
  w::ModelSpec m;
  const int in = m.add_tensor({1, 1, 30, 30}, "input");
  std::vector<float> ones(900, 1.0f);
  const int k = m.add_f32_constant({1, 1, 30, 30}, "weights", ones);
  m.tensors[size_t(k)].type = 11;  // COMPLEX64: a FLOAT32 type byte flipped
  const int out = m.add_tensor({1, 1, 30, 30}, "output");
  m.add_op(w::op::kAdd, {in, k}, {out}, w::BinaryOptions{});
  m.inputs = {in};
  m.outputs = {out};
  for (int type : {11, 99}) {
    m.tensors[size_t(k)].type = type;
    const auto bytes = w::write_model(m);
    try {
      load_tflite_buffer(bytes, "flipped.tflite");
      ADD_FAILURE() << "type " << type << " was accepted";
    } catch (const Error& e) {
      const std::string msg = e.what();
      EXPECT_EQ(e.kind(), ErrorKind::kUnsupported) << msg;
      EXPECT_NE(msg.find("flipped.tflite"), std::string::npos) << msg;
      EXPECT_NE(msg.find("'weights'"), std::string::npos) << msg;
      EXPECT_NE(msg.find("tensor type " + std::to_string(type)), std::string::npos) << msg;
      EXPECT_EQ(msg.find("expected 0"), std::string::npos) << msg;
    }
  }
}

TEST(ImporterMessages, DirectoryAsTheModelIsNamed) {
  const auto dir = std::filesystem::temp_directory_path();
  test::expect_error_from([&] { load_tflite(dir.string()); }, ErrorKind::kInvalidArgument, {"is a directory"});
}

}  // namespace
}  // namespace hetsched
