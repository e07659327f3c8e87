// Kernel configuration keys (see header): attributes written field by field, one branch per
// attribute struct (a field added to a struct must be added here, or two configurations that differ
// only in it share measurements; tests/profiles/measurement_cache_test.cpp checks each field it knows).
#include "profiles/kernel_key.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <type_traits>
#include <variant>

#include "base/fnv1a.h"

namespace hetsched::profiles {
namespace {

std::string dims(const std::vector<int>& shape) {
  return shape.empty() ? std::string("scalar") : fmt::format("{}", fmt::join(shape, "x"));
}

std::string pads(const Padding2D& p) { return fmt::format("pad{},{},{},{}", p.top, p.bottom, p.left, p.right); }

std::string attributes(const OpAttributes& attributes) {
  return std::visit(
      [](const auto& a) -> std::string {
        using A = std::decay_t<decltype(a)>;
        if constexpr (std::is_same_v<A, Conv2DAttributes>)
          return fmt::format("s{},{} d{},{} p{} {} act{}", a.stride_h, a.stride_w, a.dilation_h, a.dilation_w,
                             int(a.padding), pads(a.pads), int(a.activation));
        else if constexpr (std::is_same_v<A, DepthwiseConv2DAttributes>)
          return fmt::format("s{},{} d{},{} m{} p{} {} act{}", a.stride_h, a.stride_w, a.dilation_h, a.dilation_w,
                             a.depth_multiplier, int(a.padding), pads(a.pads), int(a.activation));
        else if constexpr (std::is_same_v<A, TransposeConvAttributes>)
          return fmt::format("s{},{} p{} o{}x{}x{} {} act{}", a.stride_h, a.stride_w, int(a.padding), a.out_h,
                             a.out_w, a.out_c, pads(a.pads), int(a.activation));
        else if constexpr (std::is_same_v<A, FullyConnectedAttributes>)
          return fmt::format("keep{} act{}", int(a.keep_num_dims), int(a.activation));
        else if constexpr (std::is_same_v<A, Pool2DAttributes>)
          return fmt::format("f{}x{} s{},{} p{} {} act{}", a.filter_h, a.filter_w, a.stride_h, a.stride_w,
                             int(a.padding), pads(a.pads), int(a.activation));
        else if constexpr (std::is_same_v<A, BinaryAttributes>)
          return fmt::format("act{}", int(a.activation));
        else if constexpr (std::is_same_v<A, ConcatenationAttributes>)
          return fmt::format("axis{} act{}", a.axis, int(a.activation));
        else if constexpr (std::is_same_v<A, DepthToSpaceAttributes>)
          return fmt::format("block{}", a.block_size);
        else if constexpr (std::is_same_v<A, MeanAttributes>)
          return fmt::format("axes{} keep{}", dims(a.axes), int(a.keep_dims));
        else if constexpr (std::is_same_v<A, PadAttributes>)
          return fmt::format("pads{},{},{},{},{},{},{},{}", a.pads[0][0], a.pads[0][1], a.pads[1][0], a.pads[1][1],
                             a.pads[2][0], a.pads[2][1], a.pads[3][0], a.pads[3][1]);
        else if constexpr (std::is_same_v<A, ResizeBilinearAttributes>)
          return fmt::format("o{}x{} ac{} hp{}", a.out_h, a.out_w, int(a.align_corners), int(a.half_pixel_centers));
        else if constexpr (std::is_same_v<A, SoftmaxAttributes>)
          return fmt::format("beta{}", a.beta);
        else  // NoAttributes, ReshapeAttributes: nothing beyond the shapes
          return "-";
      },
      attributes);
}

}  // namespace

std::string kernel_config_key(const Graph& g, const Op& op) {
  std::string k = to_string(op.type);
  k += " in";
  for (int t : op.inputs) {
    if (t < 0) {
      k += " -";
      continue;
    }
    const Tensor& x = g.tensors[size_t(t)];
    k += fmt::format(" {}{}:{}", x.is_constant ? "c" : "", dims(x.shape), int(x.dtype));
  }
  k += " out";
  for (int t : op.outputs) k += fmt::format(" {}:{}", dims(g.tensors[size_t(t)].shape), int(g.tensors[size_t(t)].dtype));
  k += fmt::format(" {} epi[", attributes(op.attributes));
  for (const EpilogueStep& s : op.epilogue)
    k += fmt::format("{}{}{}{};", to_string(s.type), s.operand_input >= 0 ? "t" : "s", int(s.activation),
                     s.times_input ? "x" : "");  // a scalar operand's value does not change the time
  return k + "]";
}

bool in_sample(std::string_view key, double share) {
  if (share >= 1) return true;
  if (share <= 0) return false;
  // FNV-1a's high bits are poorly mixed for keys that differ in their last characters: the 64-bit
  // finalizer of MurmurHash3 first, then the top 53 bits as a uniform number in [0, 1).
  uint64_t h = fnv1a(key);
  h ^= h >> 33, h *= 0xff51afd7ed558ccdull, h ^= h >> 33, h *= 0xc4ceb9fe1a85ec53ull, h ^= h >> 33;
  return double(h >> 11) * 0x1.0p-53 < share;
}

}  // namespace hetsched::profiles
