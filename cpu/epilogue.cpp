// CPU epilogue application (see epilogue.h).
#include "cpu/epilogue.h"

#include "cpu/kernels/elementwise_simd.h"
#include "graph/epilogue.h"

namespace hetsched::cpu {
namespace {

// v[i] = f(v[i], operand[i]) over n floats; the step's switch stays outside the loop.
template <typename F>
void for_each(float* v, const float* operand, float scalar, size_t n, F f) {
  if (operand)
    for (size_t i = 0; i < n; ++i) v[i] = f(v[i], operand[i]);
  else
    for (size_t i = 0; i < n; ++i) v[i] = f(v[i], scalar);
}

void apply_step(const EpilogueStep& step, float* v, const float* operand, size_t n) {
  const Activation act = step.activation;
  const float k = step.scalar;
  if (step.times_input) return swish_span(v, v, n);
  if (is_epilogue_unary(step.type)) return unary_span(step.type, v, v, n);  // the elementwise kernels' SIMD loops
  if (operand && (act == Activation::kNone || act == Activation::kRelu || act == Activation::kRelu6)) {
    binary_span(step.type, v, false, operand, false, v, n);  // SIMD, then the activation as its own SIMD pass
    if (act != Activation::kNone) unary_span(act == Activation::kRelu ? OpType::kRelu : OpType::kRelu6, v, v, n);
    return;
  }
  // A scalar operand or another activation: the op's formula, chosen once outside the loop.
  visit_binary(step.type, [&](auto op) {
    for_each(v, operand, k, n,
             [act](float a, float b) { return apply_activation(act, binary_apply<decltype(op)::value>(a, b)); });
  });
}

}  // namespace

CpuEpilogue::CpuEpilogue(const Graph&, const Op& op) : steps_(op.epilogue) {}

void CpuEpilogue::apply(std::span<const ConstView> inputs, const MutableView& out, const OutputRange& r) const {
  if (steps_.empty() || r.empty()) return;
  const Shape4& s = out.shape;
  const size_t row = size_t(s.w) * kSliceWidth;
  const int valid_lanes = s.c - (s.slices() - 1) * kSliceWidth;  // lanes in use in the last slice
  for (int b = 0; b < s.n; ++b)
    for (int sl = r.slice_begin; sl < r.slice_end; ++sl)
      for (int y = r.row_begin; y < r.row_end; ++y) {
        const size_t at = s.offset(b, sl, y, 0);
        float* v = out.data + at;
        for (const EpilogueStep& step : steps_)
          apply_step(step, v, step.operand_input >= 0 ? inputs[size_t(step.operand_input)].data + at : nullptr, row);
        if (sl == s.slices() - 1 && valid_lanes < kSliceWidth)
          for (int x = 0; x < s.w; ++x)
            for (int l = valid_lanes; l < kSliceWidth; ++l) v[size_t(x) * kSliceWidth + size_t(l)] = 0.0f;
      }
}

}  // namespace hetsched::cpu
