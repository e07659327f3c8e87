// What the CLI says besides results: `hetsched --version`, the usage line of a bare `hetsched`,
// the --help footer (environment variables, exit codes, policies, inputs), the tuning progress
// line on stderr, and the name of the Vulkan device a run uses.
#pragma once
#include <string>

namespace hetsched::tools {

// "hetsched 0.1.0 (git abc123)", the CPU SIMD targets, the Vulkan loader version.
std::string version_text();
// The footer of `hetsched --help`.
std::string help_footer();
// Installs the tuning progress observer (gpu::set_tuning_progress): "tuning 37/103 kernels..." on
// stderr, redrawn in place at most 10 times a second when stderr is a terminal, else a line at
// most once a second after the first second; nothing for tuning that ends within a second.
void install_tuning_progress();
// "Vulkan device 0 (llvmpipe ...)" for `device` (-1: the best), or "no Vulkan device: <why>".
std::string describe_vulkan_device(int device);

}  // namespace hetsched::tools
