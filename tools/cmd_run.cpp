// `hetsched run MODEL`: runs a model with a policy, times it, writes outputs as .npy.
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <cstdio>
#include <map>
#include <random>

#include "base/error.h"
#include "base/stats.h"
#include "cpu/simd/simd_target.h"
#include "gpu/ops/conv2d_coopmat.h"
#include "gpu/ops/dwpw_conv2d.h"
#include "gpu/ops/mean_fc.h"
#include "partition/policy.h"
#include "scheduler/random_inputs.h"
#include "scheduler/report_json.h"
#include "scheduler/report_io.h"
#include "scheduler/session.h"
#include "tools/cli_text.h"
#include "tools/cli_validate.h"
#include "tools/commands.h"
#include "tools/npy.h"
#include "tools/plan_summary.h"

namespace hetsched::tools {
namespace {

struct RunArgs : SessionArgs {
  RunArgs() { policy = "cpu"; }
  std::string precision = "fp32";
  bool no_tune = false;
  double tuning_budget_ms = SessionOptions{}.tuning_budget_ms;
  int warmup = 1;
  int iterations = 10;
  std::vector<std::string> inputs;
  std::string output_dir;
  int64_t seed = -1;
  bool json = false;
  bool verbose = false;
  std::string report;
  std::string trace;
  std::string test_slowdown;  // hidden: DEVICE:MS:FROM:TO, see parse_test_slowdown
};

// The test hook of the adaptive controller from the command line: "gpu:4:20:60" makes runs that use
// the GPU 4x slower during timed runs 20..59 (FakeSlowdown). Tests make `auto` switch and back.
struct TestSlowdown {
  FakeSlowdown slowdown;
  int from = 0, to = 0;
};

TestSlowdown parse_test_slowdown(const std::string& text) {
  TestSlowdown t;
  char device[8] = {};
  double factor = 0;
  if (std::sscanf(text.c_str(), "%3[cpugpu]:%lf:%d:%d", device, &factor, &t.from, &t.to) != 4 || !(factor >= 1) || t.from < 0 ||
      t.to < t.from || (std::string(device) != "cpu" && std::string(device) != "gpu"))
    fail(ErrorKind::kInvalidArgument, "--test-slowdown '{}' is not DEVICE:FACTOR:FROM:TO (e.g. gpu:4:20:60)", text);
  (std::string(device) == "cpu" ? t.slowdown.cpu_factor : t.slowdown.gpu_factor) = factor;
  return t;
}

// What `auto` chose and why: the runs each runner served, the plan's placement, the decisions.
void print_auto_summary(const Session& session, const std::map<std::string, int>& runs_by_runner) {
  std::string served;
  for (const auto& [runner, n] : runs_by_runner) served += fmt::format("{}{} {}", served.empty() ? "" : ", ", runner, n);
  fmt::print("auto      runs served by: {}; now on {}\n", served, session.current_runner());
  fmt::print("auto      plan: {}\n", summarize_plan(nlohmann::json::parse(session.plan_json()), session.model().graph()));
  const auto& d = session.decisions();
  const size_t first = d.size() > 8 ? d.size() - 8 : 0;
  if (first > 0) fmt::print("auto      ({} earlier decisions not shown; --json lists all)\n", first);
  for (size_t i = first; i < d.size(); ++i)
    fmt::print("auto      run {:>5} {:<12} {}{}{}: {}\n", d[i].run, d[i].kind, d[i].from, d[i].from.empty() ? "" : " -> ",
               d[i].to, d[i].reason);
}

// Everything the command line names is checked before the model loads and the first iteration
// runs (a bad --report path used to fail only after every iteration).
void validate_run_args(const RunArgs& a) {
  if (a.iterations < 1) fail(ErrorKind::kInvalidArgument, "--iterations must be >= 1 (got {})", a.iterations);
  if (a.warmup < 0) fail(ErrorKind::kInvalidArgument, "--warmup must be >= 0 (got {})", a.warmup);
  check_readable_file(a.model, "model file");
  for (const auto& in : a.inputs) check_readable_file(in, "--input file");
  if (!a.output_dir.empty()) prepare_output_dir(a.output_dir, "--output-dir");
  if (!a.report.empty()) check_writable_file(a.report, "--report file");
  if (!a.trace.empty()) check_writable_file(a.trace, "--trace file");
  check_device_index(a.device);
}

// The device of the summary: the Vulkan device any policy but cpu runs on (named, so a run that
// landed on a software rasterizer says so).
std::string run_device_text(const RunArgs& a) {
  if (a.policy == "cpu") return "CPU only (policy cpu)";
  return describe_vulkan_device(a.device);
}

int run(const RunArgs& a) {
  validate_run_args(a);
  auto model = Model::load(a.model);
  const auto inputs = model->inputs();
  const auto outputs = model->outputs();

  SessionOptions options;
  options.policy = partition::parse_policy(a.policy);
  options.threads = a.threads;
  options.device = a.device;
  options.precision = parse_precision(a.precision);
  options.tune = !a.no_tune;
  options.tuning_budget_ms = a.tuning_budget_ms;
  const bool slowdown = !a.test_slowdown.empty();
  const TestSlowdown test_slowdown = slowdown ? parse_test_slowdown(a.test_slowdown) : TestSlowdown{};
  const bool is_auto = options.policy.kind == partition::PolicySpec::Kind::kAuto;
  const auto t_init = std::chrono::steady_clock::now();
  Session session(model, options);
  const double init_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t_init).count();

