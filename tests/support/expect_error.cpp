// Error checks (see expect_error.h).
#include "tests/support/expect_error.h"

#include <gtest/gtest.h>

#include <string>

#include "graph/op_registry.h"

namespace hetsched::test {

void expect_error_from(const std::function<void()>& call, ErrorKind kind,
                       std::initializer_list<std::string_view> needles) {
  try {
    call();
    std::string expected;
    for (std::string_view n : needles) expected += " '" + std::string(n) + "'";
    ADD_FAILURE() << "no error, expected one naming" << expected;
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), kind) << e.what();
    for (std::string_view n : needles) EXPECT_NE(std::string(e.what()).find(n), std::string::npos) << e.what();
  }
}

void expect_infer_error(Graph graph, ErrorKind kind, std::initializer_list<std::string_view> needles) {
  expect_error_from([&] { infer_shapes(graph); }, kind, needles);
}

}  // namespace hetsched::test
