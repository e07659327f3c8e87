// CPU kernel timing for the throughput tests (see kernel_bench.h).
#include "tests/support/kernel_bench.h"

#include <algorithm>
#include <chrono>
#include <vector>

#include "cpu/kernel.h"
#include "graph/op_registry.h"
#include "tests/support/test_util.h"

namespace hetsched::test {

double best_cpu_kernel_seconds(Graph& graph, std::mt19937_64& rng, int reps, int warmups) {
  infer_shapes(graph);
  const Op& op = graph.ops[0];
  const Shape4 is = graph.tensors[size_t(op.inputs[0])].shape4(), os = graph.tensors[size_t(op.outputs[0])].shape4();
  auto kernel = cpu::create_cpu_kernel(graph, op);
  std::vector<float> in = to_phwc4(random_ref(rng, is)), out(os.phwc4_elements());
  std::vector<cpu::ConstView> views(op.inputs.size());
  views[0] = {in.data(), is};
  const cpu::MutableView mv{out.data(), os};
  for (int i = 0; i < warmups; ++i) kernel->run(views, mv, OutputRange::whole(os));
  double best = 1e30;
  for (int rep = 0; rep < reps; ++rep) {
    const auto t0 = std::chrono::steady_clock::now();
    kernel->run(views, mv, OutputRange::whole(os));
    best = std::min(best, std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
  }
  return best;
}

double gflops(const Graph& graph, double seconds) { return 2.0 * double(total_macs(graph)) / seconds * 1e-9; }

}  // namespace hetsched::test
