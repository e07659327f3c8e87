// Elementwise-chain fusion into the producer's epilogue (see fuse_elementwise.h).
#include "graph/passes/fuse_elementwise.h"

#include <fmt/format.h>

#include <optional>

#include "graph/epilogue.h"
#include "graph/op_registry.h"
#include "graph/passes/erase_ops.h"

namespace hetsched {
namespace {

bool is_activation(const Graph& g, int t) { return t >= 0 && !g.tensors[size_t(t)].is_constant; }

// The producer's kernels apply epilogues (OpDescriptor::takes_epilogue) and read activations where
// the epilogue bindings expect them: a conv's data input, every input of an elementwise op.
bool producer_type_ok(const Graph& g, const Op& op) {
  if (!has_descriptor(op.type)) return false;
  const OpDescriptor& d = describe_op(op.type);
  if (!d.takes_epilogue) return false;
  switch (d.elementwise) {
    case ElementwiseKind::kUnary: return op.own_inputs() == 1 && is_activation(g, op.inputs[0]);
    case ElementwiseKind::kBinary:
      return op.own_inputs() == 2 && is_activation(g, op.inputs[0]) && is_activation(g, op.inputs[1]);
    case ElementwiseKind::kNone: return !op.inputs.empty() && is_activation(g, op.inputs[0]);
  }
  return false;
}

// A candidate: consumer `c` reads X = its input at position `x_pos`, produced by op `p`.
struct Candidate {
  int p = -1;
  int x_pos = 0;
  EpilogueStep step;
  int operand = -1;  // tensor id of an activation operand, -1 for none
};

std::optional<Candidate> candidate_for(const Graph& g, int c, int x_pos) {
  const Op& cons = g.ops[size_t(c)];
  const int x = cons.inputs[size_t(x_pos)];
  if (!is_activation(g, x)) return std::nullopt;
  const int p = g.producer_of(x);
  if (p < 0) return std::nullopt;
  const Op& prod = g.ops[size_t(p)];
  if (prod.outputs.size() != 1 || g.consumer_count(x) != 1) return std::nullopt;  // counts model outputs
  const Tensor& xt = g.tensors[size_t(x)];
  const Tensor& out = g.tensors[size_t(cons.outputs[0])];
  if (xt.dtype != DataType::kFloat32 || out.dtype != DataType::kFloat32 || xt.shape != out.shape) return std::nullopt;
  Candidate cand;
  cand.p = p;
  cand.x_pos = x_pos;
  cand.step.type = cons.type;
  if (is_epilogue_binary(cons.type)) {
    const int y = cons.inputs[size_t(1 - x_pos)];
    if (y < 0 || y == x) return std::nullopt;
    const Tensor& yt = g.tensors[size_t(y)];
    if (yt.dtype != DataType::kFloat32) return std::nullopt;
    if (yt.is_constant) {
      if (yt.elements() != 1 || yt.f32().size() != 1) return std::nullopt;
      cand.step.scalar = yt.f32()[0];
    } else {
      if (yt.shape != xt.shape) return std::nullopt;  // no broadcast: the operand is read per element
      cand.operand = y;
    }
    cand.step.activation = cons.activation();
  }
  if (!accepts_epilogue_step(g, prod, cand.operand >= 0)) return std::nullopt;
  return cand;
}

// Swish, y = MUL(x, LOGISTIC(x)) (inputs in either order), where x = P(...) is read by exactly those
// two ops, the LOGISTIC's result only by the MUL, and the MUL has no activation: P gets one SWISH
// step (a LOGISTIC times its input) and writes y; the LOGISTIC and the MUL become dead ops.
int fuse_swish(Graph& g, std::vector<bool>& removed);

}  // namespace

bool accepts_epilogue_step(const Graph& g, const Op& op, bool with_operand) {
  return producer_type_ok(g, op) && int(op.epilogue.size()) < kMaxEpilogueSteps &&
         (!with_operand || op.epilogue_operands() < kMaxEpilogueOperands);
}

namespace {

int fuse_swish(Graph& g, std::vector<bool>& removed) {
  int fused = 0;
  for (size_t c = 0; c < g.ops.size(); ++c) {
    const Op& mul = g.ops[c];
    if (removed[c] || mul.type != OpType::kMul || mul.inputs.size() != 2 || mul.outputs.size() != 1 ||
        !mul.epilogue.empty() || mul.activation() != Activation::kNone)
      continue;
    for (int pos = 0; pos < 2; ++pos) {
      const int s = mul.inputs[size_t(pos)], x = mul.inputs[size_t(1 - pos)];
      if (!is_activation(g, s) || !is_activation(g, x) || s == x) continue;
      const int l = g.producer_of(s), p = g.producer_of(x);
      if (l < 0 || p < 0) continue;
      const Op& logistic = g.ops[size_t(l)];
      if (logistic.type != OpType::kLogistic || logistic.inputs.size() != 1 || logistic.inputs[0] != x ||
          !logistic.epilogue.empty() || logistic.outputs.size() != 1 || g.consumer_count(s) != 1 ||
          g.consumer_count(x) != 2)
        continue;
      Op& prod = g.ops[size_t(p)];
      if (prod.outputs.size() != 1 || !accepts_epilogue_step(g, prod, false)) continue;
      const int y = mul.outputs[0];
      const Tensor &xt = g.tensors[size_t(x)], &st = g.tensors[size_t(s)], &yt = g.tensors[size_t(y)];
      if (xt.dtype != DataType::kFloat32 || st.dtype != DataType::kFloat32 || yt.dtype != DataType::kFloat32 ||
          xt.shape != st.shape || xt.shape != yt.shape)
        continue;
      EpilogueStep step;
      step.type = OpType::kLogistic;
      step.times_input = true;
      prod.epilogue.push_back(step);
      prod.outputs[0] = y;
      for (size_t dead : {size_t(l), c}) {
        g.ops[dead] = Op{};  // no inputs or outputs: invisible to producer_of / consumer_count
        removed[dead] = true;
      }
      ++fused;
      break;
    }
  }
  return fused;
}

}  // namespace

PassResult fuse_elementwise(Graph& g) {
  const int n = int(g.ops.size());
  std::vector<bool> removed(size_t(n), false);
  const int swishes = fuse_swish(g, removed);
  int fused = 2 * swishes, moved = 0;
  for (int c = 0; c < n; ++c) {
    if (removed[size_t(c)]) continue;
    const Op& cons = g.ops[size_t(c)];
    const bool unary = is_epilogue_unary(cons.type), binary = is_epilogue_binary(cons.type);
    if ((!unary && !binary) || cons.outputs.size() != 1 || !cons.epilogue.empty()) continue;
    if (unary && cons.inputs.size() != 1) continue;
    if (binary && cons.inputs.size() != 2) continue;
    std::optional<Candidate> best = candidate_for(g, c, 0);
    if (cons.type == OpType::kAdd || cons.type == OpType::kMul) {
      // Commutative: X may be either input; prefer the later producer (its operand is ready there).
      std::optional<Candidate> other = candidate_for(g, c, 1);
      if (other && (!best || other->p > best->p)) best = other;
    }
    if (!best) continue;
    const int p = best->p;
    const int operand_producer = best->operand >= 0 ? g.producer_of(best->operand) : -1;
    const bool at_consumer = operand_producer > p;  // the operand is computed after the producer
    Op fused_op = std::move(g.ops[size_t(p)]);
    fused_op.outputs[0] = g.ops[size_t(c)].outputs[0];
    if (best->operand >= 0) {
      best->step.operand_input = int(fused_op.inputs.size());
      fused_op.inputs.push_back(best->operand);
    }
    fused_op.epilogue.push_back(best->step);
    Op dead;
    dead.type = OpType::kAdd;
    const int keep = at_consumer ? c : p, drop = at_consumer ? p : c;
    g.ops[size_t(drop)] = dead;  // no inputs or outputs: invisible to producer_of / consumer_count
    g.ops[size_t(keep)] = std::move(fused_op);
    removed[size_t(drop)] = true;
    ++fused;
    moved += at_consumer ? 1 : 0;
  }
  if (fused == 0) return {false, "no fusable elementwise chain"};
  erase_marked_ops(g, removed);
  return {true, fmt::format("fused {} elementwise ops into their producers ({} as {} swish steps, {} moved to "
                            "the consumer's place)",
                            fused, 2 * swishes, swishes, moved)};
}

}  // namespace hetsched
