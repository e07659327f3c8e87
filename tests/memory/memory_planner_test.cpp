// Tests of the tensor memory planner: hand-made cases with known optima, randomized validity and
// bound checks for every strategy, chains where greedy reaches the bound, and a size table.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <functional>
#include <random>
#include <string>
#include <vector>

#include "base/error.h"
#include "memory/memory_planner.h"
#include "tests/support/test_util.h"

namespace hetsched::memory {
namespace {

using Records = std::vector<TensorUsageRecord>;

size_t align(size_t size, size_t alignment) { return (size + alignment - 1) / alignment * alignment; }

// Independent of plan_is_valid: every pair of tensors, offsets aligned, bounds respected.
std::string brute_force_violation(const Records& records, const MemoryPlan& plan, size_t alignment) {
  if (plan.offsets.size() != records.size()) return "wrong number of offsets";
  if (plan.total_bytes % alignment != 0) return fmt::format("total {} not aligned to {}", plan.total_bytes, alignment);
  for (size_t i = 0; i < records.size(); ++i) {
    if (plan.offsets[i] % alignment != 0) return fmt::format("tensor {} offset {} unaligned", i, plan.offsets[i]);
    if (plan.offsets[i] + records[i].size > plan.total_bytes) return fmt::format("tensor {} past the end", i);
    for (size_t j = i + 1; j < records.size(); ++j) {
      const bool live_together =
          records[i].first_task <= records[j].last_task && records[j].first_task <= records[i].last_task;
      const bool share_bytes = records[i].size > 0 && records[j].size > 0 &&
                               plan.offsets[i] < plan.offsets[j] + records[j].size &&
                               plan.offsets[j] < plan.offsets[i] + records[i].size;
      if (live_together && share_bytes) return fmt::format("tensors {} and {} collide", i, j);
    }
  }
  return "";
}

// Per-task live sum, the slow obvious way.
size_t brute_force_lower_bound(const Records& records, size_t alignment) {
  int last = -1;
  for (const auto& r : records) last = std::max(last, r.last_task);
  size_t best = 0;
  for (int t = 0; t <= last; ++t) {
    size_t live = 0;
    for (const auto& r : records) {
      if (r.first_task <= t && t <= r.last_task) live += align(r.size, alignment);
    }
    best = std::max(best, live);
  }
  return best;
}

// Checks everything that must hold for any input; returns the plans by strategy.
std::vector<MemoryPlan> check_all_strategies(const Records& records, size_t alignment) {
  const size_t bound = memory_lower_bound(records, alignment);
  EXPECT_EQ(bound, brute_force_lower_bound(records, alignment));
  size_t sum = 0;
  for (const auto& r : records) sum += align(r.size, alignment);
  std::vector<MemoryPlan> plans;
  for (Strategy s : kAllStrategies) {
    MemoryPlan plan = plan_memory(records, s, alignment);
    SCOPED_TRACE(fmt::format("strategy {}, {} tensors, alignment {}", to_string(s), records.size(), alignment));
    EXPECT_EQ(plan.strategy, s);
    std::string why;
    EXPECT_TRUE(plan_is_valid(records, plan, &why)) << why;
    EXPECT_EQ(brute_force_violation(records, plan, alignment), "");
    EXPECT_GE(plan.total_bytes, bound);
    EXPECT_LE(plan.total_bytes, sum);
    if (s == Strategy::kNaive) {
      EXPECT_EQ(plan.total_bytes, sum);
    }
    plans.push_back(std::move(plan));
  }
  const MemoryPlan best = plan_memory_best(records, alignment);
  std::string why;
  EXPECT_TRUE(plan_is_valid(records, best, &why)) << why;
  for (const MemoryPlan& p : plans) EXPECT_LE(best.total_bytes, p.total_bytes) << to_string(p.strategy);
  EXPECT_EQ(best.total_bytes, plans[static_cast<size_t>(best.strategy)].total_bytes);
  return plans;
}

size_t total(const Records& records, Strategy s, size_t alignment = 64) {
  return plan_memory(records, s, alignment).total_bytes;
}

// Expects each strategy's total bytes (alignment 64).
void expect_totals(const Records& records, std::initializer_list<std::pair<Strategy, size_t>> totals) {
  for (const auto& [s, bytes] : totals) EXPECT_EQ(total(records, s), bytes) << to_string(s);
}

// Random live ranges of random sizes (some zero, some huge): no structure at all.
Records random_records(std::mt19937_64& rng, size_t n, int tasks) {
  std::uniform_int_distribution<int> task(0, tasks - 1);
  std::uniform_int_distribution<int> length_class(0, 9);
  std::uniform_int_distribution<int> log_size(0, 20);
  Records records(n);
  for (auto& r : records) {
    r.first_task = task(rng);
    const int cls = length_class(rng);
    const int max_len = cls < 6 ? 2 : cls < 9 ? 10 : tasks;
    r.last_task = std::min(tasks - 1, r.first_task + std::uniform_int_distribution<int>(0, max_len)(rng));
    r.size = log_size(rng) == 0 ? 0 : std::uniform_int_distribution<size_t>(1, size_t{1} << log_size(rng))(rng);
  }
  return records;
}

// Something like the intermediate tensors of a CNN: op k produces tensor k (read by op k + 1);
// resolution halves and channels double at stage boundaries; some tensors are kept for a
// residual add a few ops later, some feed parallel branches (inception-like).
Records network_records(std::mt19937_64& rng, int ops, double residual_p, double branch_p) {
  std::uniform_real_distribution<double> u(0.0, 1.0);
  Records records;
  int hw = 112;
  int channels = 32;
  for (int k = 0; k < ops; ++k) {
    if (k > 0 && k % std::max(1, ops / 5) == 0 && hw > 7) {
      hw /= 2;
      channels *= 2;
    }
    const int c = u(rng) < 0.3 ? channels * 4 : u(rng) < 0.2 ? channels / 2 : channels;  // expand / squeeze
    int last = k + 1;
    if (u(rng) < residual_p) last = k + std::uniform_int_distribution<int>(2, 6)(rng);
    if (u(rng) < branch_p) last = k + std::uniform_int_distribution<int>(2, 4)(rng);
    records.push_back({size_t(hw) * hw * c * 4, k, std::min(last, ops - 1)});
  }
  return records;
}

TEST(MemoryPlanner, StrategyNamesRoundTrip) {
  for (Strategy s : kAllStrategies) EXPECT_EQ(parse_strategy(to_string(s)), s);
  EXPECT_EQ(parse_strategy("greedy-by-size"), Strategy::kGreedyBySize);
  try {
    parse_strategy("greedy");
    FAIL() << "no throw";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kInvalidArgument);
    EXPECT_NE(std::string(e.what()).find("min_cost_flow"), std::string::npos) << e.what();
  }
}

TEST(MemoryPlanner, RejectsBadInput) {
  const Records backwards = {{64, 3, 2}};
  const Records negative = {{64, -1, 2}};
  for (Strategy s : kAllStrategies) {
    EXPECT_THROW(plan_memory(backwards, s), Error);
    EXPECT_THROW(plan_memory(negative, s), Error);
    EXPECT_THROW(plan_memory(Records{{64, 0, 0}}, s, 0), Error);
    EXPECT_THROW(plan_memory(Records{{SIZE_MAX - 3, 0, 0}}, s, 64), Error);
    EXPECT_THROW(plan_memory(Records{{SIZE_MAX / 2 + 64, 0, 0}, {SIZE_MAX / 2 + 64, 1, 1}}, s, 64), Error);
  }
  const Records many(4097, TensorUsageRecord{64, 0, 0});
  try {
    plan_memory(many, Strategy::kMinCostFlow);
    FAIL() << "no throw";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kUnsupported);
  }
  EXPECT_EQ(plan_memory_best(many).total_bytes, 4097u * 64);
  std::string why;
  MemoryPlan short_plan;
  EXPECT_FALSE(plan_is_valid(Records{{64, 0, 0}}, short_plan, &why));
  EXPECT_NE(why.find("offsets"), std::string::npos) << why;
}

