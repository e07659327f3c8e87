// The CLI's subcommands: each file adds one to the app and runs it when selected.
#pragma once
#include <CLI/CLI.hpp>

#include <functional>

namespace hetsched::tools {

// A subcommand and what runs when it is selected (returns the process exit code).
struct Command {
  CLI::App* app;
  std::function<int()> run;
};
Command add_run_command(CLI::App& app);
Command add_info_command(CLI::App& app);
Command add_devices_command(CLI::App& app);
Command add_plan_command(CLI::App& app);
Command add_compare_command(CLI::App& app);
Command add_profile_command(CLI::App& app);
Command add_gen_arch_command(CLI::App& app);

}  // namespace hetsched::tools
