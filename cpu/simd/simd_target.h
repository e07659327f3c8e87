// The SIMD instruction set the CPU kernels run on this processor (chosen at run time by Highway's
// dynamic dispatch: AVX-512, AVX2+FMA, SSE4 or the portable fallback).
#pragma once
#include <string>

namespace hetsched::cpu {

// Highway's name of the target the kernels dispatch to here, e.g. "AVX3", "AVX2", "EMU128".
std::string simd_target_name();

}  // namespace hetsched::cpu
