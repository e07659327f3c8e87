// Cache file reading, moving aside, atomic writing and the machine-load probe (see cache_file.h).
#include "gpu/cache_file.h"

#include <fmt/format.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>
#include <mutex>
#include <system_error>
#include <thread>

#include "base/error.h"

namespace hetsched::gpu {
namespace fs = std::filesystem;
namespace {

std::atomic<int> g_write_notices{0};
std::mutex g_load_mutex;
std::optional<double> g_load_override;

}  // namespace

void move_cache_aside(const fs::path& file, std::string_view what, std::string_view reason) {
  const fs::path bad = file.string() + ".bad";
  std::error_code ec;
  fs::remove_all(bad, ec);
  fs::rename(file, bad, ec);
  if (ec) {
    fs::remove_all(file, ec);  // cannot keep it for inspection: at least let the next save rebuild it
    fmt::print(stderr, "hetsched: warning: {} {} {}; removed it, it will be rebuilt\n", what, file.string(), reason);
    return;
  }
  fmt::print(stderr, "hetsched: warning: {} {} {}; moved it to {}, it will be rebuilt\n", what, file.string(), reason,
             bad.string());
}

std::optional<std::string> read_cache_file(const fs::path& file, std::string_view what) {
  std::error_code ec;
  const fs::file_status st = fs::status(file, ec);
  if (!fs::exists(st)) return std::nullopt;
  if (!fs::is_regular_file(st)) {
    move_cache_aside(file, what, fs::is_directory(st) ? "is a directory, not a file" : "is not a regular file");
    return std::nullopt;
  }
  std::ifstream in(file, std::ios::binary);
  if (!in) {
    move_cache_aside(file, what, fmt::format("cannot be opened ({})", std::strerror(errno)));
    return std::nullopt;
  }
  std::string bytes;
  try {
    bytes.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  } catch (const std::exception& e) {
    move_cache_aside(file, what, fmt::format("cannot be read ({})", e.what()));
    return std::nullopt;
  }
  if (in.bad()) {
    move_cache_aside(file, what, "cannot be read (I/O error)");
    return std::nullopt;
  }
  return bytes;
}

void write_cache_file(const fs::path& file, std::string_view bytes, std::string_view what) {
  auto failed = [&](const std::string& why) {
    if (g_write_notices.exchange(1) == 0)
      fmt::print(stderr,
                 "hetsched: notice: cannot write the cache directory {} ({}); caches are not saved, so every start "
                 "compiles and tunes again (set HETSCHED_CACHE_DIR to a writable directory)\n",
                 file.parent_path().string(), why);
    fail(ErrorKind::kInvalidArgument, "cannot write the {} {}: {}", what, file.string(), why);
  };
  std::error_code ec;
  fs::create_directories(file.parent_path(), ec);
  if (ec) failed(ec.message());
  static std::atomic<uint64_t> counter{0};
  const fs::path tmp = file.string() + fmt::format(".tmp{}-{}", ::getpid(), counter.fetch_add(1));
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    if (!out) failed(std::strerror(errno));
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    out.flush();
    if (!out) {
      const std::string why = std::strerror(errno);
      out.close();
      fs::remove(tmp, ec);
      failed(why);
    }
  }
  fs::rename(tmp, file, ec);
  if (ec) {
    const std::string why = ec.message();
    fs::remove(tmp, ec);
    failed(why);
  }
}

int cache_write_notices() { return g_write_notices.load(); }

MachineLoad machine_load() {
  MachineLoad m;
  m.cores = std::max(1u, std::thread::hardware_concurrency());
  m.threshold = 2.0 * m.cores + 1;
  if (const char* e = std::getenv("HETSCHED_BUSY_LOAD"); e && *e) {
    char* end = nullptr;
    const double v = std::strtod(e, &end);
    if (end != e && v > 0) m.threshold = v;
  }
  {
    std::lock_guard lock(g_load_mutex);
    if (g_load_override) {
      m.load1 = *g_load_override;
      m.busy = m.load1 > m.threshold;
      return m;
    }
  }
  std::ifstream in("/proc/loadavg");
  if (!(in >> m.load1) || !std::isfinite(m.load1)) return m;  // unknown: not busy
  m.busy = m.load1 > m.threshold;
  return m;
}

void set_load_average_for_testing(std::optional<double> load1) {
  std::lock_guard lock(g_load_mutex);
  g_load_override = load1;
}

}  // namespace hetsched::gpu