  // Inputs: .npy files in model input order, else seeded uniform random in [-1, 1].
  const uint64_t seed = a.seed >= 0 ? uint64_t(a.seed) : std::random_device{}();
  if (!a.inputs.empty() && a.inputs.size() != inputs.size())
    fail(ErrorKind::kInvalidArgument, "model '{}' has {} inputs but {} --input files were given", model->name(),
         inputs.size(), a.inputs.size());
  std::mt19937_64 rng(seed);
  if (a.inputs.empty()) set_random_inputs(session, rng);
  for (size_t i = 0; i < a.inputs.size(); ++i) {
    NpyArray arr = read_npy(a.inputs[i]);
    if (arr.dtype != "<f4")
      fail(ErrorKind::kInvalidArgument, "input file '{}' has dtype {}, but model input {} ('{}') is float32",
           a.inputs[i], arr.dtype, i, inputs[i].name);
    if (arr.shape != inputs[i].shape)
      fail(ErrorKind::kInvalidArgument, "input file '{}' has shape [{}], but model input {} ('{}') is [{}]",
           a.inputs[i], fmt::join(arr.shape, ","), i, inputs[i].name, fmt::join(inputs[i].shape, ","));
    session.set_input(int(i), arr.data);
  }

  // Timed runs carry no profiling; per-step times (and --report/--trace) come from profiled runs
  // after them (GPU timestamps, a barrier around each GPU step).
  for (int i = 0; i < a.warmup; ++i) session.run();
  std::vector<double> latencies;
  std::map<std::string, int> runs_by_runner;
  for (int i = 0; i < a.iterations; ++i) {
    if (slowdown)
      session.set_fake_slowdown(i >= test_slowdown.from && i < test_slowdown.to ? test_slowdown.slowdown : FakeSlowdown{});
    const auto t0 = std::chrono::steady_clock::now();
    session.run();
    latencies.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count());
    runs_by_runner[session.last_report().runner]++;
  }
  if (slowdown) session.set_fake_slowdown({});
  session.set_profiling(true);
  std::vector<std::vector<double>> step_ms;
  for (int i = 0; i < std::min(a.iterations, 5); ++i) {
    session.run();
    const auto& steps = session.last_report().steps;
    step_ms.resize(steps.size());
    for (size_t s = 0; s < steps.size(); ++s) step_ms[s].push_back(steps[s].end_ms - steps[s].start_ms);
  }
  const auto& steps = session.last_report().steps;

