// The host side of op epilogues on the GPU (graph/epilogue.h, gpu/shaders/epilogue.glsl): the
// specialization constants that select the steps, and the two operand bindings every shader
// including epilogue.glsl declares (bound to a filler when unused: the shader never reads it).
#pragma once
#include <span>
#include <vector>

#include "gpu/buffer.h"
#include "gpu/spec_constants.h"
#include "graph/graph.h"

namespace hetsched::gpu {

// Bindings epilogue.glsl declares after the shader's own ones.
inline constexpr uint32_t kEpilogueBindings = 2;

// Adds the epilogue constants (ids 100..116) of `op` to `spec`; nothing for an op without one.
SpecConstants with_epilogue(SpecConstants spec, const Op& op);

// The ranges of the epilogue operand bindings: the operands' ranges from `inputs` (one range per
// op.inputs entry) in step order, then `filler` for the unused ones.
std::vector<BufferRange> epilogue_operand_ranges(const Op& op, std::span<const BufferRange> inputs,
                                                 const BufferRange& filler);

}  // namespace hetsched::gpu
