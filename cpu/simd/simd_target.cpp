// Reports which Highway target the dynamically dispatched CPU kernels use on this processor.
#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "cpu/simd/simd_target.cpp"
#include "hwy/foreach_target.h"  // IWYU pragma: keep
#include "hwy/highway.h"

HWY_BEFORE_NAMESPACE();
namespace hetsched::cpu::HWY_NAMESPACE {
const char* target_name() { return hwy::TargetName(HWY_TARGET); }
}  // namespace hetsched::cpu::HWY_NAMESPACE
HWY_AFTER_NAMESPACE();

#if HWY_ONCE
#include "cpu/simd/simd_target.h"

namespace hetsched::cpu {
HWY_EXPORT(target_name);
std::string simd_target_name() { return HWY_DYNAMIC_DISPATCH(target_name)(); }

std::vector<int64_t> simd_compiled_targets() {
  std::vector<int64_t> out;
  // Target bits: a lower bit is a better target (hwy/detect_targets.h).
  for (int64_t bits = int64_t(HWY_TARGETS) & hwy::SupportedTargets(); bits != 0; bits &= bits - 1)
    out.push_back(bits & -bits);
  return out;
}
}  // namespace hetsched::cpu
#endif
