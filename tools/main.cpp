// hetsched CLI: run, info (and more subcommands as the project grows). Errors: one line on
// stderr and a non-zero exit (1: the operation failed; 2: bad command line).
#include <fmt/format.h>

#include <exception>
#include <vector>

#include "graph/error.h"
#include "tools/commands.h"

int main(int argc, char** argv) {
  CLI::App app{"hetsched: TFLite inference on the CPU and the Vulkan GPU at the same time"};
  app.require_subcommand(1);
  const std::vector<hetsched::tools::Command> commands = {
      hetsched::tools::add_run_command(app),
      hetsched::tools::add_info_command(app),
      hetsched::tools::add_devices_command(app),
      hetsched::tools::add_plan_command(app),
      hetsched::tools::add_compare_command(app),
      hetsched::tools::add_profile_command(app),
  };
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    fmt::print(stderr, "hetsched: error: {}\n", e.what());
    return 2;
  }
  try {
    for (const auto& c : commands)
      if (c.app->parsed()) return c.run();
  } catch (const hetsched::Error& e) {
    fmt::print(stderr, "hetsched: error: {}\n", e.what());
    return 1;
  } catch (const std::exception& e) {
    fmt::print(stderr, "hetsched: error: {}\n", e.what());
    return 1;
  }
  return 2;
}
