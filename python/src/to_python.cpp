// JSON values of the library (scheduler/report_json.h, scheduler/model_summary.h) as Python objects:
// the one conversion behind the dicts of Session and Model, so each report is spelled once in C++.
#include <nanobind/stl/string.h>

#include "base/error.h"
#include "bindings.h"

namespace nb = nanobind;

namespace hetsched::python {

nb::object to_python(const nlohmann::ordered_json& j) {
  using Type = nlohmann::ordered_json::value_t;
  switch (j.type()) {
    case Type::null: return nb::none();
    case Type::boolean: return nb::cast(j.get<bool>());
    case Type::number_integer: return nb::cast(j.get<int64_t>());
    case Type::number_unsigned: return nb::cast(j.get<uint64_t>());
    case Type::number_float: return nb::cast(j.get<double>());
    case Type::string: return nb::cast(j.get_ref<const std::string&>());
    case Type::array: {
      nb::list out;
      for (const auto& x : j) out.append(to_python(x));
      return out;
    }
    case Type::object: {
      nb::dict out;
      for (const auto& [key, value] : j.items()) out[key.c_str()] = to_python(value);
      return out;
    }
    case Type::binary:
    case Type::discarded: break;
  }
  fail(ErrorKind::kInternal, "no Python value for JSON of type '{}'", j.type_name());
}

}  // namespace hetsched::python
