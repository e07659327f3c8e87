// Caches that stay right: a pipeline cache replaced by a directory or damaged is moved aside with
// a warning and rebuilt (it used to fail every GPU run with basic_filebuf::underflow); an
// unwritable cache directory is one notice per process; workgroup-cache entries out of the
// device's range are dropped with a warning (they used to be re-tuned silently); timings made on a
// busy machine are used but not saved; an op-profile cache with negative or infinite costs is
// moved aside and measured again; tuning progress reaches its observer.
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <limits>
#include <tuple>

#include <nlohmann/json.hpp>

#include "base/error.h"
#include "gpu/cache_file.h"
#include "gpu/executor.h"
#include "gpu/pipeline_cache.h"
#include "gpu/workgroup_tuning.h"
#include "partition/cost_model.h"
#include "scheduler/op_profiler.h"
#include "tests/support/gpu_op_harness.h"
#include "tests/support/gpu_op_runner.h"
#include "tests/support/op_test_harness.h"
#include "tests/support/test_util.h"

namespace hetsched {
namespace {
namespace fs = std::filesystem;

struct TempDir {
  fs::path path;
  explicit TempDir(const std::string& name) {
    path = fs::temp_directory_path() / fmt::format("hetsched_cache_hardening_{}_{}", name, ::getpid());
    fs::remove_all(path);
    fs::create_directories(path);
  }
  ~TempDir() {
    gpu::set_load_average_for_testing(std::nullopt);
    fs::remove_all(path);
  }
};

std::string slurp(const fs::path& p) {
  std::ifstream in(p);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

TEST(CacheFile, AtomicWriteReadAndMoveAside) {
  TempDir dir("file");
  const fs::path f = dir.path / "sub" / "c.bin";
  gpu::write_cache_file(f, "hello", "test cache");
  EXPECT_EQ(slurp(f), "hello");
  EXPECT_EQ(std::distance(fs::directory_iterator(f.parent_path()), fs::directory_iterator()), 1)
      << "no temporary file left behind";
  EXPECT_EQ(gpu::read_cache_file(f, "test cache").value_or(""), "hello");
  EXPECT_FALSE(gpu::read_cache_file(dir.path / "missing", "test cache"));
  // A directory where the file should be: warned, moved aside, and the next write succeeds.
  const fs::path d = dir.path / "d.bin";
  fs::create_directories(d / "x");
  testing::internal::CaptureStderr();
  EXPECT_FALSE(gpu::read_cache_file(d, "test cache"));
  const std::string err = testing::internal::GetCapturedStderr();
  EXPECT_NE(err.find(d.string()), std::string::npos) << err;
  EXPECT_NE(err.find("is a directory"), std::string::npos) << err;
  EXPECT_TRUE(fs::is_directory(d.string() + ".bad"));
  gpu::write_cache_file(d, "again", "test cache");
  EXPECT_EQ(slurp(d), "again");
}

TEST(CacheFile, UnwritableDirectoryIsOneNotice) {
  TempDir dir("unwritable");
  std::ofstream(dir.path / "plain_file") << "x";
  const fs::path f = dir.path / "plain_file" / "cache" / "c.bin";  // its "directory" is a file
  testing::internal::CaptureStderr();
  for (int i = 0; i < 3; ++i) {
    try {
      gpu::write_cache_file(f, "x", "test cache");
      ADD_FAILURE() << "wrote below a plain file";
    } catch (const Error& e) {
      EXPECT_NE(std::string(e.what()).find(f.string()), std::string::npos) << e.what();
    }
  }
  const std::string err = testing::internal::GetCapturedStderr();
  size_t notices = 0;
  for (size_t at = err.find("notice:"); at != std::string::npos; at = err.find("notice:", at + 1)) ++notices;
  EXPECT_LE(notices, 1u) << err;
  EXPECT_EQ(gpu::cache_write_notices(), 1);
}

TEST(CacheFile, MachineLoadThreshold) {
  TempDir dir("load");
  const auto m = gpu::machine_load();
  EXPECT_GE(m.cores, 1u);
  EXPECT_EQ(m.threshold, 2.0 * m.cores + 1);
  gpu::set_load_average_for_testing(1000.0);
  EXPECT_TRUE(gpu::machine_load().busy);
  gpu::set_load_average_for_testing(0.0);
  EXPECT_FALSE(gpu::machine_load().busy);
}

TEST(GpuPipelineCacheHardening, DirectoryOrDamagedFileIsMovedAsideAndRebuilt) {
  HETSCHED_SKIP_WITHOUT_GPU();
  const gpu::VulkanDevice& dev = *test::test_gpu_device();
  TempDir dir("pipelines");
  const fs::path file = gpu::PipelineCache(dev, dir.path).file();
  fs::create_directories(file / "junk");
  {
    testing::internal::CaptureStderr();
    gpu::PipelineCache cache(dev, dir.path);  // used to throw basic_filebuf::underflow ... Is a directory
    const std::string err = testing::internal::GetCapturedStderr();
    EXPECT_NE(err.find(file.string()), std::string::npos) << err;
    EXPECT_EQ(cache.loaded_bytes(), 0u);
    EXPECT_GT(cache.save(), 0u);
    EXPECT_TRUE(fs::is_regular_file(file));
  }
  {
    gpu::PipelineCache cache(dev, dir.path);
    EXPECT_GT(cache.loaded_bytes(), 0u);
  }
  std::ofstream(file, std::ios::trunc) << "not a pipeline cache header at all, just text";
  testing::internal::CaptureStderr();
  gpu::PipelineCache damaged(dev, dir.path);
  const std::string err = testing::internal::GetCapturedStderr();
  EXPECT_NE(err.find("does not match"), std::string::npos) << err;
  EXPECT_EQ(damaged.loaded_bytes(), 0u);
  EXPECT_FALSE(fs::exists(file));
  EXPECT_TRUE(fs::exists(file.string() + ".bad"));
}

TEST(GpuWorkgroupCacheHardening, OutOfRangeEntriesAreDroppedWithAWarning) {
  HETSCHED_SKIP_WITHOUT_GPU();
  const gpu::VulkanDevice& dev = *test::test_gpu_device();
  TempDir dir("workgroups");
  gpu::set_load_average_for_testing(0.0);
  const fs::path file = gpu::WorkgroupTuningCache(dev, dir.path).file();
  const uint32_t too_big = dev.info().max_workgroup_size[0] + 1;
  nlohmann::json j;
  j["entries"]["good"] = {{"best", {8, 8, 1}}, {"block", {1, 1}}, {"best_us", 1.0}, {"default_us", 2.0}};
  j["entries"]["wide"] = {{"best", {too_big, 1, 1}}, {"best_us", 1.0}, {"default_us", 2.0}};
  j["entries"]["many"] = {{"best", {1024, 1024, 64}}, {"best_us", 1.0}, {"default_us", 2.0}};
  j["entries"]["block"] = {{"best", {8, 8, 1}}, {"block", {3, 7}}, {"best_us", 1.0}, {"default_us", 2.0}};
  j["entries"]["negative"] = {{"best", {8, 8, 1}}, {"best_us", -1.0}, {"default_us", 2.0}};
  std::ofstream(file) << j.dump();
  testing::internal::CaptureStderr();
  gpu::WorkgroupTuningCache cache(dev, dir.path);
  const std::string err = testing::internal::GetCapturedStderr();
  EXPECT_NE(err.find("dropped 4 corrupt entries"), std::string::npos) << err;
  EXPECT_NE(cache.warning().find(file.string()), std::string::npos) << cache.warning();
  EXPECT_EQ(cache.size(), 1u);
  EXPECT_NE(cache.find("good"), nullptr);
  EXPECT_EQ(cache.find("wide"), nullptr);
  EXPECT_TRUE(cache.dirty());
  cache.save();
  gpu::WorkgroupTuningCache clean(dev, dir.path);
  EXPECT_TRUE(clean.warning().empty()) << clean.warning();
  EXPECT_EQ(clean.size(), 1u);
  // Not JSON at all: moved aside and rebuilt.
  std::ofstream(file, std::ios::trunc) << "{broken";
  testing::internal::CaptureStderr();
  gpu::WorkgroupTuningCache broken(dev, dir.path);
  testing::internal::GetCapturedStderr();
  EXPECT_NE(broken.warning().find("corrupt"), std::string::npos);
  EXPECT_TRUE(fs::exists(file.string() + ".bad"));
}

TEST(GpuWorkgroupCacheHardening, TimingsOfABusyMachineAreUsedButNotSaved) {
  HETSCHED_SKIP_WITHOUT_GPU();
  const gpu::VulkanDevice& dev = *test::test_gpu_device();
  TempDir dir("busy");
  gpu::set_load_average_for_testing(0.0);
  gpu::WorkgroupTuningCache cache(dev, dir.path);
  cache.store("quiet", {{8, 8, 1}, 1.0, 2.0});
  gpu::set_load_average_for_testing(1000.0);
  cache.store("busy", {{16, 4, 1}, 64000.0, 2300.0});
  ASSERT_NE(cache.find("busy"), nullptr);  // this session uses it
  EXPECT_EQ(cache.transient_size(), 1u);
  testing::internal::CaptureStderr();
  cache.save();
  const std::string err = testing::internal::GetCapturedStderr();
  EXPECT_NE(err.find("busy"), std::string::npos) << err;
  gpu::set_load_average_for_testing(0.0);
  gpu::WorkgroupTuningCache reread(dev, dir.path);
  EXPECT_NE(reread.find("quiet"), nullptr);
  EXPECT_EQ(reread.find("busy"), nullptr);
}

// The progress observer (gpu::set_tuning_progress) sees every timed kernel and a final report with
// done == total; the CLI prints "tuning 37/103 kernels..." from it.
TEST(GpuTuningProgress, ReportsEachTimedKernelAndTheEnd) {
  HETSCHED_SKIP_WITHOUT_GPU();
  const gpu::VulkanDevice& dev = *test::test_gpu_device();
  TempDir dir("progress");
  gpu::set_load_average_for_testing(0.0);
  auto rng = test::make_rng(23);
  test::GraphBuilder b("progress_net");
  const int x = b.input("x", {1, 12, 10, 8});
  Conv2DAttributes c;
  c.padding = Padding::kSame;
  b.add_op(OpType::kConv2D, {x, b.random_constant(rng, "w", {8, 3, 3, 8}), b.random_constant(rng, "b", {8})}, c);
  b.add_op(OpType::kHardSwish, {b.graph().ops.back().outputs[0]}, NoAttributes{});
  Graph g = b.graph();
  infer_shapes(g);
  std::vector<gpu::TuningProgress> seen;
  gpu::set_tuning_progress([&](const gpu::TuningProgress& p) { seen.push_back(p); });
  gpu::WorkgroupTuningCache cache(dev, dir.path);
  gpu::GpuExecutorOptions o;
  o.tuning = &cache;
  gpu::GpuExecutor ex(g, dev, nullptr, o);
  gpu::set_tuning_progress(nullptr);
  ASSERT_GE(seen.size(), 2u);
  EXPECT_EQ(seen.back().done, seen.back().total);
  EXPECT_EQ(seen.back().total, 2);
  EXPECT_EQ(seen.back().timed, ex.tuning_stats().shapes_timed);
  EXPECT_EQ(seen.back().model, "progress_net");
  for (size_t i = 1; i < seen.size(); ++i) EXPECT_GE(seen[i].done, seen[i - 1].done);
}

TEST(ProfileCacheHardening, BadCostsAreMovedAsideAndMeasuredAgain) {
  TempDir dir("profile");
  Graph g;
  g.model_name = "two_ops";
  g.ops.resize(2);
  partition::CostModel c;
  c.model = "two_ops";
  c.ops = {{1.0, 2.0}, {0.5, -1}};  // -1: no GPU kernel
  const fs::path file = dir.path / "profile.json";
  gpu::set_load_average_for_testing(0.0);
  save_profile_cache(file, c);
  ASSERT_TRUE(load_profile_cache(file, g).has_value());
  EXPECT_EQ(load_profile_cache(file, g)->ops[1].gpu_ms, -1);
  for (auto [op, field, value] : {std::tuple{0, "cpu_ms", -3.0}, std::tuple{1, "gpu_ms", -2.0},
                                  std::tuple{0, "gpu_ms", std::numeric_limits<double>::infinity()}}) {
    nlohmann::json j = partition::to_json(c);
    j["ops"][op][field] = value;
    std::ofstream(file, std::ios::trunc) << j.dump();
    testing::internal::CaptureStderr();
    EXPECT_FALSE(load_profile_cache(file, g).has_value()) << field << "=" << value;
    const std::string err = testing::internal::GetCapturedStderr();
    EXPECT_NE(err.find(file.string()), std::string::npos) << err;
    EXPECT_TRUE(fs::exists(file.string() + ".bad"));
    EXPECT_FALSE(fs::exists(file));
  }
  // Measured on a busy machine: not saved.
  gpu::set_load_average_for_testing(1000.0);
  testing::internal::CaptureStderr();
  save_profile_cache(file, c);
  testing::internal::GetCapturedStderr();
  EXPECT_FALSE(fs::exists(file));
}

}  // namespace
}  // namespace hetsched