  std::vector<std::string> files;
  if (!a.output_dir.empty()) {
    std::filesystem::create_directories(a.output_dir);
    for (size_t i = 0; i < outputs.size(); ++i) {
      files.push_back((std::filesystem::path(a.output_dir) / fmt::format("output_{}.npy", i)).string());
      write_npy_f32(files.back(), outputs[i].shape, session.output(int(i)));
    }
  }

  if (!a.report.empty()) write_report_csv(session.last_report(), a.report);
  if (!a.trace.empty()) write_chrome_trace(session.last_report(), model->name(), a.trace, session.decisions());

  const double med = median(latencies, 0);
  const double mn = *std::min_element(latencies.begin(), latencies.end());
  const double mx = *std::max_element(latencies.begin(), latencies.end());
  if (a.json) {
    nlohmann::json j;
    j["model"] = model->name();
    j["policy"] = a.policy;
    j["device"] = run_device_text(a);
    j["threads"] = a.threads;
    j["iterations"] = a.iterations;
    j["warmup"] = a.warmup;
    j["seed"] = seed;
    j["cpu_simd"] = cpu::simd_target_name();
    j["init_ms"] = init_ms;
    j["precision"] = a.precision;
    // Tensor-core conv/FC kernels built in this process (precision fp16/mixed; beside their shaders:
    // tuning.tensor_core_kernels says how many run on tensor cores).
    j["coopmat_kernels"] = gpu::coopmat_kernels_created();
    // Fused kernels created (gpu/gpu_fusions.h): depthwise + 1x1 conv pairs, MEAN + FC chains.
    j["dwpw_fused_kernels"] = gpu::dwpw_kernels_created();
    j["mean_fc_fused_kernels"] = gpu::mean_fc_kernels_created();
    j["tuning"] = to_json(session.tuning());
    j["latency_ms"] = {{"median", med}, {"min", mn}, {"max", mx}};
    j["latencies_ms"] = latencies;
    j["runner"] = session.last_report().runner;
    if (is_auto) j["cost_source"] = session.cost_source();
    j["runs_by_runner"] = runs_by_runner;
    j["plan"] = nlohmann::json::parse(session.plan_json());
    j["decisions"] = to_json(session.decisions());
    j["ops"] = nlohmann::json::array();
    for (size_t s = 0; s < steps.size(); ++s)
      j["ops"].push_back({{"index", steps[s].op_index}, {"type", steps[s].op_type}, {"device", steps[s].device},
                          {"ms", median(step_ms[s], 0)}});
    j["outputs"] = nlohmann::json::array();
    for (size_t i = 0; i < outputs.size(); ++i)
      j["outputs"].push_back({{"name", outputs[i].name}, {"shape", outputs[i].shape},
                              {"file", i < files.size() ? files[i] : ""}});
    fmt::print("{}\n", j.dump(2));
    return 0;
  }
  fmt::print("model     {} ({} ops), policy {}, threads {}\n", model->name(), model->graph().ops.size(), a.policy,
             a.threads > 0 ? fmt::to_string(a.threads) : "all");
  fmt::print("device    {}\n", run_device_text(a));
  for (size_t i = 0; i < inputs.size(); ++i)
    fmt::print("input {}   {} [{}] from {}\n", i, inputs[i].name, fmt::join(inputs[i].shape, ","),
               a.inputs.empty() ? fmt::format("random, seed {}", seed) : a.inputs[i]);
  if (a.verbose) fmt::print("cpu simd  {} (Highway dynamic dispatch)\n", cpu::simd_target_name());
  fmt::print("init      {:.2f} ms\n", init_ms);
  if (const TuningSummary& t = session.tuning(); t.enabled)
    fmt::print("tuning    {} kernels: {} shapes timed ({:.1f} -> {:.1f} us summed), {} cache hits, {} changed, "
               "{} deferred (budget), {:.1f} ms\n",
               t.kernels, t.shapes_timed, t.timed_default_us, t.timed_best_us, t.cache_hits, t.changed, t.deferred,
               t.tuning_ms);
  if (const TuningSummary& t = session.tuning(); is_auto && t.enabled && t.deferred > 0)
    fmt::print("note      auto raced the CPU against a GPU with {} kernels still untuned (tuning budget); later starts "
               "tune them and may choose differently (run --policy gpu until 0 are deferred)\n",
               t.deferred);
  fmt::print("latency   median {:.3f} ms, min {:.3f} ms, max {:.3f} ms over {} runs ({} warm-up)\n", med, mn, mx,
             a.iterations, a.warmup);
  if (is_auto) fmt::print("auto      {}\n", session.cost_source());
  if (is_auto) print_auto_summary(session, runs_by_runner);
  // Per-op times: by type, then the slowest ops.
  std::map<std::string, std::pair<int, double>> by_type;
  std::vector<std::pair<double, size_t>> slowest;
  for (size_t s = 0; s < steps.size(); ++s) {
    const double ms = median(step_ms[s], 0);
    by_type[steps[s].op_type].first++;
    by_type[steps[s].op_type].second += ms;
    slowest.emplace_back(ms, s);
  }
  fmt::print("per op type (sum of per-op medians of {} profiled runs):\n", step_ms.empty() ? 0 : step_ms[0].size());
  for (const auto& [type, v] : by_type) fmt::print("  {:<20} {:4} ops {:9.3f} ms\n", type, v.first, v.second);
  std::sort(slowest.rbegin(), slowest.rend());
  fmt::print("slowest ops (median ms):\n");
  for (size_t k = 0; k < std::min<size_t>(10, slowest.size()); ++k) {
    const auto& st = steps[slowest[k].second];
    fmt::print("  op {:4} {:<20} {:<4} {:9.3f} ms\n", st.op_index, st.op_type, st.device, slowest[k].first);
  }
  for (size_t i = 0; i < files.size(); ++i) fmt::print("output {}  {} -> {}\n", i, outputs[i].name, files[i]);
  return 0;
}

}  // namespace

