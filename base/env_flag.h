// Boolean switches read from the environment (HETSCHED_NO_COOPMAT=1 and the like): on when set,
// non-empty and not "0".
#pragma once
#include <cstdlib>
#include <cstring>

namespace hetsched {

inline bool env_flag(const char* name) {
  const char* v = std::getenv(name);
  return v && *v && std::strcmp(v, "0") != 0;
}

}  // namespace hetsched
