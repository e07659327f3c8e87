// infer_shapes error checks (see infer_errors.h).
#include "tests/support/infer_errors.h"

#include <gtest/gtest.h>

#include <string>

#include "graph/op_registry.h"

namespace hetsched::test {

void expect_infer_error(Graph graph, ErrorKind kind, std::initializer_list<std::string_view> needles) {
  try {
    infer_shapes(graph);
    std::string expected;
    for (std::string_view n : needles) expected += " '" + std::string(n) + "'";
    ADD_FAILURE() << "no error, expected one naming" << expected;
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), kind) << e.what();
    for (std::string_view n : needles) EXPECT_NE(std::string(e.what()).find(n), std::string::npos) << e.what();
  }
}

}  // namespace hetsched::test
