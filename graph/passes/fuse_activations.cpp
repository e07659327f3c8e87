// Activation fusion: the producer takes over the activation's output tensor; the activation op goes.
#include "graph/passes/fuse_activations.h"

#include <fmt/format.h>

#include <optional>

#include "graph/passes/erase_ops.h"

namespace hetsched {
namespace {

std::optional<Activation> standalone_activation(OpType t) {
  switch (t) {
    case OpType::kRelu: return Activation::kRelu;
    case OpType::kRelu6: return Activation::kRelu6;
    case OpType::kTanh: return Activation::kTanh;
    default: return std::nullopt;  // LOGISTIC, HARD_SWISH: no TFLite fused equivalent
  }
}

bool has_activation_slot(const Op& op) {
  return std::visit([](const auto& a) { return requires { a.activation; }; }, op.attributes);
}

}  // namespace

PassResult fuse_activations(Graph& g) {
  std::vector<bool> remove(g.ops.size(), false);
  for (size_t i = 0; i < g.ops.size(); ++i) {
    const Op& act = g.ops[i];
    const std::optional<Activation> a = standalone_activation(act.type);
    if (!a || act.inputs.size() != 1 || act.outputs.size() != 1 || act.inputs[0] < 0) continue;
    const int mid = act.inputs[0];
    const int p = g.producer_of(mid);
    if (p < 0 || remove[size_t(p)]) continue;
    Op& prod = g.ops[size_t(p)];
    if (prod.outputs.size() != 1 || !has_activation_slot(prod) || prod.activation() != Activation::kNone) continue;
    if (g.consumer_count(mid) != 1) continue;  // counts model outputs too
    const Tensor& in = g.tensors[size_t(mid)];
    const Tensor& out = g.tensors[size_t(act.outputs[0])];
    if (in.shape != out.shape || in.dtype != out.dtype) continue;
    prod.set_activation(*a);
    prod.outputs[0] = act.outputs[0];
    remove[i] = true;
  }
  if (const size_t fused = erase_marked_ops(g, remove)) return {true, fmt::format("fused {} activations", fused)};
  return {false, "no fusable activation"};
}

}  // namespace hetsched
