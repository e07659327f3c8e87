// Seeded random inputs for a Session (public API): every model input set to random_values (uniform in
// [lo, hi), by default [-1, 1)), drawn in input order from one engine. What `hetsched run` without
// --input, `hetsched compare`, the benchmarks and the examples run on.
#pragma once
#include "base/random_values.h"
#include "scheduler/session.h"

namespace hetsched {

template <typename Rng>
void set_random_inputs(Session& session, Rng& rng, float lo = -1, float hi = 1) {
  const Graph& g = session.model().graph();
  for (size_t i = 0; i < g.inputs.size(); ++i)
    session.set_input(int(i), random_values(g.tensors[size_t(g.inputs[i])].elements(), rng, lo, hi));
}

}  // namespace hetsched
