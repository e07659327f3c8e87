// Errors: one Python exception class per hetsched::ErrorKind (base/error.h), all derived from
// hetsched.Error and carrying the C++ message unchanged. InvalidArgumentError is also a ValueError
// (what numpy users and LiteRT's interpreter raise for a wrong shape or dtype).
#include <nanobind/nanobind.h>

#include <array>

#include "base/error.h"
#include "bindings.h"

namespace nb = nanobind;

namespace hetsched::python {
namespace {

struct ErrorClass {
  ErrorKind kind;
  const char* name;  // the Python class name
  const char* doc;
};

constexpr std::array<ErrorClass, 6> kClasses{{
    {ErrorKind::kInvalidModel, "InvalidModelError", "The .tflite file is malformed, truncated or inconsistent."},
    {ErrorKind::kUnsupported, "UnsupportedError", "An op, dtype, feature or (Interpreter) LiteRT call hetsched does not support."},
    {ErrorKind::kInvalidArgument, "InvalidArgumentError", "Bad user input: wrong shape or dtype, missing file, bad option."},
    {ErrorKind::kResourceExhausted, "ResourceExhaustedError", "Out of host or device memory."},
    {ErrorKind::kDeviceUnavailable, "DeviceUnavailableError", "No usable Vulkan device, device creation failed, or device lost."},
    {ErrorKind::kInternal, "InternalError", "A hetsched bug."},
}};

// By ErrorKind's value; owned by the module (kept alive as its attributes).
std::array<PyObject*, kClasses.size()> g_classes{};

}  // namespace

void bind_errors(nb::module_& m) {
  PyObject* base = PyErr_NewExceptionWithDoc(
      "hetsched.Error", "Base class of every hetsched error; `kind` names the C++ ErrorKind.", PyExc_Exception, nullptr);
  if (!base) throw nb::python_error();
  PyObject_SetAttrString(base, "kind", nb::str("error").ptr());
  m.attr("Error") = nb::steal(base);
  for (const ErrorClass& c : kClasses) {
    nb::object bases = c.kind == ErrorKind::kInvalidArgument
                           ? nb::object(nb::make_tuple(nb::handle(base), nb::handle(PyExc_ValueError)))
                           : nb::borrow(base);
    PyObject* cls = PyErr_NewExceptionWithDoc((std::string("hetsched.") + c.name).c_str(), c.doc, bases.ptr(), nullptr);
    if (!cls) throw nb::python_error();
    PyObject_SetAttrString(cls, "kind", nb::str(to_string(c.kind)).ptr());
    m.attr(c.name) = nb::steal(cls);
    g_classes[size_t(c.kind)] = cls;
  }
  nb::register_exception_translator([](const std::exception_ptr& p, void*) {
    try {
      std::rethrow_exception(p);
    } catch (const Error& e) {
      const size_t k = size_t(e.kind());
      PyErr_SetString(k < g_classes.size() ? g_classes[k] : g_classes[size_t(ErrorKind::kInternal)], e.what());
    }
  });
}

}  // namespace hetsched::python
