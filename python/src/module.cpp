// The extension module `hetsched._hetsched`: the C++ API (scheduler/model.h, scheduler/session.h)
// for the Python package in python/hetsched/, which adds the checked, typed public classes.
#include <nanobind/nanobind.h>
#include <nanobind/stl/string.h>

#include "bindings.h"
#include "cpu/simd/simd_target.h"

namespace nb = nanobind;

NB_MODULE(_hetsched, m) {
  m.doc() = "hetsched's C++ core; use the `hetsched` package, not this module";
  hetsched::python::bind_errors(m);
  hetsched::python::bind_model(m);
  hetsched::python::bind_session(m);
  hetsched::python::bind_devices(m);
  m.def("cpu_simd_target", [] { return hetsched::cpu::simd_target_name(); },
        "The SIMD target the CPU kernels dispatch to (Highway), e.g. 'AVX2'.");
}
