// Elementwise loops with Highway: full vectors over the span, then 4-float chunks (a CappedTag of
// 4 lanes; 1 lane on the scalar target) for the rest. Each element is computed by the same formula
// whichever loop it falls in, so results do not depend on the range a kernel is given.
#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "cpu/kernels/elementwise_simd.cpp"
#include "hwy/foreach_target.h"  // IWYU pragma: keep
#include "hwy/highway.h"
#include "hwy/contrib/math/math-inl.h"  // Tanh

#include "cpu/kernels/elementwise_simd.h"
#include "graph/ops/elementwise.h"

HWY_BEFORE_NAMESPACE();
namespace hetsched::cpu::HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;

namespace {

// logistic(x) = 1 / (1 + e^-x), XNNPACK's f32-sigmoid "rr2-p5-div" scheme: with z = -|x|,
// e = e^z from n = round(z / ln 2) (a magic-bias add), t = z - n ln 2 in two parts, a degree-5
// polynomial and the scale 2^n built in the exponent bits; f = e / (e + 1) = logistic(z), and
// logistic(x) = f for x < 0, 1 - f otherwise. Flushed to 0 below z = -80 (no denormal on the way). Within
// 3e-7 relative of the float64 logistic for x > -80 with a true division (numpy emulation over
// [-100, 100], step 1e-4); about half the instructions of Highway's Exp, and no division.
template <class D>
HWY_INLINE hn::Vec<D> Logistic(D d, hn::Vec<D> x) {
  const hn::RebindToSigned<D> di;
  const auto cutoff = hn::Set(d, -80.0f);
  const auto z = hn::Neg(hn::Abs(x));
  // Lanes below the cutoff are computed at z = 0 and flushed to 0 at the end (logistic(-80) is
  // 1.8e-35): near e^z = 2^-126 the products t * s are denormal, and every operation on a denormal
  // takes a microcode assist on x86 (a segmentation head's logistic over strongly negative logits
  // ran ~10x slower).
  const auto flushed = hn::Lt(z, cutoff);
  const auto zc = hn::IfThenZeroElse(flushed, z);
  const auto magic = hn::Set(d, 0x1.8000FEp23f);
  auto n = hn::MulAdd(zc, hn::Set(d, 0x1.715476p+0f), magic);
  const auto s = hn::BitCast(d, hn::ShiftLeft<23>(hn::BitCast(di, n)));
  n = hn::Sub(n, magic);
  auto t = hn::MulAdd(n, hn::Set(d, -0x1.62E400p-1f), zc);
  t = hn::MulAdd(n, hn::Set(d, -0x1.7F7D1Cp-20f), t);
  auto p = hn::MulAdd(hn::Set(d, 0x1.0F9F9Cp-7f), t, hn::Set(d, 0x1.573A1Ap-5f));
  p = hn::MulAdd(p, t, hn::Set(d, 0x1.555A80p-3f));
  p = hn::MulAdd(p, t, hn::Set(d, 0x1.FFFDC6p-2f));
  p = hn::MulAdd(p, t, hn::Set(d, 0x1.FFFFF6p-1f));
  t = hn::Mul(t, s);
  const auto e = hn::MulAdd(t, p, s);
  const auto one = hn::Set(d, 1.0f);
  // f = e / (e + 1) through the reciprocal estimate and one Newton step (XNNPACK's "nr1fma"):
  // r = r + r * (1 - q * r). On AVX-512 (14-bit estimate) this is as exact as the division and
  // much cheaper; on AVX2 (12-bit) within a few ulp more.
  const auto q = hn::Add(e, one);
  auto r = hn::ApproximateReciprocal(q);
  r = hn::MulAdd(hn::NegMulAdd(q, r, one), r, r);
  auto f = hn::Mul(e, r);
  f = hn::IfThenZeroElse(flushed, f);
  return hn::IfThenElse(hn::Ge(x, hn::Zero(d)), hn::Sub(one, f), f);
}

template <OpType kType, class D>
HWY_INLINE hn::Vec<D> unary_vec(D d, hn::Vec<D> x) {
  if constexpr (kType == OpType::kHardSwish) {  // x * relu6(x + 3) / 6, the division as a multiply by 1/6
    const auto r = hn::Min(hn::Max(hn::Add(x, hn::Set(d, 3.0f)), hn::Zero(d)), hn::Set(d, 6.0f));
    return hn::Mul(hn::Mul(x, r), hn::Set(d, 1.0f / 6.0f));  // within 1 ulp of the division
  } else if constexpr (kType == OpType::kLogistic) {
    return Logistic(d, x);
  } else if constexpr (kType == OpType::kTanh) {
    return hn::Tanh(d, x);
  } else if constexpr (kType == OpType::kRelu) {
    return hn::Max(x, hn::Zero(d));
  } else {
    static_assert(kType == OpType::kRelu6);
    return hn::Min(hn::Max(x, hn::Zero(d)), hn::Set(d, 6.0f));
  }
}

template <OpType kType>
void unary_loop(const float* in, float* out, size_t n) {
  const hn::ScalableTag<float> d;
  const hn::CappedTag<float, 4> d4;
  const size_t N = hn::Lanes(d), N4 = hn::Lanes(d4);
  size_t i = 0;
  for (; i + N <= n; i += N) hn::StoreU(unary_vec<kType>(d, hn::LoadU(d, in + i)), d, out + i);
  for (; i + N4 <= n; i += N4) hn::StoreU(unary_vec<kType>(d4, hn::LoadU(d4, in + i)), d4, out + i);
  for (; i < n; ++i) out[i] = unary_apply<kType>(in[i]);  // n not a multiple of 4: not from PHWC4 rows
}

// out[i] = in[i] * logistic(in[i]), the same vector formula as LOGISTIC for every element.
void swish_loop(const float* in, float* out, size_t n) {
  const hn::ScalableTag<float> d;
  const hn::CappedTag<float, 4> d4;
  const size_t N = hn::Lanes(d), N4 = hn::Lanes(d4);
  size_t i = 0;
  for (; i + N <= n; i += N) {
    const auto x = hn::LoadU(d, in + i);
    hn::StoreU(hn::Mul(x, Logistic(d, x)), d, out + i);
  }
  for (; i + N4 <= n; i += N4) {
    const auto x = hn::LoadU(d4, in + i);
    hn::StoreU(hn::Mul(x, Logistic(d4, x)), d4, out + i);
  }
  for (; i < n; ++i) out[i] = in[i] * unary_apply<OpType::kLogistic>(in[i]);
}

template <OpType kType, class D>
HWY_INLINE hn::Vec<D> binary_vec(hn::Vec<D> a, hn::Vec<D> b) {
  if constexpr (kType == OpType::kAdd) return hn::Add(a, b);
  else if constexpr (kType == OpType::kSub) return hn::Sub(a, b);
  else if constexpr (kType == OpType::kMul) return hn::Mul(a, b);
  else if constexpr (kType == OpType::kDiv) return hn::Div(a, b);
  else {
    static_assert(kType == OpType::kPrelu);
    const D d;
    return hn::IfThenElse(hn::Ge(a, hn::Zero(d)), a, hn::Mul(a, b));
  }
}

template <OpType kType, bool kPixelA, bool kPixelB>
void binary_loop(const float* a, const float* b, float* out, size_t n) {
  const hn::ScalableTag<float> d;
  const size_t N = hn::Lanes(d);
  size_t i = 0;
  if (N >= 4) {  // a pixel operand repeats every 4 lanes: LoadDup128
    const auto pa = hn::LoadDup128(d, a), pb = hn::LoadDup128(d, b);
    for (; i + N <= n; i += N) {
      const auto va = kPixelA ? pa : hn::LoadU(d, a + i);
      const auto vb = kPixelB ? pb : hn::LoadU(d, b + i);
      hn::StoreU(binary_vec<kType, decltype(d)>(va, vb), d, out + i);
    }
  }
  for (; i < n; ++i) out[i] = binary_apply<kType>(kPixelA ? a[i % 4] : a[i], kPixelB ? b[i % 4] : b[i]);
}

template <OpType kType>
void binary_dispatch(const float* a, bool a_pixel, const float* b, bool b_pixel, float* out, size_t n) {
  if (a_pixel && b_pixel) binary_loop<kType, true, true>(a, b, out, n);
  else if (a_pixel) binary_loop<kType, true, false>(a, b, out, n);
  else if (b_pixel) binary_loop<kType, false, true>(a, b, out, n);
  else binary_loop<kType, false, false>(a, b, out, n);
}

}  // namespace

