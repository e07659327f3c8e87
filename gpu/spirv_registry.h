// SPIR-V shaders compiled from gpu/shaders/*.comp at build time and embedded in the library.
#pragma once
#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

namespace hetsched::gpu {
// The SPIR-V words of the shader whose file stem is `name`; empty if there is none.
std::span<const uint32_t> find_spirv(std::string_view name);
// Every embedded shader's name (for `hetsched devices` and tests).
std::vector<std::string_view> embedded_shader_names();
}  // namespace hetsched::gpu
