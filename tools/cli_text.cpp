// CLI texts and the tuning progress printer (see cli_text.h).
#include "tools/cli_text.h"

#include <fmt/format.h>
#include <hwy/targets.h>
#include <unistd.h>
#include <vulkan/vulkan.h>

#include <chrono>
#include <cstdio>
#include <memory>
#include <mutex>

#include "base/error.h"
#include "cpu/simd/simd_target.h"
#include "git_commit.h"
#include "gpu/device_info.h"
#include "gpu/workgroup_tuning.h"

namespace hetsched::tools {

std::string version_text() {
  std::string simd;
  for (int64_t t : cpu::simd_compiled_targets())
    simd += fmt::format("{}{}", simd.empty() ? "" : ", ", hwy::TargetName(t));
  uint32_t loader = VK_API_VERSION_1_0;
  std::string vk = "Vulkan loader ";
  // vkEnumerateInstanceVersion exists from loader 1.1 on; a 1.0 loader lacks the entry point.
  auto enumerate = reinterpret_cast<PFN_vkEnumerateInstanceVersion>(
      vkGetInstanceProcAddr(VK_NULL_HANDLE, "vkEnumerateInstanceVersion"));
  if (enumerate && enumerate(&loader) == VK_SUCCESS)
    vk += fmt::format("{}.{}.{}", VK_API_VERSION_MAJOR(loader), VK_API_VERSION_MINOR(loader),
                      VK_API_VERSION_PATCH(loader));
  else
    vk += "1.0 (or none)";
  return fmt::format(
      "hetsched {} (git {})\n"
      "CPU SIMD    {} here (compiled and supported: {}; Highway dynamic dispatch)\n"
      "Vulkan      {}, headers {}.{}.{}",
      HETSCHED_VERSION, HETSCHED_GIT_COMMIT, cpu::simd_target_name(), simd, vk,
      VK_API_VERSION_MAJOR(VK_HEADER_VERSION_COMPLETE), VK_API_VERSION_MINOR(VK_HEADER_VERSION_COMPLETE),
      VK_API_VERSION_PATCH(VK_HEADER_VERSION_COMPLETE));
}

std::string help_footer() {
  return R"(Policies (--policy):
  cpu, gpu (ops without a GPU kernel run on the CPU), auto (measured choice of CPU, GPU or a plan),
  ratio=R[:rows] (R in [0, 1] is the CPU's share: the CPU computes the first R of every split op's
  output slices, or rows with :rows; the GPU the rest), plan=FILE (from `hetsched plan --save`).
Inputs: --input .npy files (float32, the model's shape), else uniform random in [-1, 1] from --seed
  (printed in the summary so a run can be repeated).
Environment:
  HETSCHED_CACHE_DIR   where pipeline, workgroup-tuning and op-profile caches live
                       (default $HOME/.cache/hetsched, else <temp dir>/hetsched-cache)
  HETSCHED_BUSY_LOAD   1-minute load average above which tuning/profile timings are not saved
                       (default 2 x cores + 1)
  HETSCHED_FUSE_ELEMENTWISE=0   do not fuse elementwise ops into epilogues (debugging)
  VK_ICD_FILENAMES, VK_LOADER_DEBUG   the Vulkan loader's own (which driver, loader logging)
Exit codes: 0 success; 1 the operation failed (one `hetsched: error:` line names the model, op,
  tensor or file); 2 bad command line.)";
}

void install_tuning_progress() {
  const bool tty = ::isatty(STDERR_FILENO) != 0;
  struct State {
    std::mutex mutex;
    std::chrono::steady_clock::time_point last{};
    bool shown = false;
  };
  auto state = std::make_shared<State>();
  gpu::set_tuning_progress([tty, state](const gpu::TuningProgress& p) {
    std::lock_guard lock(state->mutex);
    const auto now = std::chrono::steady_clock::now();
    const bool end = p.done >= p.total;
    if (end) {
      if (state->shown) {
        if (tty) fmt::print(stderr, "\r\033[K");
        else fmt::print(stderr, "tuning done for {}: {} of {} kernels timed now, {:.1f} s\n", p.model, p.timed,
                        p.total, p.elapsed_ms / 1000);
        std::fflush(stderr);
      }
      state->shown = false;
      return;
    }
    if (p.elapsed_ms < 1000) return;  // quick tuning stays silent
    const auto gap = tty ? std::chrono::milliseconds(100) : std::chrono::milliseconds(1000);
    if (state->shown && now - state->last < gap) return;
    state->last = now;
    state->shown = true;
    if (tty)
      fmt::print(stderr, "\r\033[Ktuning {}/{} kernels of {}... ({} timed, {:.1f} s)", p.done, p.total, p.model,
                 p.timed, p.elapsed_ms / 1000);
    else
      fmt::print(stderr, "tuning {}/{} kernels of {}... ({} timed, {:.1f} s)\n", p.done, p.total, p.model, p.timed,
                 p.elapsed_ms / 1000);
    std::fflush(stderr);
  });
}

std::string describe_vulkan_device(int device) {
  try {
    const auto devices = gpu::list_devices();
    const int i = gpu::select_device(devices, device);
    const gpu::DeviceInfo& d = devices[size_t(i)];
    return fmt::format("Vulkan device {} ({}, {})", d.index, d.name, d.driver_name);
  } catch (const Error& e) {
    return fmt::format("no Vulkan device: {}", e.what());
  }
}

}  // namespace hetsched::tools