TEST(MemoryPlanner, EmptyAndSingle) {
  for (Strategy s : kAllStrategies) {
    const MemoryPlan empty = plan_memory(Records{}, s);
    EXPECT_EQ(empty.total_bytes, 0u);
    EXPECT_TRUE(empty.offsets.empty());
    EXPECT_EQ(total(Records{{100, 5, 9}}, s, 64), 128u);
    EXPECT_EQ(total(Records{{100, 5, 9}}, s, 1), 100u);
    EXPECT_EQ(total(Records{{0, 0, 0}, {0, 0, 3}}, s), 0u);
  }
  EXPECT_EQ(memory_lower_bound(Records{}), 0u);
}

TEST(MemoryPlanner, AllLiveTogetherNeedsTheSum) {
  const Records records = {{100, 0, 4}, {64, 1, 3}, {1, 2, 2}, {300, 0, 2}};
  const size_t sum = 128 + 64 + 64 + 320;
  EXPECT_EQ(memory_lower_bound(records), sum);
  for (Strategy s : kAllStrategies) EXPECT_EQ(total(records, s), sum) << to_string(s);
}

TEST(MemoryPlanner, DisjointInTimeNeedsTheLargest) {
  const Records records = {{64, 0, 0}, {128, 1, 1}, {192, 2, 2}, {10, 3, 5}};
  EXPECT_EQ(memory_lower_bound(records), 192u);
  for (Strategy s : kAllStrategies) {
    if (s == Strategy::kNaive) continue;
    EXPECT_EQ(total(records, s), 192u) << to_string(s);
  }
  EXPECT_EQ(total(records, Strategy::kNaive), 64u + 128 + 192 + 64);
}

