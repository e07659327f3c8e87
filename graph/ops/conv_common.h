// Padding and window geometry shared by conv-like ops and pooling.
#pragma once

namespace hetsched {

enum class Padding { kSame, kValid };

// Explicit zero padding of the input, resolved from SAME/VALID by shape inference
// (and grown by the PAD-folding pass).
struct Padding2D {
  int top = 0, bottom = 0, left = 0, right = 0;
  bool operator==(const Padding2D&) const = default;
};

// TFLite's output size: SAME -> ceil(in / stride); VALID -> ceil((in - dilated_k + 1) / stride).
int conv_output_size(int in, int kernel, int stride, int dilation, Padding p);
// Total SAME padding, split as TFLite does (the extra pixel goes to the end).
void same_padding(int in, int out, int kernel, int stride, int dilation, int* before, int* after);

}  // namespace hetsched
