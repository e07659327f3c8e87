// Epilogue specialization constants and operand bindings (see epilogue_gpu.h).
#include "gpu/ops/epilogue_gpu.h"

#include "graph/epilogue.h"
#include "base/error.h"

namespace hetsched::gpu {
namespace {

// Step codes of epilogue.glsl.
int32_t step_code(OpType t) {
  switch (t) {
    case OpType::kAdd: return 1;
    case OpType::kSub: return 2;
    case OpType::kMul: return 3;
    case OpType::kHardSwish: return 4;
    case OpType::kLogistic: return 5;
    case OpType::kTanh: return 6;
    case OpType::kRelu: return 7;
    case OpType::kRelu6: return 8;
    default: fail(ErrorKind::kInternal, "{} is no epilogue step", to_string(t));
  }
}

}  // namespace

SpecConstants with_epilogue(SpecConstants spec, const Op& op) {
  if (op.epilogue.empty()) return spec;
  if (op.epilogue.size() > size_t(kMaxEpilogueSteps))
    fail(ErrorKind::kInternal, "{}: {} epilogue steps, the shaders take {}", to_string(op.type), op.epilogue.size(),
         kMaxEpilogueSteps);
  constexpr uint32_t kSteps = 100, kOp = 101, kAct = 105, kSrc = 109, kScalar = 113;
  spec.set(kSteps, int32_t(op.epilogue.size()));
  int32_t operand = 0;
  for (uint32_t i = 0; i < op.epilogue.size(); ++i) {
    const EpilogueStep& s = op.epilogue[i];
    spec.set(kOp + i, s.times_input ? int32_t(9) : step_code(s.type));  // 9: swish
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
