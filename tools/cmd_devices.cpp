// `hetsched devices`: lists the Vulkan devices with their type, driver, limits, memory types and
// the features hetsched uses; marks the one a run would pick.
#include <fmt/format.h>

#include "gpu/device_info.h"
#include "tools/commands.h"

namespace hetsched::tools {

Command add_devices_command(CLI::App& app) {
  auto json = std::make_shared<bool>(false);
  CLI::App* c = app.add_subcommand("devices", "List the Vulkan devices and the features hetsched uses");
  c->add_flag("--json", *json, "print as JSON");
  return {c, [json] {
            const auto devices = gpu::list_devices();
            fmt::print("{}", gpu::format_device_list(devices, *json ? gpu::ListFormat::kJson : gpu::ListFormat::kText));
            return 0;
          }};
}

}  // namespace hetsched::tools
