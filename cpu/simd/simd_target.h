// The SIMD instruction set the CPU kernels run on this processor (chosen at run time by Highway's
// dynamic dispatch: AVX-512, AVX2+FMA, SSE4 or the portable fallback).
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace hetsched::cpu {

// Highway's name of the target the kernels dispatch to here, e.g. "AVX3", "AVX2", "EMU128".
std::string simd_target_name();
// The Highway targets the CPU kernels are compiled for that this processor supports, best first
// (tests mock each in turn with hwy::SetSupportedTargetsForTest to run every path).
std::vector<int64_t> simd_compiled_targets();

}  // namespace hetsched::cpu
