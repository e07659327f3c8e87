// Writes the .tflite of a generated architecture spec (profiles/gen/archs.py) without TensorFlow.
// The graph is the one the TFLite converter makes of profiles/gen/build.py's Keras model, so a GPU
// machine without TensorFlow generates the latency dataset's architectures from tiny spec files:
//   - Conv2D / DepthwiseConv2D + ReLU or ReLU6 -> CONV_2D / DEPTHWISE_CONV_2D with the activation
//     fused; hard_swish (x * relu6(x + 3) / 6) -> HARD_SWISH after the conv; sigmoid -> LOGISTIC.
//   - GlobalAveragePooling2D -> MEAN over [1, 2] (keep_dims in squeeze-excite, not before Dense);
//     Dense -> FULLY_CONNECTED without bias (Keras' zero bias is dropped by the converter).
//   - squeeze-excite: MEAN, CONV_2D 1x1 VALID + RELU, CONV_2D 1x1 VALID, LOGISTIC, broadcast MUL.
//   - Add of k inputs -> k-1 chained ADDs; Concatenate -> CONCATENATION axis -1; MaxPooling2D SAME.
//   - Dense(activation="relu") -> FULLY_CONNECTED with ReLU fused; UpSampling2D(2, "bilinear") ->
//     RESIZE_BILINEAR (half-pixel centers, an int32 size constant); Reshape((-1, v)) -> RESHAPE to
//     [1, n, v] (an int32 shape constant, no options); PReLU(shared_axes=[1, 2]) -> PRELU with a
//     [1, 1, C] alpha; a Lambda padding channels (keras.ops.pad) -> PAD with an int32 [4, 2]
//     paddings constant; an activation layer after an Add -> ReLU/ReLU6 fused into the ADD;
//     Activation("swish") -> LOGISTIC and MUL.
//   - Ops in the converter's order: TensorFlow's GetReversePostOrder of the traced graph, a
//     depth-first walk from the input over consumers sorted by node name (the Keras layer names
//     are reproduced for that: "conv2d_10" sorts before "conv2d_2").
//   - Biases are zero (Keras' initializer) and one zero tensor per length is shared, as the
//     converter deduplicates equal constants, so `hetsched info` counts the same parameter bytes.
// Weights: He-scaled uniform values from a std::mt19937_64 seeded with `weight_seed` (drawn with
// our own integer-to-float mapping, so a spec and a seed always give identical bytes).
// Errors: a malformed spec throws Error(kInvalidArgument) naming `context` (the file) and the field.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "graph/tflite/model_writer.h"

namespace hetsched::profiles {

// The model of one spec (family "nb101", "mobile" or "encdec"), as plain structs.
tflite_writer::ModelSpec arch_model_spec(const nlohmann::json& spec, uint64_t weight_seed, const std::string& context);

// The same, as .tflite bytes.
std::vector<uint8_t> write_arch_tflite(const nlohmann::json& spec, uint64_t weight_seed, const std::string& context);

}  // namespace hetsched::profiles
