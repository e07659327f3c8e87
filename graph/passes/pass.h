// The result every graph pass returns: whether it changed the graph, and why (or why not).
#pragma once
#include <string>

namespace hetsched {

struct PassResult {
  bool applied = false;  // the graph changed
  std::string reason;    // what was done ("folded 3 PADs") or why nothing was ("no PAD op")
};

}  // namespace hetsched