Command add_run_command(CLI::App& app) {
  auto a = std::make_shared<RunArgs>();
  CLI::App* c = app.add_subcommand("run", "Run a .tflite model and time it");
  add_session_options(c, *a, "where ops run: cpu | gpu | auto | auto:static | ratio=R[:rows] | plan=FILE");
  c->add_option("--precision", a->precision,
                "fp32 | fp16 | mixed. fp16: GPU-only, float16 tensors and weights, float32 arithmetic (tensor cores with "
                "float32 accumulators where offered); mixed: float32 tensors, tensor cores with float16 operands where "
                "offered; fp32: strict, never tensor cores. Inputs/outputs fp32")
      ->check(CLI::IsMember({"fp32", "fp16", "mixed"}));
  c->add_flag("--no-tune", a->no_tune,
              "GPU: keep every kernel's default workgroup size (no tuning, no tuning cache)");
  c->add_option("--tuning-budget-ms", a->tuning_budget_ms,
                "GPU: host time this start may spend timing uncached kernel shapes; the rest keep their defaults "
                "until a later start")
      ->capture_default_str()
      ->check(CLI::Range(0.0, 3.6e6));
  c->add_option("--warmup", a->warmup, "warm-up runs")->capture_default_str();
  c->add_option("--iterations", a->iterations, "timed runs")->capture_default_str();
  c->add_option("--input", a->inputs, "input .npy files in model input order (float32, model shape)")
      ->expected(1, -1);
  c->add_option("--output-dir", a->output_dir, "write outputs as output_<i>.npy (float32, NHWC) here");
  c->add_option("--seed", a->seed, "seed of the random inputs");
  c->add_flag("--json", a->json, "print the summary as JSON");
  c->add_flag("--verbose,-v", a->verbose, "also print the CPU SIMD target the kernels dispatch to");
  c->add_option("--report", a->report, "write the last run's per-step report (CSV)");
  c->add_option("--trace", a->trace, "write the last run as a Chrome/Perfetto trace (JSON)");
  c->add_option("--test-slowdown", a->test_slowdown,
                "tests only: DEVICE:FACTOR:FROM:TO makes runs using DEVICE FACTOR x slower in timed runs FROM..TO-1")
      ->group("");
  return {c, [a] { return run(*a); }};
}

}  // namespace hetsched::tools
