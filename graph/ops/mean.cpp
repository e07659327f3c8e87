// Shape inference and float64 reference of MEAN (see mean.h).
#include "graph/ops/mean.h"

#include <algorithm>
#include <array>

#include "graph/ops/general_common.h"

namespace hetsched {
namespace {

// The logical axis of a 4D axis in a tensor of rank `rank` (which must have it).
int logical_axis(int axis4, int rank) {
  static constexpr int kMap[5][4] = {{-1, -1, -1, -1}, {-1, -1, -1, 0}, {0, -1, -1, 1}, {0, -1, 1, 2}, {0, 1, 2, 3}};
  return kMap[rank][axis4];
}

void infer_mean(Graph& g, Op& op) {
  general_ops::expect_arity(g, op, 1, 1);
  const MeanAttributes& a = general_ops::attributes_of<MeanAttributes>(g, op);
  const Tensor& in = general_ops::float_input(g, op, 0);
  const int rank = int(in.shape.size());
  std::array<bool, 4> reduced{};
  for (int ax : a.axes) {
    if (ax < 0 || ax > 3 || !general_ops::axis4_exists(ax, rank))
      fail(ErrorKind::kInvalidModel, "model '{}': {} reduces 4D axis {} of '{}' {} (rank {})", g.model_name,
           g.describe(op), ax, in.name, in.shape_string(), rank);
    reduced[size_t(logical_axis(ax, rank))] = true;
  }
  std::vector<int> out;
  for (int i = 0; i < rank; ++i) {
    if (!reduced[size_t(i)]) out.push_back(in.shape[size_t(i)]);
    else if (a.keep_dims) out.push_back(1);
  }
  general_ops::set_output(g, op, std::move(out));
}

void reference_mean(const Graph&, const Op& op, std::span<const RefTensor> in, RefTensor& out) {
  const Shape4 is = in[0].shape;
  const Shape4 rs = mean_reduced_shape(is, op.attrs<MeanAttributes>().axes);
  std::vector<double> sum(rs.elements(), 0.0);
  general_ops::for_each_nhwc(is, [&](int n, int y, int x, int c) {
    sum[general_ops::broadcast_index(rs, n, y, x, c)] += in[0].data[general_ops::nhwc_index(is, n, y, x, c)];
  });
  const double count = double(is.elements()) / double(rs.elements());
  for (double& v : sum) v /= count;
  out.data = std::move(sum);  // same NHWC flat order as the output's own 4D shape
}

}  // namespace

Shape4 mean_reduced_shape(const Shape4& in, const std::vector<int>& axes4) {
  Shape4 r = in;
  for (int ax : axes4) {
    if (ax == 0) r.n = 1;
    else if (ax == 1) r.h = 1;
    else if (ax == 2) r.w = 1;
    else if (ax == 3) r.c = 1;
  }
  return r;
}

void register_mean_ops(std::vector<OpDescriptor>& table) {
  // Rows only: a channel mean reads every slice.
  table.push_back({.type = OpType::kMean, .infer_shape = infer_mean, .reference = reference_mean, .split_rows = true});
}

}  // namespace hetsched
