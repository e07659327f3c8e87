// Flatbuffers verification plus the index checks the Verifier cannot do.
#include <flatbuffers/flatbuffers.h>

#include "base/error.h"
#include "graph/tflite/importer.h"
#include "tflite_schema_generated.h"

namespace hetsched::tflite_import {
namespace {

template <typename T>
size_t size_or_zero(const flatbuffers::Vector<T>* v) {
  return v ? v->size() : 0;
}

void check_tensor_list(const flatbuffers::Vector<int32_t>* v, size_t tensors, bool allow_absent, const char* what,
                       int op) {
  if (!v) return;
  for (flatbuffers::uoffset_t k = 0; k < v->size(); ++k) {
    const int32_t t = v->Get(k);
    if ((t == -1 && allow_absent) || (t >= 0 && size_t(t) < tensors)) continue;
    if (op >= 0)
      fail(ErrorKind::kInvalidModel, "op {}: {} {} is tensor {}, but subgraph 0 has {} tensors", op, what, k, t, tensors);
    fail(ErrorKind::kInvalidModel, "subgraph {} {} is tensor {}, but subgraph 0 has {} tensors", what, k, t, tensors);
  }
}

}  // namespace

const tflite::Model& verify_model(std::span<const uint8_t> bytes) {
  if (bytes.size() < 8) fail(ErrorKind::kInvalidModel, "file of {} bytes is too short for a TFLite model", bytes.size());
  if (!tflite::ModelBufferHasIdentifier(bytes.data()))
    fail(ErrorKind::kInvalidModel, "not a TFLite model (no TFL3 identifier)");
  flatbuffers::Verifier verifier(bytes.data(), bytes.size());
  if (!tflite::VerifyModelBuffer(verifier))
    fail(ErrorKind::kInvalidModel, "the flatbuffer is corrupt or truncated ({} bytes; the Verifier rejects it)",
         bytes.size());
  const tflite::Model& model = *tflite::GetModel(bytes.data());
  if (size_or_zero(model.subgraphs()) == 0 || !model.subgraphs()->Get(0))
    fail(ErrorKind::kInvalidModel, "the model has no subgraph");
  const tflite::SubGraph& sg = *model.subgraphs()->Get(0);
  const size_t tensors = size_or_zero(sg.tensors());
  const size_t buffers = size_or_zero(model.buffers());
  const size_t opcodes = size_or_zero(model.operator_codes());
  for (flatbuffers::uoffset_t i = 0; i < tensors; ++i) {
    const tflite::Tensor* t = sg.tensors()->Get(i);
    if (!t) fail(ErrorKind::kInvalidModel, "tensor {} is null", i);
    // Buffer 0 is the empty sentinel; files without a buffers vector may still refer to it.
    if (t->buffer() != 0 && t->buffer() >= buffers)
      fail(ErrorKind::kInvalidModel, "tensor {} ('{}') refers to buffer {}, but the model has {} buffers", i,
           t->name() ? t->name()->str() : "", t->buffer(), buffers);
  }
  check_tensor_list(sg.inputs(), tensors, false, "input", -1);
  check_tensor_list(sg.outputs(), tensors, false, "output", -1);
  for (flatbuffers::uoffset_t i = 0; i < size_or_zero(sg.operators()); ++i) {
    const tflite::Operator* op = sg.operators()->Get(i);
    if (!op) fail(ErrorKind::kInvalidModel, "op {} is null", i);
    if (op->opcode_index() >= opcodes || !model.operator_codes()->Get(op->opcode_index()))
      fail(ErrorKind::kInvalidModel, "op {} refers to operator code {}, but the model has {}", i, op->opcode_index(),
           opcodes);
    check_tensor_list(op->inputs(), tensors, true, "input", int(i));
    check_tensor_list(op->outputs(), tensors, false, "output", int(i));
    if (size_or_zero(op->outputs()) == 0) fail(ErrorKind::kInvalidModel, "op {} has no output", i);
  }
  return model;
}

}  // namespace hetsched::tflite_import
