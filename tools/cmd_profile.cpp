// `hetsched profile MODEL...`: measures the kernels of each model as the executors run them (CPU at
// each --threads count over whole and partial output ranges; with --gpu the GPU in fp32, and fp16
// where the device has it) and the fixed costs, one CSV row per measurement (profiles/dataset_csv.h);
// records the device profile (identity and fixed costs) in the cache directory.
// Many architectures: a per-device measurement cache (each distinct kernel measurement timed once,
// its row reused: profiles/measurement_cache.h), adaptive repetition (--rel-ci) and deterministic
// samples of the partial ranges (--range-share) and of the co-running kernels (--corun-share); the
// notes end with the time each phase took and how many rows were timed, reused or left out.
// `--predict FILE` measures nothing: it prints each model's predicted latency per processor of the
// predictor FILE (profiles/predictor.h), as CSV.
#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <fstream>
#include <iostream>
#include <memory>
#include <optional>
#include <set>

#include "base/error.h"
#include "gpu/device.h"
#include "gpu/dispatch_plan.h"
#include "gpu/pipeline_cache.h"
#include "gpu/workgroup_tuning.h"
#include "graph/load_model.h"
#include "profiles/background_load.h"
#include "profiles/dataset_csv.h"
#include "git_commit.h"
#include "profiles/device_profile.h"
#include "profiles/kernel_profiler.h"
#include "profiles/machine_info.h"
#include "profiles/predictor.h"
#include "tools/commands.h"

