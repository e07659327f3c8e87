// Names of an enum's values, written once in a table that both directions read: to_string and the
// parser of files and options use the same spelling, so a name cannot drift between writer and reader.
//   constexpr EnumName<StepKind> kStepKinds[] = {{StepKind::kCpu, "cpu"}, {StepKind::kGpu, "gpu"}};
//   name_of(kStepKinds, k) -> "cpu";  value_of(kStepKinds, "gpu") -> StepKind::kGpu (nullopt: unknown)
#pragma once
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace hetsched {

template <typename E>
struct EnumName {
  E value;
  const char* name;
};

// The name of `v`; "?" for a value the table lacks (a cast from a bad integer).
template <typename E, size_t N>
const char* name_of(const EnumName<E> (&table)[N], E v) {
  for (const EnumName<E>& e : table)
    if (e.value == v) return e.name;
  return "?";
}

// The value named `s` (exact spelling), or nullopt.
template <typename E, size_t N>
std::optional<E> value_of(const EnumName<E> (&table)[N], std::string_view s) {
  for (const EnumName<E>& e : table)
    if (s == e.name) return e.value;
  return std::nullopt;
}

// Every name, for an error message: "whole, slices or rows".
template <typename E, size_t N>
std::string names_of(const EnumName<E> (&table)[N]) {
  std::string out;
  for (size_t i = 0; i < N; ++i) out += std::string(i == 0 ? "" : i + 1 == N ? " or " : ", ") + table[i].name;
  return out;
}

}  // namespace hetsched