void unary_span_impl(OpType op, const float* in, float* out, size_t n) {
  visit_unary(op, [&](auto t) { unary_loop<decltype(t)::value>(in, out, n); });
}

void swish_span_impl(const float* in, float* out, size_t n) { swish_loop(in, out, n); }

void binary_span_impl(OpType op, const float* a, bool a_pixel, const float* b, bool b_pixel, float* out, size_t n) {
  visit_binary(op, [&](auto t) { binary_dispatch<decltype(t)::value>(a, a_pixel, b, b_pixel, out, n); });
}

}  // namespace hetsched::cpu::HWY_NAMESPACE
HWY_AFTER_NAMESPACE();

#if HWY_ONCE
namespace hetsched::cpu {
HWY_EXPORT(unary_span_impl);
HWY_EXPORT(binary_span_impl);
HWY_EXPORT(swish_span_impl);
void swish_span(const float* in, float* out, size_t n) { HWY_DYNAMIC_DISPATCH(swish_span_impl)(in, out, n); }
void unary_span(OpType op, const float* in, float* out, size_t n) {
  HWY_DYNAMIC_DISPATCH(unary_span_impl)(op, in, out, n);
}
void binary_span(OpType op, const float* a, bool a_pixel, const float* b, bool b_pixel, float* out, size_t n) {
  HWY_DYNAMIC_DISPATCH(binary_span_impl)(op, a, a_pixel, b, b_pixel, out, n);
}
}  // namespace hetsched::cpu
#endif
