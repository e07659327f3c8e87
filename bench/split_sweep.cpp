// Split-ratio sweep: for a model (and, with --layers, each of its conv layers alone) runs the
// CPU-only and GPU-only plans and every ratio from 0 to 1 on both split axes through the
// co-scheduler, median of --runs after warm-up; with --auto, also the honest-auto check (`auto`,
// `cpu` and `gpu` sessions interleaved, rows auto / cpu50 / gpu50). Appends CSV
// rows to --csv: scope,model,op,axis,ratio,median_ms,p10_ms,p90_ms. Conv layers of one model with
// the same configuration (input shape, weights, stride, dilation, padding, activation) are timed
// once and their rows repeated under each op index.
#include <map>
#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <fstream>
#include <random>

#include "base/error.h"
#include "base/random_values.h"
#include "base/stats.h"
#include "gpu/device.h"
#include "gpu/pipeline_cache.h"
#include "graph/op_registry.h"
#include "graph/subgraph.h"
#include "partition/policy.h"
#include "scheduler/co_scheduler.h"
#include "scheduler/model.h"
#include "scheduler/session.h"

using namespace hetsched;

namespace {

struct Stats {
  double median = 0, p10 = 0, p90 = 0;
};

Stats stats(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return {quantile_of_sorted(v, 0.5), quantile_of_sorted(v, 0.1), quantile_of_sorted(v, 0.9)};
}

std::vector<std::vector<float>> random_inputs(const Graph& g) {
  std::mt19937 rng(11);
  std::vector<std::vector<float>> out;
  for (int t : g.inputs) out.push_back(random_values(g.tensors[t].elements(), rng));
  return out;
}

// Stops after 3 timed runs when their median already exceeds `cutoff_ms` (a configuration far
// slower than the best single processor: its exact time does not change any conclusion).
bool clearly_slower(const std::vector<double>& ms, double cutoff_ms) {
  return cutoff_ms > 0 && ms.size() == 3 && stats(ms).median > cutoff_ms;
}

// `warmup` untimed and up to `runs` timed runs of `s` (a CoScheduler or a Session) on random_inputs(g).
template <typename Runnable>
Stats time_runs(Runnable& s, const Graph& g, int warmup, int runs, double cutoff_ms) {
  const auto in = random_inputs(g);
  for (size_t i = 0; i < in.size(); ++i) s.set_input(int(i), in[i]);
  std::vector<double> ms;
  for (int r = 0; r < warmup + runs; ++r) {
    const auto t0 = std::chrono::steady_clock::now();
    s.run();
    if (r >= warmup) ms.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count());
    if (clearly_slower(ms, cutoff_ms)) break;
  }
  return stats(ms);
}

Stats time_plan(const Graph& g, const gpu::VulkanDevice& dev, const gpu::PipelineCache& cache,
                const partition::Plan& plan, int threads, int warmup, int runs, double cutoff_ms) {
  CoScheduler s(g, dev, &cache, plan, threads);
  return time_runs(s, g, warmup, runs, cutoff_ms);
}

SessionOptions session_options(const std::string& policy, int threads) {
  SessionOptions o;
  o.policy = partition::parse_policy(policy);
  o.threads = threads;
  return o;
}

Stats time_session(std::shared_ptr<const Model> model, const std::string& policy, int threads, int warmup, int runs,
                   double cutoff_ms = 0) {
  Session s(model, session_options(policy, threads));
  return time_runs(s, model->graph(), warmup, runs, cutoff_ms);
}

// Tunes the GPU workgroup sizes before anything is timed: a tuning budget per prepare defers some
// shapes to a later start, so GPU sessions are started until nothing is deferred (at most 8). Then
// the GPU-only baseline, the co-execution plans and auto's race (which read the tuning cache) run
// with the sizes a user has after the first runs, not with a half-tuned GPU.
void complete_gpu_tuning(std::shared_ptr<const Model> model, int threads) {
  for (int start = 0; start < 8; ++start) {
    Session warm(model, session_options("gpu", threads));
    if (warm.tuning().deferred == 0) break;
  }
}

