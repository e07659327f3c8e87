// Host facts for dataset rows and device profile names (see header).
#include "profiles/machine_info.h"

#include <cctype>
#include <fstream>
#include <thread>

namespace hetsched::profiles {

std::string cpu_model_name() {
  std::ifstream f("/proc/cpuinfo");
  std::string line;
  while (std::getline(f, line)) {
    if (line.rfind("model name", 0) != 0) continue;
    const auto colon = line.find(':');
    if (colon == std::string::npos) break;
    std::string name = line.substr(colon + 1);
    const auto b = name.find_first_not_of(" \t");
    return b == std::string::npos ? "unknown cpu" : name.substr(b);
  }
  return "unknown cpu";
}

int hardware_threads() { return int(std::max(1u, std::thread::hardware_concurrency())); }

double load_average_1min() {
  std::ifstream f("/proc/loadavg");
  double l = -1;
  if (!(f >> l)) return -1;
  return l;
}

std::string slug(const std::string& name) {
  std::string s;
  for (unsigned char c : name) {
    if (std::isalnum(c)) s += char(std::tolower(c));
    else if (!s.empty() && s.back() != '-') s += '-';
  }
  while (!s.empty() && s.back() == '-') s.pop_back();
  return s.empty() ? "unknown" : s;
}

}  // namespace hetsched::profiles
