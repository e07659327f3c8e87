// The .npy reader refuses what it used to misread (a negative dimension read as its digits, a huge
// one thrown out of std::stoi), names the file in every error, and round-trips what it writes;
// the shared --threads/--device/output-path validators of the CLI (tools/cli_validate.h).
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "base/error.h"
#include "gpu/device_info.h"
#include "tools/cli_validate.h"
#include "tools/npy.h"

namespace hetsched::tools {
namespace {
namespace fs = std::filesystem;

// A version 1.0 .npy with header dict `dict` and `data_bytes` zero bytes of data.
std::string npy_bytes(const std::string& dict, size_t data_bytes) {
  std::string header = dict;
  while ((10 + header.size() + 1) % 64 != 0) header += ' ';
  header += '\n';
  std::string out("\x93NUMPY\x01\x00", 8);
  out += char(header.size() & 0xff);
  out += char(header.size() >> 8);
  return out + header + std::string(data_bytes, '\0');
}

std::string error_of(const std::string& bytes) {
  try {
    parse_npy(std::span<const char>(bytes.data(), bytes.size()), "x.npy");
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kInvalidArgument);
    return e.what();
  }
  return "";
}

TEST(Npy, NegativeDimensionIsRefusedNotReadAsItsDigits) {
  const std::string m = error_of(
      npy_bytes("{'descr': '<f4', 'fortran_order': False, 'shape': (-1, 128, 128, 3), }", 128 * 128 * 3 * 4));
  EXPECT_NE(m.find("x.npy"), std::string::npos) << m;
  EXPECT_NE(m.find("'-1'"), std::string::npos) << m;
}

TEST(Npy, HugeDimensionIsAClearErrorNotStoi) {
  const std::string m =
      error_of(npy_bytes("{'descr': '<f4', 'fortran_order': False, 'shape': (99999999999999999999,), }", 0));
  EXPECT_NE(m.find("x.npy"), std::string::npos) << m;
  EXPECT_NE(m.find("larger than"), std::string::npos) << m;
  const std::string m2 = error_of(npy_bytes("{'descr': '<f4', 'fortran_order': False, 'shape': (65536, 65536, 4), }", 0));
  EXPECT_NE(m2.find("2^31"), std::string::npos) << m2;
}

TEST(Npy, DataSizeMustMatchTheShape) {
  const std::string dict = "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }";
  EXPECT_NE(error_of(npy_bytes(dict, 20)).find("expected 24"), std::string::npos);
  EXPECT_NE(error_of(npy_bytes(dict, 28)).find("expected 24"), std::string::npos);
  EXPECT_EQ(error_of(npy_bytes(dict, 24)), "");
  EXPECT_NE(error_of(npy_bytes("{'descr': '<f4', 'shape': (2,,3), }", 24)).find("empty dimension"), std::string::npos);
  EXPECT_NE(error_of(npy_bytes("{'descr': '<f4', 'shape': (2, x), }", 24)).find("'x'"), std::string::npos);
  EXPECT_NE(error_of(std::string("\x93NUMPY\x07\x00\x00\x00", 10)).find("version 7"), std::string::npos);
}

// Found by fuzz_npy: a shape with a 0 dimension passed a null pointer to memcpy (UBSan).
TEST(Npy, EmptyArrayIsFine) {
  const std::string bytes = npy_bytes("{'descr': '<f4', 'fortran_order': False, 'shape': (3, 0), }", 0);
  const NpyArray a = parse_npy(std::span<const char>(bytes.data(), bytes.size()), "empty.npy");
  EXPECT_EQ(a.shape, (std::vector<int>{3, 0}));
  EXPECT_TRUE(a.data.empty());
}

TEST(Npy, RoundTripAndDirectoryErrors) {
  const fs::path dir = fs::temp_directory_path() / "hetsched_npy_test";
  fs::remove_all(dir);
  fs::create_directories(dir);
  const std::string file = (dir / "a.npy").string();
  write_npy_f32(file, {1, 2, 3}, {1, 2, 3, 4, 5, 6});
  const NpyArray a = read_npy(file);
  EXPECT_EQ(a.dtype, "<f4");
  EXPECT_EQ(a.shape, (std::vector<int>{1, 2, 3}));
  EXPECT_EQ(a.data, (std::vector<float>{1, 2, 3, 4, 5, 6}));
  try {
    read_npy(dir.string());
    FAIL() << "a directory was read as a .npy";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find(dir.string()), std::string::npos) << e.what();
  }
  fs::remove_all(dir);
}

