// ConvGemm construction: weight and bias packing, the flat (pointwise) case (see conv_gemm.h).
#include "cpu/gemm/conv_gemm.h"

namespace hetsched::cpu::gemm {

ConvGemm::ConvGemm(const ConvGeometry& geometry, std::span<const float> ohwi, std::span<const float> bias)
    : g_(geometry),
      weights_(ohwi, geometry.out.c, geometry.kh * geometry.kw, geometry.in.c),
      bias_(pack_panel_bias(bias, geometry.out.c)) {
  flat_ = !g_.transposed && g_.kh == 1 && g_.kw == 1 && g_.stride_h == 1 && g_.stride_w == 1 && g_.pad_top == 0 &&
          g_.pad_left == 0 && g_.in.h == g_.out.h && g_.in.w == g_.out.w;
}

}  // namespace hetsched::cpu::gemm
