// The pieces of the `hetsched._hetsched` extension module (python/src/, one file each), and the one
// place where the Python-side option values become SessionOptions.
#pragma once
#include <nanobind/nanobind.h>

#include <optional>
#include <string>

#include "scheduler/session.h"

namespace hetsched::python {

void bind_errors(nanobind::module_& m);
void bind_model(nanobind::module_& m);
void bind_session(nanobind::module_& m);
void bind_devices(nanobind::module_& m);

// Session(..., policy=, threads=, device=, precision=, tune=) -> SessionOptions: every string and
// None of the Python signature is converted and checked here, once (kInvalidArgument naming the
// option otherwise).
SessionOptions session_options(const std::string& policy, int threads, std::optional<int> device,
                               const std::string& precision, bool tune);

}  // namespace hetsched::python
