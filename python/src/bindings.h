// The pieces of the `hetsched._hetsched` extension module (python/src/, one file each), the one
// place where the Python-side option values become SessionOptions, and the one JSON -> Python
// conversion.
#pragma once
#include <nanobind/nanobind.h>
#include <nlohmann/json.hpp>

#include <optional>
#include <string>
#include <utility>

#include "scheduler/session.h"

namespace hetsched::python {

void bind_errors(nanobind::module_& m);
void bind_model(nanobind::module_& m);
void bind_session(nanobind::module_& m);
void bind_devices(nanobind::module_& m);

// `__init__` of a class whose construction takes long (loading, preparing a session): constructs
// *self from `args` with the GIL released, so other Python threads run meanwhile.
template <typename T, typename... Args>
void construct_without_gil(T* self, Args&&... args) {
  nanobind::gil_scoped_release release;
  new (self) T(std::forward<Args>(args)...);
}

// A JSON value of the library (reports, model summaries) as the Python object json.loads would
// give: dict (keys in their order), list, str, int, float, bool or None.
nanobind::object to_python(const nlohmann::ordered_json& j);

// Session(..., policy=, threads=, device=, precision=, tune=) -> SessionOptions: every string and
// None of the Python signature is converted and checked here, once (kInvalidArgument naming the
// option otherwise).
SessionOptions session_options(const std::string& policy, int threads, std::optional<int> device,
                               const std::string& precision, bool tune);

}  // namespace hetsched::python
