// Registers the CPU kernels of every op that is not conv-like.
#include "cpu/kernel.h"

namespace hetsched::cpu {
void register_general_kernels(CpuKernelFactory* /*table*/) {}
}  // namespace hetsched::cpu
