// CPU kernels of the elementwise ops: binary ADD/SUB/MUL/DIV and PRELU with broadcasting (a
// constant operand packed at create), and the unary activations. Rows of 4-lane pixels; an operand
// broadcast over W steps 0 floats per pixel, one broadcast over C splats its lane 0. The SIMD loops
// (elementwise_simd.cpp) take every row except those with an operand broadcast over C.
#include <memory>

#include "base/error.h"
#include "cpu/kernels/elementwise_simd.h"
#include "cpu/kernels/general_kernel_util.h"
#include "cpu/kernels/general_kernels.h"
#include "graph/ops/elementwise.h"

namespace hetsched::cpu {
namespace {

template <OpType kType, bool kSplatA, bool kSplatB>
void binary_row(const float* a, int step_a, const float* b, int step_b, float* out, int w) {
  for (int x = 0; x < w; ++x) {
    const float* pa = a + size_t(x) * step_a;
    const float* pb = b + size_t(x) * step_b;
    float* po = out + size_t(x) * kSliceWidth;
    for (int l = 0; l < kSliceWidth; ++l) po[l] = binary_apply<kType>(kSplatA ? pa[0] : pa[l], kSplatB ? pb[0] : pb[l]);
  }
}

template <OpType kType>
class BinaryKernel final : public CpuKernel {
 public:
  BinaryKernel(const Graph& g, const Op& op) : inputs_(g, op), activation_(op.activation()) {
    const Shape4 a = inputs_.shape(0), b = inputs_.shape(1);
    if (a.c == 1 && b.c == 1) simd_ = true;  // lanes 1..3 zeroed afterwards
    else if (a.c == 1) row_ = binary_row<kType, true, false>;
    else if (b.c == 1) row_ = binary_row<kType, false, true>;
    else simd_ = true;
  }

  void run(std::span<const ConstView> views, const MutableView& out, const OutputRange& r) const override {
    const Shape4 A = inputs_.shape(0), B = inputs_.shape(1), O = out.shape;
    const float* pa = inputs_.data(views, 0);
    const float* pb = inputs_.data(views, 1);
    const int step_a = A.w == 1 ? 0 : kSliceWidth, step_b = B.w == 1 ? 0 : kSliceWidth;
    for (int n = 0; n < O.n; ++n)
      for (int s = r.slice_begin; s < r.slice_end; ++s)
        for (int y = r.row_begin; y < r.row_end; ++y) {
          const float* ra = pa + A.offset(A.n == 1 ? 0 : n, A.c == 1 ? 0 : s, A.h == 1 ? 0 : y, 0);
          const float* rb = pb + B.offset(B.n == 1 ? 0 : n, B.c == 1 ? 0 : s, B.h == 1 ? 0 : y, 0);
          float* ro = out.data + O.offset(n, s, y, 0);
          if (simd_) binary_span(kType, ra, step_a == 0, rb, step_b == 0, ro, size_t(O.w) * kSliceWidth);
          else row_(ra, step_a, rb, step_b, ro, O.w);
          general_kernels::apply_activation_span(activation_, ro, size_t(O.w) * kSliceWidth);
          general_kernels::zero_padding_if_last(ro, O.w, O.c, s);
        }
  }

 private:
  general_kernels::KernelInputs inputs_;
  Activation activation_;
  bool simd_ = false;
  void (*row_)(const float*, int, const float*, int, float*, int) = nullptr;
};

template <OpType kType>
class UnaryKernel final : public CpuKernel {
 public:
  UnaryKernel(const Graph& g, const Op& op) : inputs_(g, op) {}

  void run(std::span<const ConstView> views, const MutableView& out, const OutputRange& r) const override {
    const Shape4 O = out.shape;
    const float* in = inputs_.data(views, 0);
    const size_t row = size_t(O.w) * kSliceWidth;
    for (int n = 0; n < O.n; ++n)
      for (int s = r.slice_begin; s < r.slice_end; ++s)
        for (int y = r.row_begin; y < r.row_end; ++y) {
          const float* ri = in + O.offset(n, s, y, 0);
          float* ro = out.data + O.offset(n, s, y, 0);
          if (s == O.slices() - 1 && O.c % kSliceWidth != 0) {
            // The last slice: only the valid lanes (a 1-channel map costs 1/4 of the row).
            const int valid = O.c % kSliceWidth;
            for (size_t x = 0; x < size_t(O.w); ++x)
              for (int l = 0; l < kSliceWidth; ++l)
                ro[x * kSliceWidth + l] = l < valid ? unary_apply<kType>(ri[x * kSliceWidth + l]) : 0.0f;
            continue;
          }
          unary_span(kType, ri, ro, row);
        }
  }

 private:
  general_kernels::KernelInputs inputs_;
};

}  // namespace

// One kernel class per op of the lists in graph/ops/elementwise.h.
std::unique_ptr<CpuKernel> create_binary_kernel(const Graph& g, const Op& op) {
  if (describe_op(op.type).elementwise != ElementwiseKind::kBinary)
    fail(ErrorKind::kInternal, "model '{}': {} is not a binary op", g.model_name, g.describe(op));
  return visit_binary(op.type, [&](auto t) -> std::unique_ptr<CpuKernel> {
    return std::make_unique<BinaryKernel<decltype(t)::value>>(g, op);
  });
}

std::unique_ptr<CpuKernel> create_unary_kernel(const Graph& g, const Op& op) {
  if (describe_op(op.type).elementwise != ElementwiseKind::kUnary)
    fail(ErrorKind::kInternal, "model '{}': {} is not a unary op", g.model_name, g.describe(op));
  return visit_unary(op.type, [&](auto t) -> std::unique_ptr<CpuKernel> {
    return std::make_unique<UnaryKernel<decltype(t)::value>>(g, op);
  });
}

}  // namespace hetsched::cpu
