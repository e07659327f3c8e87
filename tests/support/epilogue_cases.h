// Random one-op graphs whose op carries an epilogue (graph/epilogue.h), for the epilogue tests on
// every executor (tests/ops/epilogue_test.cpp): a producer of each family that supports
// epilogues, on awkward shapes (channels not a multiple of 4, stride 2, dilation, SAME/VALID), with
// 1 to 4 random steps mixing unary steps, binary steps with activation operands (model inputs of
// the output's shape) and scalar operands.
#pragma once
#include <random>
#include <string>

#include "tests/support/op_test_harness.h"

namespace hetsched::test {

struct EpilogueCase {
  GraphBuilder builder{"epilogue"};
  std::string description;  // producer, shapes and steps, for SCOPED_TRACE
};

// Case `i` cycles through the producer families (CONV_2D, DEPTHWISE_CONV_2D, FULLY_CONNECTED,
// TRANSPOSE_CONV, a unary op, a binary op; the unary and binary ops in turn too); shapes and steps
// are random.
EpilogueCase make_epilogue_case(std::mt19937_64& rng, int i);

}  // namespace hetsched::test