TEST(MemoryPlanner, ChainOfThreeReusesTheFirst) {
  // a -> b -> c: a and c never live together, so the optimum is two slots.
  const Records records = {{64, 0, 1}, {64, 1, 2}, {64, 2, 3}};
  for (Strategy s : kAllStrategies) {
    if (s == Strategy::kNaive) continue;
    EXPECT_EQ(total(records, s), 128u) << to_string(s);
  }
}

TEST(MemoryPlanner, OffsetsBeatSharedObjects) {
  // A (2 units) dies; B and C (1 unit each) are born together. Offsets put B and C side by side
  // inside A's bytes (optimum 2 units = the bound); a shared object holds one tensor at a time,
  // so object strategies need A's object plus one more (3 units, their optimum).
  const Records records = {{128, 0, 0}, {64, 1, 1}, {64, 1, 1}};
  EXPECT_EQ(memory_lower_bound(records), 128u);
  expect_totals(records, {{Strategy::kGreedyBySize, 128u},
                          {Strategy::kGreedyInOrder, 192u},
                          {Strategy::kGreedyByBreadth, 192u},
                          {Strategy::kMinCostFlow, 192u}});
  EXPECT_EQ(plan_memory_best(records).strategy, Strategy::kGreedyBySize);
}

TEST(MemoryPlanner, InOrderIsMyopic) {
  // A (4 units) dies at 0; B (1 unit) is born at 1 and lives to 3; C (4 units) lives at 2.
  // In order hands A's object to B, so C needs a new one: 8 units. Looking at the whole
  // schedule (breadth, flow, offsets) gives A's bytes to C and a small block to B: 5 units,
  // the bound. Sizes are not multiples of the alignment on purpose.
  const Records records = {{250, 0, 0}, {3, 1, 3}, {256, 2, 2}};
  EXPECT_EQ(memory_lower_bound(records), 320u);
  expect_totals(records, {{Strategy::kGreedyInOrder, 512u},
                          {Strategy::kGreedyByBreadth, 320u},
                          {Strategy::kMinCostFlow, 320u},
                          {Strategy::kGreedyBySize, 320u},
                          {Strategy::kNaive, 576u}});
}

TEST(MemoryPlanner, OffsetsRespectAnyAlignment) {
  const Records records = {{1, 0, 2}, {7, 1, 3}, {33, 2, 4}, {100, 3, 5}, {5, 0, 5}};
  for (size_t alignment : {size_t{1}, size_t{3}, size_t{48}, size_t{256}}) {
    check_all_strategies(records, alignment);
  }
  EXPECT_EQ(total(records, Strategy::kNaive, 1), 146u);
  EXPECT_EQ(total(records, Strategy::kNaive, 256), 5u * 256);
}

TEST(MemoryPlanner, PlanIsValidCatchesCollisions) {
  const Records records = {{64, 0, 1}, {64, 1, 2}, {64, 2, 3}};
  MemoryPlan plan = plan_memory(records, Strategy::kGreedyBySize);
  ASSERT_TRUE(plan_is_valid(records, plan));
  std::string why;
  MemoryPlan bad = plan;
  bad.offsets[1] = bad.offsets[0];  // same bytes as tensor 0, and both live at task 1
  EXPECT_FALSE(plan_is_valid(records, bad, &why));
  EXPECT_NE(why.find("overlap"), std::string::npos) << why;
  bad = plan;
  bad.offsets[2] = plan.total_bytes;  // past the end
  EXPECT_FALSE(plan_is_valid(records, bad, &why));
  bad = plan;
  bad.offsets[0] += 1;  // unaligned
  EXPECT_FALSE(plan_is_valid(records, bad, &why));
  // Tensors 0 and 2 never live together: sharing bytes is fine.
  MemoryPlan shared = plan;
  shared.offsets = {0, 64, 0};
  shared.total_bytes = 128;
  EXPECT_TRUE(plan_is_valid(records, shared, &why)) << why;
}

