// Command-line validation shared by every subcommand: one definition of what --threads and
// --device accept (and of the model/policy/threads/device options of the session commands), and checks of input/output paths made before any work starts (a bad --report
// path must fail before the first iteration, not after the last).
#pragma once
#include <CLI/CLI.hpp>

#include <string>

#include "scheduler/session.h"

namespace hetsched::tools {

// --threads: 0 (all hardware threads) or 1..kMaxThreads, the library's bound (scheduler/session.h).
using hetsched::kMaxThreads;

// Adds `--threads` with the shared validator (same text and bounds in run, plan, ...).
CLI::Option* add_threads_option(CLI::App* app, int& threads);
// Adds `--device`: a Vulkan device index >= 0 (see `hetsched devices`); left out, -1 = the best
// device. A negative value given on the command line is refused (it used to mean "best").
CLI::Option* add_device_option(CLI::App* app, int& device);

// What every command that opens sessions on a model takes first (run, plan): the model file and
// where it runs. A command's args struct derives from it and sets its own default policy.
struct SessionArgs {
  std::string model;
  std::string policy;
  int threads = 0;
  int device = -1;
};
// Adds them in this order: the `model` positional (required), --policy (`policy_help`, default
// shown), --threads and --device (add_threads_option, add_device_option).
void add_session_options(CLI::App* app, SessionArgs& args, const std::string& policy_help);

// The text of the error for a bad thread count, or "" when `threads` is valid.
std::string threads_error(int threads);

// When `device` >= 0 (given on the command line): throws Error(kInvalidArgument) unless the index
// names one of the Vulkan devices (checked for every policy, also those that never use the GPU).
void check_device_index(int device);

// Throws Error(kInvalidArgument) naming the option and path unless `path` names a regular file
// that can be read (`what`: "model", "--input", ...).
void check_readable_file(const std::string& path, const std::string& what);
// Throws Error(kInvalidArgument) unless a file can be written at `path`: its directory exists and
// is writable, and `path` is not a directory (nothing is created).
void check_writable_file(const std::string& path, const std::string& what);
// Creates `dir` when missing; throws Error(kInvalidArgument) unless it is a writable directory.
void prepare_output_dir(const std::string& dir, const std::string& what);

}  // namespace hetsched::tools
