// The import driver: verify, reject unsupported ops, tensors, ops, acyclicity, load-time folding.
#include "graph/tflite/importer.h"

#include <algorithm>

#include "base/error.h"
#include "graph/passes/eliminate_dead.h"
#include "graph/passes/fold_constants.h"
#include "graph/passes/topo_sort.h"
#include "graph/tflite/op_parsers.h"

namespace hetsched::tflite_import {
namespace {

int builtin_code(const tflite::OperatorCode& c) {
  return std::max<int>(c.deprecated_builtin_code(), static_cast<int>(c.builtin_code()));
}

std::string custom_name(const tflite::OperatorCode& c) {
  std::string s = c.custom_code() ? c.custom_code()->str() : "";
  if (s.size() > 64) s = s.substr(0, 64) + "...";
  return s;
}

// "CONV_2D", "CUSTOM:TransformLandmarks" or "BUILTIN_231".
std::string op_name(const tflite::OperatorCode& c) {
  const int code = builtin_code(c);
  if (code == static_cast<int>(tflite::BuiltinOperator::CUSTOM)) return "CUSTOM:" + custom_name(c);
  const char* n = code >= 0 ? tflite::EnumNameBuiltinOperator(static_cast<tflite::BuiltinOperator>(code)) : "";
  return n && *n ? std::string(n) : "BUILTIN_" + std::to_string(code);
}

ParseFn find_parser(const tflite::OperatorCode& c) {
  const int code = builtin_code(c);
  if (code == static_cast<int>(tflite::BuiltinOperator::CUSTOM)) return find_custom_parser(custom_name(c));
  return find_builtin_parser(code);
}

// After folding, every op must read and write float32 activations and constants.
void check_float32(const Graph& g) {
  for (const Op& op : g.ops) {
    auto check = [&](int t) {
      if (t < 0) return;
      const Tensor& x = g.tensors[size_t(t)];
      if (op.type == OpType::kDequantize || op.type == OpType::kDensify)
        fail(ErrorKind::kUnsupported, "{}: input '{}' is not a constant (only constant weights are dequantized/"
             "densified at load)", g.describe(op), g.tensors[size_t(op.inputs[0])].name);
      if (x.dtype == DataType::kInt8 || x.dtype == DataType::kUInt8 || x.dtype == DataType::kInt16)
        fail(ErrorKind::kUnsupported, "{}: tensor '{}' is {}: quantized models are not supported", g.describe(op),
             x.name, to_string(x.dtype));
      if (x.dtype != DataType::kFloat32)
        fail(ErrorKind::kUnsupported, "{}: tensor '{}' is {}, only float32 is supported", g.describe(op), x.name,
             to_string(x.dtype));
    };
    for (int t : op.inputs) check(t);
    for (int t : op.outputs) check(t);
  }
  for (int t : g.inputs)
    if (g.tensors[size_t(t)].dtype != DataType::kFloat32)
      fail(ErrorKind::kUnsupported, "model input '{}' is {}, only float32 is supported", g.tensors[size_t(t)].name,
           to_string(g.tensors[size_t(t)].dtype));
}

}  // namespace

Graph import_model(std::span<const uint8_t> bytes, const std::string& model_name) {
  const tflite::Model& model = verify_model(bytes);
  const tflite::SubGraph& sg = *model.subgraphs()->Get(0);
  const auto* fops = sg.operators();
  const int op_count = fops ? int(fops->size()) : 0;

  // The first unsupported op decides, before anything else is looked at.
  for (int i = 0; i < op_count; ++i) {
    const tflite::OperatorCode& code = *model.operator_codes()->Get(fops->Get(flatbuffers::uoffset_t(i))->opcode_index());
    if (!find_parser(code)) fail(ErrorKind::kUnsupported, "op {} ({}) is not supported", i, op_name(code));
  }

  Graph g;
  g.model_name = model_name;
  g.tensors = import_tensors(model, sg);
  if (sg.inputs()) g.inputs.assign(sg.inputs()->begin(), sg.inputs()->end());
  if (sg.outputs()) g.outputs.assign(sg.outputs()->begin(), sg.outputs()->end());
  if (g.outputs.empty()) fail(ErrorKind::kInvalidModel, "subgraph 0 has no outputs");

  for (int i = 0; i < op_count; ++i) {
    const tflite::Operator& fop = *fops->Get(flatbuffers::uoffset_t(i));
    const tflite::OperatorCode& code = *model.operator_codes()->Get(fop.opcode_index());
    const OpContext ctx{fop, g, "op " + std::to_string(i) + " (" + op_name(code) + ")"};
    if (fop.outputs()->size() != 1) ctx.invalid("has {} outputs, expected 1", fop.outputs()->size());
    Op op;
    op.model_index = i;
    op.outputs = {fop.outputs()->Get(0)};
    find_parser(code)(ctx, op);
    g.ops.push_back(std::move(op));
  }

  topological_sort(g);
  fold_constants(g, FoldScope::kLoadTime);
  eliminate_dead(g);
  check_float32(g);
  return g;
}

}  // namespace hetsched::tflite_import
