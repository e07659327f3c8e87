// Loading models: TFLite import (verified, normalized IR) and the prepared graph the CLI runs.
#pragma once
#include <cstdint>
#include <span>
#include <string>

#include "graph/graph.h"

namespace hetsched {

// Imports a .tflite file. The flatbuffers Verifier runs first; then every index, buffer size,
// rank (<= 4) and the acyclicity are checked, unsupported ops are refused by name and index, and
// DEQUANTIZE (fp16) / DENSIFY of constant weights are folded: the result holds dense float32
// constants and no DEQUANTIZE/DENSIFY op. Ops are normalized as graph/op.h says. Shapes are the
// model's (not yet inferred). model_name = the file name.
// Throws Error: kInvalidModel (corrupt, truncated, bad indices/sizes, cycles), kUnsupported
// (ops, dtypes, ranks), kInvalidArgument (unreadable file); every message names the model.
Graph load_tflite(const std::string& path);
Graph load_tflite_buffer(std::span<const uint8_t> bytes, std::string model_name);

// load_tflite followed by prepare_graph (graph/passes/pipeline.h): what the CLI and the API run.
Graph load_and_prepare(const std::string& path);

}  // namespace hetsched
