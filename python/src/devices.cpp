// hetsched._hetsched.devices_json(): the Vulkan device listing of `hetsched devices --json`.
#include <nanobind/nanobind.h>
#include <nanobind/stl/string.h>

#include "bindings.h"
#include "gpu/device_info.h"

namespace nb = nanobind;

namespace hetsched::python {

void bind_devices(nb::module_& m) {
  m.def(
      "devices_json",
      [] {
        nb::gil_scoped_release release;
        return gpu::format_device_list(gpu::list_devices(), gpu::ListFormat::kJson);
      },
      "`hetsched devices --json`; raises DeviceUnavailableError when there is no Vulkan device");
}

}  // namespace hetsched::python
