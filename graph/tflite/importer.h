// Internal to the TFLite importer: the stages of load_tflite_buffer (see graph/load_model.h).
#pragma once
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "graph/graph.h"

namespace tflite {
struct Model;
struct SubGraph;
}  // namespace tflite

namespace hetsched::tflite_import {

// Runs the flatbuffers Verifier and the structural checks (subgraph 0 present, every opcode,
// tensor and buffer index in range). Returns the verified model; throws kInvalidModel.
const tflite::Model& verify_model(std::span<const uint8_t> bytes);

// Tensors of subgraph 0: dtype, shape (rank <= 4, no dynamic dims), constant data checked against
// shape x dtype; sparse buffers densified. Throws kInvalidModel / kUnsupported naming the tensor.
std::vector<Tensor> import_tensors(const tflite::Model& model, const tflite::SubGraph& subgraph);

// Builds the IR: verifies, rejects the first unsupported op, imports tensors, parses ops, checks
// acyclicity, folds DEQUANTIZE/DENSIFY into float32 constants, removes dead tensors and checks that
// every remaining op reads and writes float32 tensors. Messages do not carry the model name yet.
Graph import_model(std::span<const uint8_t> bytes, const std::string& model_name);

}  // namespace hetsched::tflite_import
