// Min-cost-flow memory strategy: shared objects as chains of tensors, chosen by a min-cost flow.
#include <algorithm>
#include <cstdint>
#include <functional>
#include <limits>
#include <queue>
#include <utility>

#include "base/error.h"
#include "memory/strategies.h"

namespace hetsched::memory::detail {

namespace {

// A flow network with unit capacities, solved by successive shortest paths in primal-dual
// phases. Each phase:
//  1. Dijkstra from the source on reduced costs cost(u, v) + h[u] - h[v] (h: Johnson potentials;
//     all initial costs are >= 0, so h = 0 is valid at the start), stopping once the sink is
//     settled.
//  2. h[v] += min(dist[v], dist[sink]): every residual edge keeps a non-negative reduced cost,
//     and the shortest source-sink paths become exactly the paths of zero reduced cost.
//  3. Augment along zero-reduced-cost paths (depth-first, unit at a time) until none is left.
//     Every one of them is a shortest path, so this is successive shortest paths, with one
//     Dijkstra per distinct path length instead of one per unit of flow.
// Repeat until the sink is unreachable.
class MinCostFlow {
 public:
  explicit MinCostFlow(size_t vertices) : first_(vertices + 1, 0), potential_(vertices, 0) {}

  // Adds u -> v with capacity `cap` and cost `cost` (and its residual twin v -> u, capacity 0,
  // cost -cost). Returns an arc id for saturated(). No arcs after finalize().
  size_t add_arc(size_t u, size_t v, int cap, int64_t cost) {
    arcs_.push_back({u, v, cap, cost});
    return arcs_.size() - 1;
  }

  // Lays the residual edges out by source vertex (CSR), so a vertex's edges are scanned from
  // contiguous memory: the graph has O(n^2) edges and the scans are memory bound.
  void finalize() {
    const size_t n = potential_.size();
    for (const Arc& a : arcs_) {
      ++first_[a.u + 1];
      ++first_[a.v + 1];
    }
    for (size_t v = 0; v < n; ++v) first_[v + 1] += first_[v];
    std::vector<size_t> fill(first_.begin(), first_.end() - 1);
    const size_t m = 2 * arcs_.size();
    to_.resize(m);
    twin_.resize(m);
    cap_.resize(m);
    cost_.resize(m);
    arc_edge_.resize(arcs_.size());
    for (size_t k = 0; k < arcs_.size(); ++k) {
      const Arc& a = arcs_[k];
      const size_t fwd = fill[a.u]++;
      const size_t rev = fill[a.v]++;
      to_[fwd] = a.v, twin_[fwd] = rev, cap_[fwd] = a.cap, cost_[fwd] = a.cost;
      to_[rev] = a.u, twin_[rev] = fwd, cap_[rev] = 0, cost_[rev] = -a.cost;
      arc_edge_[k] = fwd;
    }
    arcs_.clear();
    arcs_.shrink_to_fit();
  }

  void solve(size_t source, size_t sink) {
    source_ = source;
    sink_ = sink;
    while (shortest_distances()) {
      next_edge_.assign(first_.begin(), first_.end() - 1);
      on_path_.assign(potential_.size(), 0);
      while (augment(source_)) {
      }
    }
  }

  bool saturated(size_t arc) const { return cap_[arc_edge_[arc]] == 0; }

 private:
  struct Arc {
    size_t u, v;
    int cap;
    int64_t cost;
  };
  int64_t reduced_cost(size_t u, size_t e) const { return cost_[e] + potential_[u] - potential_[to_[e]]; }

  // Steps 1 and 2 of a phase; false when the sink is unreachable.
  bool shortest_distances() {
    constexpr int64_t kInf = std::numeric_limits<int64_t>::max();
    const size_t n = potential_.size();
    std::vector<int64_t> dist(n, kInf);
    std::vector<bool> settled(n, false);
    using Item = std::pair<int64_t, size_t>;
    std::priority_queue<Item, std::vector<Item>, std::greater<>> heap;
    dist[source_] = 0;
    heap.push({0, source_});
    while (!heap.empty()) {
      auto [d, u] = heap.top();
      heap.pop();
      if (settled[u]) continue;
      settled[u] = true;
      if (u == sink_) break;
      for (size_t e = first_[u]; e < first_[u + 1]; ++e) {
        if (cap_[e] <= 0 || settled[to_[e]]) continue;
        const int64_t nd = d + reduced_cost(u, e);
        if (nd < dist[to_[e]]) {
          dist[to_[e]] = nd;
          heap.push({nd, to_[e]});
        }
      }
    }
    if (!settled[sink_]) return false;
    for (size_t v = 0; v < n; ++v) potential_[v] += std::min(dist[v], dist[sink_]);
    return true;
  }

  // Step 3: one unit along a zero-reduced-cost path from u to the sink. Edges that led nowhere
  // are skipped for the rest of the phase (next_edge_); vertices on the current path are not
  // re-entered (zero-cost cycles).
  bool augment(size_t u) {
    if (u == sink_) return true;
    on_path_[u] = 1;
    bool found = false;
    for (size_t& e = next_edge_[u]; e < first_[u + 1]; ++e) {
      if (cap_[e] <= 0 || on_path_[to_[e]] || reduced_cost(u, e) != 0) continue;
      if (augment(to_[e])) {
        cap_[e] -= 1;
        cap_[twin_[e]] += 1;
        found = true;
        break;
      }
    }
    on_path_[u] = 0;
    return found;
  }

