// Epilogue specialization constants and operand bindings (see epilogue.h).
#include "gpu/ops/epilogue.h"

#include "base/error.h"
#include "graph/epilogue.h"
#include "graph/op_codes.h"

namespace hetsched::gpu {
SpecConstants with_epilogue(SpecConstants spec, const Op& op) {
  if (op.epilogue.empty()) return spec;
  if (op.epilogue.size() > size_t(kMaxEpilogueSteps))
    fail(ErrorKind::kInternal, "{}: {} epilogue steps, the shaders take {}", to_string(op.type), op.epilogue.size(),
         kMaxEpilogueSteps);
  constexpr uint32_t kSteps = EPILOGUE_STEPS_ID, kOp = EPILOGUE_OP_ID, kAct = EPILOGUE_ACT_ID,
                     kSrc = EPILOGUE_SRC_ID, kScalar = EPILOGUE_SCALAR_ID;  // graph/op_codes.h
  spec.set(kSteps, int32_t(op.epilogue.size()));
  int32_t operand = 0;
  for (uint32_t i = 0; i < op.epilogue.size(); ++i) {
    const EpilogueStep& s = op.epilogue[i];
    spec.set(kOp + i, int32_t(epilogue_step_code(s)));
    spec.set(kAct + i, int32_t(s.activation));
    spec.set(kSrc + i, s.operand_input >= 0 ? operand++ : int32_t(-1));
    spec.set(kScalar + i, s.scalar);
  }
  return spec;
}

std::vector<BufferRange> epilogue_operand_ranges(const Op& op, std::span<const BufferRange> inputs,
                                                 const BufferRange& filler) {
  std::vector<BufferRange> r;
  for (const EpilogueStep& s : op.epilogue) {
    if (s.operand_input < 0) continue;
    if (size_t(s.operand_input) >= inputs.size() || inputs[size_t(s.operand_input)].size == 0)
      fail(ErrorKind::kInternal, "{}: epilogue operand (input {}) has no buffer range to bind", to_string(op.type),
           s.operand_input);
    r.push_back(inputs[size_t(s.operand_input)]);
  }
  while (r.size() < kEpilogueBindings) r.push_back(filler);
  return r;
}

}  // namespace hetsched::gpu
