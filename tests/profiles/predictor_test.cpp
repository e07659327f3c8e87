// profiles/: the tree evaluator on a tiny hand-made forest, predictor and device-profile files
// (round trip, corrupt or foreign files refused with errors naming the file), fraction ranges and
// timing summaries.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <cmath>
#include <filesystem>
#include <fstream>

#include "base/error.h"
#include "graph/op_registry.h"
#include "profiles/device_profile.h"
#include "profiles/kernel_features.h"
#include "profiles/predictor.h"
#include "profiles/timing_stats.h"
#include "profiles/tree_ensemble.h"

namespace hetsched::profiles {
namespace {

namespace fs = std::filesystem;

// Tree 0: x0 <= 1 ? (x1 <= 5 ? 10 : 20) : 30.  Tree 1: x2 <= 0.5 ? -1 : 2 (NaN goes right).
nlohmann::json tiny_forest() {
  return {{"base", 0.5},
          {"trees",
           {{{"feature", {0, 1, -1, -1, -1}},
             {"threshold", {1.0, 5.0, 0, 0, 0}},
             {"left", {1, 2, 0, 0, 0}},
             {"right", {4, 3, 0, 0, 0}},
             {"value", {0, 0, 10, 20, 30}},
             {"default_left", {1, 1, 0, 0, 0}}},
            {{"feature", {2, -1, -1}},
             {"threshold", {0.5, 0, 0}},
             {"left", {1, 0, 0}},
             {"right", {2, 0, 0}},
             {"value", {0, -1, 2}},
             {"default_left", {0, 0, 0}}}}}};
}

TEST(TreeEnsemble, EvaluatesAHandMadeForest) {
  const TreeEnsemble e = tree_ensemble_from_json(tiny_forest(), 3, "test");
  auto eval = [&](double a, double b, double c) {
    const double x[] = {a, b, c};
    return e.eval(x);
  };
  EXPECT_DOUBLE_EQ(eval(0, 0, 0), 0.5 + 10 - 1);
  EXPECT_DOUBLE_EQ(eval(1, 5, 0.5), 0.5 + 10 - 1);  // <= goes left at equality
  EXPECT_DOUBLE_EQ(eval(0, 6, 0), 0.5 + 20 - 1);
  EXPECT_DOUBLE_EQ(eval(2, 0, 1), 0.5 + 30 + 2);
  EXPECT_DOUBLE_EQ(eval(NAN, 9, NAN), 0.5 + 20 + 2);  // default_left: tree 0 left, tree 1 right
  // Round trip through JSON.
  const TreeEnsemble e2 = tree_ensemble_from_json(to_json(e), 3, "test");
  const double x[] = {2, 0, 1};
  EXPECT_DOUBLE_EQ(e2.eval(x), e.eval(x));
}

TEST(TreeEnsemble, RefusesMalformedTrees) {
  auto expect_error = [](nlohmann::json j, int nf, const std::string& what) {
    try {
      tree_ensemble_from_json(j, nf, "predictor 'p.json': cpu:t1 CONV_2D");
      FAIL() << "accepted: " << what;
    } catch (const Error& e) {
      EXPECT_NE(std::string(e.what()).find("predictor 'p.json': cpu:t1 CONV_2D"), std::string::npos) << e.what();
      EXPECT_NE(std::string(e.what()).find(what), std::string::npos) << e.what();
    }
  };
  auto j = tiny_forest();
  j["trees"][0]["left"][0] = 0;  // a cycle
  expect_error(j, 3, "must come after its parent");
  expect_error(tiny_forest(), 2, "feature 2 is not in [0, 2)");
  j = tiny_forest();
  j["trees"][1]["value"].erase(2);
  expect_error(j, 3, "differ in length");
  expect_error(nlohmann::json::object(), 3, "\"trees\" array");
}

nlohmann::json linear_predictor() {
  std::vector<double> coef(feature_names().size(), 0.0);
  coef[25] = 0.001;  // range_macs
  EXPECT_EQ(feature_names()[25], "range_macs");
  auto gbt = tiny_forest();
  gbt["kind"] = "gbt";
  gbt["target"] = "log_us";
  return {{"format", "hetsched-latency-predictor"},
          {"version", 1},
          {"features", feature_names()},
          {"processors",
           {{"cpu:t1", {{"kernels", {{"*", {{"kind", "linear"}, {"target", "us"}, {"intercept", 3.0}, {"coef", coef}}},
                                     {"ADD", gbt}}},
                        {"fixed_us", nlohmann::json::object()}}},
            {"gpu:fp32",
             {{"kernels", {{"*", {{"kind", "linear"}, {"target", "us"}, {"intercept", 1.0}, {"coef", coef}}}}},
              {"fixed_us", {{"gpu_submit_us", 40.0}, {"sync_us", 25.0}, {"per_op_us", 2.0}}}}}}}};
}

// One 3x3 CONV_2D, 8x8x16 -> 8x8x32, SAME padding.
Graph one_conv() {
  Graph g;
  g.model_name = "one_conv";
  g.tensors.resize(3);
  g.tensors[0].name = "in", g.tensors[0].shape = {1, 8, 8, 16};
  g.tensors[1].name = "w", g.tensors[1].shape = {32, 3, 3, 16}, g.tensors[1].is_constant = true;
  g.tensors[1].data.resize(32 * 3 * 3 * 16 * sizeof(float));
  g.tensors[2].name = "out";
  Op op;
  op.type = OpType::kConv2D;
  op.inputs = {0, 1, -1};
  op.outputs = {2};
  Conv2DAttributes a;
  a.padding = Padding::kSame;
  op.attributes = a;
  g.ops = {op};
  g.inputs = {0};
  g.outputs = {2};
  infer_shapes(g);
  return g;
}

KernelFeatures conv_features() {
  KernelFeatures f;
  f.op_type = "CONV_2D";
  f.in = {1, 8, 8, 16};
  f.out = {1, 8, 8, 32};  // 8 slices x 8 rows
  f.macs = 8 * 8 * 16 * 32 * 9;
  return f;
}

TEST(Predictor, EvaluatesKernelsSplitsAndTheFallback) {
  const Predictor p = Predictor::from_json(linear_predictor(), "test");
  const KernelFeatures f = conv_features();
  const double whole = p.kernel_us("cpu:t1", f, RangeAxis::kWhole, OutputRange::whole(f.out));
  EXPECT_NEAR(whole, 3.0 + 0.001 * double(f.macs), 1e-9);
  const OutputRange quarter = fraction_range(f.out, RangeAxis::kSlices, 0.25);
  EXPECT_EQ(quarter.slice_end, 2);
  EXPECT_NEAR(p.kernel_us("cpu:t1", f, RangeAxis::kSlices, quarter), 3.0 + 0.001 * double(f.macs) / 4, 1e-9);
  // Split at 0.25 of the rows: CPU a quarter, GPU three quarters: the slower side plus one sync.
  const Graph g = one_conv();
  const double m = double(kernel_features(g, g.ops[0]).macs);
  ASSERT_EQ(m, double(f.macs));
  EXPECT_NEAR(p.split_us(g, 0, RangeAxis::kRows, 0.25, "cpu:t1", "gpu:fp32"),
              std::max(3.0 + 0.001 * m * 0.25, 1.0 + 0.001 * m * 0.75) + 25.0, 1e-9);
  EXPECT_NEAR(p.split_us(g, 0, RangeAxis::kRows, 1.0, "cpu:t1", "gpu:fp32"), 3.0 + 0.001 * m, 1e-9);  // no sync
  // Co-running slowdowns (--corun) scale each side of a real split, not a one-sided one.
  nlohmann::json slowed = linear_predictor();
  slowed["processors"]["cpu:t1"]["fixed_us"]["corun_factor"] = 1.5;
  slowed["processors"]["gpu:fp32"]["fixed_us"]["corun_factor"] = 1.2;
  const Predictor ps = Predictor::from_json(slowed, "test");
  EXPECT_NEAR(ps.split_us(g, 0, RangeAxis::kRows, 0.25, "cpu:t1", "gpu:fp32"),
              std::max(1.5 * (3.0 + 0.001 * m * 0.25), 1.2 * (1.0 + 0.001 * m * 0.75)) + 25.0, 1e-9);
  EXPECT_NEAR(ps.split_us(g, 0, RangeAxis::kRows, 1.0, "cpu:t1", "gpu:fp32"), 3.0 + 0.001 * m, 1e-9);
  // The whole model: its kernels plus the processor's fixed costs (a GPU submission).
  EXPECT_NEAR(p.model_us(g, "gpu:fp32").total_us, 1.0 + 0.001 * m + 40.0 + 2.0, 1e-9);  // + per_op_us x 1 kernel
  EXPECT_NEAR(p.model_us(g, "cpu:t1").total_us, 3.0 + 0.001 * m, 1e-9);
  // kernel_scale: kernels inside a model run take that many times their time alone (every use).
  nlohmann::json scaled = linear_predictor();
  scaled["processors"]["gpu:fp32"]["fixed_us"]["kernel_scale"] = 1.25;
  const Predictor pk = Predictor::from_json(scaled, "test");
  EXPECT_NEAR(pk.kernel_us("gpu:fp32", f, RangeAxis::kWhole, OutputRange::whole(f.out)), 1.25 * (1.0 + 0.001 * m), 1e-9);
  EXPECT_NEAR(pk.model_us(g, "gpu:fp32").total_us, 1.25 * (1.0 + 0.001 * m) + 40.0 + 2.0, 1e-9);
  EXPECT_NEAR(pk.model_us(g, "cpu:t1").total_us, 3.0 + 0.001 * m, 1e-9);  // another processor's scale is 1
  // The context model: a factor exp(model) from the kernel's whole-output features, whatever the
  // range asked (here it grows with range_macs, so a part computed from its own range would differ).
  nlohmann::json ctx = linear_predictor();
  std::vector<double> ctx_coef(feature_names().size(), 0.0);
  ctx_coef[25] = 1e-6;
  ctx["processors"]["cpu:t1"]["context"] = {{"kind", "linear"}, {"target", "log_us"}, {"intercept", 0.25}, {"coef", ctx_coef}};
  const Predictor pc = Predictor::from_json(ctx, "test");
  const double factor = std::exp(0.25 + 1e-6 * m);
  EXPECT_NEAR(pc.kernel_us("cpu:t1", f, RangeAxis::kWhole, OutputRange::whole(f.out)), factor * (3.0 + 0.001 * m), 1e-9);
  EXPECT_NEAR(pc.kernel_us("cpu:t1", f, RangeAxis::kSlices, quarter), factor * (3.0 + 0.001 * m / 4), 1e-9);
  EXPECT_NEAR(pc.model_us(g, "cpu:t1").total_us, factor * (3.0 + 0.001 * m), 1e-9);
  EXPECT_NEAR(pc.model_us(g, "gpu:fp32").total_us, 1.0 + 0.001 * m + 40.0 + 2.0, 1e-9);  // no context there
  ctx["processors"]["cpu:t1"]["context"]["target"] = "us";  // a factor must be a log's exp
  EXPECT_THROW(Predictor::from_json(ctx, "test"), Error);
  // ADD has its own (tree) model on log(us); CONV_2D falls back to "*".
  KernelFeatures add = f;
  add.op_type = "ADD";
  EXPECT_NEAR(p.kernel_us("cpu:t1", add, RangeAxis::kWhole, OutputRange::whole(f.out)), std::exp(0.5 + 30 + 2), 1e-3);
  EXPECT_DOUBLE_EQ(p.processor("gpu:fp32").fixed("sync_us"), 25.0);
  EXPECT_THROW(p.processor("gpu:fp16"), Error);
}

TEST(Predictor, RefusesForeignFilesNamingThem) {
  const fs::path dir = fs::temp_directory_path() / "hetsched_predictor_test";
  fs::create_directories(dir);
  auto expect_refused = [&](const nlohmann::json& j, const std::string& what) {
    const fs::path file = dir / "p.json";
    std::ofstream(file) << j.dump();
    try {
      Predictor::load(file);
      FAIL() << "accepted: " << what;
    } catch (const Error& e) {
      EXPECT_NE(std::string(e.what()).find(file.string()), std::string::npos) << e.what();
      EXPECT_NE(std::string(e.what()).find(what), std::string::npos) << e.what();
    }
  };
  auto j = linear_predictor();
  j["version"] = 99;
  expect_refused(j, "version 99");
  j = linear_predictor();
  j["features"].erase(0);
  expect_refused(j, "are not this build's");
  j = linear_predictor();
  j["format"] = "something else";
  expect_refused(j, "not a hetsched latency predictor");
  j = linear_predictor();
  j["processors"]["cpu:t1"]["kernels"]["*"]["coef"].erase(0);
  expect_refused(j, "cpu:t1 *: a linear model needs");
  // A context model trained with the trainer's CONTEXT_EXTRA knob reads more than a kernel's features.
  j = linear_predictor();
  j["processors"]["cpu:t1"]["context"] = j["processors"]["cpu:t1"]["kernels"]["ADD"];
  auto names = feature_names();
  names.push_back("model_weight_bytes");
  j["processors"]["cpu:t1"]["context"]["features"] = names;
  expect_refused(j, "cpu:t1 context model reads features");
  j["processors"]["cpu:t1"]["context"]["features"] = feature_names();  // the kernel's: loads
  std::ofstream(dir / "ctx.json") << j.dump();
  EXPECT_TRUE(Predictor::load(dir / "ctx.json").has("cpu:t1"));
  {
    std::ofstream(dir / "p.json") << "{\"format\": ";
    EXPECT_THROW(Predictor::load(dir / "p.json"), Error);
  }
  // A valid file loads.
  std::ofstream(dir / "ok.json") << linear_predictor().dump();
  EXPECT_TRUE(Predictor::load(dir / "ok.json").has("cpu:t1"));
  fs::remove_all(dir);
}

DeviceProfile sample_profile() {
  DeviceProfile p;
  p.cpu_model = "AMD EPYC 7B13, 2 cores";
  p.hardware_threads = 2;
  p.threads = {1, 2};
  p.has_gpu = true;
  p.gpu_name = "llvmpipe (LLVM 15.0.6, 256 bits)";
  p.gpu_driver = "llvmpipe Mesa 22.3.6";
  p.gpu_vendor_id = 0x10005, p.gpu_device_id = 0, p.gpu_driver_version = 0x5800006;
  p.fixed_us = {{"cpu:t1", {{"cpu_task_us", 0.4}}}, {"gpu:fp32", {{"gpu_submit_us", 35.5}, {"sync_us", 20.25}}}};
  p.created = "2026-12-05T19:00:00Z";
  p.predictor = linear_predictor();
  return p;
}

TEST(DeviceProfile, RoundTripsThroughItsFile) {
  const fs::path dir = fs::temp_directory_path() / "hetsched_device_profile_test";
  fs::remove_all(dir);
  const DeviceProfile p = sample_profile();
  const fs::path file = device_profile_path(dir, p);
  EXPECT_EQ(file.filename().string(), "device-amd-epyc-7b13-2-cores-gpu-10005-0-5800006.json");
  save_device_profile(p, file);
  EXPECT_EQ(load_device_profile(file), p);
  DeviceProfile cpu_only = p;
  cpu_only.has_gpu = false, cpu_only.gpu_name.clear(), cpu_only.gpu_driver.clear();
  cpu_only.gpu_vendor_id = cpu_only.gpu_device_id = cpu_only.gpu_driver_version = 0;
  cpu_only.predictor.reset();
  save_device_profile(cpu_only, dir / "cpu.json");
  EXPECT_EQ(load_device_profile(dir / "cpu.json"), cpu_only);
  fs::remove_all(dir);
}

TEST(DeviceProfile, RefusesCorruptOrForeignFilesNamingThem) {
  const fs::path dir = fs::temp_directory_path() / "hetsched_device_profile_corrupt";
  fs::create_directories(dir);
  const fs::path file = dir / "device.json";
  auto expect_refused = [&](const std::string& text, const std::string& what) {
    std::ofstream(file) << text;
    try {
      load_device_profile(file);
      FAIL() << "accepted: " << what;
    } catch (const Error& e) {
      EXPECT_NE(std::string(e.what()).find(file.string()), std::string::npos) << e.what();
      EXPECT_NE(std::string(e.what()).find(what), std::string::npos) << e.what();
    }
  };
  const std::string good = to_json(sample_profile()).dump();
  expect_refused(good.substr(0, good.size() / 2), "not valid JSON");
  auto j = to_json(sample_profile());
  j["version"] = 0;
  expect_refused(j.dump(), "version 0");
  j = to_json(sample_profile());
  j["cpu"].erase("model");
  expect_refused(j.dump(), "corrupt device profile");
  j = to_json(sample_profile());
  j["fixed_us"]["cpu:t1"]["cpu_task_us"] = "fast";
  expect_refused(j.dump(), "corrupt device profile");
  j = to_json(sample_profile());
  j["predictor"]["version"] = 7;
  expect_refused(j.dump(), "embedded predictor");
  EXPECT_THROW(load_device_profile(dir / "missing.json"), Error);
  fs::remove_all(dir);
}

TEST(KernelFeatures, FractionRangesCoverAtLeastOneUnit) {
  const Shape4 s{1, 10, 7, 13};  // 4 slices, 10 rows
  EXPECT_EQ(fraction_range(s, RangeAxis::kSlices, 0.5), (OutputRange{0, 2, 0, 10}));
  EXPECT_EQ(fraction_range(s, RangeAxis::kSlices, 0.01), (OutputRange{0, 1, 0, 10}));
  EXPECT_EQ(fraction_range(s, RangeAxis::kRows, 0.75), (OutputRange{0, 4, 0, 8}));
  EXPECT_EQ(fraction_range(s, RangeAxis::kRows, 1.0), OutputRange::whole(s));
  EXPECT_TRUE(fraction_range(s, RangeAxis::kRows, 0.0).empty());
  EXPECT_EQ(feature_vector(KernelFeatures{}, RangeAxis::kWhole, OutputRange::whole(s)).size(), feature_names().size());
}

TEST(TimingStats, MedianQuartilesAndOutliers) {
  const TimingStats s = summarize({10, 11, 12, 13, 14, 100});
  EXPECT_DOUBLE_EQ(s.median_us, 12.5);
  EXPECT_DOUBLE_EQ(s.p25_us, 11.25);
  EXPECT_DOUBLE_EQ(s.p75_us, 13.75);
  EXPECT_EQ(s.n, 6);
  EXPECT_EQ(s.outliers, 1);
  EXPECT_EQ(summarize({}).n, 0);
}

}  // namespace
}  // namespace hetsched::profiles
