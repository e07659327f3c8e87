// The error checks of the tests: a call must throw an Error of a kind whose message names what is
// wrong (the op, the tensor, the file, ...).
#pragma once
#include <functional>
#include <initializer_list>
#include <string_view>

#include "base/error.h"
#include "graph/graph.h"

namespace hetsched::test {

// Expects call() to throw an Error of `kind` whose message contains every one of `needles` (gtest
// failures are added here; callers add SCOPED_TRACE for context).
void expect_error_from(const std::function<void()>& call, ErrorKind kind,
                       std::initializer_list<std::string_view> needles = {});

// The same for infer_shapes(graph).
void expect_infer_error(Graph graph, ErrorKind kind, std::initializer_list<std::string_view> needles = {});

}  // namespace hetsched::test
