// The error checks of the shape tests: infer_shapes must throw an Error of a kind whose message
// names what is wrong (the op, the tensor, ...).
#pragma once
#include <initializer_list>
#include <string_view>

#include "base/error.h"
#include "graph/graph.h"

namespace hetsched::test {

// Expects infer_shapes(graph) to throw an Error of `kind` whose message contains every one of
// `needles` (gtest failures are added here; callers add SCOPED_TRACE for context).
void expect_infer_error(Graph graph, ErrorKind kind, std::initializer_list<std::string_view> needles = {});

}  // namespace hetsched::test