// The honest-auto check: `auto`, `cpu` and `gpu` sessions timed in turn, one run each per round
// (warm-up rounds first), so drift in background load hits all three alike. After 3 timed rounds
// a baseline whose median is over `cutoff` x the other baseline's is no longer timed (far slower:
// it cannot be the better single processor).
struct HonestTimes {
  Stats t_auto, t_cpu, t_gpu;
};

HonestTimes time_honest(std::shared_ptr<const Model> model, int threads, int warmup, int runs, double cutoff) {
  Session s_auto(model, session_options("auto:static", threads));
  Session s_cpu(model, session_options("cpu", threads));
  Session s_gpu(model, session_options("gpu", threads));
  const auto in = random_inputs(model->graph());
  for (Session* s : {&s_auto, &s_cpu, &s_gpu})
    for (size_t i = 0; i < in.size(); ++i) s->set_input(int(i), in[i]);
  std::vector<double> ms[3];
  bool timing[3] = {true, true, true};
  Session* sessions[3] = {&s_auto, &s_cpu, &s_gpu};
  for (int r = 0; r < warmup + runs; ++r) {
    for (int k = 0; k < 3; ++k) {
      if (!timing[k]) continue;
      const auto t0 = std::chrono::steady_clock::now();
      sessions[k]->run();
      if (r >= warmup) ms[k].push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count());
    }
    if (cutoff > 0 && r == warmup + 2 && timing[1] && timing[2]) {
      const double c = stats(ms[1]).median, gp = stats(ms[2]).median;
      if (c > cutoff * gp) timing[1] = false;
      if (gp > cutoff * c) timing[2] = false;
    }
  }
  return {stats(ms[0]), stats(ms[1]), stats(ms[2])};
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"split-ratio sweep"};
  std::string model_path, csv = "split_sweep.csv";
  int threads = 0, warmup = 3, runs = 20, max_layers = 1000, layer_runs = -1;
  double step = 0.05, cutoff = 0;
  bool layers = false, with_auto = false, no_model = false, honest_only = false;
  app.add_option("model", model_path)->required();
  app.add_option("--csv", csv);
  app.add_option("--threads", threads);
  app.add_option("--warmup", warmup);
  app.add_option("--runs", runs);
  app.add_option("--step", step);
  app.add_flag("--layers", layers, "also sweep each conv layer alone");
  app.add_flag("--no-model", no_model, "with --layers: skip the whole-model sweep");
  app.add_option("--max-layers", max_layers, "the largest N conv layers by MACs");
  app.add_flag("--auto", with_auto, "also time the auto policy (the honest-auto check, after the sweep)");
  app.add_flag("--honest-only", honest_only, "only the honest-auto check: auto, cpu and gpu interleaved");
  app.add_option("--layer-runs", layer_runs, "timed runs per layer plan (default: --runs)");
  app.add_option("--cutoff", cutoff,
                 "stop timing a configuration after 3 runs when it is over CUTOFF x the better single processor "
                 "(0 = never; for slow devices)");
  CLI11_PARSE(app, argc, argv);
  try {
    const auto model = Model::load(model_path);
    const Graph& g = model->graph();
    gpu::VulkanDevice dev;
    gpu::PipelineCache cache(dev);
    std::ofstream out(csv, std::ios::app);
    std::vector<std::string> recorded;  // the rows of the sweep in progress (for repeated layers)
    auto row = [&](const std::string& scope, int op, const std::string& axis, double ratio, const Stats& s) {
      const std::string tail = fmt::format("{},{:.2f},{:.4f},{:.4f},{:.4f}", axis, ratio, s.median, s.p10, s.p90);
      recorded.push_back(tail);
      out << fmt::format("{},{},{},{}\n", scope, g.model_name, op, tail);
      out.flush();
    };
    auto sweep = [&](const Graph& graph, const std::string& scope, int op, int runs) {
      // The single-processor baselines are the plain executors (the CPU executor with its aliased
      // arena; the GPU executor with its one command buffer), as a user of either would run them.
      auto model_of = std::make_shared<const Model>(graph);
      complete_gpu_tuning(model_of, threads);
      // With --cutoff, a 3-run probe of each processor first, so the slower one can stop early.
      double cut_cpu = 0, cut_gpu = 0;
      if (cutoff > 0) {
        const double p_cpu = time_session(model_of, "cpu", threads, 1, 3).median;
        const double p_gpu = time_session(model_of, "gpu", threads, 1, 3).median;
        cut_cpu = cutoff * p_gpu, cut_gpu = cutoff * p_cpu;
      }
      const Stats cpu = time_session(model_of, "cpu", threads, warmup, runs, cut_cpu);
      const Stats gpu = time_session(model_of, "gpu", threads, warmup, runs, cut_gpu);
      row(scope, op, "cpu", 1, cpu);
      row(scope, op, "gpu", 0, gpu);
      double best = std::min(cpu.median, gpu.median);
      for (const char* axis : {"slices", "rows"}) {
        for (int k = 0; k * step <= 1.0 + 1e-9; ++k) {
          const double r = k * step;
          const auto plan = partition::make_plan(graph, partition::parse_policy(fmt::format("ratio={}:{}", r, axis)));
          const Stats s = time_plan(graph, dev, cache, plan, threads, warmup, runs,
                                    cutoff > 0 ? cutoff * std::min(cpu.median, gpu.median) : 0);
          row(scope, op, axis, r, s);
          best = std::min(best, s.median);
        }
      }
      fmt::print("{} {} op {}: cpu {:.3f} gpu {:.3f} best split {:.3f} ms ideal {:.3f}\n", scope, g.model_name, op,
                 cpu.median, gpu.median, best, 1.0 / (1.0 / cpu.median + 1.0 / gpu.median));
    };
    const bool swept = !no_model && !honest_only;
    if (swept) sweep(g, "model", -1, runs);
    if (with_auto || honest_only) {
      // The honest-auto check: auto against the better single processor, 50 interleaved runs each.
      if (!swept) complete_gpu_tuning(model, threads);  // the sweep tunes first; without it, tune here
      const HonestTimes h = time_honest(model, threads, warmup, std::max(runs, 50), cutoff);
      row("model", -1, "auto", -1, h.t_auto);
      row("model", -1, "cpu50", 1, h.t_cpu);
      row("model", -1, "gpu50", 0, h.t_gpu);
      fmt::print("model {} honest check: auto {:.3f} cpu {:.3f} gpu {:.3f} ms\n", g.model_name, h.t_auto.median,
                 h.t_cpu.median, h.t_gpu.median);
    }
    if (layers) {
      std::vector<std::pair<int64_t, int>> convs;
      for (size_t i = 0; i < g.ops.size(); ++i)
        if (g.ops[i].type == OpType::kConv2D) convs.emplace_back(describe_op(g.ops[i].type).macs(g, g.ops[i]), int(i));
      std::sort(convs.rbegin(), convs.rend());
      convs.resize(std::min<size_t>(convs.size(), size_t(max_layers)));
      std::map<std::string, std::vector<std::string>> done;  // layer configuration -> its rows
      for (const auto& [macs, i] : convs) {
        const Op& op = g.ops[size_t(i)];
        const auto& a = std::get<Conv2DAttributes>(op.attributes);
        const auto dims = [&](int t) { return t < 0 ? std::string("-") : fmt::format("{}", fmt::join(g.tensors[t].shape, "x")); };
        const std::string key = fmt::format("{}|{}|{}|{},{},{},{},{},{}", dims(op.inputs[0]), dims(op.inputs[1]),
                                            op.inputs.size() > 2 ? dims(op.inputs[2]) : "-", a.stride_h, a.stride_w,
                                            a.dilation_h, a.dilation_w, int(a.padding), int(a.activation));
        if (auto it = done.find(key); it != done.end()) {
          for (const std::string& tail : it->second) out << fmt::format("layer,{},{},{}\n", g.model_name, i, tail);
          out.flush();
          fmt::print("layer {} op {}: same configuration as an earlier layer, rows repeated\n", g.model_name, i);
          continue;
        }
        recorded.clear();
        sweep(extract_op(g, i), "layer", i, layer_runs > 0 ? layer_runs : runs);
        done[key] = recorded;
      }
    }
  } catch (const Error& e) {
    fmt::print(stderr, "split_sweep: error: {}\n", e.what());
    return 1;
  }
  return 0;
}
