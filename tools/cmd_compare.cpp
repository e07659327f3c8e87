// `hetsched compare MODEL`: runs a model under several policies, each in its own session, back to
// back after warm-up (as an app runs it), and prints their latencies side by side with what `auto`
// chose and why. The README's first command (scripts/run.sh) shows this screen.
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <random>
#include <sstream>

#include "base/error.h"
#include "base/stats.h"
#include "partition/policy.h"
#include "scheduler/random_inputs.h"
#include "scheduler/session.h"
#include "tools/commands.h"
#include "tools/plan_summary.h"

namespace hetsched::tools {
namespace {

struct CompareArgs {
  std::string model;
  std::string policies = "cpu,gpu,auto";
  int threads = 0;
  int device = -1;
  int warmup = 5;
  int iterations = 40;
  uint64_t seed = 1;
  bool json = false;
};

struct PolicyResult {
  std::string policy;
  std::string error;  // non-empty: the session could not be created or run
  double init_ms = 0, median = 0, p25 = 0, p75 = 0;
  std::string device;
  std::vector<ControllerEvent> decisions;
  std::string plan_summary, runner;
};

PolicyResult run_policy(const std::shared_ptr<const Model>& model, const std::string& policy, const CompareArgs& a) {
  PolicyResult r;
  r.policy = policy;
  try {
    SessionOptions o;
    o.policy = partition::parse_policy(policy);
    o.threads = a.threads;
    o.device = a.device;
    const auto t0 = std::chrono::steady_clock::now();
    Session s(model, o);
    r.init_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
    std::mt19937_64 rng(a.seed);
    set_random_inputs(s, rng, 0, 1);
    for (int i = 0; i < a.warmup; ++i) s.run();
    std::vector<double> ms;
    for (int i = 0; i < a.iterations; ++i) {
      const auto t = std::chrono::steady_clock::now();
      s.run();
      ms.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t).count());
    }
    r.median = quantile(ms, 0.5), r.p25 = quantile(ms, 0.25), r.p75 = quantile(ms, 0.75);
    r.decisions = s.decisions();
    r.runner = s.current_runner();
    r.plan_summary = summarize_plan(nlohmann::json::parse(s.plan_json()), model->graph());
  } catch (const Error& e) {
    r.error = e.what();
  }
  return r;
}

int compare(const CompareArgs& a) {
  if (a.iterations < 1) fail(ErrorKind::kInvalidArgument, "--iterations must be >= 1 (got {})", a.iterations);
  if (!std::filesystem::exists(a.model)) fail(ErrorKind::kInvalidArgument, "model file '{}' does not exist", a.model);
  std::vector<std::string> policies;
  std::stringstream ss(a.policies);
  for (std::string p; std::getline(ss, p, ',');)
    if (!p.empty()) policies.push_back((partition::parse_policy(p), p));  // refuse a bad list before running
  const auto model = Model::load(a.model);
  std::vector<PolicyResult> results;
  for (const std::string& p : policies) {
    if (!a.json) fmt::print(stderr, "compare: {} with policy {} ({} warm-up + {} timed runs)...\n", model->name(), p,
                            a.warmup, a.iterations);
    results.push_back(run_policy(model, p, a));
  }
  if (a.json) {
    nlohmann::json j = {{"model", model->name()}, {"threads", a.threads}, {"iterations", a.iterations}, {"warmup", a.warmup}};
    for (const PolicyResult& r : results) {
      nlohmann::json d = nlohmann::json::array();
      for (const ControllerEvent& e : r.decisions)
        d.push_back({{"run", e.run}, {"kind", e.kind}, {"from", e.from}, {"to", e.to}, {"reason", e.reason}});
      j["policies"].push_back({{"policy", r.policy}, {"error", r.error}, {"init_ms", r.init_ms},
                               {"median_ms", r.median}, {"p25_ms", r.p25}, {"p75_ms", r.p75}, {"runner", r.runner},
                               {"plan", r.plan_summary}, {"decisions", d}});
    }
    fmt::print("{}\n", j.dump(2));
    return 0;
  }
  fmt::print("model {} ({} ops), {} CPU threads, each policy in its own session: {} warm-up runs, then the median "
             "of {} back-to-back runs\n",
             model->name(), model->graph().ops.size(), a.threads > 0 ? fmt::to_string(a.threads) : "all", a.warmup,
             a.iterations);
  double best_single = 0;
  for (const PolicyResult& r : results)
    if ((r.policy == "cpu" || r.policy == "gpu") && r.error.empty() && (best_single == 0 || r.median < best_single))
      best_single = r.median;
  fmt::print("{:<12} {:>10} {:>10} {:>10} {:>10} {:>9}  {}\n", "policy", "median ms", "p25 ms", "p75 ms", "init ms",
             "vs best", "runs on");
  for (const PolicyResult& r : results) {
    if (!r.error.empty()) {
      fmt::print("{:<12} unavailable: {}\n", r.policy, r.error);
      continue;
    }
    fmt::print("{:<12} {:>10.3f} {:>10.3f} {:>10.3f} {:>10.1f} {:>9}  {}\n", r.policy, r.median, r.p25, r.p75, r.init_ms,
               best_single > 0 ? fmt::format("{:.2f}x", r.median / best_single) : "", r.runner);
  }
  for (const PolicyResult& r : results) {
    if (r.decisions.empty() || !r.error.empty()) continue;
    fmt::print("\n{} chose {}: {}\n", r.policy, r.decisions.front().to, r.decisions.front().reason);
    fmt::print("  plan now: {}\n", r.plan_summary);
    for (size_t i = 1; i < r.decisions.size() && i < 10; ++i)
      fmt::print("  run {}: {} {} -> {}: {}\n", r.decisions[i].run, r.decisions[i].kind, r.decisions[i].from,
                 r.decisions[i].to, r.decisions[i].reason);
  }
  return 0;
}

}  // namespace

Command add_compare_command(CLI::App& app) {
  auto a = std::make_shared<CompareArgs>();
  CLI::App* c = app.add_subcommand("compare", "Run a model under several policies (own session each) and compare");
  c->add_option("model", a->model, "the .tflite model")->required();
  c->add_option("--policies", a->policies, "comma-separated policies")->capture_default_str();
  c->add_option("--threads", a->threads, "CPU threads (0 = all)")->check(CLI::NonNegativeNumber);
  c->add_option("--device", a->device, "Vulkan device index (see `hetsched devices`)");
  c->add_option("--warmup", a->warmup, "warm-up runs per policy")->capture_default_str()->check(CLI::NonNegativeNumber);
  c->add_option("--iterations", a->iterations, "timed runs per policy")->capture_default_str();
  c->add_option("--seed", a->seed, "seed of the random inputs (uniform in [0, 1))")->capture_default_str();
  c->add_flag("--json", a->json, "print as JSON");
  return {c, [a] { return compare(*a); }};
}

}  // namespace hetsched::tools
