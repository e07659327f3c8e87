// Shape inference and float64 reference of SOFTMAX (see softmax.h).
#include "graph/ops/softmax.h"

#include <algorithm>
#include <cmath>

#include "graph/ops/general_common.h"

namespace hetsched {
namespace {

void infer_softmax(Graph& g, Op& op) {
  general_ops::expect_arity(g, op, 1, 1);
  general_ops::attributes_of<SoftmaxAttributes>(g, op);
  const Tensor& in = general_ops::float_input(g, op, 0);
  general_ops::set_output(g, op, in.shape);
}

void reference_softmax(const Graph&, const Op& op, std::span<const RefTensor> in, RefTensor& out) {
  const double beta = op.attrs<SoftmaxAttributes>().beta;
  const int C = in[0].shape.c;
  out.data.resize(in[0].data.size());
  for (size_t p = 0; p < in[0].data.size(); p += size_t(C)) {
    const double* x = in[0].data.data() + p;
    const double m = *std::max_element(x, x + C);
    double sum = 0;
    for (int c = 0; c < C; ++c) sum += std::exp(beta * (x[c] - m));
    for (int c = 0; c < C; ++c) out.data[p + size_t(c)] = std::exp(beta * (x[c] - m)) / sum;
  }
}

}  // namespace

void register_softmax_ops(std::vector<OpDescriptor>& table) {
  // Rows only: the sum runs over every slice.
  table.push_back({.type = OpType::kSoftmax, .infer_shape = infer_softmax, .reference = reference_softmax,
                   .split_rows = true});
}

}  // namespace hetsched
