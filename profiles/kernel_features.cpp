// Kernel features (see header): attributes read from the op's typed attribute struct.
#include "profiles/kernel_features.h"

#include <algorithm>
#include <cmath>
#include <variant>

#include "base/enum_names.h"
#include "base/error.h"
#include "graph/op_registry.h"

namespace hetsched::profiles {
namespace {

// The names of the dataset's `axis` column (written and read through the same table).
constexpr EnumName<RangeAxis> kRangeAxes[] = {
    {RangeAxis::kWhole, "whole"}, {RangeAxis::kSlices, "slices"}, {RangeAxis::kRows, "rows"}};

int64_t phwc4_bytes(const Shape4& s) { return int64_t(s.phwc4_bytes()); }

template <typename A>
void window_of(KernelFeatures& f, const A& a) {
  f.stride_h = a.stride_h, f.stride_w = a.stride_w;
}

}  // namespace

const char* to_string(RangeAxis a) { return name_of(kRangeAxes, a); }

RangeAxis range_axis_from_string(std::string_view s) {
  if (const std::optional<RangeAxis> a = value_of(kRangeAxes, s)) return *a;
  fail(ErrorKind::kInvalidArgument, "unknown range axis '{}' (expected {})", s, names_of(kRangeAxes));
}

KernelFeatures kernel_features(const Graph& g, const Op& op) {
  KernelFeatures f;
  f.op_type = to_string(op.type);
  f.out = g.tensors[size_t(op.outputs[0])].shape4();
  f.in = f.out;
  bool first = true;
  for (int t : op.inputs) {
    if (t < 0) continue;
    const Tensor& x = g.tensors[size_t(t)];
    if (x.is_constant) {
      f.weight_bytes += int64_t(x.elements() * sizeof(float));
      continue;
    }
    if (first) f.in = x.shape4(), first = false;
    f.bytes_in += phwc4_bytes(x.shape4());
    ++f.num_inputs;
  }
  f.bytes_out = phwc4_bytes(f.out);
  f.in_channels = f.in.c;
  f.out_channels = f.out.c;
  f.epilogue_steps = int(op.epilogue.size());
  f.activation = int(op.activation());
  const OpDescriptor& d = describe_op(op.type);
  f.macs = d.macs ? d.macs(g, op) : 0;
  auto weight_dims = [&]() -> std::vector<int> {
    return op.inputs.size() > 1 && op.inputs[1] >= 0 ? g.tensors[size_t(op.inputs[1])].shape : std::vector<int>{};
  };
  std::visit(
      [&](const auto& a) {
        using A = std::decay_t<decltype(a)>;
        if constexpr (std::is_same_v<A, Conv2DAttributes>) {
          window_of(f, a);
          f.dilation_h = a.dilation_h, f.dilation_w = a.dilation_w;
          const auto w = weight_dims();  // [O,KH,KW,I]
          if (w.size() == 4) {
            f.kernel_h = w[1], f.kernel_w = w[2];
            if (w[3] > 0) f.groups = std::max(1, f.in.c / w[3]);
          }
        } else if constexpr (std::is_same_v<A, DepthwiseConv2DAttributes>) {
          window_of(f, a);
          f.dilation_h = a.dilation_h, f.dilation_w = a.dilation_w;
          const auto w = weight_dims();  // [1,KH,KW,O]
          if (w.size() == 4) f.kernel_h = w[1], f.kernel_w = w[2];
          f.groups = f.in.c;
          f.depthwise = true;
        } else if constexpr (std::is_same_v<A, TransposeConvAttributes>) {
          window_of(f, a);
          const auto w = weight_dims();  // [O,KH,KW,I]
          if (w.size() == 4) f.kernel_h = w[1], f.kernel_w = w[2];
        } else if constexpr (std::is_same_v<A, Pool2DAttributes>) {
          window_of(f, a);
          f.kernel_h = a.filter_h, f.kernel_w = a.filter_w;
        } else if constexpr (std::is_same_v<A, FullyConnectedAttributes>) {
          f.kernel_h = f.kernel_w = 1;
        }
      },
      op.attributes);
  return f;
}

OutputRange fraction_range(const Shape4& out, RangeAxis axis, double fraction) {
  OutputRange r = OutputRange::whole(out);
  if (axis == RangeAxis::kWhole || fraction >= 1) return r;
  auto cut = [&](int n) { return fraction <= 0 ? 0 : std::clamp(int(std::lround(n * fraction)), 1, n); };
  if (axis == RangeAxis::kSlices) r.slice_end = cut(out.slices());
  else r.row_end = cut(out.h);
  return r;
}

const std::vector<std::string>& feature_names() {
  static const std::vector<std::string> names = {
      "in_h", "in_w", "in_c", "out_h", "out_w", "out_c", "kernel_h", "kernel_w", "stride_h", "stride_w",
      "dilation_h", "dilation_w", "groups", "depthwise", "macs", "bytes_in", "bytes_out", "weight_bytes",
      "epilogue_steps", "activation", "num_inputs", "axis", "fraction", "range_slices", "range_rows",
      "range_macs", "range_bytes_out"};
  return names;
}

std::vector<double> feature_vector(const KernelFeatures& f, RangeAxis axis, const OutputRange& r) {
  const double total = double(f.out.slices()) * f.out.h;
  const double part = double(std::max(0, r.slice_end - r.slice_begin)) * std::max(0, r.row_end - r.row_begin);
  const double share = total > 0 ? part / total : 0;
  return {double(f.in.h), double(f.in.w), double(f.in.c), double(f.out.h), double(f.out.w), double(f.out.c),
          double(f.kernel_h), double(f.kernel_w), double(f.stride_h), double(f.stride_w), double(f.dilation_h),
          double(f.dilation_w), double(f.groups), f.depthwise ? 1.0 : 0.0, double(f.macs), double(f.bytes_in),
          double(f.bytes_out), double(f.weight_bytes), double(f.epilogue_steps), double(f.activation),
          double(f.num_inputs), double(int(axis)), share, double(r.slice_end - r.slice_begin),
          double(r.row_end - r.row_begin), double(f.macs) * share, double(f.bytes_out) * share};
}

}  // namespace hetsched::profiles
