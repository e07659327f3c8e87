// `hetsched gen-arch SPEC... --out DIR`: writes the .tflite of generated architecture specs
// (profiles/gen/archs.py's format) without TensorFlow (profiles/arch_writer.h). Each input is one
// spec (.json: DIR/<stem>.tflite) or a .jsonl of gen_archs.py's index lines {"file", "spec", ...}
// (DIR/<file>). Weight seed: the line's "seed", else the spec's "seed", else --seed.
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>

#include "base/error.h"
#include "profiles/arch_writer.h"
#include "tools/cli_validate.h"
#include "tools/commands.h"

namespace hetsched::tools {
namespace {

namespace fs = std::filesystem;

struct GenArchArgs {
  std::vector<std::string> specs;
  std::string out;
  uint64_t seed = 1;
  bool quiet = false;
};

// One architecture to write: its spec, output file name, weight seed and where it came from.
struct ArchJob {
  nlohmann::json spec;
  std::string file;
  uint64_t seed = 0;
  std::string context;
};

uint64_t seed_of(const nlohmann::json& holder, uint64_t fallback, const std::string& context) {
  const auto it = holder.find("seed");
  if (it == holder.end()) return fallback;
  if (!it->is_number_unsigned()) fail(ErrorKind::kInvalidArgument, "{}: \"seed\" must be a non-negative integer", context);
  return it->get<uint64_t>();
}

std::string tflite_name(std::string name) {
  if (name.size() > 7 && name.ends_with(".tflite")) name.resize(name.size() - 7);
  return name + ".tflite";
}

nlohmann::json parse_json(const std::string& text, const std::string& context) {
  try {
    return nlohmann::json::parse(text);
  } catch (const nlohmann::json::exception& e) {
    fail(ErrorKind::kInvalidArgument, "{}: not valid JSON ({})", context, e.what());
  }
}

std::vector<ArchJob> read_jobs(const std::string& path, uint64_t default_seed) {
  check_readable_file(path, "spec file");
  std::ifstream f(path);
  std::vector<ArchJob> jobs;
  if (!path.ends_with(".jsonl")) {
    std::string text((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
    nlohmann::json spec = parse_json(text, path);
    const uint64_t seed = spec.is_object() ? seed_of(spec, default_seed, path) : default_seed;
    jobs.push_back({std::move(spec), tflite_name(fs::path(path).stem().string()), seed, path});
    return jobs;
  }
  std::string line;
  for (int number = 1; std::getline(f, line); ++number) {
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    const std::string context = fmt::format("{} line {}", path, number);
    nlohmann::json j = parse_json(line, context);
    if (!j.is_object() || !j.contains("file") || !j["file"].is_string() || !j.contains("spec"))
      fail(ErrorKind::kInvalidArgument, "{}: an index line needs \"file\" (a string) and \"spec\"", context);
    const std::string file = fs::path(j["file"].get<std::string>()).filename().string();
    if (file.empty() || file == "." || file == "..") fail(ErrorKind::kInvalidArgument, "{}: bad \"file\"", context);
    const uint64_t seed = seed_of(j, j["spec"].is_object() ? seed_of(j["spec"], default_seed, context) : default_seed,
                                  context);
    jobs.push_back({std::move(j["spec"]), tflite_name(file), seed, context});
  }
  return jobs;
}

int run_gen_arch(const GenArchArgs& a) {
  std::vector<ArchJob> jobs;
  for (const auto& path : a.specs)
    for (auto& job : read_jobs(path, a.seed)) jobs.push_back(std::move(job));
  prepare_output_dir(a.out, "--out");
  size_t bytes = 0;
  for (const ArchJob& job : jobs) {
    const auto data = profiles::write_arch_tflite(job.spec, job.seed, job.context);
    const fs::path target = fs::path(a.out) / job.file;
    const fs::path tmp = fs::path(target).concat(".tmp");
    {
      std::ofstream out(tmp, std::ios::binary);
      out.write(reinterpret_cast<const char*>(data.data()), std::streamsize(data.size()));
      if (!out) fail(ErrorKind::kInvalidArgument, "gen-arch: writing {} failed", tmp.string());
    }
    fs::rename(tmp, target);
    bytes += data.size();
    if (!a.quiet) fmt::print("gen-arch: {} ({} bytes, weight seed {})\n", target.string(), data.size(), job.seed);
  }
  fmt::print("gen-arch: {} architectures, {} bytes in {}\n", jobs.size(), bytes, a.out);
  return 0;
}

}  // namespace

Command add_gen_arch_command(CLI::App& app) {
  auto a = std::make_shared<GenArchArgs>();
  CLI::App* c = app.add_subcommand(
      "gen-arch", "Write the .tflite of generated architecture specs (profiles/gen/archs.py) without TensorFlow");
  c->add_option("specs", a->specs, "spec files: one spec (.json) or gen_archs.py index lines (.jsonl)")->required();
  c->add_option("--out", a->out, "output folder (created when missing)")->required();
  c->add_option("--seed", a->seed, "weight seed of specs that carry none (a line's or spec's \"seed\" wins)")->capture_default_str();
  c->add_flag("--quiet", a->quiet, "print only the summary line");
  return {c, [a] { return run_gen_arch(*a); }};
}

}  // namespace hetsched::tools
