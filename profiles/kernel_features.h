// Kernel features: what the latency predictors see of one kernel (an op of the prepared, fused
// graph as an executor runs it) and of the output range it computes. One list of feature names is
// shared by the dataset CSV (profiles/dataset_csv.h), the Python trainer (profiles/train/) and the
// C++ evaluator (profiles/predictor.h): a predictor file names its features and is refused when they
// are not these.
#pragma once
#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "graph/graph.h"

namespace hetsched::profiles {

// The part of the output a measurement or prediction covers.
enum class RangeAxis { kWhole, kSlices, kRows };
const char* to_string(RangeAxis a);
RangeAxis range_axis_from_string(std::string_view s);  // throws kInvalidArgument naming the value

struct KernelFeatures {
  std::string op_type;        // "CONV_2D", ...
  Shape4 in, out;             // first activation input (out's shape when none) and output
  int kernel_h = 0, kernel_w = 0, stride_h = 1, stride_w = 1, dilation_h = 1, dilation_w = 1;
  int in_channels = 0, out_channels = 0, groups = 1;
  bool depthwise = false;
  int64_t macs = 0;
  int64_t bytes_in = 0;       // activation inputs (PHWC4 float32), epilogue operands included
  int64_t bytes_out = 0;      // the output (PHWC4 float32)
  int64_t weight_bytes = 0;   // constant inputs (float32)
  int epilogue_steps = 0;
  int activation = 0;         // the fused Activation as an integer (0: none)
  int num_inputs = 0;         // activation inputs
};

// Features of op `op_index` of a prepared graph.
KernelFeatures kernel_features(const Graph& graph, const Op& op);

// The output range that covers `fraction` of the output along `axis`, from the start (as the CPU side
// of a split; whole: the whole output). At least one slice or row when fraction > 0.
OutputRange fraction_range(const Shape4& out, RangeAxis axis, double fraction);

// The predictor's feature vector for a kernel over `range`: feature_names()[i] names entry i.
std::vector<double> feature_vector(const KernelFeatures& f, RangeAxis axis, const OutputRange& range);
const std::vector<std::string>& feature_names();

}  // namespace hetsched::profiles