  std::vector<Arc> arcs_;
  std::vector<size_t> first_;  // CSR: edges of vertex v are [first_[v], first_[v + 1])
  // Residual edges, structure of arrays (the capacity test, done for every edge scanned, then
  // touches 4 bytes per edge).
  std::vector<uint32_t> to_;
  std::vector<uint32_t> twin_;
  std::vector<int32_t> cap_;
  std::vector<int64_t> cost_;
  std::vector<size_t> arc_edge_;
  std::vector<int64_t> potential_;
  std::vector<size_t> next_edge_;
  std::vector<char> on_path_;  // 1 while the vertex is on the path being built
  size_t source_ = 0;
  size_t sink_ = 0;
};

}  // namespace

// Steps (TFLite's MinCostFlowAssignment):
//  1. Build a bipartite network: a left vertex L_i ("tensor i's object becomes free") and a right
//     vertex R_j ("tensor j needs an object") per tensor, plus source S and sink T.
//       S -> L_i    capacity 1, cost 0: each object can be passed on once, to one successor;
//       R_j -> T    capacity 1, cost 0: each tensor gets exactly one object;
//       S -> R_j    capacity 1, cost size_j: tensor j allocates a new object;
//       L_i -> R_j  capacity 1, cost max(0, size_j - size_i), for every i that dies before j is
//                   born: j reuses the object i used, paying only for the growth.
//     Reusing a bigger object is free; the cost of a chain i1 -> i2 -> ... is its first size
//     plus every increase, an upper bound of (and a good proxy for) the chain's maximum.
//  2. Send n units S -> T at minimum cost (successive shortest paths; every R_j -> T saturates).
//  3. Read the chains off the saturated edges: S -> R_j saturated starts a new object at j;
//     L_i -> R_j saturated hands i's object to j. Each chain is one object, as large as its
//     largest tensor; lay the objects out in a row.
// O(n^2) edges and one Dijkstra per distinct path length (tens to a few hundred phases): ~300
// tensors take tens of milliseconds, 1000 about a second.
MemoryPlan plan_min_cost_flow(std::span<const TensorUsageRecord> records) {
  const size_t n = records.size();
  if (n > kMinCostFlowMaxTensors) {
    fail(ErrorKind::kUnsupported,
         "memory planner: min_cost_flow takes at most {} tensors (O(n^2) edges), got {}; use greedy_by_size",
         kMinCostFlowMaxTensors, n);
  }
  size_t sum = 0;
  for (const TensorUsageRecord& r : records) sum += r.size;  // no overflow: checked by plan_memory
  if (sum > static_cast<size_t>(std::numeric_limits<int64_t>::max() / 4)) {
    fail(ErrorKind::kInvalidArgument, "memory planner: min_cost_flow cannot cost {} bytes in total", sum);
  }
  const size_t source = 2 * n;
  const size_t sink = 2 * n + 1;
  auto left = [](size_t i) { return i; };
  auto right = [n](size_t j) { return n + j; };

  MinCostFlow flow(2 * n + 2);
  std::vector<size_t> new_object_edge(n);
  std::vector<std::vector<std::pair<size_t, size_t>>> reuse_edges(n);  // per j: (i, edge)
  const std::vector<size_t> order = order_by_first_task(records);
  for (size_t j : order) {
    flow.add_arc(source, left(j), 1, 0);
    flow.add_arc(right(j), sink, 1, 0);
    new_object_edge[j] = flow.add_arc(source, right(j), 1, static_cast<int64_t>(records[j].size));
    for (size_t i : order) {
      if (records[i].first_task >= records[j].first_task) break;  // nothing later can die before j
      if (records[i].last_task >= records[j].first_task) continue;
      const size_t growth = records[j].size > records[i].size ? records[j].size - records[i].size : 0;
      reuse_edges[j].push_back({i, flow.add_arc(left(i), right(j), 1, static_cast<int64_t>(growth))});
    }
  }
  flow.finalize();
  flow.solve(source, sink);

  // successor[i]: the tensor that takes over i's object next (n: none); heads start objects.
  std::vector<size_t> successor(n, n);
  std::vector<size_t> heads;
  for (size_t j : order) {
    if (flow.saturated(new_object_edge[j])) {
      heads.push_back(j);
      continue;
    }
    for (auto [i, e] : reuse_edges[j]) {
      if (flow.saturated(e)) {
        successor[i] = j;
        break;
      }
    }
  }

  ObjectAssignment a;
  a.object_of.assign(n, n);
  for (size_t head : heads) {
    const size_t obj = a.object_sizes.size();
    a.object_sizes.push_back(0);
    for (size_t t = head; t != n; t = successor[t]) {
      a.object_of[t] = obj;
      a.object_sizes[obj] = std::max(a.object_sizes[obj], records[t].size);
    }
  }
  for (size_t t = 0; t < n; ++t) {
    if (a.object_of[t] == n) {
      fail(ErrorKind::kInternal, "memory planner: min_cost_flow left tensor {} without an object", t);
    }
  }
  return layout_objects(a, Strategy::kMinCostFlow);
}

}  // namespace hetsched::memory::detail