TEST(CliValidate, ThreadsBoundedWithOneMessage) {
  EXPECT_EQ(threads_error(0), "");
  EXPECT_EQ(threads_error(1), "");
  EXPECT_EQ(threads_error(kMaxThreads), "");
  for (int bad : {-1, kMaxThreads + 1, 70000, 100000}) {
    const std::string m = threads_error(bad);
    EXPECT_NE(m.find("--threads"), std::string::npos) << bad;
    EXPECT_LT(m.size(), 120u) << m;  // no 300-digit bound
  }
  // The CLI11 option the subcommands share refuses the same values.
  for (const char* bad : {"-1", "70000", "abc", "2.5", "99999999999999"}) {
    CLI::App app;
    int threads = 0;
    add_threads_option(&app, threads);
    EXPECT_THROW(app.parse(std::vector<std::string>{bad, "--threads"}), CLI::ParseError) << bad;
  }
  CLI::App app;
  int threads = 0;
  add_threads_option(&app, threads);
  app.parse(std::vector<std::string>{"8", "--threads"});
  EXPECT_EQ(threads, 8);
}

TEST(CliValidate, DeviceIndexNegativeRefused) {
  for (const char* bad : {"-5", "-1", "x"}) {
    CLI::App app;
    int device = -1;
    add_device_option(&app, device);
    EXPECT_THROW(app.parse(std::vector<std::string>{bad, "--device"}), CLI::ParseError) << bad;
  }
  CLI::App app;
  int device = -1;
  add_device_option(&app, device);
  app.parse(std::vector<std::string>{});
  EXPECT_EQ(device, -1);  // left out: the best device
}

// The library refuses what the CLI refuses: -1 alone means "the best device" (-5 used to as well).
TEST(CliValidate, SelectDeviceRefusesNegativeIndicesOtherThanMinusOne) {
  std::vector<gpu::DeviceInfo> devices(1);
  devices[0].usable = true;
  devices[0].name = "fake";
  EXPECT_EQ(gpu::select_device(devices, -1), 0);
  EXPECT_EQ(gpu::select_device(devices, 0), 0);
  for (int bad : {-5, -2, 1}) {
    try {
      gpu::select_device(devices, bad);
      ADD_FAILURE() << bad << " was accepted";
    } catch (const Error& e) {
      EXPECT_EQ(e.kind(), ErrorKind::kInvalidArgument) << e.what();
    }
  }
}

TEST(CliValidate, OutputPathsCheckedUpFront) {
  const fs::path dir = fs::temp_directory_path() / "hetsched_cli_validate_test";
  fs::remove_all(dir);
  fs::create_directories(dir);
  EXPECT_NO_THROW(check_writable_file((dir / "r.csv").string(), "--report file"));
  EXPECT_FALSE(fs::exists(dir / "r.csv"));  // checking creates nothing
  EXPECT_THROW(check_writable_file(dir.string(), "--report file"), Error);
  EXPECT_THROW(check_writable_file((dir / "missing" / "r.csv").string(), "--trace file"), Error);
  std::ofstream(dir / "file") << "x";
  EXPECT_THROW(prepare_output_dir((dir / "file").string(), "--output-dir"), Error);
  EXPECT_THROW(prepare_output_dir((dir / "file" / "sub").string(), "--output-dir"), Error);
  EXPECT_NO_THROW(prepare_output_dir((dir / "out" / "sub").string(), "--output-dir"));
  EXPECT_TRUE(fs::is_directory(dir / "out" / "sub"));
  try {
    check_readable_file(dir.string(), "model file");
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("is a directory"), std::string::npos) << e.what();
  }
  fs::remove_all(dir);
}

}  // namespace
}  // namespace hetsched::tools