namespace hetsched::tools {
namespace {

struct ProfileArgs {
  std::vector<std::string> models;
  std::vector<int> threads = {1, 2, 0};
  bool gpu = false;
  bool no_fp16 = false;
  int device = -1;
  bool quick = false;
  bool models_only = false;
  int samples = 0;  // 0: 7, or 3 with --quick
  std::vector<double> fractions;
  std::string out;
  bool append = false;
  bool no_device_profile = false;
  std::string predict;
  std::string install_predictor;
  bool corun = false;
  std::string measurement_cache;  // "" : <cache dir>/measurements-<device>.json
  bool no_measurement_cache = false;
  double rel_ci = 0;
  int min_samples = 3;
  double range_share = 1;
  double corun_share = 1;
  double tuning_budget_ms = 5000;
  double gpu_warmup_ms = 200;
  double clock_tolerance = 1.25;  // the GPU clock guard's (profiles/gpu_clock_guard.h); 0: no guard
  int clock_retries = 3;
};

// Host seconds per phase of a profile, in the order first seen, for the closing note.
class PhaseClock {
 public:
  template <typename F>
  void time(const std::string& phase, F&& f) {
    const auto t0 = std::chrono::steady_clock::now();
    f();
    add(phase, std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
  }
  void add(const std::string& phase, double s) {
    for (auto& [name, total] : phases_)
      if (name == phase) {
        total += s;
        return;
      }
    phases_.emplace_back(phase, s);
  }
  std::string summary() const {
    std::string out;
    for (const auto& [name, total] : phases_) out += fmt::format("{}{} {:.1f} s", out.empty() ? "" : ", ", name, total);
    return out;
  }

 private:
  std::vector<std::pair<std::string, double>> phases_;
};

void note(const std::string& s) { fmt::print(stderr, "profile: {}\n", s); }

// --corun: the kernels' whole outputs again, each processor timed while the other runs the same
// model in a loop (the co-running slowdown of a split): CPU rows at each thread count under the
// GPU's fp32 loop, GPU rows of each precision under the CPU executor's loop at all threads.
void profile_corunning(const Graph& g, const std::vector<int>& threads,
                       const std::vector<std::unique_ptr<gpu::VulkanDevice>>& devices,
                       const std::vector<std::unique_ptr<gpu::PipelineCache>>& caches,
                       const std::vector<std::unique_ptr<gpu::WorkgroupTuningCache>>& tunings,
                       const std::vector<std::unique_ptr<profiles::GpuClockGuard>>& guards,
                       profiles::KernelProfileOptions o, double kernel_share, std::vector<profiles::Measurement>& rows,
                       profiles::ProfileCounters& counters, PhaseClock& clock) {
  o.fractions.clear();  // whole outputs only: the slowdown is a factor per processor
  o.kernel_share = kernel_share;
  auto check = [&](const profiles::BackgroundLoad& load, const char* what) {
    load.wait_started();
    if (!load.error().empty())
      fail(ErrorKind::kInternal, "{}: the {} load failed: {}", g.model_name, what, load.error());
  };
  {
    std::optional<profiles::BackgroundLoad> gpu_busy;
    clock.time("corun start", [&] {
      gpu_busy.emplace(profiles::gpu_model_step(g, *devices[0], caches[0].get(), tunings[0].get(), o.seed));
      check(*gpu_busy, "GPU");
    });
    o.corun = "gpu";
    for (int t : threads) {
      note(fmt::format("{}: cpu, {} threads, while the GPU runs the model", g.model_name, t));
      clock.time(fmt::format("corun cpu t{}", t), [&] { profiles::profile_cpu_kernels(g, t, o, rows, {}, &counters); });
    }
  }
  std::optional<profiles::BackgroundLoad> cpu_busy;
  clock.time("corun start", [&] {
    cpu_busy.emplace(profiles::cpu_model_step(g, 0, o.seed));
    check(*cpu_busy, "CPU");
  });
  o.corun = "cpu";
  for (size_t i = 0; i < devices.size(); ++i) {
    const char* precision = devices[i]->fp16_enabled() ? "fp16" : "fp32";
    note(fmt::format("{}: gpu {} while the CPU runs the model", g.model_name, precision));
    clock.time(fmt::format("corun gpu {}", precision), [&] {
      profiles::profile_gpu_kernels(g, *devices[i], caches[i].get(), tunings[i].get(), o, rows, {}, &counters,
                                    guards[i].get());
    });
  }
}

int run_predict(const ProfileArgs& a) {
  const auto p = profiles::Predictor::load(a.predict);
  std::ofstream file;
  if (!a.out.empty()) file.open(a.out);
  std::ostream& out = a.out.empty() ? std::cout : file;
  out << "model,processor,predicted_us,kernels,fixed_us\n";
  for (const std::string& path : a.models) {
    const Graph g = load_and_prepare(path);
    std::vector<bool> gpu_ops(g.ops.size(), false);
    for (const auto& d : gpu::plan_dispatches(g, true)) gpu_ops[size_t(d.op_index)] = true;
    for (const auto& [key, pm] : p.processors()) {
      const auto pred = p.model_us(g, key, &gpu_ops);
      const auto kernels = std::count_if(pred.kernel_us.begin(), pred.kernel_us.end(), [](double v) { return v > 0; });
      out << fmt::format("{},{},{:.3f},{},{:.3f}\n", profiles::csv_field(g.model_name), key, pred.total_us, kernels,
                         pred.fixed_us);
    }
  }
  return 0;
}

int run_profile(const ProfileArgs& a) {
  profiles::KernelProfileOptions o;
  if (a.quick) o.fractions = {0.5}, o.samples = 3, o.min_sample_us = 50;
  if (!a.fractions.empty()) o.fractions = a.fractions;
  o.kernels = !a.models_only;
  if (a.samples > 0) o.samples = a.samples;
  o.rel_ci = a.rel_ci, o.min_samples = a.min_samples, o.range_share = a.range_share;
  o.tuning_budget_ms = a.tuning_budget_ms, o.gpu_warmup_ms = a.gpu_warmup_ms;
  for (double f : o.fractions)
    if (!(f > 0 && f < 1)) fail(ErrorKind::kInvalidArgument, "--fractions: {} is not in (0, 1)", f);
  if (a.clock_tolerance > 0 && a.clock_tolerance < 1)
    fail(ErrorKind::kInvalidArgument, "--clock-tolerance: {} is below 1 (every measurement would be timed again)",
         a.clock_tolerance);

  // Thread counts, resolved (0 = all hardware threads) and without repeats.
  std::vector<int> threads;
  for (int t : a.threads) {
    if (t < 0) fail(ErrorKind::kInvalidArgument, "--threads: {} is negative", t);
    const int r = t == 0 ? profiles::hardware_threads() : t;
    if (std::find(threads.begin(), threads.end(), r) == threads.end()) threads.push_back(r);
  }

  std::ofstream file;
  if (!a.out.empty()) {
    const bool header = !a.append || !std::filesystem::exists(a.out) || std::filesystem::file_size(a.out) == 0;
    if (!header) {  // appending: the file's columns must be this build's
      std::ifstream old(a.out);
      std::string first;
      std::getline(old, first);
      if (first != profiles::csv_header())
        fail(ErrorKind::kInvalidArgument,
             "--out '{}' --append: its header is not this build's dataset header (other columns); write a new file",
             a.out);
    }
    file.open(a.out, a.append ? std::ios::app : std::ios::trunc);
    if (!file) fail(ErrorKind::kInvalidArgument, "--out '{}': cannot be written", a.out);
    if (header) profiles::write_csv_header(file);
  } else {
    profiles::write_csv_header(std::cout);
  }
  std::ostream& out = a.out.empty() ? std::cout : file;

  profiles::DeviceProfile dp;
  dp.cpu_model = profiles::cpu_model_name();
  dp.hardware_threads = profiles::hardware_threads();
  dp.threads = threads;
  dp.created = profiles::utc_now_iso8601();

  // GPU devices: fp32, and fp16 where the device has it.
  std::vector<std::unique_ptr<gpu::VulkanDevice>> devices;
  if (a.gpu) {
    devices.push_back(std::make_unique<gpu::VulkanDevice>(gpu::DeviceOptions{a.device, false}));
    const auto& info = devices[0]->info();
    if (!a.no_fp16 && info.shader_float16 && info.storage_buffer_16bit)
      devices.push_back(std::make_unique<gpu::VulkanDevice>(gpu::DeviceOptions{a.device, true}));
    else if (!a.no_fp16)
      note(fmt::format("{} has no fp16 (shaderFloat16 and 16-bit storage): fp32 only", devices[0]->describe()));
    dp.has_gpu = true;
    dp.gpu_name = info.name;
    dp.gpu_driver = profiles::driver_of(*devices[0]);
    dp.gpu_vendor_id = info.vendor_id, dp.gpu_device_id = info.device_id, dp.gpu_driver_version = info.driver_version;
  }

  PhaseClock clock;
  const auto fixed_t0 = std::chrono::steady_clock::now();
  // Fixed costs first: per thread count (CPU task start) and per GPU device.
  for (int t : threads) {
    const gpu::VulkanDevice* probe = devices.empty() || t != threads.front() ? nullptr : devices[0].get();
    const auto c = profiles::measure_fixed_costs(probe, t);
    profiles::write_fixed_cost_rows(out, c, dp.cpu_model, t, dp.gpu_name, dp.gpu_driver);
    dp.fixed_us[fmt::format("cpu:t{}", t)] = {{"cpu_task_us", c.cpu_task_us}};
    if (!devices.empty() && t == threads.front())
      for (const auto& d : devices) {
        const std::string precision = d->fp16_enabled() ? "fp16" : "fp32";
        const auto g = d.get() == devices[0].get() ? c : profiles::measure_fixed_costs(d.get(), t);
        if (d.get() != devices[0].get()) {
          profiles::FixedCosts gpu_only = g;
          gpu_only.cpu_task_us = -1;  // written once per thread count above
          profiles::write_fixed_cost_rows(out, gpu_only, dp.cpu_model, t, dp.gpu_name, dp.gpu_driver, precision);
        }
        dp.fixed_us["gpu:" + precision] = {
            {"gpu_submit_us", g.gpu_submit_us}, {"gpu_dispatch_us", g.gpu_dispatch_us},
            {"sync_us", g.sync_us}, {"copy_us_per_mb", g.copy_us_per_mb}};
        for (const auto& k : g.copies) dp.fixed_us["gpu:" + precision][profiles::copy_cost_name(k)] = k.us;
      }
  }
  out.flush();
  clock.add("fixed costs", std::chrono::duration<double>(std::chrono::steady_clock::now() - fixed_t0).count());

  // The measurement cache, next to the device profile: this device's kernels timed by this build.
  std::unique_ptr<profiles::MeasurementCache> measured;
  if (!a.no_measurement_cache && !a.models_only) {
    std::filesystem::path file = a.measurement_cache;
    if (file.empty()) {
      const auto device_file = profiles::device_profile_path(gpu::default_cache_dir(), dp);
      file = device_file.parent_path() /
             ("measurements-" + device_file.filename().string().substr(std::string("device-").size()));
    }
    measured = std::make_unique<profiles::MeasurementCache>(
        file, fmt::format("{} spirv {:016x}", HETSCHED_GIT_COMMIT, gpu::embedded_spirv_hash()));
    if (!measured->note().empty()) note(measured->note());
    note(fmt::format("measurement cache {}: {} measurements", file.string(), measured->size()));
    o.cache = measured.get();
  }
  profiles::ProfileCounters counters;

  std::vector<std::unique_ptr<gpu::PipelineCache>> caches;
  std::vector<std::unique_ptr<gpu::WorkgroupTuningCache>> tunings;
  // The GPU clock guard per device: its best reference reading is this session's.
  std::vector<std::unique_ptr<profiles::GpuClockGuard>> guards;
  for (const auto& d : devices) {
    caches.push_back(std::make_unique<gpu::PipelineCache>(*d));
    tunings.push_back(std::make_unique<gpu::WorkgroupTuningCache>(*d));
    guards.emplace_back();
    if (a.clock_tolerance <= 0 || a.models_only) continue;
    try {
      profiles::ClockGuardOptions go;
      go.tolerance = a.clock_tolerance, go.retries = a.clock_retries;
      guards.back() = std::make_unique<profiles::GpuClockGuard>(*d, caches.back().get(), go);
      note(fmt::format("gpu {} clock guard: reference {:.3f} us per dispatch{}", d->fp16_enabled() ? "fp16" : "fp32",
                       guards.back()->best_us(), guards.back()->retiming() ? "" : " (a CPU device: recorded, never re-timed)"));
    } catch (const Error& e) {
      note(fmt::format("no GPU clock guard on {}: {}", d->describe(), e.what()));
    }
  }
  const auto progress = [](const std::string& s) { note(s); };
  // A model that fails (an unsupported op, a device error) is skipped with a note: a long batch
  // keeps the other models' rows. The exit code is 1 when any was skipped.
  std::vector<std::string> skipped;
  for (const std::string& path : a.models) {
    try {
      std::optional<Graph> loaded;
      clock.time("load", [&] { loaded.emplace(load_and_prepare(path)); });
      const Graph& g = *loaded;
      std::vector<profiles::Measurement> rows;
      // The GPU first: it then follows the previous model's co-running pass (the GPU busy, its
      // clocks up) rather than seconds of CPU timing with the GPU idle (docs/notes/profspeed.md).
      for (size_t i = 0; i < devices.size(); ++i) {
        const char* precision = devices[i]->fp16_enabled() ? "fp16" : "fp32";
        note(fmt::format("{}: gpu {} on {}", g.model_name, precision, devices[i]->describe()));
        clock.time(fmt::format("gpu {}", precision), [&] {
          profiles::profile_gpu_kernels(g, *devices[i], caches[i].get(), tunings[i].get(), o, rows, progress,
                                        &counters, guards[i].get());
        });
      }
      for (int t : threads) {
        note(fmt::format("{}: cpu, {} threads", g.model_name, t));
        clock.time(fmt::format("cpu t{}", t), [&] { profiles::profile_cpu_kernels(g, t, o, rows, progress, &counters); });
      }
      if (a.corun) profile_corunning(g, threads, devices, caches, tunings, guards, o, a.corun_share, rows, counters, clock);
      for (const auto& m : rows) profiles::write_csv_row(out, m);
      out.flush();
    } catch (const Error& e) {
      note(fmt::format("skipping {}: {}", path, e.what()));
      skipped.push_back(path);
    }
  }
  note(fmt::format("time by phase: {}; of the gpu phases: workgroup tuning {:.1f} s, warm-up {:.1f} s", clock.summary(),
                   counters.tuning_ms / 1e3, counters.warmup_ms / 1e3));
  if (counters.untuned > 0)
    note(fmt::format("{} GPU kernels were timed at their default workgroup size (the tuning budget ran out: "
                     "--tuning-budget-ms; dataset column tuned = 0)", counters.untuned));
  if (!guards.empty())
    note(fmt::format("GPU clock guard: {} measurements timed again (reference above {}x the best), {} still slow "
                     "(clock_ok = 0); {} rows of ops inside a fused kernel (fused_into >= 0)",
                     counters.clock_retimed, a.clock_tolerance, counters.clock_off, counters.fused));
  note(fmt::format("kernel rows: {} timed ({} samples), {} reused from the measurement cache, {} left out by the "
                   "range and co-running shares", counters.measured, counters.samples, counters.reused,
                   counters.sampled_out));
  if (measured && measured->dirty()) {
    try {
      measured->save();
    } catch (const Error& e) {
      note(fmt::format("warning: {}", e.what()));  // the dataset is complete; only later reuse is lost
    }
  }
  for (size_t i = 0; i < devices.size(); ++i) {
    try {
      caches[i]->save();
      if (tunings[i]->dirty()) tunings[i]->save();
    } catch (const Error& e) {
      note(fmt::format("warning: {}", e.what()));  // caches only save time
    }
  }
  if (!a.no_device_profile) {
    const auto file = profiles::device_profile_path(gpu::default_cache_dir(), dp);
    // Keep a predictor installed earlier and the fixed costs of other thread counts.
    try {
      if (std::filesystem::exists(file)) {
        const auto old = profiles::load_device_profile(file);
        dp.predictor = old.predictor;
        for (const auto& [k, v] : old.fixed_us) dp.fixed_us.emplace(k, v);
      }
    } catch (const Error& e) {
      note(fmt::format("replacing {}", e.what()));
    }
    profiles::save_device_profile(dp, file);
    note(fmt::format("device profile: {}", file.string()));
  }
  if (!skipped.empty()) {
    fmt::print(stderr, "hetsched: error: profile: {} of {} models skipped (see the notes above)\n", skipped.size(),
               a.models.size());
    return 1;
  }
  return 0;
}

int run_install(const ProfileArgs& a) {
  std::ifstream f(a.install_predictor);
  if (!f) fail(ErrorKind::kInvalidArgument, "predictor '{}': cannot be read", a.install_predictor);
  (void)profiles::Predictor::load(a.install_predictor);  // validates, errors name the file
  const nlohmann::json j = nlohmann::json::parse(f);
  profiles::DeviceProfile id;
  id.cpu_model = profiles::cpu_model_name();
  if (a.gpu) {
    gpu::VulkanDevice d(gpu::DeviceOptions{a.device, false});
    id.has_gpu = true;
    id.gpu_vendor_id = d.info().vendor_id, id.gpu_device_id = d.info().device_id;
    id.gpu_driver_version = d.info().driver_version;
  }
  const auto file = profiles::device_profile_path(gpu::default_cache_dir(), id);
  auto p = profiles::load_device_profile(file);  // profile first: the error names the missing file
  p.predictor = j;
  profiles::save_device_profile(p, file);
  note(fmt::format("predictor installed in {}", file.string()));
  return 0;
}

}  // namespace

Command add_profile_command(CLI::App& app) {
  auto a = std::make_shared<ProfileArgs>();
  CLI::App* c = app.add_subcommand("profile", "Measure kernels and fixed costs into a dataset (CSV), or predict");
  c->add_option("models", a->models, "the .tflite models");
  c->add_option("--threads", a->threads, "CPU thread counts, comma-separated (0 = all)")
      ->delimiter(',')
      ->capture_default_str();
  c->add_flag("--gpu", a->gpu, "also profile the GPU (fp32, and fp16 where supported)");
  c->add_flag("--no-fp16", a->no_fp16, "with --gpu: fp32 only");
  c->add_option("--device", a->device, "Vulkan device index");
  c->add_flag("--quick", a->quick, "3 samples, fraction 0.5 only: a usable profile in minutes");
  c->add_flag("--models-only", a->models_only, "time only whole models (rows with op_type MODEL), no kernels");
  c->add_option("--samples", a->samples, "timed samples per measurement (default 7, 3 with --quick)");
  c->add_option("--fractions", a->fractions, "partial-range fractions, comma-separated (default 0.25,0.5,0.75)")
      ->delimiter(',');
  c->add_option("--out", a->out, "the dataset CSV (default: standard output)");
  c->add_flag("--append", a->append, "append to --out (header only when it is new)");
  c->add_flag("--no-device-profile", a->no_device_profile, "do not write the device profile to the cache directory");
  c->add_flag("--corun", a->corun,
              "with --gpu: also time each processor's kernels (whole outputs) while the other runs the model");
  c->add_option("--measurement-cache", a->measurement_cache,
                "the measurement cache file (default: measurements-<device>.json in the cache directory)");
  c->add_flag("--no-measurement-cache", a->no_measurement_cache,
              "time every kernel of every model (no reuse of identical measurements)");
  c->add_option("--rel-ci", a->rel_ci,
                "adaptive repetition: stop a CPU measurement once its samples lie within +-REL_CI of their median "
                "(e.g. 0.03; 0 = always --samples)")
      ->check(CLI::Range(0.0, 1.0));
  c->add_option("--min-samples", a->min_samples, "with --rel-ci: samples before stopping early (at least 3)")
      ->check(CLI::Range(3, 1000));
  c->add_option("--range-share", a->range_share,
                "share of the partial ranges measured, chosen by kernel configuration (1 = all)")
      ->check(CLI::Range(0.0, 1.0));
  c->add_option("--corun-share", a->corun_share,
                "with --corun: share of the kernels timed co-running, chosen by configuration (1 = all)")
      ->check(CLI::Range(0.0, 1.0));
  c->add_option("--tuning-budget-ms", a->tuning_budget_ms,
                "with --gpu: workgroup tuning per model and precision before its kernels are timed (later executors "
                "of the model tune nothing new)")
      ->capture_default_str()
      ->check(CLI::NonNegativeNumber);
  c->add_option("--gpu-warmup-ms", a->gpu_warmup_ms,
                "with --gpu: run the model's kernels back to back this long before timing them (GPU clocks up), "
                "a quarter of it again after every second of timing; 0 = none")
      ->capture_default_str()
      ->check(CLI::NonNegativeNumber);
  c->add_option("--clock-tolerance", a->clock_tolerance,
                "with --gpu: time a reference kernel before each GPU measurement and time it again when the "
                "reference reads above this many times the session's best (GPU clock down); 0 = no guard")
      ->capture_default_str()
      ->check(CLI::NonNegativeNumber);
  c->add_option("--clock-retries", a->clock_retries,
                "with --clock-tolerance: re-timings before a measurement is kept with clock_ok = 0")
      ->capture_default_str()
      ->check(CLI::Range(0, 100));
  c->add_option("--predict", a->predict, "predict each model's latency per processor with this predictor file");
  c->add_option("--install-predictor", a->install_predictor,
                "embed this predictor in this device's profile (run a profile first; --gpu as it ran)");
  return {c, [a] {
            if (!a->install_predictor.empty()) return run_install(*a);
            if (a->models.empty()) fail(ErrorKind::kInvalidArgument, "profile: give at least one model");
            if (!a->predict.empty()) return run_predict(*a);
            if (a->corun && !a->gpu) fail(ErrorKind::kInvalidArgument, "profile: --corun needs --gpu");
            return run_profile(*a);
          }};
}

}  // namespace hetsched::tools