TEST(MemoryPlanner, RandomRecordsAllStrategiesValid) {
  auto rng = test::make_rng(0x6d656d31);
  const size_t alignments[] = {1, 4, 16, 64, 256};
  for (int trial = 0; trial < 40; ++trial) {
    const size_t n = std::uniform_int_distribution<size_t>(1, 400)(rng);
    const int tasks = std::uniform_int_distribution<int>(1, 300)(rng);
    const size_t alignment = alignments[trial % 5];
    const Records records = random_records(rng, n, tasks);
    SCOPED_TRACE(fmt::format("trial {}: {} tensors over {} tasks", trial, n, tasks));
    check_all_strategies(records, alignment);
    if (testing::Test::HasFailure()) return;
  }
}

TEST(MemoryPlanner, RandomNetworksAllStrategiesValid) {
  auto rng = test::make_rng(0x6d656d32);
  for (int trial = 0; trial < 20; ++trial) {
    const int ops = std::uniform_int_distribution<int>(2, 300)(rng);
    const Records records = network_records(rng, ops, 0.2, 0.1);
    SCOPED_TRACE(fmt::format("trial {}: {} ops", trial, ops));
    check_all_strategies(records, 64);
    if (testing::Test::HasFailure()) return;
  }
}

TEST(MemoryPlanner, ChainsReachTheLowerBound) {
  // A linear network: tensor k is produced by op k and read by op k + 1 only, so the bound is
  // max(size_k + size_k+1). With distinct sizes that rise and then fall (a backbone that
  // shrinks, an expand-then-project block; monotone chains included), greedy by size puts the
  // tensors alternately at offset 0 and right above their larger neighbour, and reaches it.
  auto rng = test::make_rng(0x6d656d33);
  for (int trial = 0; trial < 300; ++trial) {
    const int n = std::uniform_int_distribution<int>(1, 120)(rng);
    const size_t alignment = trial % 2 ? 64 : 1;
    // Distinct aligned sizes: distinct multiples of 64, minus less than 64 bytes.
    std::vector<size_t> sizes;
    std::uniform_int_distribution<size_t> units(1, 1u << 14);
    while (sizes.size() < size_t(n)) {
      const size_t s = units(rng) * 64;
      if (std::find(sizes.begin(), sizes.end(), s) == sizes.end()) sizes.push_back(s);
    }
    const int peak = std::uniform_int_distribution<int>(0, n)(rng);  // 0: falling, n: rising
    std::sort(sizes.begin(), sizes.begin() + peak);
    std::sort(sizes.begin() + peak, sizes.end(), std::greater<>());
    Records records;
    for (int k = 0; k < n; ++k) {
      records.push_back({sizes[k] - std::uniform_int_distribution<size_t>(0, 63)(rng), k, k + 1});
    }
    const size_t bound = memory_lower_bound(records, alignment);
    SCOPED_TRACE(fmt::format("trial {}: chain of {}, peak at {}", trial, n, peak));
    ASSERT_EQ(plan_memory(records, Strategy::kGreedyBySize, alignment).total_bytes, bound);
    ASSERT_EQ(plan_memory_best(records, alignment).total_bytes, bound);
  }
}

TEST(MemoryPlanner, GreedyBySizeMissesTheBoundOnAValley) {
  // Not every chain: sizes 2, 1, 1, 2 (a valley). The two ends go to offset 0, the middle
  // tensors then stack above them: 4 units, where 3 suffice (ends at 0 and at 1, the middle
  // ones at 2 and 0). Pinned so that a change of behaviour is noticed.
  const Records records = {{128, 0, 1}, {64, 1, 2}, {64, 2, 3}, {128, 3, 4}};
  EXPECT_EQ(memory_lower_bound(records), 192u);
  EXPECT_EQ(total(records, Strategy::kGreedyBySize), 256u);
  MemoryPlan optimum{Strategy::kNaive, {0, 128, 0, 64}, 192, 64};
  EXPECT_TRUE(plan_is_valid(records, optimum));
  // Placing the tensors in another order closes the hole: the order search finds one.
  EXPECT_EQ(total(records, Strategy::kOrderSearch), 192u);
  EXPECT_EQ(plan_memory_best(records).total_bytes, 192u);
}

