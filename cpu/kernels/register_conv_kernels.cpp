// Registers the CPU kernels of the conv-like ops.
#include "cpu/kernel.h"

namespace hetsched::cpu {
void register_conv_kernels(CpuKernelFactory* /*table*/) {}
}  // namespace hetsched::cpu
