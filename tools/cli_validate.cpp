// Shared command-line validators (see cli_validate.h).
#include "tools/cli_validate.h"

#include <fmt/format.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <system_error>

#include "base/error.h"
#include "gpu/device_info.h"

namespace hetsched::tools {
namespace fs = std::filesystem;

std::string threads_error(int threads) {
  if (threads >= 0 && threads <= kMaxThreads) return "";
  return fmt::format("--threads must be 0 (all hardware threads) or 1..{} (got {})", kMaxThreads, threads);
}

CLI::Option* add_threads_option(CLI::App* app, int& threads) {
  return app
      ->add_option("--threads", threads, fmt::format("CPU threads: 0 = all hardware threads, else 1..{}", kMaxThreads))
      ->check(CLI::Validator(
          [](std::string& s) {
            int v = 0;
            try {
              size_t used = 0;
              v = std::stoi(s, &used);
              if (used != s.size()) throw std::invalid_argument(s);
            } catch (const std::exception&) {
              return fmt::format("--threads must be an integer 0..{} (got '{}')", kMaxThreads, s);
            }
            return threads_error(v);
          },
          fmt::format("0..{}", kMaxThreads), "threads"))
      ->capture_default_str();
}

CLI::Option* add_device_option(CLI::App* app, int& device) {
  return app->add_option("--device", device, "Vulkan device index >= 0 (see `hetsched devices`); default: the best")
      ->check(CLI::Validator(
          [](std::string& s) -> std::string {
            try {
              size_t used = 0;
              const int v = std::stoi(s, &used);
              if (used == s.size() && v >= 0) return "";
            } catch (const std::exception&) {
            }
            return fmt::format("--device must be a device index >= 0 (got '{}'; leave it out for the best device)", s);
          },
          "INDEX>=0", "device"));
}

void add_session_options(CLI::App* app, SessionArgs& args, const std::string& policy_help) {
  app->add_option("model", args.model, "the .tflite model")->required();
  app->add_option("--policy", args.policy, policy_help)->capture_default_str();
  add_threads_option(app, args.threads);
  add_device_option(app, args.device);
}

void check_device_index(int device) {
  if (device < 0) return;
  const auto devices = gpu::list_devices();
  if (device >= int(devices.size()))
    fail(ErrorKind::kInvalidArgument, "--device {} is out of range: {} Vulkan device(s) (see `hetsched devices`)",
         device, devices.size());
}

void check_readable_file(const std::string& path, const std::string& what) {
  std::error_code ec;
  const auto st = fs::status(path, ec);
  if (!fs::exists(st)) fail(ErrorKind::kInvalidArgument, "{} '{}' does not exist", what, path);
  if (fs::is_directory(st))
    fail(ErrorKind::kInvalidArgument, "{} '{}' is a directory, expected a file", what, path);
  if (!fs::is_regular_file(st))
    fail(ErrorKind::kInvalidArgument, "{} '{}' is not a regular file", what, path);
  if (::access(path.c_str(), R_OK) != 0)
    fail(ErrorKind::kInvalidArgument, "{} '{}' cannot be read: {}", what, path, std::strerror(errno));
}

void check_writable_file(const std::string& path, const std::string& what) {
  std::error_code ec;
  const fs::path p(path);
  if (fs::is_directory(p, ec))
    fail(ErrorKind::kInvalidArgument, "{} '{}' is a directory, expected a file path", what, path);
  const fs::path dir = p.has_parent_path() ? p.parent_path() : fs::path(".");
  if (!fs::is_directory(dir, ec))
    fail(ErrorKind::kInvalidArgument, "{} '{}': directory '{}' does not exist", what, path, dir.string());
  if (fs::exists(p, ec) ? ::access(path.c_str(), W_OK) != 0 : ::access(dir.c_str(), W_OK | X_OK) != 0)
    fail(ErrorKind::kInvalidArgument, "{} '{}' cannot be written: {}", what, path, std::strerror(errno));
}

void prepare_output_dir(const std::string& dir, const std::string& what) {
  std::error_code ec;
  if (fs::exists(dir, ec) && !fs::is_directory(dir, ec))
    fail(ErrorKind::kInvalidArgument, "{} '{}' exists and is not a directory", what, dir);
  fs::create_directories(dir, ec);
  if (ec) fail(ErrorKind::kInvalidArgument, "{} '{}' cannot be created: {}", what, dir, ec.message());
  if (::access(dir.c_str(), W_OK | X_OK) != 0)
    fail(ErrorKind::kInvalidArgument, "{} '{}' is not writable: {}", what, dir, std::strerror(errno));
}

}  // namespace hetsched::tools