TEST(MemoryPlanner, OrderSearchReachesTheBoundWhereBothGreedyOrdersMiss) {
  // Six tensors (found by a random search): greedy by size and greedy by breadth both need 13
  // units, some placement order 12 (the bound); the search must find it.
  const Records records = {{256, 0, 1}, {256, 0, 2}, {128, 2, 3}, {64, 1, 1}, {192, 1, 3}, {192, 2, 2}};
  EXPECT_EQ(memory_lower_bound(records), 768u);
  expect_totals(records, {{Strategy::kGreedyBySize, 832u},
                          {Strategy::kGreedyByBreadthOffsets, 832u},
                          {Strategy::kOrderSearch, 768u}});
  const MemoryPlan best = plan_memory_best(records);
  EXPECT_EQ(best.total_bytes, 768u);
  EXPECT_EQ(best.strategy, Strategy::kOrderSearch);
  EXPECT_TRUE(plan_is_valid(records, best));
}

// The cost min-cost flow minimizes, read back from a plan: tensors sharing an offset form one
// object (a chain in time); a chain costs its first size plus every increase along it.
size_t chain_cost(const Records& records, const MemoryPlan& plan) {
  std::vector<size_t> order(records.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    return std::pair(plan.offsets[a], records[a].first_task) < std::pair(plan.offsets[b], records[b].first_task);
  });
  size_t cost = 0;
  for (size_t k = 0; k < order.size(); ++k) {
    const size_t size = records[order[k]].size;
    const bool continues = k > 0 && plan.offsets[order[k - 1]] == plan.offsets[order[k]];
    const size_t prev = continues ? records[order[k - 1]].size : 0;
    cost += size > prev ? size - prev : 0;
  }
  return cost;
}

