// hetsched CLI: run, info, devices, plan, compare, profile, gen-arch; --version. Errors: one line on stderr and a non-zero exit
// (1: the operation failed; 2: bad command line). A bare `hetsched` prints the usage line.
#include <fmt/format.h>

#include <exception>
#include <vector>

#include "base/error.h"
#include "tools/cli_text.h"
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
      hetsched::tools::add_gen_arch_command(app),
  };
  app.footer(hetsched::tools::help_footer());
  for (const auto& c : commands) c.app->footer(hetsched::tools::help_footer());
  app.set_version_flag("--version", [] { return hetsched::tools::version_text(); });
  if (argc <= 1) {
    fmt::print(stderr,
               "usage: hetsched <command> [options] MODEL   commands: run, compare, plan, info, devices, profile, gen-arch\n"
               "       hetsched --help | hetsched <command> --help | hetsched --version\n");
    return 2;
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    fmt::print(stderr, "hetsched: error: {}\n", e.what());
    return 2;
  }
  hetsched::tools::install_tuning_progress();
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