// The cheapest chain cost over every way to split the tensors into chains (exhaustive).
size_t cheapest_chain_cost(const Records& records) {
  std::vector<size_t> order(records.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::sort(order.begin(), order.end(),
            [&](size_t a, size_t b) { return records[a].first_task < records[b].first_task; });
  std::vector<size_t> chain_last;  // the last tensor of each chain so far
  size_t best = SIZE_MAX;
  std::function<void(size_t, size_t)> place = [&](size_t k, size_t cost) {
    if (cost >= best) return;
    if (k == order.size()) {
      best = cost;
      return;
    }
    const TensorUsageRecord& r = records[order[k]];
    for (size_t c = 0; c < chain_last.size(); ++c) {  // by index: the recursion grows the vector
      const size_t before = chain_last[c];
      if (records[before].last_task >= r.first_task) continue;
      chain_last[c] = order[k];
      place(k + 1, cost + (r.size > records[before].size ? r.size - records[before].size : 0));
      chain_last[c] = before;
    }
    chain_last.push_back(order[k]);
    place(k + 1, cost + r.size);
    chain_last.pop_back();
  };
  place(0, 0);
  return best;
}

TEST(MemoryPlanner, MinCostFlowFindsTheCheapestChains) {
  // The flow is exact for its cost model: compare with an exhaustive search on small inputs.
  auto rng = test::make_rng(0x6d656d36);
  for (int trial = 0; trial < 300; ++trial) {
    const size_t n = std::uniform_int_distribution<size_t>(1, 8)(rng);
    Records records = random_records(rng, n, 8);
    for (auto& r : records) r.size = std::uniform_int_distribution<size_t>(1, 1000)(rng);
    const MemoryPlan plan = plan_memory(records, Strategy::kMinCostFlow, 1);
    ASSERT_TRUE(plan_is_valid(records, plan));
    ASSERT_EQ(chain_cost(records, plan), cheapest_chain_cost(records)) << "trial " << trial;
  }
}

TEST(MemoryPlanner, EqualSizeChainsReachTheBoundWithObjects) {
  // With equal sizes two objects are enough, and every object strategy finds that.
  for (int n : {2, 3, 10, 101}) {
    Records records;
    for (int k = 0; k < n; ++k) records.push_back({1000, k, k + 1});
    for (Strategy s : kAllStrategies) {
      if (s == Strategy::kNaive) continue;
      EXPECT_EQ(total(records, s), 2u * 1024) << to_string(s) << " n=" << n;
    }
  }
}

TEST(MemoryPlanner, MinCostFlowIsFastOnThreeHundredTensors) {
  auto rng = test::make_rng(0x6d656d34);
  for (const Records& records : {network_records(rng, 300, 0.2, 0.1), random_records(rng, 300, 150)}) {
    const auto start = std::chrono::steady_clock::now();
    const MemoryPlan plan = plan_memory(records, Strategy::kMinCostFlow);
    const double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
    fmt::print("min_cost_flow on {} tensors: {:.1f} ms\n", records.size(), ms);
    EXPECT_TRUE(plan_is_valid(records, plan));
    EXPECT_LT(ms, 1000.0);  // typically 20-100 ms in Release
  }
}

TEST(MemoryPlanner, SizeTable) {
  // Not a pass/fail test: prints what each strategy costs on network-like records.
  auto rng = test::make_rng(0x6d656d35);
  struct Case {
    const char* name;
    Records records;
  };
  const Case cases[] = {
      {"chain 60", network_records(rng, 60, 0.0, 0.0)},
      {"residual 120", network_records(rng, 120, 0.35, 0.0)},
      {"branchy 200", network_records(rng, 200, 0.2, 0.3)},
      {"residual 300", network_records(rng, 300, 0.3, 0.1)},
      {"random 300", random_records(rng, 300, 200)},
  };
  std::string header = fmt::format("{:<13} {:>11}", "records", "lower bound");
  for (Strategy s : kAllStrategies) header += fmt::format(" | {:>17}", to_string(s));
  fmt::print("{}\n", header);
  for (const Case& c : cases) {
    const size_t bound = memory_lower_bound(c.records);
    std::string row = fmt::format("{:<13} {:>11}", c.name, bound);
    std::string times = fmt::format("{:<13} {:>11}", "", "time");
    for (Strategy s : kAllStrategies) {
      const auto start = std::chrono::steady_clock::now();
      const MemoryPlan plan = plan_memory(c.records, s);
      const double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
      EXPECT_TRUE(plan_is_valid(c.records, plan));
      EXPECT_GE(plan.total_bytes, bound);
      const double ratio = double(plan.total_bytes) / double(std::max<size_t>(bound, 1));
      row += fmt::format(" | {:>11} {:4.2f}x", plan.total_bytes, ratio);
      times += fmt::format(" | {:>14.2f} ms", ms);
    }
    fmt::print("{}\n{}\n", row, times);
  }
  // Mean and worst ratio to the bound over many random networks, and how often each strategy
  // is (one of) the best.
  constexpr int kNetworks = 60;
  std::vector<double> sum(std::size(kAllStrategies), 0.0), worst(std::size(kAllStrategies), 0.0);
  std::vector<int> wins(std::size(kAllStrategies), 0);
  for (int k = 0; k < kNetworks; ++k) {
    const Records records = network_records(rng, std::uniform_int_distribution<int>(30, 300)(rng), 0.25, 0.15);
    const double bound = double(std::max<size_t>(memory_lower_bound(records), 1));
    const size_t best = plan_memory_best(records).total_bytes;
    for (size_t s = 0; s < std::size(kAllStrategies); ++s) {
      const size_t bytes = plan_memory(records, kAllStrategies[s]).total_bytes;
      sum[s] += double(bytes) / bound;
      worst[s] = std::max(worst[s], double(bytes) / bound);
      wins[s] += bytes == best;
    }
  }
  std::string mean_row = fmt::format("{:<25}", fmt::format("{} networks: mean", kNetworks));
  std::string worst_row = fmt::format("{:<25}", "worst");
  std::string wins_row = fmt::format("{:<25}", "best (incl. ties)");
  for (size_t s = 0; s < std::size(kAllStrategies); ++s) {
    mean_row += fmt::format(" | {:>16.3f}x", sum[s] / kNetworks);
    worst_row += fmt::format(" | {:>16.3f}x", worst[s]);
    wins_row += fmt::format(" | {:>17}", wins[s]);
  }
  fmt::print("{}\n{}\n{}\n", mean_row, worst_row, wins_row);
}

}  // namespace
}  // namespace hetsched::memory
